#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{json, Value};

use super::*;
use crate::jose::testkit::{fixture, jwks_json, key_set};

fn one(jwk: Value) -> KeySet {
    KeySet::from_json(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
}

fn fixture_jwk(kid: &str) -> Value {
    fixture()["jwks"]["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).unwrap().clone()
}

fn with(mut jwk: Value, name: &str, value: Value) -> Value {
    jwk[name] = value;
    jwk
}

fn without(mut jwk: Value, name: &str) -> Value {
    jwk.as_object_mut().unwrap().remove(name);
    jwk
}

#[test]
fn a_standard_key_set_loads_every_rsa_p256_and_ed25519_signing_key() {
    let set = key_set();
    assert_eq!(set.len(), 5);
    let kinds: Vec<_> = set.keys().iter().map(|k| (k.kid.as_deref().unwrap(), k.key.kty(), k.alg)).collect();
    assert!(kinds.contains(&("es256-a", "EC", Some(Algorithm::Es256))));
    assert!(kinds.contains(&("eddsa-a", "OKP", Some(Algorithm::EdDsa))));
    assert!(kinds.contains(&("ps256-a", "RSA", Some(Algorithm::Ps256))));
}

#[test]
fn a_document_without_a_keys_array_or_not_json_is_an_error() {
    assert_eq!(KeySet::from_json(b"not json").unwrap_err(), KeySetError::Syntax);
    assert_eq!(KeySet::from_json(b"").unwrap_err(), KeySetError::Syntax);
    assert_eq!(KeySet::from_json(b"[]").unwrap_err(), KeySetError::NotObject);
    assert_eq!(KeySet::from_json(b"{}").unwrap_err(), KeySetError::NoKeys);
    assert_eq!(KeySet::from_json(br#"{"keys":{}}"#).unwrap_err(), KeySetError::NoKeys);
    assert_eq!(KeySet::from_json(br#"{"keys":[],"keys":[]}"#).unwrap_err(), KeySetError::DuplicateMember);
    let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(MAX_KEY_SET_BYTES));
    assert_eq!(KeySet::from_json(huge.as_bytes()).unwrap_err(), KeySetError::TooLarge);
    assert!(KeySet::from_json(br#"{"keys":[]}"#).unwrap().is_empty());
}

#[test]
fn encryption_symmetric_private_and_unknown_keys_are_dropped_not_errors() {
    let es = fixture_jwk("es256-a");
    let rs = fixture_jwk("rs256-a");
    let dropped = [
        with(es.clone(), "use", json!("enc")),
        with(es.clone(), "use", json!(1)),
        with(es.clone(), "key_ops", json!(["encrypt"])),
        with(es.clone(), "key_ops", json!("verify")),
        with(es.clone(), "d", json!("AAAA")),
        with(es.clone(), "crv", json!("P-384")),
        with(es.clone(), "kty", json!("RSA")),
        with(es.clone(), "kid", json!(7)),
        without(es.clone(), "y"),
        with(es.clone(), "x", json!("not base64!")),
        json!({"kty": "oct", "k": "AAAA", "alg": "HS256"}),
        json!({"kty": "OKP", "crv": "X25519", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
        json!({"kty": "XYZ"}),
        json!("a string"),
        without(rs.clone(), "e"),
        with(rs.clone(), "e", json!("AQ")),
    ];
    for jwk in dropped {
        assert!(one(jwk.clone()).is_empty(), "{jwk}");
    }
    assert_eq!(one(with(es.clone(), "key_ops", json!(["verify"]))).len(), 1);
    assert_eq!(one(with(es, "use", json!("sig"))).len(), 1);
}

#[test]
fn rsa_keys_under_2048_bits_are_dropped_at_load() {
    assert!(one(fixture()["rsa1024"].clone()).is_empty());
}

#[test]
fn a_jwk_alg_off_our_list_or_not_matching_its_key_type_is_dropped() {
    for alg in ["RS512", "ES521", "ES384", "HS256", "none", "RSA-OAEP", "EdDSA", "ES256"] {
        assert!(one(with(fixture_jwk("rs256-a"), "alg", json!(alg))).is_empty(), "RSA key with alg {alg}");
    }
    assert!(one(with(fixture_jwk("es256-a"), "alg", json!("RS256"))).is_empty());
    assert!(one(with(fixture_jwk("eddsa-a"), "alg", json!("Ed25519"))).is_empty());
    assert_eq!(one(without(fixture_jwk("rs256-a"), "alg")).keys()[0].alg, None);
}

#[test]
fn select_with_kid_takes_the_key_with_that_kid_that_fits_the_alg() {
    let set = key_set();
    assert_eq!(set.select(Algorithm::Rs256, Some("rs256-b")).unwrap().kid.as_deref(), Some("rs256-b"));
    assert!(set.select(Algorithm::Rs256, Some("missing")).is_none());
    assert!(set.select(Algorithm::Es256, Some("rs256-a")).is_none(), "kty does not fit");
    assert!(set.select(Algorithm::Rs256, Some("ps256-a")).is_none(), "the JWK's alg is PS256");
    assert!(set.contains_kid("ps256-a") && !set.contains_kid("missing"));
}

#[test]
fn select_without_kid_needs_exactly_one_fitting_key() {
    let set = key_set();
    assert!(set.select(Algorithm::Rs256, None).is_none(), "two RS256 keys");
    assert_eq!(set.select(Algorithm::Es256, None).unwrap().kid.as_deref(), Some("es256-a"));
    assert_eq!(set.select(Algorithm::EdDsa, None).unwrap().kid.as_deref(), Some("eddsa-a"));
}

#[test]
fn an_rsa_key_without_alg_fits_both_rs256_and_ps256() {
    let set = one(without(fixture_jwk("rs256-a"), "alg"));
    assert!(set.select(Algorithm::Rs256, None).is_some());
    assert!(set.select(Algorithm::Ps256, None).is_some());
    assert!(set.select(Algorithm::Es256, None).is_none());
}

#[test]
fn two_fitting_keys_with_the_same_kid_select_nothing() {
    let k = fixture_jwk("rs256-a");
    let mut other = fixture_jwk("rs256-b");
    other["kid"] = json!("rs256-a");
    let set = KeySet::from_json(json!({ "keys": [k, other] }).to_string().as_bytes()).unwrap();
    assert!(set.select(Algorithm::Rs256, Some("rs256-a")).is_none());
}

#[test]
fn a_single_jwk_loads_as_a_set_of_one_or_none() {
    let es = fixture_jwk("es256-a").to_string();
    assert_eq!(KeySet::from_jwk_json(es.as_bytes()).unwrap().len(), 1);
    assert!(KeySet::from_jwk_json(br#"{"kty":"oct","k":"AA"}"#).unwrap().is_empty());
    assert_eq!(KeySet::from_jwk_json(b"[1]").unwrap_err(), KeySetError::NotObject);
    assert!(!jwks_json().is_empty());
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(KeySetError::NoKeys.code(), "no_keys");
    assert_eq!(KeySetError::DuplicateMember.code(), "duplicate_member");
}
