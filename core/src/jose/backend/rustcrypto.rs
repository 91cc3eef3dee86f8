//! The RustCrypto backend (pure Rust; always on wasm32, natively behind the
//! `rustcrypto` feature): rsa, p256 and ed25519-dalek, with the keys parsed
//! once when they were loaded. On wasm32 without the `wasm-rsa-p256` feature
//! it has Ed25519 only, and every RS256, PS256 or ES256 signature is false.

#[cfg(realmgate_rustcrypto_rsa_p256)]
use p256::ecdsa::signature::Verifier;
#[cfg(realmgate_rustcrypto_rsa_p256)]
use sha2::{Digest, Sha256};

use super::{precheck, SignatureBackend};
use crate::jose::key::PublicKey;
use crate::jose::Algorithm;

#[cfg(realmgate_rustcrypto_rsa_p256)]
/// PSS salt length for PS256 (RFC 7518 §3.5: the hash length).
const PSS_SALT_LEN: usize = 32;

/// Signature verification with RustCrypto crates.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

impl SignatureBackend for RustCrypto {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        if !precheck(alg, key, signature) {
            return false;
        }
        match (alg, key) {
            #[cfg(realmgate_rustcrypto_rsa_p256)]
            (Algorithm::Rs256, PublicKey::Rsa(k)) => {
                let hashed = Sha256::digest(message);
                k.rustcrypto.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed, signature).is_ok()
            }
            #[cfg(realmgate_rustcrypto_rsa_p256)]
            (Algorithm::Ps256, PublicKey::Rsa(k)) => {
                let hashed = Sha256::digest(message);
                k.rustcrypto.verify(rsa::Pss::<Sha256>::new_with_salt(PSS_SALT_LEN), &hashed, signature).is_ok()
            }
            #[cfg(realmgate_rustcrypto_rsa_p256)]
            (Algorithm::Es256, PublicKey::P256(k)) => match p256::ecdsa::Signature::from_slice(signature) {
                Ok(s) => k.rustcrypto.verify(message, &s).is_ok(),
                Err(_) => false,
            },
            (Algorithm::EdDsa, PublicKey::Ed25519(k)) => {
                let Ok(bytes) = <[u8; 64]>::try_from(signature) else { return false };
                k.rustcrypto.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes)).is_ok()
            }
            _ => false,
        }
    }

    fn name(&self) -> &'static str {
        "rustcrypto"
    }
}
