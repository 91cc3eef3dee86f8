//! Token verification per algorithm (full: parse, key lookup, signature,
//! claims) with a cached 5-key set; the signature primitive alone; and
//! loading a 5-key JWKS. Fixture: tests/fixtures/jose.json (make_jose.py).
//! `cargo bench -p realmgate-core [--features rustcrypto]`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::collections::BTreeMap;
    use std::hint::black_box;

    use criterion::Criterion;
    use realmgate_core::jose::backend::all_backends;
    use realmgate_core::jose::{Algorithm, CompactJws, KeySet};
    use realmgate_core::policy::{PolicySpec, RealmConfig, RealmPolicy};
    use realmgate_core::verify::UntrustedJwt;
    use serde_json::Value;

    const FIXTURE: &str = include_str!("../tests/fixtures/jose.json");
    const CASES: [(&str, &str); 4] = [("RS256", "rs256-a"), ("PS256", "ps256-a"), ("ES256", "es256-a"), ("EdDSA", "eddsa-a")];

    fn policy() -> RealmPolicy {
        let mut realms = BTreeMap::new();
        realms.insert("members".to_owned(), RealmConfig::new("edge-web"));
        RealmPolicy::new(PolicySpec {
            issuer_base_url: "https://id.example.test".into(),
            realms,
            allow_insecure_loopback: false,
            leeway_seconds: 0,
            algorithms: None,
        })
        .expect("policy")
    }

    pub fn benches(c: &mut Criterion) {
        let doc: Value = serde_json::from_str(FIXTURE).expect("fixture");
        let now = doc["now"].as_u64().expect("now");
        let jwks = doc["jwks"].to_string();
        let keys = KeySet::from_json(jwks.as_bytes()).expect("key set");
        assert_eq!(keys.len(), 5);
        let policy = policy();

        for backend in all_backends() {
            let mut full = c.benchmark_group(format!("verify_token/{}", backend.name()));
            for (alg, kid) in CASES {
                let token = doc["tokens"][kid].as_str().expect("token");
                full.bench_function(alg, |b| {
                    b.iter(|| {
                        let jwt = UntrustedJwt::parse(black_box(token)).expect("parse");
                        jwt.verify_with(backend, &keys, &policy, now, None).expect("valid")
                    })
                });
            }
            full.finish();

            let mut primitive = c.benchmark_group(format!("signature_only/{}", backend.name()));
            for (alg, kid) in CASES {
                let token = doc["tokens"][kid].as_str().expect("token");
                let jws = CompactJws::parse(token).expect("parse");
                let algorithm = Algorithm::from_name(alg).expect("alg");
                let key = &keys.select(algorithm, Some(kid)).expect("key").key;
                let (message, signature) = (jws.signing_input().as_bytes(), jws.signature());
                assert!(backend.verify(algorithm, key, message, signature));
                primitive.bench_function(alg, |b| {
                    b.iter(|| backend.verify(algorithm, key, black_box(message), black_box(signature)))
                });
            }
            primitive.finish();
        }

        c.bench_function("key_set_from_json/5_keys", |b| {
            b.iter(|| KeySet::from_json(black_box(jwks.as_bytes())).expect("key set"))
        });
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::benches);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
