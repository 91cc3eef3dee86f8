//! The vector files, embedded at compile time, run on wasm32 (node, wasm-bindgen-test):
//! the same data the native vector runner (`cargo run -p realmgate-core --example
//! vectors`) reads from disk, checked by the code the edge Worker runs.
//!
//! `core/build.rs` lists every `*.json` under `tests/vectors/` and, when it was present at
//! build time, `../shared/vectors/`; each file becomes one test. Natively this file is
//! empty: the example covers the native side.
#![cfg(target_arch = "wasm32")]

use realmgate_core::vectors::run_document;
use wasm_bindgen_test::wasm_bindgen_test as test;

/// One test per embedded file: every case passes, and the file is understood.
macro_rules! vector_file {
    ($test:ident, $name:literal, $path:literal) => {
        #[test]
        fn $test() {
            check_file($name, include_str!($path));
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/vector_files.rs"));

fn check_file(name: &str, json: &str) {
    match run_document(json) {
        Ok(report) => assert!(
            report.failed.is_empty(),
            "{name}: {} passed, {} failed: {:?}",
            report.passed,
            report.failed.len(),
            report.failed
        ),
        Err(error) => panic!("{name}: the runner cannot read it: {error:?}"),
    }
}

#[test]
fn repository_vector_files_are_embedded() {
    assert!(REPO_VECTOR_FILES > 0, "core/build.rs found no tests/vectors/*.json");
}

#[cfg(not(realmgate_shared_vectors))]
#[test]
#[ignore = "../shared/vectors was not found when core was built: shared vectors not run on wasm32"]
fn shared_vectors() {}
