//! Native token verification (issue #6), per algorithm on the same tokens
//! and the same cached 5-key set (fixture: tests/fixtures/jose.json,
//! make_jose.py). One criterion group per algorithm, `native/<ALG>`, so the
//! variants run next to each other:
//!
//! - `full`: our verification with the default backend: parse, alg allow-list,
//!   kid lookup in the cached key set, signature, claims and realm policy.
//! - `primitive`: the default backend's signature check alone on the same
//!   signing input, key already parsed: the same call `full` makes.
//! - `jsonwebtoken`: jsonwebtoken 12 (`aws_lc_rs`, its fastest provider) doing
//!   the equivalent: `decode_header` for the kid, a lookup in a map of
//!   `DecodingKey`s (each with its `Validation`) built once outside the loop,
//!   then `decode` with the allow-list narrowed to the key's family (it
//!   refuses a mixed list), iss, aud, exp/nbf and the same leeway, into a
//!   struct of the same identity claims (support/mod.rs).
//! - `jsonwebtoken_one_key`: the same without the kid lookup (one known key),
//!   jsonwebtoken's cheapest possible call.
//!
//! `key_set/*`: loading the 5-key JWKS (once per fetch), and one RS256 full
//! verification with and without that load, showing the cached path
//! excludes it. `backend/<name>/<ALG>`: full and primitive for the other
//! compiled backends (ring; RustCrypto with `--features rustcrypto`).
//!
//! `bench/native.sh` runs this and prints the ratios; by hand:
//! `cargo bench -p realmgate-core --bench verify -- 'native/'`.

#[cfg(not(target_arch = "wasm32"))]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::Criterion;
    use realmgate_core::jose::backend::{all_backends, default_backend};
    use realmgate_core::jose::KeySet;
    use realmgate_core::verify::UntrustedJwt;

    use crate::support::{Setup, CASES};

    pub fn benches(c: &mut Criterion) {
        let setup = Setup::new();
        let backend = default_backend();

        for (alg, kid) in CASES {
            let token = setup.token(kid);
            let (algorithm, key, message, signature) = setup.primitive_parts(kid, token);
            // Every variant accepts this token before it is timed.
            assert!(setup.ours(backend, token).is_some(), "{alg}: ours");
            assert!(backend.verify(algorithm, key, message, &signature), "{alg}: primitive");
            assert!(setup.jsonwebtoken(token).is_some(), "{alg}: jsonwebtoken");
            assert!(setup.jsonwebtoken_one_key(kid, token).is_some(), "{alg}: jsonwebtoken, one key");

            let mut group = c.benchmark_group(format!("native/{alg}"));
            group.bench_function("full", |b| b.iter(|| setup.ours(backend, black_box(token)).expect("valid")));
            group.bench_function("primitive", |b| {
                b.iter(|| backend.verify(algorithm, key, black_box(message), black_box(&signature)))
            });
            group.bench_function("jsonwebtoken", |b| b.iter(|| setup.jsonwebtoken(black_box(token)).expect("valid")));
            group.bench_function("jsonwebtoken_one_key", |b| {
                b.iter(|| setup.jsonwebtoken_one_key(kid, black_box(token)).expect("valid"))
            });
            group.finish();
        }

        // The key set is parsed once per fetch; verification uses the parsed set.
        let rs256 = setup.token("rs256-a");
        let mut group = c.benchmark_group("key_set");
        group.bench_function("parse_5_keys", |b| {
            b.iter(|| KeySet::from_json(black_box(setup.jwks.as_bytes())).expect("key set"))
        });
        group.bench_function("verify_rs256_cached_set", |b| {
            b.iter(|| setup.ours(backend, black_box(rs256)).expect("valid"))
        });
        group.bench_function("verify_rs256_parsing_the_set", |b| {
            b.iter(|| {
                let fresh = KeySet::from_json(black_box(setup.jwks.as_bytes())).expect("key set");
                let jwt = UntrustedJwt::parse(black_box(rs256)).expect("parse");
                jwt.verify_with(backend, &fresh, &setup.policy, setup.now, None).expect("valid")
            })
        });
        group.finish();

        // The other compiled backends (the default one is `native/*` above).
        for other in all_backends().into_iter().filter(|b| b.name() != backend.name()) {
            for (alg, kid) in CASES {
                let token = setup.token(kid);
                let (algorithm, key, message, signature) = setup.primitive_parts(kid, token);
                assert!(other.verify(algorithm, key, message, &signature), "{} {alg}", other.name());
                let mut group = c.benchmark_group(format!("backend/{}/{alg}", other.name()));
                group.bench_function("full", |b| b.iter(|| setup.ours(other, black_box(token)).expect("valid")));
                group.bench_function("primitive", |b| {
                    b.iter(|| other.verify(algorithm, key, black_box(message), black_box(&signature)))
                });
                group.finish();
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::benches);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
