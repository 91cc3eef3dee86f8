//! Runs one verification variant of the bench (benches/verify.rs) in a loop,
//! for instruction counting under callgrind, which is immune to the load of a
//! shared machine (bench/native.sh --instructions):
//!
//!     cargo build --release -p realmgate-core --example verify_profile
//!     valgrind --tool=callgrind target/release/examples/verify_profile full EdDSA 1000
//!
//! Variants: `full` (a), `primitive` (b), `jsonwebtoken` (c), `jsonwebtoken_one_key`,
//! `parse_keys` (the 5-key JWKS load; the algorithm is ignored), `none` (set-up only).

#[cfg(not(target_arch = "wasm32"))]
#[path = "../benches/support/mod.rs"]
mod support;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::hint::black_box;
    use std::process::ExitCode;

    use realmgate_core::jose::{default_backend, KeySet};
    use support::{Setup, CASES};

    let args: Vec<String> = std::env::args().skip(1).collect();
    let [variant, alg, n] = args.as_slice() else {
        eprintln!("usage: verify_profile full|primitive|jsonwebtoken|jsonwebtoken_one_key|parse_keys|none RS256|PS256|ES256|EdDSA ITERATIONS");
        return ExitCode::from(2);
    };
    let Some(&(_, kid)) = CASES.iter().find(|(a, _)| a == alg) else {
        eprintln!("unknown algorithm {alg}");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("ITERATIONS must be a number");
        return ExitCode::from(2);
    };
    let setup = Setup::new();
    let backend = default_backend();
    let token = setup.token(kid);
    let (algorithm, key, message, signature) = setup.primitive_parts(kid, token);
    let mut ok = 0u32;
    for _ in 0..n {
        let verified = match variant.as_str() {
            "full" => setup.ours(backend, black_box(token)).is_some(),
            "primitive" => backend.verify(algorithm, key, black_box(message), black_box(&signature)),
            "jsonwebtoken" => setup.jsonwebtoken(black_box(token)).is_some(),
            "jsonwebtoken_one_key" => setup.jsonwebtoken_one_key(kid, black_box(token)).is_some(),
            "parse_keys" => KeySet::from_json(black_box(setup.jwks.as_bytes())).is_ok(),
            "none" => true,
            other => {
                eprintln!("unknown variant {other}");
                return ExitCode::from(2);
            }
        };
        ok += u32::from(verified);
    }
    if ok != n {
        eprintln!("{variant} {alg}: {} of {n} failed", n - ok);
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(target_arch = "wasm32")]
fn main() {}
