//! One structured JSON log line per request: route, realm, outcome code,
//! status and duration. Built only from values the Worker chose (route and
//! outcome codes are static strings, the realm is a validated realm name),
//! so no token, code, secret or cookie value can reach it.

use serde::Serialize;

use crate::config::ConfigError;

/// Which requests get a log line (`LOG_REQUESTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogRequests {
    /// Every request (the default).
    All,
    /// Answers with status ≥ 400 and requests with a notable outcome (any
    /// outcome other than `ok`, or a detail such as `webcrypto_fallback`);
    /// plain successes — the bulk of a CDN verify path — are not logged.
    Errors,
}

impl LogRequests {
    pub fn parse(value: Option<&str>) -> Result<LogRequests, ConfigError> {
        match value {
            None | Some("all") => Ok(LogRequests::All),
            Some("errors") => Ok(LogRequests::Errors),
            Some(_) => Err(ConfigError::Invalid("LOG_REQUESTS")),
        }
    }
}

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
    /// Whether this line is written under `mode`.
    pub fn wanted(&self, mode: LogRequests) -> bool {
        match mode {
            LogRequests::All => true,
            LogRequests::Errors => self.status >= 400 || self.outcome != "ok" || self.detail.is_some(),
        }
    }

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

    #[test]
    fn errors_mode_skips_only_plain_successes() {
        let ok = LogLine { route: "verify", method: "GET".into(), outcome: "ok".into(), status: 200, ..Default::default() };
        assert!(ok.wanted(LogRequests::All));
        assert!(!ok.wanted(LogRequests::Errors));
        let refused = LogLine { outcome: "expired".into(), status: 401, ..Default::default() };
        assert!(refused.wanted(LogRequests::Errors));
        let redirect = LogLine { outcome: "login_redirect".into(), status: 302, ..Default::default() };
        assert!(redirect.wanted(LogRequests::Errors));
        let fallback = LogLine { outcome: "ok".into(), status: 200, detail: Some("webcrypto_fallback".into()), ..Default::default() };
        assert!(fallback.wanted(LogRequests::Errors));
        let passthrough_error = LogLine { outcome: "ok".into(), status: 502, ..Default::default() };
        assert!(passthrough_error.wanted(LogRequests::Errors));
        assert_eq!(LogRequests::parse(None), Ok(LogRequests::All));
        assert_eq!(LogRequests::parse(Some("ERRORS")), Err(ConfigError::Invalid("LOG_REQUESTS")));
    }
}
