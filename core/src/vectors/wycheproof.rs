//! Project Wycheproof files (C2SP/wycheproof `testvectors_v1/`) run through
//! the same signature code the verifier uses.
//!
//! Signature files (RsassaPkcs1Verify, RsassaPssVerify, EcdsaP1363Verify,
//! EddsaVerify): each test through `backend.verify` with the group's raw
//! public key and, where the group has one, its JWK loaded as a key set; both
//! paths must agree. JWS and JWK files: each token through
//! [`verify_jws`] with the group's `public` key (or key set), or the public
//! half of its `private` one. `valid` must verify, `invalid` must not,
//! `acceptable` may go either way; a token whose `alg` is off our allow-list
//! (HS256, RS384, ES512, none…) must be refused even where Wycheproof calls
//! it valid, and JSON-serialized JWS (an object) is always refused.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::jose::{default_backend, verify_jws, Algorithm, KeySet, PublicKey, SignatureBackend};

/// Runs a Wycheproof file through the target's default backend:
/// `(passed, failed test ids)`, or an error for a file it does not understand.
pub fn run_file(doc: &Value) -> Result<(usize, Vec<String>), String> {
    run_file_with(default_backend(), doc)
}

/// Runs a Wycheproof file through `backend`.
pub fn run_file_with(backend: &dyn SignatureBackend, doc: &Value) -> Result<(usize, Vec<String>), String> {
    let groups = doc.get("testGroups").and_then(Value::as_array).ok_or("no testGroups array")?;
    let mut passed = 0;
    let mut failed = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        let kind = group.get("type").and_then(Value::as_str).ok_or_else(|| format!("group {index} has no type"))?;
        let outcomes = match kind {
            "RsassaPkcs1Verify" | "RsassaPssVerify" | "EcdsaP1363Verify" | "EddsaVerify" => {
                signature_group(backend, kind, group)?
            }
            "JsonWebSignature" | "JsonWebKey" => jws_group(backend, group)?,
            other => return Err(format!("unknown Wycheproof test group type {other}")),
        };
        for (id, ok) in outcomes {
            if ok {
                passed += 1;
            } else {
                failed.push(id);
            }
        }
    }
    Ok((passed, failed))
}

/// What a test expects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Valid,
    Invalid,
    Acceptable,
}

struct Test<'a> {
    id: String,
    expect: Expect,
    fields: &'a Map<String, Value>,
}

fn tests(group: &Value) -> Result<Vec<Test<'_>>, String> {
    let tests = group.get("tests").and_then(Value::as_array).ok_or("group has no tests array")?;
    tests
        .iter()
        .map(|t| {
            let fields = t.as_object().ok_or("a test is not an object")?;
            let id = format!("tc{}", fields.get("tcId").and_then(Value::as_u64).ok_or("a test has no tcId")?);
            let expect = match fields.get("result").and_then(Value::as_str) {
                Some("valid") => Expect::Valid,
                Some("invalid") => Expect::Invalid,
                Some("acceptable") => Expect::Acceptable,
                _ => return Err(format!("{id}: result is not valid/invalid/acceptable")),
            };
            Ok(Test { id, expect, fields })
        })
        .collect()
}

fn judged(expect: Expect, verified: bool) -> bool {
    match expect {
        Expect::Valid => verified,
        Expect::Invalid => !verified,
        Expect::Acceptable => true,
    }
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v.get(name).and_then(Value::as_str).ok_or_else(|| format!("missing string field {name}"))
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 2 != 0 {
        return Err("odd-length hex".to_owned());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()).ok_or_else(|| "bad hex".to_owned())
        })
        .collect()
}

/// The algorithm and raw key of a signature group, refusing parameters we do not implement.
fn group_algorithm(kind: &str, group: &Value) -> Result<Algorithm, String> {
    let sha = group.get("sha").and_then(Value::as_str);
    let curve = group.get("publicKey").and_then(|k| k.get("curve")).and_then(Value::as_str);
    match kind {
        "RsassaPkcs1Verify" if sha == Some("SHA-256") => Ok(Algorithm::Rs256),
        "RsassaPssVerify"
            if sha == Some("SHA-256")
                && group.get("mgf").and_then(Value::as_str) == Some("MGF1")
                && group.get("mgfSha").and_then(Value::as_str) == Some("SHA-256")
                && group.get("sLen").and_then(Value::as_u64) == Some(32) =>
        {
            Ok(Algorithm::Ps256)
        }
        "EcdsaP1363Verify" if sha == Some("SHA-256") && curve == Some("secp256r1") => Ok(Algorithm::Es256),
        "EddsaVerify" if curve == Some("edwards25519") => Ok(Algorithm::EdDsa),
        _ => Err(format!("{kind} group with parameters other than RS256/PS256/ES256/Ed25519")),
    }
}

fn raw_key(alg: Algorithm, group: &Value) -> Result<Option<PublicKey>, String> {
    let pk = group.get("publicKey").ok_or("group has no publicKey")?;
    Ok(match alg {
        Algorithm::Rs256 | Algorithm::Ps256 => {
            PublicKey::rsa(&hex(str_field(pk, "modulus")?)?, &hex(str_field(pk, "publicExponent")?)?).ok()
        }
        Algorithm::Es256 => PublicKey::p256_sec1(&hex(str_field(pk, "uncompressed")?)?).ok(),
        Algorithm::EdDsa => PublicKey::ed25519(&hex(str_field(pk, "pk")?)?).ok(),
    })
}

fn signature_group(backend: &dyn SignatureBackend, kind: &str, group: &Value) -> Result<Vec<(String, bool)>, String> {
    let alg = group_algorithm(kind, group)?;
    let key = raw_key(alg, group)?;
    let jwk_keys = match group.get("publicKeyJwk").or_else(|| group.get("keyJwk")) {
        Some(jwk) => Some(KeySet::from_jwk_json(jwk.to_string().as_bytes()).map_err(|e| format!("group JWK: {e}"))?),
        None => None,
    };
    let jwk_key = jwk_keys.as_ref().and_then(|set| set.select(alg, None)).map(|jwk| &jwk.key);
    let mut out = Vec::new();
    for test in tests(group)? {
        let msg = hex(test.fields.get("msg").and_then(Value::as_str).ok_or("test has no msg")?)?;
        let sig = hex(test.fields.get("sig").and_then(Value::as_str).ok_or("test has no sig")?)?;
        let raw = key.as_ref().is_some_and(|k| backend.verify(alg, k, &msg, &sig));
        let ok = match (jwk_keys.is_some(), jwk_key) {
            // Where the group has a JWK, loading it must give the same verdict.
            (true, Some(k)) => judged(test.expect, raw) && backend.verify(alg, k, &msg, &sig) == raw,
            (true, None) => judged(test.expect, raw) && (key.is_none() || !raw),
            (false, _) => judged(test.expect, raw),
        };
        out.push((test.id, ok));
    }
    Ok(out)
}

/// Members only a private or symmetric JWK has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The public half of a JWK or key set.
fn public_half(value: &Value) -> Value {
    let strip = |jwk: &Value| match jwk {
        Value::Object(map) => {
            Value::Object(map.iter().filter(|(k, _)| !PRIVATE_MEMBERS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    };
    match value.get("keys").and_then(Value::as_array) {
        Some(keys) => serde_json::json!({ "keys": keys.iter().map(strip).collect::<Vec<_>>() }),
        None => strip(value),
    }
}

fn group_key_set(group: &Value) -> Result<Option<KeySet>, String> {
    let material = match (group.get("public"), group.get("private")) {
        (Some(public), _) => public.clone(),
        (None, Some(private)) => public_half(private),
        (None, None) => return Err("JWS group has neither public nor private key".to_owned()),
    };
    let bytes = material.to_string();
    let loaded = if material.get("keys").is_some() {
        KeySet::from_json(bytes.as_bytes())
    } else {
        KeySet::from_jwk_json(bytes.as_bytes())
    };
    Ok(loaded.ok())
}

/// The header's `alg`, read leniently (whatever the token's other faults),
/// to know whether Wycheproof's `valid` applies to an algorithm we allow.
fn lenient_alg(token: &str) -> Option<String> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true),
    );
    let segment: String = token.split('.').next()?.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    let header: Value = serde_json::from_slice(&LENIENT.decode(segment).ok()?).ok()?;
    header.get("alg")?.as_str().map(str::to_owned)
}

fn jws_group(backend: &dyn SignatureBackend, group: &Value) -> Result<Vec<(String, bool)>, String> {
    let keys = group_key_set(group)?;
    let mut out = Vec::new();
    for test in tests(group)? {
        let verified = match (test.fields.get("jws"), &keys) {
            (Some(Value::String(token)), Some(keys)) => verify_jws(token, keys, &Algorithm::ALL, backend).is_ok(),
            (Some(Value::String(_)), None) => false,
            // JSON serialization (or anything but a compact string) is never accepted.
            (Some(_), _) => false,
            (None, _) => return Err(format!("{}: no jws", test.id)),
        };
        let allowed_alg = match test.fields.get("jws") {
            Some(Value::String(token)) => lenient_alg(token).is_some_and(|a| Algorithm::from_name(&a).is_some()),
            _ => false,
        };
        let expect = match test.expect {
            Expect::Valid if !allowed_alg => Expect::Invalid,
            other => other,
        };
        out.push((test.id, judged(expect, verified)));
    }
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn unknown_group_types_are_errors_not_skips() {
        let doc = serde_json::json!({"testGroups": [{"type": "EcdsaVerify", "tests": []}]});
        assert!(run_file(&doc).is_err());
        let doc = serde_json::json!({"testGroups": [{"type": "RsassaPssVerify", "sha": "SHA-512", "tests": []}]});
        assert!(run_file(&doc).is_err());
    }
}
