//! JSON Web Key sets (RFC 7517), parsed once into usable verification keys.
//!
//! Loading is forgiving per key and strict per set: a key that cannot be used
//! to verify one of our algorithms (an `enc` key, `key_ops` without
//! `verify`, a symmetric or private key, an unknown `kty`/`crv`, an `alg` off
//! our list or not matching the key type, RSA under 2048 bits, an invalid
//! point) is dropped; a document that is not a JSON object with a `keys`
//! array, or repeats a member name, is an error.

use serde_json::{Map, Value};

use super::json::{self, StrictJsonError};
use super::key::PublicKey;
use super::Algorithm;
use crate::b64;

/// The largest key-set document accepted, in bytes.
pub const MAX_KEY_SET_BYTES: usize = 1024 * 1024;

/// Members that only a private or symmetric key has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why a key-set document could not be loaded at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    #[error("key set is larger than 1 MiB")]
    TooLarge,
    #[error("key set is not JSON")]
    Syntax,
    #[error("key set repeats a member name")]
    DuplicateMember,
    #[error("key set is not an object with a keys array")]
    NoKeys,
    #[error("document is not a JSON object")]
    NotObject,
}

impl KeySetError {
    /// Stable short code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            KeySetError::TooLarge => "too_large",
            KeySetError::Syntax => "syntax",
            KeySetError::DuplicateMember => "duplicate_member",
            KeySetError::NoKeys => "no_keys",
            KeySetError::NotObject => "not_object",
        }
    }
}

/// One usable verification key.
#[derive(Clone, Debug)]
pub struct Jwk {
    /// The key id, if the JWK had one.
    pub kid: Option<String>,
    /// The algorithm the JWK is restricted to, if it named one.
    pub alg: Option<Algorithm>,
    /// The key itself.
    pub key: PublicKey,
}

impl Jwk {
    /// Whether this key may verify a signature made with `alg`: the key type
    /// (and curve) fits, and the JWK's own `alg`, when given, is `alg`.
    pub fn fits(&self, alg: Algorithm) -> bool {
        key_fits(&self.key, alg) && self.alg.is_none_or(|own| own == alg)
    }
}

fn key_fits(key: &PublicKey, alg: Algorithm) -> bool {
    matches!(
        (alg, key),
        (Algorithm::Rs256 | Algorithm::Ps256, PublicKey::Rsa(_))
            | (Algorithm::Es256, PublicKey::P256(_))
            | (Algorithm::EdDsa, PublicKey::Ed25519(_))
    )
}

/// The usable keys of one key set.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

impl KeySet {
    /// Loads an RFC 7517 key set (`{"keys": [...]}`), keeping the usable keys.
    pub fn from_json(bytes: &[u8]) -> Result<KeySet, KeySetError> {
        let doc = parse_document(bytes)?;
        let Some(Value::Array(keys)) = doc.get("keys") else {
            return Err(KeySetError::NoKeys);
        };
        Ok(KeySet { keys: keys.iter().filter_map(jwk_from_value).collect() })
    }

    /// Loads a single JWK as a set of zero or one usable key.
    pub fn from_jwk_json(bytes: &[u8]) -> Result<KeySet, KeySetError> {
        let doc = parse_document(bytes)?;
        Ok(KeySet { keys: jwk_from_object(&doc).into_iter().collect() })
    }

    /// A set of the given keys.
    pub fn from_keys(keys: Vec<Jwk>) -> KeySet {
        KeySet { keys }
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Whether some key has this kid (whatever its algorithm): a caller
    /// refetching the set on an unknown kid asks this.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The key that verifies `alg` for a token with this `kid`: with a kid,
    /// the only fitting key with that kid; without, the only fitting key in
    /// the set. Ambiguity selects nothing.
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> Option<&Jwk> {
        let mut fitting = self.keys.iter().filter(|k| k.fits(alg) && (kid.is_none() || k.kid.as_deref() == kid));
        let first = fitting.next()?;
        match fitting.next() {
            None => Some(first),
            Some(_) => None,
        }
    }
}

fn parse_document(bytes: &[u8]) -> Result<Map<String, Value>, KeySetError> {
    if bytes.len() > MAX_KEY_SET_BYTES {
        return Err(KeySetError::TooLarge);
    }
    json::parse_object(bytes).map_err(|e| match e {
        StrictJsonError::Syntax => KeySetError::Syntax,
        StrictJsonError::Duplicate => KeySetError::DuplicateMember,
        StrictJsonError::NotObject => KeySetError::NotObject,
    })
}

fn jwk_from_value(value: &Value) -> Option<Jwk> {
    match value {
        Value::Object(map) => jwk_from_object(map),
        _ => None,
    }
}

/// A usable key from one JWK object, or `None` when it must be dropped.
fn jwk_from_object(jwk: &Map<String, Value>) -> Option<Jwk> {
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return None;
    }
    if let Some(usage) = jwk.get("use") {
        if usage.as_str() != Some("sig") {
            return None;
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops.as_array()?;
        if !ops.iter().any(|op| op.as_str() == Some("verify")) {
            return None;
        }
    }
    let kid = match jwk.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return None,
    };
    let alg = match jwk.get("alg") {
        None => None,
        Some(Value::String(name)) => Some(Algorithm::from_name(name)?),
        Some(_) => return None,
    };
    let key = public_key(jwk)?;
    if let Some(alg) = alg {
        if !key_fits(&key, alg) {
            return None;
        }
    }
    Some(Jwk { kid, alg, key })
}

fn public_key(jwk: &Map<String, Value>) -> Option<PublicKey> {
    let member = |name: &str| -> Option<Vec<u8>> { b64::decode(jwk.get(name)?.as_str()?).ok() };
    match (jwk.get("kty")?.as_str()?, jwk.get("crv").map(Value::as_str)) {
        ("RSA", None) => PublicKey::rsa(&member("n")?, &member("e")?).ok(),
        ("EC", Some(Some("P-256"))) => PublicKey::p256_xy(&member("x")?, &member("y")?).ok(),
        ("OKP", Some(Some("Ed25519"))) => PublicKey::ed25519(&member("x")?).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
