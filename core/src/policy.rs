//! Realm policy: which issuer base URL is trusted, which realms may
//! authenticate, and each realm's client, audiences, scopes and IdP hints.
//!
//! A realm's issuer is `issuer_base_url + "/realms/" + name`, compared as an
//! exact string: no case folding, no decoding, no trailing-slash or port
//! tolerance, no prefix or suffix match.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::jose::Algorithm;
use crate::oidc::endpoint::is_loopback;

/// Why a policy could not be built or a realm was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("issuer base URL is not an absolute http(s) URL without query, fragment, credentials or trailing slash")]
    InvalidIssuerBaseUrl,
    #[error("issuer base URL must use https (http is allowed only for loopback hosts when allow_insecure_loopback is set)")]
    InsecureIssuer,
    #[error("realm name is empty, too long, or has characters outside A-Z a-z 0-9 . _ -")]
    InvalidRealmName,
    #[error("unknown realm")]
    UnknownRealm,
    #[error("realm has no client id")]
    MissingClientId,
    #[error("realm accepts no audience")]
    NoAudience,
    #[error("algorithm is not one of RS256, PS256, ES256, EdDSA")]
    UnsupportedAlgorithm,
    #[error("policy allows no realm")]
    NoRealms,
}

impl PolicyError {
    /// Stable short code for logs and API problems.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::InvalidIssuerBaseUrl => "invalid_issuer_base_url",
            PolicyError::InsecureIssuer => "insecure_issuer",
            PolicyError::InvalidRealmName => "invalid_realm_name",
            PolicyError::UnknownRealm => "unknown_realm",
            PolicyError::MissingClientId => "missing_client_id",
            PolicyError::NoAudience => "no_audience",
            PolicyError::UnsupportedAlgorithm => "unsupported_algorithm",
            PolicyError::NoRealms => "no_realms",
        }
    }
}

/// A validated realm name: 1–100 characters from Keycloak's safe set
/// (`A-Z a-z 0-9 . _ -`), and not `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RealmName(String);

impl RealmName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(name: &str) -> Result<RealmName, PolicyError> {
        let ok_chars = name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if name.is_empty() || name.len() > Self::MAX_LEN || !ok_chars || name == "." || name == ".." {
            return Err(PolicyError::InvalidRealmName);
        }
        Ok(RealmName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RealmName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RealmName::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::borrow::Borrow<str> for RealmName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RealmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One authenticatable realm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealmConfig {
    /// The OAuth client the edge uses for this realm.
    pub client_id: String,
    /// Audiences accepted in this realm's tokens; empty means `[client_id]`.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Scopes requested at login; `openid` is always added.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Email domain (lowercase A-labels) → IdP alias sent as `kc_idp_hint`.
    #[serde(default)]
    pub idp_hints: BTreeMap<String, String>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}

impl RealmConfig {
    /// A realm config with default scopes, the client id as its audience and no hints.
    pub fn new(client_id: impl Into<String>) -> Self {
        RealmConfig { client_id: client_id.into(), audiences: Vec::new(), scopes: default_scopes(), idp_hints: BTreeMap::new() }
    }

    /// The audiences a token for this realm may carry.
    pub fn accepted_audiences(&self) -> &[String] {
        if self.audiences.is_empty() {
            std::slice::from_ref(&self.client_id)
        } else {
            &self.audiences
        }
    }

    /// The `scope` parameter for the authorize request: `openid` first, no duplicates.
    pub fn scope_param(&self) -> String {
        let mut out = vec!["openid"];
        for s in &self.scopes {
            if !out.contains(&s.as_str()) && !s.is_empty() {
                out.push(s);
            }
        }
        out.join(" ")
    }
}

/// The policy as written in configuration (JSON/TOML), before validation.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    pub issuer_base_url: String,
    pub realms: BTreeMap<String, RealmConfig>,
    /// Allow `http://` issuers on loopback hosts (local development only).
    #[serde(default)]
    pub allow_insecure_loopback: bool,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// Allowed JWS algorithms; absent means RS256, PS256, ES256 and EdDSA.
    #[serde(default)]
    pub algorithms: Option<Vec<String>>,
}

fn default_leeway() -> u64 {
    30
}

/// A validated realm policy.
#[derive(Clone, Debug)]
pub struct RealmPolicy {
    issuer_base_url: String,
    realms: BTreeMap<RealmName, RealmConfig>,
    allow_insecure_loopback: bool,
    leeway_seconds: u64,
    algorithms: Vec<Algorithm>,
}

impl RealmPolicy {
    /// Validates a policy spec: base URL scheme and shape, realm names,
    /// client ids, algorithm names.
    pub fn new(spec: PolicySpec) -> Result<RealmPolicy, PolicyError> {
        check_base_url(&spec.issuer_base_url, spec.allow_insecure_loopback)?;
        if spec.realms.is_empty() {
            return Err(PolicyError::NoRealms);
        }
        let mut realms = BTreeMap::new();
        for (name, config) in spec.realms {
            let name = RealmName::parse(&name)?;
            if config.client_id.trim().is_empty() {
                return Err(PolicyError::MissingClientId);
            }
            if config.accepted_audiences().iter().any(|a| a.is_empty()) {
                return Err(PolicyError::NoAudience);
            }
            realms.insert(name, config);
        }
        let algorithms = match spec.algorithms {
            None => Algorithm::ALL.to_vec(),
            Some(names) => names
                .iter()
                .map(|n| Algorithm::from_name(n).ok_or(PolicyError::UnsupportedAlgorithm))
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(RealmPolicy {
            issuer_base_url: spec.issuer_base_url,
            realms,
            allow_insecure_loopback: spec.allow_insecure_loopback,
            leeway_seconds: spec.leeway_seconds,
            algorithms,
        })
    }

    /// Parses and validates a JSON policy spec.
    pub fn from_json(json: &str) -> Result<RealmPolicy, PolicySpecError> {
        let spec: PolicySpec = serde_json::from_str(json).map_err(|e| PolicySpecError::Syntax(e.to_string()))?;
        RealmPolicy::new(spec).map_err(PolicySpecError::Invalid)
    }

    pub fn issuer_base_url(&self) -> &str {
        &self.issuer_base_url
    }

    pub fn allow_insecure_loopback(&self) -> bool {
        self.allow_insecure_loopback
    }

    pub fn leeway_seconds(&self) -> u64 {
        self.leeway_seconds
    }

    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The issuer of a realm: `issuer_base_url + "/realms/" + name`.
    pub fn issuer(&self, realm: &RealmName) -> String {
        format!("{}/realms/{}", self.issuer_base_url, realm.as_str())
    }

    /// The allowed realm whose issuer is exactly `iss`, if any.
    pub fn realm_from_issuer(&self, iss: &str) -> Option<&RealmName> {
        let name = iss.strip_prefix(self.issuer_base_url.as_str())?.strip_prefix("/realms/")?;
        self.realms.get_key_value(name).map(|(k, _)| k)
    }

    /// An allowed realm by name (exact).
    pub fn realm(&self, name: &str) -> Result<(&RealmName, &RealmConfig), PolicyError> {
        self.realms.get_key_value(name).ok_or(PolicyError::UnknownRealm)
    }

    /// All allowed realms.
    pub fn realms(&self) -> impl Iterator<Item = (&RealmName, &RealmConfig)> {
        self.realms.iter()
    }
}

/// A policy document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicySpecError {
    #[error("policy is not valid JSON of the expected shape: {0}")]
    Syntax(String),
    #[error(transparent)]
    Invalid(PolicyError),
}

fn check_base_url(base: &str, allow_insecure_loopback: bool) -> Result<(), PolicyError> {
    let url = url::Url::parse(base).map_err(|_| PolicyError::InvalidIssuerBaseUrl)?;
    let trailing = base.ends_with('/');
    // The spelling must be canonical: what we compare against tokens is the
    // configured string, so it must be exactly what a provider would emit.
    let canonical = url.as_str().strip_suffix('/').unwrap_or(url.as_str()) == base || url.as_str() == base;
    if trailing
        || !canonical
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.host_str().is_none()
    {
        return Err(PolicyError::InvalidIssuerBaseUrl);
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_loopback && is_loopback(&url) => Ok(()),
        "http" => Err(PolicyError::InsecureIssuer),
        _ => Err(PolicyError::InvalidIssuerBaseUrl),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn spec(base: &str) -> PolicySpec {
        let mut realms = BTreeMap::new();
        realms.insert("acme".to_owned(), RealmConfig::new("edge-web"));
        PolicySpec { issuer_base_url: base.into(), realms, allow_insecure_loopback: false, leeway_seconds: 0, algorithms: None }
    }

    #[test]
    fn issuer_is_base_plus_realms_plus_name_exactly() {
        let p = RealmPolicy::new(spec("https://id.example.com")).unwrap();
        let acme = RealmName::parse("acme").unwrap();
        assert_eq!(p.issuer(&acme), "https://id.example.com/realms/acme");
        assert_eq!(p.realm_from_issuer("https://id.example.com/realms/acme"), Some(&acme));
        for refused in [
            "https://id.example.com/realms/acme/",
            "https://id.example.com/realms/ACME",
            "https://ID.example.com/realms/acme",
            "https://id.example.com:443/realms/acme",
            "https://id.example.com/realms/acm",
            "https://id.example.com/realms/acmee",
            "https://id.example.com/realms/",
            "https://id.example.com/realms/%61cme",
            "http://id.example.com/realms/acme",
        ] {
            assert_eq!(p.realm_from_issuer(refused), None, "{refused}");
        }
    }

    #[test]
    fn base_url_must_be_https_unless_loopback_is_explicitly_allowed() {
        assert_eq!(RealmPolicy::new(spec("http://id.example.com")).unwrap_err(), PolicyError::InsecureIssuer);
        assert_eq!(RealmPolicy::new(spec("http://127.0.0.1:8080")).unwrap_err(), PolicyError::InsecureIssuer);
        let mut s = spec("http://127.0.0.1:8080");
        s.allow_insecure_loopback = true;
        assert!(RealmPolicy::new(s).is_ok());
        let mut s = spec("http://localhost:8080");
        s.allow_insecure_loopback = true;
        assert!(RealmPolicy::new(s).is_ok());
        let mut s = spec("http://id.example.com");
        s.allow_insecure_loopback = true;
        assert_eq!(RealmPolicy::new(s).unwrap_err(), PolicyError::InsecureIssuer, "loopback only");
    }

    #[test]
    fn base_url_must_be_canonical_without_trailing_slash_query_or_credentials() {
        for bad in [
            "https://id.example.com/",
            "https://id.example.com?x=1",
            "https://id.example.com#f",
            "https://user:pw@id.example.com",
            "https://ID.example.com",
            "ftp://id.example.com",
            "id.example.com",
            "",
        ] {
            assert!(RealmPolicy::new(spec(bad)).is_err(), "{bad}");
        }
        assert!(RealmPolicy::new(spec("https://id.example.com/auth")).is_ok(), "a path prefix is allowed");
    }

    #[test]
    fn realm_names_use_keycloaks_safe_charset() {
        for ok in ["acme", "members-2", "a.b_c", "X"] {
            assert!(RealmName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "a%2f", "ä", &"a".repeat(101)] {
            assert_eq!(RealmName::parse(bad).unwrap_err(), PolicyError::InvalidRealmName, "{bad}");
        }
    }

    #[test]
    fn unknown_realm_and_unknown_algorithm_are_refused() {
        let p = RealmPolicy::new(spec("https://id.example.com")).unwrap();
        assert_eq!(p.realm("other").unwrap_err(), PolicyError::UnknownRealm);
        let mut s = spec("https://id.example.com");
        s.algorithms = Some(vec!["HS256".into()]);
        assert_eq!(RealmPolicy::new(s).unwrap_err(), PolicyError::UnsupportedAlgorithm);
    }

    #[test]
    fn audiences_default_to_client_id_and_scope_always_has_openid_first() {
        let mut c = RealmConfig::new("edge-web");
        assert_eq!(c.accepted_audiences(), ["edge-web".to_owned()]);
        c.scopes = vec!["email".into(), "openid".into(), "email".into()];
        assert_eq!(c.scope_param(), "openid email");
    }
}
