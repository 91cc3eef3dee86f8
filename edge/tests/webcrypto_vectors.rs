//! The vector files (tests/vectors and ../shared/vectors, Wycheproof included) through
//! the Worker's own signature path, on wasm32 in node (wasm-bindgen-test; node 20 has
//! `globalThis.crypto.subtle`): RS256, PS256 and ES256 by WebCrypto, EdDSA by the core's
//! pure-Rust backend, each verdict then held to the encoding rules that
//! `PreparedCheck::finish` applies (`precheck`). The bundle the size budget is for has no
//! RSA or P-256 in wasm, so this is what checks those algorithms there.
//!
//! The core's runner is synchronous and WebCrypto is not, so each file is run twice: once
//! recording the signature checks the runner asks for (in a fixed order: a check depends
//! only on the case, never on earlier verdicts), then, after WebCrypto has answered each of
//! them through `realmgate_edge::webcrypto::verify`, again with those verdicts replayed.
//! A WebCrypto failure counts as "not verified" (the Worker refuses the token), so a valid
//! case it failed on fails here.
#![cfg(target_arch = "wasm32")]

use std::collections::VecDeque;
use std::sync::Mutex;

use realmgate_core::jose::backend::precheck;
use realmgate_core::jose::{default_backend, Algorithm, PublicKey, SignatureBackend};
use realmgate_core::vectors::{run_document_with, EMBEDDED_FILES};
use realmgate_edge::webcrypto;
use wasm_bindgen_test::wasm_bindgen_test as test;

/// One signature check the runner asked for.
struct Check {
    alg: Algorithm,
    key: PublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// Pass 1: records each check and answers "not verified".
#[derive(Default)]
struct Recorder(Mutex<Vec<Check>>);

impl SignatureBackend for Recorder {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        let check = Check { alg, key: key.clone(), message: message.to_vec(), signature: signature.to_vec() };
        self.0.lock().expect("single-threaded").push(check);
        false
    }
}

/// Pass 2: the same checks in the same order, answered with the Worker's verdicts.
struct Replay(Mutex<VecDeque<(Check, bool)>>);

impl SignatureBackend for Replay {
    fn verify(&self, alg: Algorithm, _key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        let (check, verdict) = self.0.lock().expect("single-threaded").pop_front().expect("the runner asked for more checks on replay");
        assert!(
            check.alg == alg && check.message == message && check.signature == signature,
            "the runner asked for its checks in another order on replay"
        );
        verdict
    }
}

#[test]
async fn every_vector_file_passes_through_webcrypto() {
    assert!(!EMBEDDED_FILES.is_empty(), "core/build.rs embedded no vector file");
    let mut summary = Vec::new();
    let (mut webcrypto_checks, mut webcrypto_failures) = (0usize, 0usize);
    for (name, json) in EMBEDDED_FILES {
        let recorder = Recorder::default();
        run_document_with(&recorder, json).unwrap_or_else(|e| panic!("{name}: the runner cannot read it: {e:?}"));
        let checks = recorder.0.into_inner().expect("single-threaded");
        let mut answered = VecDeque::with_capacity(checks.len());
        for check in checks {
            let (ok, failed) = webcrypto::verify(check.alg, &check.key, &check.message, &check.signature).await;
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
            answered.push_back((check, verdict));
        }
        let replay = Replay(Mutex::new(answered));
        let report = run_document_with(&replay, json).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(replay.0.into_inner().expect("single-threaded").is_empty(), "{name}: fewer checks on replay");
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
