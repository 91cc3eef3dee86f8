//! The signature-primitive seam (DESIGN.md, "Verification"): the JWS layer
//! and every claim rule stay in the core; the primitive comes from a backend
//! chosen per target. aws-lc-rs natively (keys parsed once at load; the
//! fastest natively, bench/native.sh), with ring kept as a second native
//! backend; RustCrypto on wasm32 (and natively behind the `rustcrypto`
//! feature, so the same vectors run through it). On wasm32 without the
//! `wasm-rsa-p256` feature (the edge Worker's bundle) RustCrypto covers
//! EdDSA only and refuses RS256, PS256 and ES256: the Worker verifies those
//! with WebCrypto.
//!
//! Every backend applies the same encoding rules first ([`precheck`]): an
//! RSA signature as long as the modulus, ES256 as exactly 64 bytes `r || s`
//! (DER is refused) with neither half zero, Ed25519 as 64 bytes with a
//! canonical `S < L`. High-s ECDSA signatures are valid: JWS does not
//! require low-s.

use super::key::PublicKey;
use super::Algorithm;

#[cfg(not(target_arch = "wasm32"))]
pub mod aws_lc;
#[cfg(not(target_arch = "wasm32"))]
pub mod ring;
#[cfg(realmgate_rustcrypto)]
pub mod rustcrypto;

/// A signature primitive: does `signature` over `message` verify under `key` with `alg`?
pub trait SignatureBackend: Send + Sync {
    /// True only for a valid signature; a key that does not fit `alg` is false.
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool;

    /// A short name for reports.
    fn name(&self) -> &'static str {
        "custom"
    }
}

/// The backend for this target: aws-lc-rs natively, RustCrypto on wasm32
/// (EdDSA only there without the `wasm-rsa-p256` feature).
pub fn default_backend() -> &'static dyn SignatureBackend {
    #[cfg(not(target_arch = "wasm32"))]
    {
        &aws_lc::AwsLc
    }
    #[cfg(target_arch = "wasm32")]
    {
        &rustcrypto::RustCrypto
    }
}

/// Every backend compiled into this build, for running the same vectors
/// through each; the default backend first.
pub fn all_backends() -> Vec<&'static dyn SignatureBackend> {
    let native: &[&'static dyn SignatureBackend] = &[
        #[cfg(not(target_arch = "wasm32"))]
        &aws_lc::AwsLc,
        #[cfg(not(target_arch = "wasm32"))]
        &ring::Ring,
        #[cfg(realmgate_rustcrypto)]
        &rustcrypto::RustCrypto,
    ];
    native.to_vec()
}

/// The group order L of Ed25519, little-endian.
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0x10,
];

/// The encoding rules every backend applies before the primitive: the key
/// fits the algorithm and the signature has the algorithm's exact form.
pub fn precheck(alg: Algorithm, key: &PublicKey, signature: &[u8]) -> bool {
    match (alg, key) {
        (Algorithm::Rs256 | Algorithm::Ps256, PublicKey::Rsa(k)) => signature.len() == k.modulus_len(),
        (Algorithm::Es256, PublicKey::P256(_)) => {
            signature.len() == 64
                && signature.get(..32).is_some_and(|r| r.iter().any(|&b| b != 0))
                && signature.get(32..).is_some_and(|s| s.iter().any(|&b| b != 0))
        }
        (Algorithm::EdDsa, PublicKey::Ed25519(_)) => {
            signature.len() == 64 && signature.get(32..).is_some_and(scalar_is_canonical)
        }
        _ => false,
    }
}

/// Whether a little-endian 32-byte scalar is below the Ed25519 group order.
fn scalar_is_canonical(s: &[u8]) -> bool {
    for (byte, l) in s.iter().rev().zip(ED25519_L.iter().rev()) {
        if byte != l {
            return byte < l;
        }
    }
    false
}

#[cfg(test)]
mod tests;
