//! API keys: `rgk_<id>_<secret>`, where `id` (16 hex digits) is the public
//! lookup key and `secret` is 32 random bytes (base64url).
//!
//! Only SHA-256(secret) is stored. A slow hash (argon2) protects
//! low-entropy human passwords from guessing; a 256-bit random secret cannot
//! be guessed, so a fast digest is as safe and keeps every authenticated
//! request cheap. The digest is compared in constant time.

use std::fmt;

use base64::Engine;
use rand::RngCore;
use sha2_10::{Digest, Sha256};
use subtle::ConstantTimeEq;

const PREFIX: &str = "rgk_";

/// A freshly generated key: shown once, then only its digest remains.
pub struct NewApiKey {
    pub id: String,
    pub secret_hash: String,
    token: String,
}

impl NewApiKey {
    pub fn generate() -> NewApiKey {
        let mut id = [0u8; 8];
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut id);
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let id = hex::encode(id);
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        NewApiKey { secret_hash: digest(&secret), token: format!("{PREFIX}{id}_{secret}"), id }
    }

    /// The full key, to print once.
    pub fn reveal(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiKey").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A key presented by a caller, split into id and secret.
pub struct PresentedKey {
    pub id: String,
    secret: String,
}

impl PresentedKey {
    /// `None` unless the value has the API-key shape.
    pub fn parse(raw: &str) -> Option<PresentedKey> {
        let rest = raw.strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let id_ok = id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit());
        let secret_ok = !secret.is_empty() && secret.len() <= 64;
        (id_ok && secret_ok).then(|| PresentedKey { id: id.to_owned(), secret: secret.to_owned() })
    }

    pub fn looks_like_key(raw: &str) -> bool {
        raw.starts_with(PREFIX)
    }

    /// Constant-time comparison of the secret's digest with the stored one.
    pub fn matches(&self, stored_hash: &str) -> bool {
        digest(&self.secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

impl fmt::Debug for PresentedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentedKey").field("id", &self.id).finish_non_exhaustive()
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_parses_and_matches_only_its_digest() {
        let k = NewApiKey::generate();
        let p = PresentedKey::parse(k.reveal()).unwrap();
        assert_eq!(p.id, k.id);
        assert!(p.matches(&k.secret_hash));
        let other = NewApiKey::generate();
        assert!(!p.matches(&other.secret_hash));
        assert!(!format!("{k:?}{p:?}").contains(k.reveal()));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        for bad in ["", "rgk_", "rgk_zz_secret", "rgk_0123456789abcdef", "abc_0123456789abcdef_x", "rgk_0123456789abcdef_"] {
            assert!(PresentedKey::parse(bad).is_none(), "{bad}");
        }
    }
}
