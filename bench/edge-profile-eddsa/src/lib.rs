//! `bench(n)`: verifies the first valid EdDSA token of tests/vectors/jwt.json `n` times
//! with the core's default wasm32 backend (key parsed once); returns how many verified.
use realmgate_core::jose::{default_backend, Algorithm, CompactJws, KeySet};
use serde_json::Value;

static VECTORS: &str = include_str!("../../../tests/vectors/jwt.json");

#[no_mangle]
pub extern "C" fn bench(n: u32) -> u32 {
    let doc: Value = serde_json::from_str(VECTORS).unwrap_or(Value::Null);
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else { return u32::MAX };
    for case in cases {
        let input = &case["input"];
        let Some(token) = input["token"].as_str() else { continue };
        let Ok(jws) = CompactJws::parse(token) else { continue };
        if jws.alg() != "EdDSA" || case["expected"]["valid"] != Value::Bool(true) {
            continue;
        }
        let Ok(keys) = KeySet::from_json(input["jwks"].to_string().as_bytes()) else { continue };
        let Some(jwk) = keys.select(Algorithm::EdDsa, jws.kid()) else { continue };
        let backend = default_backend();
        let mut ok = 0;
        for _ in 0..n {
            ok += u32::from(backend.verify(Algorithm::EdDsa, &jwk.key, jws.signing_input().as_bytes(), jws.signature()));
        }
        return ok;
    }
    u32::MAX
}
