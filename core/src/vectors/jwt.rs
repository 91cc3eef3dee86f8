//! The `jwt` component (vectors/FORMAT.md): a token, a key set, `now` and a
//! realm policy in; `valid`, and the realm and subject or the error code, out.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::jose::{default_backend, KeySet, SignatureBackend};
use crate::policy::{PolicySpec, RealmConfig, RealmPolicy};
use crate::verify::UntrustedJwt;

/// Runs one `jwt` case through the target's default backend.
pub fn run_case(input: &Value, expected: &Value) -> Result<(), String> {
    run_case_with(default_backend(), input, expected)
}

/// Runs one `jwt` case through `backend`. The error says what differed,
/// never what the token holds.
pub fn run_case_with(backend: &dyn SignatureBackend, input: &Value, expected: &Value) -> Result<(), String> {
    let token = input.get("token").and_then(Value::as_str).ok_or("input.token is not a string")?;
    let now = input.get("now").and_then(Value::as_u64).ok_or("input.now is not an unsigned integer")?;
    let jwks = input.get("jwks").ok_or("input.jwks is missing")?;
    let keys = KeySet::from_json(jwks.to_string().as_bytes()).map_err(|e| format!("input.jwks: {e}"))?;
    let policy = policy_from_vector(input.get("policy").ok_or("input.policy is missing")?)?;
    let want_valid = expected.get("valid").and_then(Value::as_bool).ok_or("expected.valid is not a bool")?;

    let outcome = UntrustedJwt::parse(token).and_then(|jwt| jwt.verify_with(backend, &keys, &policy, now, None));
    match (outcome, want_valid) {
        (Ok(identity), true) => {
            if let Some(realm) = expected.get("realm").and_then(Value::as_str) {
                if identity.realm.as_str() != realm {
                    return Err(format!("realm: got {}, expected {realm}", identity.realm));
                }
            }
            if let Some(subject) = expected.get("subject").and_then(Value::as_str) {
                if identity.subject != subject {
                    return Err("subject differs from the expected one".to_owned());
                }
            }
            Ok(())
        }
        (Ok(_), false) => Err(format!(
            "accepted, expected refusal{}",
            expected.get("error").and_then(Value::as_str).map(|e| format!(" ({e})")).unwrap_or_default()
        )),
        (Err(refusal), true) => Err(format!("refused ({refusal}), expected valid")),
        (Err(refusal), false) => match expected.get("error").and_then(Value::as_str) {
            Some(code) if code != refusal.code.code() => Err(format!("refused as {refusal}, expected {code}")),
            _ => Ok(()),
        },
    }
}

/// Builds a realm policy from a vector's policy object:
/// `{issuer_base_url, allowed_realms, audiences: {realm: [..]}, leeway_seconds, algorithms}`.
/// A realm's client id is its first audience, or its name.
pub fn policy_from_vector(policy: &Value) -> Result<RealmPolicy, String> {
    let base = policy.get("issuer_base_url").and_then(Value::as_str).ok_or("policy.issuer_base_url is not a string")?;
    let names = policy.get("allowed_realms").and_then(Value::as_array).ok_or("policy.allowed_realms is not an array")?;
    let mut realms = BTreeMap::new();
    for name in names {
        let name = name.as_str().ok_or("policy.allowed_realms holds a non-string")?;
        let audiences: Vec<String> = match policy.get("audiences").and_then(|a| a.get(name)) {
            None => Vec::new(),
            Some(list) => list
                .as_array()
                .ok_or("policy.audiences values must be arrays")?
                .iter()
                .map(|a| a.as_str().map(str::to_owned).ok_or("policy.audiences holds a non-string"))
                .collect::<Result<_, _>>()?,
        };
        let mut config = RealmConfig::new(audiences.first().map_or(name, String::as_str));
        config.audiences = audiences;
        realms.insert(name.to_owned(), config);
    }
    let algorithms = match policy.get("algorithms") {
        None | Some(Value::Null) => None,
        Some(list) => Some(
            list.as_array()
                .ok_or("policy.algorithms is not an array")?
                .iter()
                .map(|a| a.as_str().map(str::to_owned).ok_or("policy.algorithms holds a non-string"))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let leeway_seconds = match policy.get("leeway_seconds") {
        None => 0,
        Some(v) => v.as_u64().ok_or("policy.leeway_seconds is not an unsigned integer")?,
    };
    RealmPolicy::new(PolicySpec {
        issuer_base_url: base.to_owned(),
        realms,
        allow_insecure_loopback: false,
        leeway_seconds,
        algorithms,
    })
    .map_err(|e| format!("policy: {e}"))
}
