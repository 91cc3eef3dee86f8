//! The vector files (tests/vectors and ../shared/vectors, Wycheproof included) through
//! the Worker's own signature path, on wasm32 in node (wasm-bindgen-test; node 20 has
//! `globalThis.crypto.subtle`): RS256, PS256 and ES256 by WebCrypto, EdDSA by the core's
//! pure-Rust backend, each verdict then held to the encoding rules that
//! `PreparedCheck::finish` applies (`precheck`). The bundle the size budget is for has no
//! RSA or P-256 in wasm, so this is what checks those algorithms there.
//!
//! The core's runner is synchronous and WebCrypto is not, so each file is run in rounds:
//! a round answers the checks whose verdict is known and records the others (answering
//! "not verified"); WebCrypto then answers the recorded ones through
//! `realmgate_edge::webcrypto::verify`; the next round runs with those verdicts, until a
//! round asks for nothing new (some Wycheproof checks are only asked for after an
//! earlier verdict). Only that last round's report counts. A WebCrypto failure counts as
//! "not verified" (the Worker refuses the token), so a valid case it failed on fails here.
#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;
use std::sync::Mutex;

use realmgate_core::jose::backend::precheck;
use realmgate_core::jose::{default_backend, Algorithm, PublicKey, SignatureBackend};
use realmgate_core::vectors::{run_document_with, EMBEDDED_FILES};
use realmgate_edge::config::SignaturePath;
use realmgate_edge::webcrypto;
use wasm_bindgen_test::wasm_bindgen_test as test;

/// One signature check the runner asked for.
#[derive(Clone)]
struct Check {
    alg: Algorithm,
    key: PublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// What identifies a check: algorithm, key material, message and signature.
type CheckId = (Algorithm, Vec<u8>, Vec<u8>, Vec<u8>);

fn check_id(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> CheckId {
    let material = match key {
        PublicKey::Rsa(k) => [k.n(), b"|", k.e()].concat(),
        PublicKey::P256(k) => k.sec1().to_vec(),
        PublicKey::Ed25519(k) => k.bytes().to_vec(),
        _ => unreachable!("a key type this test does not know"),
    };
    (alg, material, message.to_vec(), signature.to_vec())
}

/// Answers the checks whose verdict is known; records the others and answers "not verified".
#[derive(Default)]
struct Oracle {
    known: HashMap<CheckId, bool>,
    unknown: Mutex<Vec<Check>>,
}

impl SignatureBackend for Oracle {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        if let Some(&verdict) = self.known.get(&check_id(alg, key, message, signature)) {
            return verdict;
        }
        let check = Check { alg, key: key.clone(), message: message.to_vec(), signature: signature.to_vec() };
        self.unknown.lock().expect("single-threaded").push(check);
        false
    }
}

#[test]
async fn every_vector_file_passes_through_webcrypto() {
    assert!(!EMBEDDED_FILES.is_empty(), "core/build.rs embedded no vector file");
    let mut summary = Vec::new();
    let (mut webcrypto_checks, mut webcrypto_failures) = (0usize, 0usize);
    for (name, json) in EMBEDDED_FILES {
        let mut oracle = Oracle::default();
        let mut rounds = 0;
        let report = loop {
            rounds += 1;
            assert!(rounds <= 8, "{name}: the runner keeps asking for new checks");
            let report = run_document_with(&oracle, json).unwrap_or_else(|e| panic!("{name}: the runner cannot read it: {e:?}"));
            let unknown = std::mem::take(oracle.unknown.get_mut().expect("single-threaded"));
            if unknown.is_empty() {
                break report;
            }
            for check in unknown {
                let (ok, failed) = webcrypto::verify(SignaturePath::WebCrypto, check.alg, &check.key, &check.message, &check.signature).await;
                if check.alg != Algorithm::EdDsa {
                    webcrypto_checks += 1;
                    webcrypto_failures += usize::from(failed);
                    if ok && !cfg!(feature = "wasm-signatures") {
                        // The bundle has no RustCrypto RSA/P-256: only WebCrypto can say yes.
                        assert!(!default_backend().verify(check.alg, &check.key, &check.message, &check.signature));
                    }
                }
                // What PreparedCheck::finish adds to the primitive's verdict.
                let verdict = ok && precheck(check.alg, &check.key, &check.signature);
                oracle.known.insert(check_id(check.alg, &check.key, &check.message, &check.signature), verdict);
            }
        };
        assert!(report.failed.is_empty(), "{name}: {} passed, {} failed: {:?}", report.passed, report.failed.len(), report.failed);
        summary.push(format!("{name}: {} passed", report.passed));
    }
    assert!(webcrypto_checks > 0, "no RS256/PS256/ES256 check reached WebCrypto");
    wasm_bindgen_test::console_log!(
        "{} files through the Worker's signature path ({webcrypto_checks} WebCrypto checks, {webcrypto_failures} WebCrypto failures): {}",
        summary.len(),
        summary.join("; ")
    );
}
