//! The Worker's configuration, read from `wrangler.toml` `[vars]` and secrets
//! (`.dev.vars` locally). Parsing is pure: it takes a lookup function, so it
//! is unit-tested natively and the Worker passes `env.var`/`env.secret`.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `REALMGATE_POLICY` | realm policy JSON (core `PolicySpec`) | required |
//! | `AUTH_PREFIX` | path prefix of the endpoints | `/auth` |
//! | `PUBLIC_ORIGIN` | the Worker's public origin (redirect URI, Origin checks) | the request's origin |
//! | `COOKIE_STATE`, `COOKIE_ACCESS`, `COOKIE_REFRESH`, `COOKIE_ID` | cookie names | `__Host-rg_state`, `__Host-rg_at`, `__Host-rg_rt`, `__Host-rg_id` |
//! | `FLOW_TTL_SECONDS` | login flow lifetime (≥ 60, KV's minimum) | `600` |
//! | `SESSION_MAX_AGE_SECONDS` | refresh/ID cookie lifetime when the provider gives none | `2592000` |
//! | `METADATA_TTL_SECONDS`, `JWKS_TTL_SECONDS` | freshness of cached discovery / keys | `3600`, `300` |
//! | `UPSTREAM_TIMEOUT_MS` | timeout of every provider call | `5000` |
//! | `GATEWAY_PREFIXES` | comma-separated path prefixes served in gateway mode | none |
//! | `GATEWAY_ORIGIN` | origin URL the gateway forwards to | required with prefixes |
//! | `GATEWAY_REALM` | realm a gateway page navigation logs into | the only realm |
//! | `POST_LOGOUT_REDIRECT_URI` | sent with the end-session URL | none |
//! | `CLIENT_SECRET_<REALM>` (secret) | client secret per realm (`-`/`.` → `_`, upper case) | public client |
//! | `SIGNATURE_PATH` | `webcrypto` (RS256/PS256/ES256 by the runtime) or `wasm` (every algorithm by the core's pure-Rust backend; needs a build with the `wasm-signatures` feature) | `webcrypto` |
//! | `LOG_REQUESTS` | `all` (one log line per request) or `errors` (only answers ≥ 400 and notable outcomes; plain successes are not logged) | `all` |
//!
//! `allow_insecure_loopback` in the policy JSON is the one switch for local
//! development over http on loopback; cookies stay `Secure` regardless
//! (browsers treat loopback as a secure context).

use realmgate_core::cookies::CookieAttributes;
use realmgate_core::policy::PolicySpecError;
use realmgate_core::RealmPolicy;

/// Why the configuration is unusable. Reported as a 500 with this code; the
/// log line names the variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Missing(&'static str),
    Invalid(&'static str),
    Policy(String),
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Missing(_) => "config_missing",
            ConfigError::Invalid(_) => "config_invalid",
            ConfigError::Policy(_) => "config_policy",
        }
    }

    /// The variable at fault (and the policy's error code), for the log line; never a value.
    pub fn variable(&self) -> String {
        match self {
            ConfigError::Missing(v) | ConfigError::Invalid(v) => (*v).to_owned(),
            ConfigError::Policy(code) => format!("REALMGATE_POLICY: {code}"),
        }
    }
}

/// The names of the cookies the Worker sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieNames {
    pub state: String,
    pub access: String,
    pub refresh: String,
    pub id_token: String,
}

/// Who checks RS256, PS256 and ES256 signatures (EdDSA is always the core's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignaturePath {
    /// The runtime's WebCrypto (`crypto.subtle.verify`; BoringSSL in workerd).
    WebCrypto,
    /// The core's pure-Rust backend compiled to wasm (for measuring it, and as a
    /// choice where WebCrypto is unavailable). Needs the `wasm-signatures` build feature.
    Wasm,
}

impl SignaturePath {
    /// Parses `SIGNATURE_PATH`; `wasm_built` says whether this build carries the
    /// core's RSA/P-256 backends (`wasm-signatures` feature).
    pub fn parse(value: Option<&str>, wasm_built: bool) -> Result<SignaturePath, ConfigError> {
        match value {
            None | Some("webcrypto") => Ok(SignaturePath::WebCrypto),
            Some("wasm") if wasm_built => Ok(SignaturePath::Wasm),
            Some(_) => Err(ConfigError::Invalid("SIGNATURE_PATH")),
        }
    }
}

pub use crate::log::LogRequests;

/// Gateway mode: requests under `prefixes` are verified and forwarded to `origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    pub prefixes: Vec<String>,
    pub origin: url::Url,
    pub realm: String,
}

#[derive(Debug, Clone)]
pub struct EdgeConfig {
    pub policy: RealmPolicy,
    pub prefix: String,
    pub public_origin: Option<String>,
    pub cookies: CookieNames,
    pub cookie_attributes: CookieAttributes,
    pub flow_ttl_seconds: u64,
    pub session_max_age_seconds: u64,
    pub metadata_ttl_seconds: u64,
    pub jwks_ttl_seconds: u64,
    pub upstream_timeout_ms: u64,
    pub gateway: Option<GatewayConfig>,
    pub post_logout_redirect_uri: Option<String>,
    pub signature_path: SignaturePath,
    pub log_requests: LogRequests,
}

/// The KV binding holding flow records, cached metadata/keys and SSO domains.
pub const KV_BINDING: &str = "REALMGATE_KV";

/// The secret holding a realm's client secret: `CLIENT_SECRET_` + the realm
/// name upper-cased with `-` and `.` as `_`.
pub fn client_secret_var(realm: &str) -> String {
    let name: String = realm.chars().map(|c| if c == '-' || c == '.' { '_' } else { c.to_ascii_uppercase() }).collect();
    format!("CLIENT_SECRET_{name}")
}

impl EdgeConfig {
    /// Reads the configuration; `var` returns a variable's value when set and non-empty.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<EdgeConfig, ConfigError> {
        let var = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let policy_json = var("REALMGATE_POLICY").ok_or(ConfigError::Missing("REALMGATE_POLICY"))?;
        let policy = RealmPolicy::from_json(&policy_json).map_err(|e| match e {
            PolicySpecError::Syntax(_) => ConfigError::Policy("syntax".into()),
            PolicySpecError::Invalid(p) => ConfigError::Policy(p.code().into()),
            _ => ConfigError::Policy("invalid".into()),
        })?;

        let prefix = var("AUTH_PREFIX").unwrap_or_else(|| "/auth".into());
        if !prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains(['?', '#']) {
            return Err(ConfigError::Invalid("AUTH_PREFIX"));
        }
        let public_origin = match var("PUBLIC_ORIGIN") {
            None => None,
            Some(o) => Some(parse_origin(&o).ok_or(ConfigError::Invalid("PUBLIC_ORIGIN"))?),
        };
        let cookies = CookieNames {
            state: var("COOKIE_STATE").unwrap_or_else(|| "__Host-rg_state".into()),
            access: var("COOKIE_ACCESS").unwrap_or_else(|| "__Host-rg_at".into()),
            refresh: var("COOKIE_REFRESH").unwrap_or_else(|| "__Host-rg_rt".into()),
            id_token: var("COOKIE_ID").unwrap_or_else(|| "__Host-rg_id".into()),
        };
        let names = [&cookies.state, &cookies.access, &cookies.refresh, &cookies.id_token];
        if names.iter().enumerate().any(|(i, a)| names[i + 1..].contains(a)) {
            return Err(ConfigError::Invalid("COOKIE_*"));
        }
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            var(name).map_or(Ok(default), |v| v.parse().map_err(|_| ConfigError::Invalid(name)))
        };
        let flow_ttl_seconds = number("FLOW_TTL_SECONDS", 600)?;
        if flow_ttl_seconds < realmgate_core::login::MIN_FLOW_TTL {
            return Err(ConfigError::Invalid("FLOW_TTL_SECONDS"));
        }

        let gateway = match var("GATEWAY_PREFIXES") {
            None => None,
            Some(list) => {
                let prefixes: Vec<String> = list.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
                if prefixes.iter().any(|p| !p.starts_with('/') || p.starts_with(&prefix)) {
                    return Err(ConfigError::Invalid("GATEWAY_PREFIXES"));
                }
                let origin = var("GATEWAY_ORIGIN").ok_or(ConfigError::Missing("GATEWAY_ORIGIN"))?;
                let origin = url::Url::parse(&origin)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .ok_or(ConfigError::Invalid("GATEWAY_ORIGIN"))?;
                let realm = match var("GATEWAY_REALM") {
                    Some(r) => r,
                    None => {
                        let mut realms = policy.realms();
                        match (realms.next(), realms.next()) {
                            (Some((only, _)), None) => only.to_string(),
                            _ => return Err(ConfigError::Missing("GATEWAY_REALM")),
                        }
                    }
                };
                policy.realm(&realm).map_err(|_| ConfigError::Invalid("GATEWAY_REALM"))?;
                Some(GatewayConfig { prefixes, origin, realm })
            }
        };

        let signature_path = SignaturePath::parse(var("SIGNATURE_PATH").as_deref(), cfg!(feature = "wasm-signatures"))?;

        let log_requests = LogRequests::parse(var("LOG_REQUESTS").as_deref())?;

        Ok(EdgeConfig {
            signature_path,
            log_requests,
            prefix,
            public_origin,
            cookies,
            cookie_attributes: CookieAttributes::default(),
            flow_ttl_seconds,
            session_max_age_seconds: number("SESSION_MAX_AGE_SECONDS", 30 * 24 * 3600)?,
            metadata_ttl_seconds: number("METADATA_TTL_SECONDS", 3600)?,
            jwks_ttl_seconds: number("JWKS_TTL_SECONDS", 300)?,
            upstream_timeout_ms: number("UPSTREAM_TIMEOUT_MS", 5000)?,
            gateway,
            post_logout_redirect_uri: var("POST_LOGOUT_REDIRECT_URI"),
            policy,
        })
    }

    /// The origin the Worker is served at: configured, or the request's.
    pub fn origin_for(&self, request_url: &url::Url) -> String {
        self.public_origin.clone().unwrap_or_else(|| request_url.origin().ascii_serialization())
    }

    /// The callback URL registered at the provider.
    pub fn redirect_uri(&self, request_url: &url::Url) -> String {
        format!("{}{}/callback", self.origin_for(request_url), self.prefix)
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL given as a bare origin.
fn parse_origin(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none() && url.username().is_empty();
    (matches!(url.scheme(), "http" | "https") && bare).then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const POLICY: &str = r#"{"issuer_base_url":"http://127.0.0.1:9000","allow_insecure_loopback":true,
        "realms":{"members":{"client_id":"edge","audiences":["urn:api"]}}}"#;

    fn config(pairs: &[(&str, &str)]) -> Result<EdgeConfig, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        EdgeConfig::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_apply_and_the_policy_is_required() {
        assert_eq!(config(&[]).unwrap_err(), ConfigError::Missing("REALMGATE_POLICY"));
        let c = config(&[("REALMGATE_POLICY", POLICY)]).unwrap();
        assert_eq!(c.prefix, "/auth");
        assert_eq!(c.cookies.access, "__Host-rg_at");
        assert_eq!(c.flow_ttl_seconds, 600);
        assert!(c.gateway.is_none());
        let url = url::Url::parse("http://127.0.0.1:8787/x?y").unwrap();
        assert_eq!(c.redirect_uri(&url), "http://127.0.0.1:8787/auth/callback");
    }

    #[test]
    fn flow_ttl_below_kvs_minimum_and_bad_prefixes_are_refused() {
        assert_eq!(config(&[("REALMGATE_POLICY", POLICY), ("FLOW_TTL_SECONDS", "59")]).unwrap_err(), ConfigError::Invalid("FLOW_TTL_SECONDS"));
        assert_eq!(config(&[("REALMGATE_POLICY", POLICY), ("AUTH_PREFIX", "/auth/")]).unwrap_err(), ConfigError::Invalid("AUTH_PREFIX"));
        assert_eq!(config(&[("REALMGATE_POLICY", "{}")]).unwrap_err().code(), "config_policy");
        let dup = [("REALMGATE_POLICY", POLICY), ("COOKIE_ACCESS", "a"), ("COOKIE_REFRESH", "a")];
        assert_eq!(config(&dup).unwrap_err(), ConfigError::Invalid("COOKIE_*"));
    }

    #[test]
    fn gateway_needs_an_origin_and_defaults_to_the_only_realm() {
        let base = [("REALMGATE_POLICY", POLICY), ("GATEWAY_PREFIXES", "/app/, /api/")];
        assert_eq!(config(&base).unwrap_err(), ConfigError::Missing("GATEWAY_ORIGIN"));
        let c = config(&[base[0], base[1], ("GATEWAY_ORIGIN", "http://127.0.0.1:9100")]).unwrap();
        let g = c.gateway.unwrap();
        assert_eq!(g.prefixes, ["/app/", "/api/"]);
        assert_eq!(g.realm, "members");
        let inside_auth = [("REALMGATE_POLICY", POLICY), ("GATEWAY_PREFIXES", "/auth/x"), ("GATEWAY_ORIGIN", "http://o")];
        assert_eq!(config(&inside_auth).unwrap_err(), ConfigError::Invalid("GATEWAY_PREFIXES"));
    }

    #[test]
    fn client_secret_variable_names_are_derived_from_the_realm() {
        assert_eq!(client_secret_var("members"), "CLIENT_SECRET_MEMBERS");
        assert_eq!(client_secret_var("acme-corp.eu"), "CLIENT_SECRET_ACME_CORP_EU");
    }

    #[test]
    fn log_requests_defaults_to_all() {
        assert_eq!(config(&[("REALMGATE_POLICY", POLICY)]).unwrap().log_requests, LogRequests::All);
        assert_eq!(config(&[("REALMGATE_POLICY", POLICY), ("LOG_REQUESTS", "errors")]).unwrap().log_requests, LogRequests::Errors);
        let bad = config(&[("REALMGATE_POLICY", POLICY), ("LOG_REQUESTS", "none")]);
        assert_eq!(bad.unwrap_err(), ConfigError::Invalid("LOG_REQUESTS"));
    }

    #[test]
    fn signature_path_defaults_to_webcrypto_and_wasm_needs_the_feature() {
        assert_eq!(config(&[("REALMGATE_POLICY", POLICY)]).unwrap().signature_path, SignaturePath::WebCrypto);
        assert_eq!(SignaturePath::parse(Some("webcrypto"), false), Ok(SignaturePath::WebCrypto));
        assert_eq!(SignaturePath::parse(Some("wasm"), true), Ok(SignaturePath::Wasm));
        assert_eq!(SignaturePath::parse(Some("wasm"), false), Err(ConfigError::Invalid("SIGNATURE_PATH")));
        assert_eq!(SignaturePath::parse(Some("ring"), true), Err(ConfigError::Invalid("SIGNATURE_PATH")));
        let bad = config(&[("REALMGATE_POLICY", POLICY), ("SIGNATURE_PATH", "WASM")]);
        assert_eq!(bad.unwrap_err(), ConfigError::Invalid("SIGNATURE_PATH"));
    }

    #[test]
    fn public_origin_must_be_a_bare_origin() {
        let c = config(&[("REALMGATE_POLICY", POLICY), ("PUBLIC_ORIGIN", "https://app.example.com")]).unwrap();
        assert_eq!(c.public_origin.as_deref(), Some("https://app.example.com"));
        let bad = config(&[("REALMGATE_POLICY", POLICY), ("PUBLIC_ORIGIN", "https://app.example.com/x")]);
        assert_eq!(bad.unwrap_err(), ConfigError::Invalid("PUBLIC_ORIGIN"));
    }
}
