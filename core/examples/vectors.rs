//! Runs vector files: `cargo run -p realmgate-core --example vectors -- PATH...`
//! (files or folders, searched recursively for `*.json`). Prints `N passed,
//! M failed` per file with the failing ids; exits non-zero on any failure or
//! on a file it cannot read or understand. Every signature backend compiled in
//! runs every file (ring natively; add `--features rustcrypto` to also run
//! the pure-Rust backend the wasm32 build uses).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use realmgate_core::jose::backend::all_backends;
use realmgate_core::vectors::run_document_with;

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else if path.extension().is_some_and(|e| e == "json") {
        out.push(path.to_owned());
    } else if !path.exists() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{} does not exist", path.display())));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: vectors PATH... (files or folders of *.json vector files)");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for a in &args {
        if let Err(e) = collect(Path::new(a), &mut files) {
            eprintln!("error: {a}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let (mut total_passed, mut total_failed, mut bad_files) = (0usize, 0usize, 0usize);
    let backends = all_backends();
    for (f, backend) in files.iter().flat_map(|f| backends.iter().map(move |b| (f, b))) {
        let result =
            std::fs::read_to_string(f).map_err(|e| e.to_string()).and_then(|text| run_document_with(*backend, &text).map_err(|e| e.to_string()));
        match result {
            Ok(report) => {
                println!("{}: {} passed, {} failed [{}, {}]", f.display(), report.passed, report.failed.len(), report.kind, backend.name());
                for id in &report.failed {
                    println!("    FAILED {id}");
                }
                total_passed += report.passed;
                total_failed += report.failed.len();
            }
            Err(e) => {
                println!("{}: ERROR {e}", f.display());
                bad_files += 1;
            }
        }
    }
    println!("vectors: {} files x {} backends, {total_passed} passed, {total_failed} failed, {bad_files} unreadable", files.len(), backends.len());
    if files.is_empty() || total_failed > 0 || bad_files > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
