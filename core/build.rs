//! Lists the vector files that `tests/wasm_vectors.rs` embeds, so that the wasm32 test run
//! (which has no file system) checks the same data as the native vector runner.
//!
//! Writes `$OUT_DIR/vector_files.rs`: one `vector_file!(test_name, "display/name.json",
//! "/absolute/path.json");` line per `*.json` under the repository's `tests/vectors/` and,
//! when it exists at build time, under `../shared/vectors/` beside the repository (both
//! recursive, sorted). Sets the cfg `realmgate_shared_vectors` when the shared folder was
//! found. Never fails because a folder is absent: it says so with a cargo warning.
//! Also writes `$OUT_DIR/vector_list.rs`, the same files as one `&[(name, contents)]`
//! expression (`vectors::EMBEDDED_FILES`, behind the `embedded-vectors` feature), for test
//! runs of other crates on wasm32 (the edge Worker's WebCrypto path).
//!
//! Sets the cfgs the signature backends are compiled under: `realmgate_rustcrypto` (the
//! RustCrypto backend: on wasm32, or natively with the `rustcrypto` feature) and
//! `realmgate_rustcrypto_rsa_p256` (its RS256/PS256/ES256 part: with `rustcrypto`, or on
//! wasm32 with `wasm-rsa-p256`).
//!
//! Only this build script reads files; the library itself does no I/O.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(realmgate_shared_vectors)");
    println!("cargo::rustc-check-cfg=cfg(realmgate_rustcrypto)");
    println!("cargo::rustc-check-cfg=cfg(realmgate_rustcrypto_rsa_p256)");
    let wasm32 = env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    let rustcrypto = env::var_os("CARGO_FEATURE_RUSTCRYPTO").is_some();
    if rustcrypto || wasm32 {
        println!("cargo::rustc-cfg=realmgate_rustcrypto");
    }
    if rustcrypto || (wasm32 && env::var_os("CARGO_FEATURE_WASM_RSA_P256").is_some()) {
        println!("cargo::rustc-cfg=realmgate_rustcrypto_rsa_p256");
    }

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let repo_root = manifest_dir.parent().expect("core/ sits in the repository");
    let repo_vectors = repo_root.join("tests").join("vectors");
    let shared_vectors = repo_root.join("..").join("shared").join("vectors");

    // Watching a directory makes cargo rerun this script when anything below it changes.
    // A missing folder is watched through its parent (so creating it is noticed), but never
    // through the repository root or beyond: cargo would scan it whole, target/ included.
    // (A watched path that does not exist would make the script rerun on every build.)
    for dir in [&repo_vectors, &shared_vectors] {
        let parent = dir.parent().expect("has a parent");
        if dir.is_dir() {
            println!("cargo::rerun-if-changed={}", dir.display());
        } else if parent.is_dir() && parent != repo_root {
            println!("cargo::rerun-if-changed={}", parent.display());
        }
    }

    let mut out = String::new();
    let mut list = String::from("&[\n");
    let repo_files = embed(&mut out, &mut list, "repo", &repo_vectors, "tests/vectors");
    if repo_files == 0 {
        println!("cargo::warning=no vector files under {}", repo_vectors.display());
    }
    writeln!(out, "const REPO_VECTOR_FILES: usize = {repo_files};").unwrap();

    if shared_vectors.is_dir() {
        embed(&mut out, &mut list, "shared", &shared_vectors, "shared/vectors");
        println!("cargo::rustc-cfg=realmgate_shared_vectors");
    } else {
        println!(
            "cargo::warning={} not found: the wasm32 vector test embeds tests/vectors only",
            shared_vectors.display()
        );
    }

    list.push_str("]\n");

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    for (name, contents) in [("vector_files.rs", out), ("vector_list.rs", list)] {
        let target = out_dir.join(name);
        // Rewrite only on change, so an unchanged list does not trigger a rebuild.
        if fs::read_to_string(&target).ok().as_deref() != Some(contents.as_str()) {
            fs::write(&target, contents).unwrap_or_else(|e| panic!("write {name}: {e}"));
        }
    }
}

/// Appends one `vector_file!` line per JSON file under `dir` to `out`, and one
/// `(name, include_str!(path))` entry to `list`; returns how many.
fn embed(out: &mut String, list: &mut String, prefix: &str, dir: &Path, display_prefix: &str) -> usize {
    if !dir.is_dir() {
        return 0;
    }
    let mut files = Vec::new();
    collect_json(dir, &mut files);
    files.sort();
    for file in &files {
        let relative = file.strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
        let display = format!("{display_prefix}/{relative}");
        let ident: String = format!("{prefix}_{relative}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        let absolute = file.canonicalize().expect("canonical path");
        let absolute = absolute.to_str().expect("UTF-8 path");
        writeln!(out, "vector_file!({ident}, {display:?}, {absolute:?});").unwrap();
        writeln!(list, "    ({display:?}, include_str!({absolute:?})),").unwrap();
    }
    files.len()
}

fn collect_json(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_json(&path, files);
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
}
