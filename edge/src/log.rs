//! One structured JSON log line per request: route, realm, outcome code,
//! status and duration. Built only from values the Worker chose (route and
//! outcome codes are static strings, the realm is a validated realm name),
//! so no token, code, secret or cookie value can reach it.

use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct LogLine {
    pub route: &'static str,
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    pub outcome: String,
    pub status: u16,
    pub duration_ms: u64,
    /// For configuration faults: the variable at fault (a name, not a value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl LogLine {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"outcome\":\"log_failed\"}".into())
    }
}

/// Methods are logged only when they are one of the standard ones.
pub fn loggable_method(method: &str) -> String {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];
    if KNOWN.contains(&method) { method.to_owned() } else { "OTHER".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_is_one_json_object_with_the_fixed_fields() {
        let l = LogLine { route: "verify", method: "GET".into(), realm: Some("members".into()), outcome: "expired".into(), status: 401, duration_ms: 3, detail: None };
        let v: serde_json::Value = serde_json::from_str(&l.to_json()).unwrap();
        assert_eq!(v["route"], "verify");
        assert_eq!(v["outcome"], "expired");
        assert!(v.get("detail").is_none());
        assert!(!l.to_json().contains('\n'));
        assert_eq!(loggable_method("G\nET"), "OTHER");
    }
}
