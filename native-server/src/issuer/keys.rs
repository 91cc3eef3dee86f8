//! Signing keys: generation (RS256 with the `rsa` crate — ring cannot make
//! RSA keys —, ES256 and EdDSA with ring), PKCS#8 at rest, the public JWK
//! with an RFC 7638 thumbprint as `kid`, and compact JWS signing with ring.

use std::fmt;

use realmgate_core::b64;
use realmgate_core::jose::Algorithm;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair};
use serde_json::{json, Value};
use sha2_10::{Digest, Sha256};

use crate::clock::Millis;
use crate::store::issuer::SigningKeyRecord;

/// Why a key could not be made or used. Never carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("algorithm must be RS256, ES256 or EdDSA")]
    UnsupportedAlgorithm,
    #[error("key generation failed")]
    Generate,
    #[error("stored key is not valid PKCS#8 for its algorithm")]
    Stored,
    #[error("signing failed")]
    Sign,
}

/// The algorithms the issuer signs with (PS256 is verified, never issued).
pub fn parse_alg(name: &str) -> Result<Algorithm, KeyError> {
    match Algorithm::from_name(name) {
        Some(a @ (Algorithm::Rs256 | Algorithm::Es256 | Algorithm::EdDsa)) => Ok(a),
        _ => Err(KeyError::UnsupportedAlgorithm),
    }
}

/// A loaded private key, ready to sign. `Debug` shows only the kid.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    pair: Pair,
}

enum Pair {
    Rsa(sig::RsaKeyPair),
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).field("alg", &self.alg).finish_non_exhaustive()
    }
}

/// Generates a new key for `alg` as a record ready to store (active).
pub fn generate(alg: Algorithm, now: Millis) -> Result<SigningKeyRecord, KeyError> {
    let der = match alg {
        Algorithm::Rs256 => generate_rsa()?,
        Algorithm::Es256 => {
            let rng = SystemRandom::new();
            sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(|_| KeyError::Generate)?.as_ref().to_vec()
        }
        Algorithm::EdDsa => {
            let rng = SystemRandom::new();
            sig::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Generate)?.as_ref().to_vec()
        }
        Algorithm::Ps256 => return Err(KeyError::UnsupportedAlgorithm),
    };
    let pkcs8 = b64::encode(&der);
    let loaded = load_der(alg, &der, String::new())?;
    let jwk = public_jwk(&loaded);
    let kid = thumbprint(&jwk);
    let mut jwk = jwk;
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(alg.name());
    jwk["use"] = json!("sig");
    Ok(SigningKeyRecord { kid, alg: alg.name().to_owned(), private_pkcs8: pkcs8, public_jwk: jwk.to_string(), created_at: now, active: true, retire_after: None })
}

fn generate_rsa() -> Result<Vec<u8>, KeyError> {
    use rsa09::pkcs8::EncodePrivateKey;
    let mut rng = rand::rngs::OsRng;
    let key = rsa09::RsaPrivateKey::new(&mut rng, 2048).map_err(|_| KeyError::Generate)?;
    key.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).map_err(|_| KeyError::Generate)
}

/// Loads a stored key for signing.
pub fn load(record: &SigningKeyRecord) -> Result<SigningKey, KeyError> {
    let alg = parse_alg(&record.alg).map_err(|_| KeyError::Stored)?;
    let der = b64::decode(&record.private_pkcs8).map_err(|_| KeyError::Stored)?;
    load_der(alg, &der, record.kid.clone())
}

fn load_der(alg: Algorithm, der: &[u8], kid: String) -> Result<SigningKey, KeyError> {
    let pair = match alg {
        Algorithm::Rs256 => Pair::Rsa(sig::RsaKeyPair::from_pkcs8(der).map_err(|_| KeyError::Stored)?),
        Algorithm::Es256 => {
            let rng = SystemRandom::new();
            Pair::Ecdsa(sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(|_| KeyError::Stored)?)
        }
        Algorithm::EdDsa => Pair::Ed25519(sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|_| KeyError::Stored)?),
        Algorithm::Ps256 => return Err(KeyError::UnsupportedAlgorithm),
    };
    Ok(SigningKey { kid, alg, pair })
}

/// The required public members of the key's JWK (RFC 7638 order).
fn public_jwk(key: &SigningKey) -> Value {
    match &key.pair {
        Pair::Rsa(p) => {
            let c: ring::rsa::PublicKeyComponents<Vec<u8>> = p.public().into();
            json!({ "e": b64::encode(strip_zeros(&c.e)), "kty": "RSA", "n": b64::encode(strip_zeros(&c.n)) })
        }
        Pair::Ecdsa(p) => {
            let point = p.public_key().as_ref();
            let x = point.get(1..33).unwrap_or_default();
            let y = point.get(33..65).unwrap_or_default();
            json!({ "crv": "P-256", "kty": "EC", "x": b64::encode(x), "y": b64::encode(y) })
        }
        Pair::Ed25519(p) => json!({ "crv": "Ed25519", "kty": "OKP", "x": b64::encode(p.public_key().as_ref()) }),
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}

/// RFC 7638 thumbprint: SHA-256 of the required members, sorted, no spaces
/// (serde_json's map is ordered by key, which is the required order).
fn thumbprint(required: &Value) -> String {
    b64::encode(&Sha256::digest(required.to_string().as_bytes()))
}

impl SigningKey {
    /// A compact JWS of `claims` with header `{alg, kid, typ: "JWT"}`.
    pub fn sign_jwt(&self, claims: &Value) -> Result<String, KeyError> {
        let header = json!({ "alg": self.alg.name(), "kid": self.kid, "typ": "JWT" });
        let input = format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()));
        let signature = self.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", b64::encode(&signature)))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(p) => {
                let mut out = vec![0; p.public().modulus_len()];
                p.sign(&sig::RSA_PKCS1_SHA256, &rng, message, &mut out).map_err(|_| KeyError::Sign)?;
                Ok(out)
            }
            Pair::Ecdsa(p) => p.sign(&rng, message).map(|s| s.as_ref().to_vec()).map_err(|_| KeyError::Sign),
            Pair::Ed25519(p) => Ok(p.sign(message).as_ref().to_vec()),
        }
    }
}

/// The JWKS document of published keys.
pub fn jwks(records: &[SigningKeyRecord]) -> Value {
    let keys: Vec<Value> = records.iter().filter_map(|r| serde_json::from_str(&r.public_jwk).ok()).collect();
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_issued_algorithm_generates_loads_and_signs_with_a_thumbprint_kid() {
        for alg in [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Rs256] {
            let rec = generate(alg, 0).unwrap();
            let key = load(&rec).unwrap();
            assert_eq!(key.kid, rec.kid);
            let jwk: Value = serde_json::from_str(&rec.public_jwk).unwrap();
            assert_eq!(jwk["kid"], json!(rec.kid));
            assert!(jwk.get("d").is_none(), "public JWK only");
            let token = key.sign_jwt(&json!({"sub": "x"})).unwrap();
            assert_eq!(token.split('.').count(), 3);
            assert!(!format!("{rec:?}{key:?}").contains(&rec.private_pkcs8));
        }
        assert!(parse_alg("PS256").is_err());
        assert!(parse_alg("HS256").is_err());
    }
}
