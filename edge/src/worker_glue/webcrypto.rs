//! The signature primitive in the Worker (DESIGN.md "Verification"): the
//! core prepares algorithm, key, signing input and signature
//! (`UntrustedJwt::prepare`); this file asks the runtime's WebCrypto
//! (BoringSSL in workerd) for RS256, PS256 and ES256, and the core's own
//! backend for EdDSA; the core then finishes with the verdict
//! (`PreparedCheck::finish`, which also re-checks the signature's encoding).
//! A WebCrypto failure (not a "false") is reported to the caller: with the
//! `wasm-signatures` feature the core's pure-Rust RSA/P-256 then decides;
//! without it (the default bundle, which has no RSA/P-256 in wasm) the
//! signature counts as not verified and the caller refuses the token.

use js_sys::{Array, Object, Reflect};
use realmgate_core::b64;
use realmgate_core::jose::{default_backend, Algorithm, PublicKey};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;

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

async fn subtle_verify(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<Option<bool>, JsValue> {
    let Some((jwk, import, verify)) = webcrypto_params(alg, key)? else { return Ok(None) };
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &s("crypto"))?.unchecked_into();
    let subtle = crypto.subtle();
    let usages = Array::of1(&s("verify"));
    let imported: web_sys::CryptoKey = JsFuture::from(subtle.import_key_with_object("jwk", &jwk, &import, false, &usages)?).await?.unchecked_into();
    let verdict = JsFuture::from(subtle.verify_with_object_and_u8_array_and_u8_array(&verify, &imported, signature, message)?).await?;
    Ok(Some(verdict.as_bool() == Some(true)))
}

/// Whether `signature` over `message` verifies under `key` with `alg`, and
/// whether WebCrypto failed so that the core's backend had to answer.
pub async fn verify(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> (bool, bool) {
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
