//! JOSE: strict compact JWS parsing, JWK sets parsed once into verification
//! keys, and the signature-primitive seam. The claim rules live in
//! [`crate::verify`].

pub mod alg;
pub mod backend;
mod json;
pub mod jwk;
pub mod jws;
pub mod key;
mod roca;

pub use alg::Algorithm;
pub use backend::{default_backend, SignatureBackend};
pub use jwk::{Jwk, KeySet, KeySetError};
pub use jws::{CompactJws, JwsError, MAX_TOKEN_BYTES};
pub use key::{KeyError, PublicKey};

// The token payload has its own one-pass parser (verify/payload.rs), checked against this one.
#[cfg(test)]
pub(crate) use json::{parse_object as parse_strict_object, StrictJsonError};

use crate::verify::JwtErrorCode;

/// Verifies the JWS layer alone and returns the payload bytes: structure
/// (`malformed`), `alg` on `allowed` (`unsupported_algorithm`), a single
/// fitting key (`unknown_key`), then the signature (`signature`). The payload
/// is not interpreted.
pub fn verify_jws(
    token: &str,
    keys: &KeySet,
    allowed: &[Algorithm],
    backend: &dyn SignatureBackend,
) -> Result<Vec<u8>, JwtErrorCode> {
    let jws = CompactJws::parse(token).map_err(|_| JwtErrorCode::Malformed)?;
    let alg = allowed_algorithm(jws.alg(), allowed).ok_or(JwtErrorCode::UnsupportedAlgorithm)?;
    let jwk = keys.select(alg, jws.kid()).ok_or(JwtErrorCode::UnknownKey)?;
    if !backend.verify(alg, &jwk.key, jws.signing_input().as_bytes(), jws.signature()) {
        return Err(JwtErrorCode::Signature);
    }
    Ok(jws.into_payload())
}

/// The algorithm named `name` when it is on `allowed` (exact, case-sensitive).
pub(crate) fn allowed_algorithm(name: &str, allowed: &[Algorithm]) -> Option<Algorithm> {
    Algorithm::from_name(name).filter(|alg| allowed.contains(alg))
}

#[cfg(test)]
pub(crate) mod testkit;
