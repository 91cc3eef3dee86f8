//! Password hashing with argon2id (the `argon2` crate's defaults: m=19 MiB,
//! t=2, p=1, OWASP's minimum). Hashing and checking are CPU-bound, so callers
//! run them on the blocking pool.
//!
//! A check against an unknown address, or an identity without a password,
//! still verifies against a fixed dummy hash, so both cost the same as a wrong
//! password: timing does not tell whether an address exists.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// A PHC-format argon2id hash of the password.
pub fn hash(password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.expose(), &salt).map(|h| h.to_string()).map_err(|_| HashError)
}

/// Whether `password` matches `stored`; with no stored hash, verifies
/// against the dummy and answers `false`.
pub fn verify(password: &Password, stored: Option<&str>) -> bool {
    match stored.and_then(|s| PasswordHash::new(s).ok()) {
        Some(h) => Argon2::default().verify_password(password.expose(), &h).is_ok(),
        None => {
            if let Some(dummy) = dummy_hash().and_then(|s| PasswordHash::new(s).ok()) {
                let _ = Argon2::default().verify_password(password.expose(), &dummy);
            }
            false
        }
    }
}

fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(b"realmgate-dummy-password", &salt).ok().map(|h| h.to_string())
        })
        .as_deref()
}

/// Warms the dummy hash so the first unknown-address check is not faster.
pub fn warm_up() {
    let _ = dummy_hash();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_and_missing_hash_is_false() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        let h = hash(&p).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&p, Some(&h)));
        assert!(!verify(&Password::parse("wrong password".into()).unwrap(), Some(&h)));
        assert!(!verify(&p, None));
        assert!(!verify(&p, Some("not a hash")));
    }
}
