//! The vector runner: security rules tested as data (FORMAT.md). Takes file
//! contents, never paths: reading files is the caller's job (the `vectors`
//! example natively, `include_str!` on wasm32).

pub mod jwt;
pub mod wycheproof;

/// Every vector file of the repository's `tests/vectors/` and, when it was there at build
/// time, `../shared/vectors/`, as `(name, contents)`, embedded by `core/build.rs`: for test
/// runs on wasm32 (no file system) of crates that check the vectors through their own
/// signature path (the edge Worker's WebCrypto). Never in a build without the feature.
#[cfg(feature = "embedded-vectors")]
pub const EMBEDDED_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/vector_list.rs"));

use serde_json::Value;

use crate::callback::CallbackQuery;
use crate::email;
use crate::jose::{default_backend, SignatureBackend};
use crate::pkce::CodeVerifier;
use crate::return_path::ReturnPath;

/// The outcome of one vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The FORMAT.md component, or the Wycheproof schema.
    pub kind: String,
    pub passed: usize,
    /// Ids of the failed cases, each with what differed.
    pub failed: Vec<String>,
}

/// A file the runner does not understand: an error, never a skip.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VectorError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("unknown component {0:?}")]
    UnknownComponent(String),
    #[error("file shape: {0}")]
    Shape(String),
}

/// Runs one vector document (FORMAT.md or Wycheproof schema) through the
/// target's default signature backend.
pub fn run_document(json: &str) -> Result<FileReport, VectorError> {
    run_document_with(default_backend(), json)
}

/// Runs one vector document with signatures checked by `backend`.
pub fn run_document_with(backend: &dyn SignatureBackend, json: &str) -> Result<FileReport, VectorError> {
    let doc: Value = serde_json::from_str(json).map_err(|e| VectorError::NotJson(e.to_string()))?;
    if doc.get("testGroups").is_some() {
        let kind = doc.get("schema").and_then(Value::as_str).unwrap_or("wycheproof").to_owned();
        let (passed, failed) = wycheproof::run_file_with(backend, &doc).map_err(VectorError::Shape)?;
        return Ok(FileReport { kind, passed, failed });
    }
    let component = doc.get("component").and_then(Value::as_str).ok_or_else(|| VectorError::Shape("no component".into()))?;
    let cases = doc.get("cases").and_then(Value::as_array).ok_or_else(|| VectorError::Shape("no cases array".into()))?;
    let jwt_runner = |input: &Value, expected: &Value| jwt::run_case_with(backend, input, expected);
    let runner: &dyn Fn(&Value, &Value) -> Result<(), String> = match component {
        "return_path" => &return_path_case,
        "issuer" => &issuer_case,
        "pkce" => &pkce_case,
        "email_normalize" => &email_normalize_case,
        "email_domain" => &email_domain_case,
        "callback" => &callback_case,
        "jwt" => &jwt_runner,
        other => return Err(VectorError::UnknownComponent(other.to_owned())),
    };
    let mut report = FileReport { kind: component.to_owned(), passed: 0, failed: Vec::new() };
    for (i, case) in cases.iter().enumerate() {
        let id = case.get("id").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| format!("#{i}"));
        let (Some(input), Some(expected)) = (case.get("input"), case.get("expected")) else {
            return Err(VectorError::Shape(format!("case {id} lacks input or expected")));
        };
        match runner(input, expected) {
            Ok(()) => report.passed += 1,
            Err(why) => report.failed.push(format!("{id}: {why}")),
        }
    }
    Ok(report)
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("input.{key} is not a string"))
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}"))
    }
}

fn expected_bool(e: &Value, key: &str) -> Result<bool, String> {
    e.get(key).and_then(Value::as_bool).ok_or_else(|| format!("expected.{key} is not a bool"))
}

fn return_path_case(input: &Value, expected: &Value) -> Result<(), String> {
    let value = str_field(input, "value")?;
    let parsed = ReturnPath::parse(value);
    expect_eq("accept", parsed.is_ok(), expected_bool(expected, "accept")?)?;
    if let Some(n) = expected.get("normalized").and_then(Value::as_str) {
        expect_eq("normalized", ReturnPath::or_default(Some(value)).as_str(), n)?;
    }
    Ok(())
}

fn issuer_case(input: &Value, expected: &Value) -> Result<(), String> {
    let iss = str_field(input, "iss")?;
    let want = expected.get("realm").ok_or("expected.realm missing")?.as_str();
    let got = match jwt::policy_from_vector(input.get("policy").ok_or("input.policy missing")?) {
        Ok(policy) => policy.realm_from_issuer(iss).map(|r| r.as_str().to_owned()),
        Err(_) => None,
    };
    expect_eq("realm", got.as_deref(), want)
}

fn pkce_case(input: &Value, expected: &Value) -> Result<(), String> {
    let got = CodeVerifier::parse(str_field(input, "verifier")?).map(|v| v.challenge().as_str().to_owned()).ok();
    let want = if expected.get("error").and_then(Value::as_bool) == Some(true) {
        None
    } else {
        Some(expected.get("challenge").and_then(Value::as_str).ok_or("expected.challenge missing")?)
    };
    expect_eq("challenge", got.as_deref(), want)
}

fn email_normalize_case(input: &Value, expected: &Value) -> Result<(), String> {
    let got = email::normalize(str_field(input, "value")?).ok();
    let want = if expected.get("error").and_then(Value::as_bool) == Some(true) {
        None
    } else {
        Some(expected.get("value").and_then(Value::as_str).ok_or("expected.value missing")?)
    };
    expect_eq("normalized", got.as_deref(), want)
}

fn email_domain_case(input: &Value, expected: &Value) -> Result<(), String> {
    let got = email::domain(str_field(input, "value")?);
    let want = expected.get("domain").ok_or("expected.domain missing")?.as_str();
    expect_eq("domain", got.as_deref(), want)
}

fn callback_case(input: &Value, expected: &Value) -> Result<(), String> {
    let got = match CallbackQuery::parse(str_field(input, "query")?) {
        Ok(CallbackQuery::Success { .. }) => "success",
        Ok(CallbackQuery::Error { .. }) => "error",
        Err(_) => "invalid",
    };
    expect_eq("kind", got, expected.get("kind").and_then(Value::as_str).ok_or("expected.kind missing")?)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_passing_and_a_failing_case_are_counted_with_the_failing_id() {
        let doc = r#"{"component":"return_path","cases":[
            {"id":"ok","input":{"value":"/a"},"expected":{"accept":true}},
            {"id":"wrong","input":{"value":"//evil"},"expected":{"accept":true}}]}"#;
        let r = run_document(doc).unwrap();
        assert_eq!((r.passed, r.failed.len()), (1, 1));
        assert!(r.failed[0].starts_with("wrong:"));
    }

    #[test]
    fn unknown_components_and_shapeless_files_are_errors_not_skips() {
        assert!(matches!(run_document(r#"{"component":"nope","cases":[]}"#), Err(VectorError::UnknownComponent(_))));
        assert!(matches!(run_document(r#"{"cases":[]}"#), Err(VectorError::Shape(_))));
        assert!(matches!(run_document("nope"), Err(VectorError::NotJson(_))));
        assert!(matches!(run_document(r#"{"component":"pkce","cases":[{"id":"x"}]}"#), Err(VectorError::Shape(_))));
    }
}
