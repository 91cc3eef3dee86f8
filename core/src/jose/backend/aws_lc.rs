//! The aws-lc-rs backend (native default): RSA PKCS#1 v1.5 and PSS (SHA-256,
//! salt 32), ECDSA P-256 fixed-width `r || s`, Ed25519. Each key is parsed
//! into AWS-LC's form once, when the key set is loaded ([`AwsLcKey`], kept
//! in the [`PublicKey`]), so a verification is the primitive alone.

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};

use super::{precheck, SignatureBackend};
use crate::jose::key::PublicKey;
use crate::jose::Algorithm;

/// Signature verification with aws-lc-rs.
#[derive(Clone, Copy, Debug, Default)]
pub struct AwsLc;

/// A key parsed for aws-lc-rs once, at load. An RSA key may sign RS256 or
/// PS256 (an AWS-LC key is bound to one padding), so it is parsed for both.
#[derive(Clone)]
pub(crate) enum AwsLcKey {
    Rsa { pkcs1: ParsedPublicKey, pss: ParsedPublicKey },
    Single(ParsedPublicKey),
}

impl AwsLcKey {
    /// An RSA key from big-endian modulus and exponent (already validated by the caller).
    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Option<AwsLcKey> {
        let components = RsaPublicKeyComponents { n, e };
        Some(AwsLcKey::Rsa {
            pkcs1: components.to_parsed_public_key(&sig::RSA_PKCS1_2048_8192_SHA256).ok()?,
            pss: components.to_parsed_public_key(&sig::RSA_PSS_2048_8192_SHA256).ok()?,
        })
    }

    /// A P-256 key from its uncompressed SEC1 point.
    pub(crate) fn p256(sec1: &[u8]) -> Option<AwsLcKey> {
        ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, sec1).ok().map(AwsLcKey::Single)
    }

    /// An Ed25519 key from its 32 bytes.
    pub(crate) fn ed25519(bytes: &[u8]) -> Option<AwsLcKey> {
        ParsedPublicKey::new(&sig::ED25519, bytes).ok().map(AwsLcKey::Single)
    }
}

impl SignatureBackend for AwsLc {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        if !precheck(alg, key, signature) {
            return false;
        }
        let parsed = match (alg, key) {
            (Algorithm::Rs256, PublicKey::Rsa(k)) => match &k.aws_lc {
                Some(AwsLcKey::Rsa { pkcs1, .. }) => pkcs1,
                _ => return false,
            },
            (Algorithm::Ps256, PublicKey::Rsa(k)) => match &k.aws_lc {
                Some(AwsLcKey::Rsa { pss, .. }) => pss,
                _ => return false,
            },
            (Algorithm::Es256, PublicKey::P256(k)) => match &k.aws_lc {
                Some(AwsLcKey::Single(p)) => p,
                _ => return false,
            },
            (Algorithm::EdDsa, PublicKey::Ed25519(k)) => match &k.aws_lc {
                Some(AwsLcKey::Single(p)) => p,
                _ => return false,
            },
            _ => return false,
        };
        parsed.verify_sig(message, signature).is_ok()
    }

    fn name(&self) -> &'static str {
        "aws-lc-rs"
    }
}
