//! The ring backend (native): RSA PKCS#1 v1.5 and PSS (SHA-256, salt 32),
//! ECDSA P-256 fixed-width `r || s`, Ed25519. Key material is handed to ring
//! as stored at load (modulus and exponent, SEC1 point, 32-byte key).

use ring::signature::{self as sig, RsaPublicKeyComponents, UnparsedPublicKey};

use super::{precheck, SignatureBackend};
use crate::jose::key::PublicKey;
use crate::jose::Algorithm;

/// Signature verification with ring.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ring;

impl SignatureBackend for Ring {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        if !precheck(alg, key, signature) {
            return false;
        }
        match (alg, key) {
            (Algorithm::Rs256, PublicKey::Rsa(k)) => RsaPublicKeyComponents { n: k.n(), e: k.e() }
                .verify(&sig::RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            (Algorithm::Ps256, PublicKey::Rsa(k)) => RsaPublicKeyComponents { n: k.n(), e: k.e() }
                .verify(&sig::RSA_PSS_2048_8192_SHA256, message, signature)
                .is_ok(),
            (Algorithm::Es256, PublicKey::P256(k)) => {
                UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, k.sec1()).verify(message, signature).is_ok()
            }
            (Algorithm::EdDsa, PublicKey::Ed25519(k)) => {
                UnparsedPublicKey::new(&sig::ED25519, k.bytes()).verify(message, signature).is_ok()
            }
            _ => false,
        }
    }

    fn name(&self) -> &'static str {
        "ring"
    }
}
