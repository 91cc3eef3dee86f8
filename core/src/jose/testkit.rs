//! Test material shared by the jose and verify tests: the committed fixture
//! (tests/fixtures/jose.json, made by make_jose.py), a policy, unsigned
//! tokens for claim tests through the prepare/finish seam, and (natively)
//! signing with ring.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Value};

use super::KeySet;
use crate::b64;
use crate::policy::{PolicySpec, RealmConfig, RealmPolicy};

pub(crate) const FIXTURE: &str = include_str!("../../tests/fixtures/jose.json");
/// `now` of the fixture (2026-01-01T00:00:00Z).
pub(crate) const NOW: u64 = 1_767_225_600;
pub(crate) const MEMBERS_ISS: &str = "https://id.example.test/realms/members";

pub(crate) fn fixture() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(FIXTURE).expect("fixture is JSON"))
}

pub(crate) fn jwks_json() -> String {
    fixture()["jwks"].to_string()
}

pub(crate) fn key_set() -> KeySet {
    KeySet::from_json(jwks_json().as_bytes()).expect("fixture key set loads")
}

/// The fixture's token signed by the key with this kid.
pub(crate) fn fixture_token(kid: &str) -> &'static str {
    fixture()["tokens"][kid].as_str().expect("fixture token")
}

/// Realms `members` (audience edge-web) and `pros` (pro-portal) under
/// https://id.example.test, leeway as given, the four algorithms.
pub(crate) fn policy_with_leeway(leeway_seconds: u64) -> RealmPolicy {
    let mut realms = BTreeMap::new();
    realms.insert("members".to_owned(), RealmConfig::new("edge-web"));
    realms.insert("pros".to_owned(), RealmConfig::new("pro-portal"));
    RealmPolicy::new(PolicySpec {
        issuer_base_url: "https://id.example.test".into(),
        realms,
        allow_insecure_loopback: false,
        leeway_seconds,
        algorithms: None,
    })
    .expect("test policy")
}

pub(crate) fn policy() -> RealmPolicy {
    policy_with_leeway(0)
}

/// Valid claims for realm members at [`NOW`].
pub(crate) fn claims() -> Value {
    json!({
        "iss": MEMBERS_ISS, "aud": "edge-web", "sub": "user-1", "exp": NOW + 300, "iat": NOW - 10,
    })
}

/// A compact token with this header and payload JSON and a signature of
/// `sig_len` filler bytes (never valid: for tests that stop before or skip
/// the primitive).
pub(crate) fn unsigned(header: &Value, payload: &Value, sig_len: usize) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.to_string().as_bytes()),
        b64::encode(payload.to_string().as_bytes()),
        b64::encode(&vec![0x5a; sig_len])
    )
}

/// Signs `header`/`payload` with the fixture's private key `kid` (ring; native only).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn sign(kid: &str, header: &Value, payload: &[u8]) -> String {
    use ring::rand::SystemRandom;
    use ring::signature as sig;

    let der = b64::decode(fixture()["pkcs8"][kid].as_str().expect("pkcs8")).expect("pkcs8 b64");
    let input = format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(payload));
    let rng = SystemRandom::new();
    let signature = match header["alg"].as_str() {
        Some(alg @ ("RS256" | "PS256")) => {
            let pair = sig::RsaKeyPair::from_pkcs8(&der).expect("rsa key");
            let mut out = vec![0; pair.public().modulus_len()];
            let padding: &dyn sig::RsaEncoding = if alg == "RS256" { &sig::RSA_PKCS1_SHA256 } else { &sig::RSA_PSS_SHA256 };
            pair.sign(padding, &rng, input.as_bytes(), &mut out).expect("rsa sign");
            out
        }
        Some("ES256") => sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
            .expect("ec key")
            .sign(&rng, input.as_bytes())
            .expect("ec sign")
            .as_ref()
            .to_vec(),
        Some("EdDSA") => sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .expect("ed key")
            .sign(input.as_bytes())
            .as_ref()
            .to_vec(),
        other => panic!("cannot sign {other:?}"),
    };
    format!("{input}.{}", b64::encode(&signature))
}
