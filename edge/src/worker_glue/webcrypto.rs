//! The signature primitive in the Worker (DESIGN.md "Verification"): the
//! core prepares algorithm, key, signing input and signature
//! (`UntrustedJwt::prepare`); this file asks the runtime's WebCrypto
//! (BoringSSL in workerd) for RS256, PS256 and ES256, and the core's own
//! backend for EdDSA (or for everything with `SIGNATURE_PATH=wasm`); the core
//! then finishes with the verdict (`PreparedCheck::finish`, which also
//! re-checks the signature's encoding). A WebCrypto failure (not a "false")
//! is reported to the caller: with the `wasm-signatures` feature the core's
//! pure-Rust RSA/P-256 then decides; without it (the default bundle, which
//! has no RSA/P-256 in wasm) the signature counts as not verified and the
//! caller refuses the token.
//!
//! Imported keys are cached in isolate memory, keyed by algorithm and key
//! material (so a rotated key set simply brings new entries; a cached key is
//! never used for other material). The cache is bounded; when full the
//! oldest entry goes. A verification never depends on its key still being
//! cached after an await (another request may have evicted it meanwhile). It is a short list scanned in
//! order (a handful of entries: cheaper than hashing a modulus per request).

use std::cell::{OnceCell, RefCell};

use js_sys::{Array, Object, Reflect};
use realmgate_core::b64;
use realmgate_core::jose::{default_backend, Algorithm, PublicKey};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;

use crate::config::SignaturePath;

/// Imported keys kept per isolate (a realm's key set holds a handful).
const MAX_CACHED_KEYS: usize = 32;

/// An imported key with its `verify` parameters.
struct Imported {
    key: web_sys::CryptoKey,
    verify: Object,
}

thread_local! {
    /// (cache key, imported key), at most `MAX_CACHED_KEYS`.
    static KEYS: RefCell<Vec<(Vec<u8>, Imported)>> = const { RefCell::new(Vec::new()) };
    /// `crypto.subtle`, looked up once per isolate.
    static SUBTLE: OnceCell<web_sys::SubtleCrypto> = const { OnceCell::new() };
}

fn object(pairs: &[(&str, JsValue)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v)?;
    }
    Ok(o)
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// The cache key: algorithm, then the key's public material (length-prefixed
/// parts), for the algorithms WebCrypto covers.
fn cache_key(alg: Algorithm, key: &PublicKey) -> Option<Vec<u8>> {
    let (tag, parts): (u8, [&[u8]; 2]) = match (alg, key) {
        (Algorithm::Rs256, PublicKey::Rsa(k)) => (1, [k.n(), k.e()]),
        (Algorithm::Ps256, PublicKey::Rsa(k)) => (2, [k.n(), k.e()]),
        (Algorithm::Es256, PublicKey::P256(k)) => (3, [k.x(), k.y()]),
        _ => return None,
    };
    let mut out = Vec::with_capacity(1 + parts.iter().map(|p| p.len() + 4).sum::<usize>());
    out.push(tag);
    for part in parts {
        out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(part);
    }
    Some(out)
}

/// The JWK to import and the import and verify algorithm parameters, for
/// the algorithms WebCrypto covers.
fn webcrypto_params(alg: Algorithm, key: &PublicKey) -> Result<Option<(Object, Object, Object)>, JsValue> {
    let sha256 = || object(&[("name", s("SHA-256"))]);
    Ok(match (alg, key) {
        (Algorithm::Rs256 | Algorithm::Ps256, PublicKey::Rsa(k)) => {
            let name = if alg == Algorithm::Rs256 { "RSASSA-PKCS1-v1_5" } else { "RSA-PSS" };
            let jwk = object(&[("kty", s("RSA")), ("n", s(&b64::encode(k.n()))), ("e", s(&b64::encode(k.e()))), ("ext", JsValue::TRUE)])?;
            let import = object(&[("name", s(name)), ("hash", sha256()?.into())])?;
            let verify = if alg == Algorithm::Rs256 {
                object(&[("name", s(name))])?
            } else {
                object(&[("name", s(name)), ("saltLength", JsValue::from_f64(32.0))])?
            };
            Some((jwk, import, verify))
        }
        (Algorithm::Es256, PublicKey::P256(k)) => {
            let jwk = object(&[("kty", s("EC")), ("crv", s("P-256")), ("x", s(&b64::encode(k.x()))), ("y", s(&b64::encode(k.y()))), ("ext", JsValue::TRUE)])?;
            let import = object(&[("name", s("ECDSA")), ("namedCurve", s("P-256"))])?;
            let verify = object(&[("name", s("ECDSA")), ("hash", sha256()?.into())])?;
            Some((jwk, import, verify))
        }
        _ => None,
    })
}

/// Calls `f` with the isolate's `crypto.subtle`.
fn with_subtle<T>(f: impl FnOnce(&web_sys::SubtleCrypto) -> Result<T, JsValue>) -> Result<T, JsValue> {
    SUBTLE.with(|cell| {
        if let Some(subtle) = cell.get() {
            return f(subtle);
        }
        let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &s("crypto"))?.unchecked_into();
        f(cell.get_or_init(|| crypto.subtle()))
    })
}

/// `subtle.verify` with the cached imported key for `id`, if there is one.
fn verify_cached(id: &[u8], message: &[u8], signature: &[u8]) -> Option<Result<js_sys::Promise, JsValue>> {
    KEYS.with(|k| {
        let keys = k.borrow();
        let (_, hit) = keys.iter().find(|(cached, _)| cached.as_slice() == id)?;
        Some(with_subtle(|subtle| subtle.verify_with_object_and_u8_array_and_u8_array(&hit.verify, &hit.key, signature, message)))
    })
}

/// Imports `key` for `alg`, caches it under `id` and starts `subtle.verify` with it.
/// The promise is made from the key just imported, not looked up again: another
/// request of the isolate may have evicted it from the cache during the await.
async fn import_and_verify(id: Vec<u8>, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<Option<js_sys::Promise>, JsValue> {
    let Some((jwk, import, verify)) = webcrypto_params(alg, key)? else { return Ok(None) };
    let usages = Array::of1(&s("verify"));
    let promise = with_subtle(|subtle| subtle.import_key_with_object("jwk", &jwk, &import, false, &usages))?;
    let key: web_sys::CryptoKey = JsFuture::from(promise).await?.unchecked_into();
    let promise = with_subtle(|subtle| subtle.verify_with_object_and_u8_array_and_u8_array(&verify, &key, signature, message))?;
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        k.retain(|(cached, _)| *cached != id);
        // Bounded: the oldest entry goes (a rotated set's old keys age out first).
        if k.len() >= MAX_CACHED_KEYS {
            k.remove(0);
        }
        k.push((id, Imported { key, verify }));
    });
    Ok(Some(promise))
}

/// The verdict of `subtle.verify` (`None`: an algorithm WebCrypto does not do here).
/// A cached key costs one promise (the verify call's); a new one is imported first.
async fn subtle_verify(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<Option<bool>, JsValue> {
    let Some(id) = cache_key(alg, key) else { return Ok(None) };
    let promise = match verify_cached(&id, message, signature) {
        Some(promise) => promise?,
        None => match import_and_verify(id, alg, key, message, signature).await? {
            Some(promise) => promise,
            None => return Ok(None),
        },
    };
    let verdict = JsFuture::from(promise).await?;
    Ok(Some(verdict.as_bool() == Some(true)))
}

/// Whether `signature` over `message` verifies under `key` with `alg`, and
/// whether WebCrypto failed so that the core's backend had to answer.
pub async fn verify(path: SignaturePath, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> (bool, bool) {
    if path == SignaturePath::Wasm {
        return (default_backend().verify(alg, key, message, signature), false);
    }
    match subtle_verify(alg, key, message, signature).await {
        Ok(Some(verdict)) => (verdict, false),
        // EdDSA: the core's pure-Rust backend (as fast as WebCrypto, PERF-NOTES.md).
        Ok(None) => (default_backend().verify(alg, key, message, signature), false),
        // WebCrypto refused the key or call: the core's backend still decides
        // when it has the algorithm (`wasm-signatures`); otherwise fail closed.
        Err(_) if cfg!(feature = "wasm-signatures") => (default_backend().verify(alg, key, message, signature), true),
        Err(_) => (false, true),
    }
}
