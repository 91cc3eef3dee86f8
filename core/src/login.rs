//! Login start (DESIGN.md "The login flow", step 1): from the policy, the
//! realm, the raw `return_to`, an optional `login_hint` and caller-supplied
//! random bytes and time, build the authorize URL, the flow record to store
//! under the state, and the state cookie.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::b64;
use crate::cookies::{CookieAttributes, CookieError, SetCookie};
use crate::email;
use crate::oidc::endpoint::{check_endpoint, EndpointError};
use crate::oidc::ProviderMetadata;
use crate::pkce::{CodeChallenge, CodeVerifier};
use crate::policy::{PolicyError, RealmName, RealmPolicy};
use crate::return_path::ReturnPath;

/// KV's smallest TTL; a flow record never lives shorter.
pub const MIN_FLOW_TTL: u64 = 60;
/// The flow record's format version.
pub const FLOW_RECORD_VERSION: u32 = 1;

/// Random input for one login: 256 bits each for state, nonce and verifier.
pub struct LoginRandom {
    pub state: [u8; 32],
    pub nonce: [u8; 32],
    pub verifier: [u8; 32],
}

impl LoginRandom {
    /// Splits 96 random bytes.
    pub fn from_bytes(bytes: &[u8; 96]) -> LoginRandom {
        let mut r = LoginRandom { state: [0; 32], nonce: [0; 32], verifier: [0; 32] };
        r.state.copy_from_slice(&bytes[..32]);
        r.nonce.copy_from_slice(&bytes[32..64]);
        r.verifier.copy_from_slice(&bytes[64..]);
        r
    }
}

/// Deployment settings for login.
pub struct LoginSettings<'a> {
    /// The edge's callback URL, registered at the provider.
    pub redirect_uri: &'a str,
    /// How long a flow may take, ≥ [`MIN_FLOW_TTL`].
    pub flow_ttl_seconds: u64,
    pub state_cookie_name: &'a str,
    pub cookie_attributes: &'a CookieAttributes,
}

/// One login request.
pub struct LoginInput<'a> {
    pub realm: &'a str,
    pub return_to: Option<&'a str>,
    pub login_hint: Option<&'a str>,
    /// Extra email-domain → IdP-alias entries (e.g. an SSO-domain map from KV);
    /// they take precedence over the realm's configured hints.
    pub sso_domains: Option<&'a BTreeMap<String, String>>,
    pub now: u64,
    pub random: &'a LoginRandom,
}

/// What the runtime must do to start a login.
#[derive(Debug)]
pub struct LoginStart {
    /// Where to redirect the browser (302).
    pub authorize_url: String,
    /// The record to store under `record_key` for `ttl_seconds`.
    pub record: FlowRecord,
    pub record_key: String,
    pub ttl_seconds: u64,
    /// The state cookie binding this browser to the flow.
    pub state_cookie: SetCookie,
}

/// The stored state of one login flow (serde JSON, versioned).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowRecord {
    pub v: u32,
    pub realm: RealmName,
    pub verifier: CodeVerifier,
    pub nonce: String,
    pub redirect_uri: String,
    pub return_path: ReturnPath,
    pub created_at: u64,
    pub expires_at: u64,
}

impl FlowRecord {
    pub fn to_json(&self) -> String {
        // Serializing plain strings and integers cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored record; another version or shape is an error.
    pub fn from_json(text: &str) -> Result<FlowRecord, LoginError> {
        let record: FlowRecord = serde_json::from_str(text).map_err(|_| LoginError::CorruptRecord)?;
        if record.v != FLOW_RECORD_VERSION {
            return Err(LoginError::CorruptRecord);
        }
        Ok(record)
    }
}

/// The storage key of a flow record: a hash of the state, so that the
/// store never holds the state itself.
pub fn flow_key(state: &str) -> String {
    format!("flow:{}", b64::encode(&Sha256::digest(state.as_bytes())))
}

/// Why a login could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    #[error("unknown realm")]
    UnknownRealm,
    #[error("provider metadata is not this realm's")]
    MetadataIssuer,
    #[error("authorization endpoint refused: {0}")]
    Endpoint(EndpointError),
    #[error("redirect URI refused: {0}")]
    RedirectUri(EndpointError),
    #[error("flow TTL must be at least 60 seconds")]
    Ttl,
    #[error("state cookie: {0}")]
    Cookie(CookieError),
    #[error("stored flow record is unreadable or of another version")]
    CorruptRecord,
}

impl LoginError {
    pub fn code(&self) -> &'static str {
        match self {
            LoginError::UnknownRealm => "unknown_realm",
            LoginError::MetadataIssuer => "metadata_issuer",
            LoginError::Endpoint(_) => "authorization_endpoint",
            LoginError::RedirectUri(_) => "redirect_uri",
            LoginError::Ttl => "flow_ttl",
            LoginError::Cookie(_) => "state_cookie",
            LoginError::CorruptRecord => "flow_corrupt",
        }
    }
}

impl From<PolicyError> for LoginError {
    fn from(_: PolicyError) -> Self {
        LoginError::UnknownRealm
    }
}

/// Starts a login. Same output shape whether or not the hint's domain maps to an IdP.
pub fn start_login(
    policy: &RealmPolicy,
    metadata: &ProviderMetadata,
    settings: &LoginSettings<'_>,
    input: &LoginInput<'_>,
) -> Result<LoginStart, LoginError> {
    let (realm, config) = policy.realm(input.realm)?;
    if metadata.issuer != policy.issuer(realm) {
        return Err(LoginError::MetadataIssuer);
    }
    let loopback = policy.allow_insecure_loopback();
    let mut url = check_endpoint(&metadata.authorization_endpoint, loopback).map_err(LoginError::Endpoint)?;
    check_endpoint(settings.redirect_uri, loopback).map_err(LoginError::RedirectUri)?;
    if settings.flow_ttl_seconds < MIN_FLOW_TTL {
        return Err(LoginError::Ttl);
    }

    let state = b64::encode(&input.random.state);
    let nonce = b64::encode(&input.random.nonce);
    // 32 bytes is always a valid verifier length.
    let verifier = CodeVerifier::from_random(&input.random.verifier).map_err(|_| LoginError::CorruptRecord)?;
    let challenge: CodeChallenge = verifier.challenge();
    let login_hint = input.login_hint.and_then(|h| email::normalize(h).ok());
    let idp_hint = login_hint.as_deref().and_then(email::domain).and_then(|domain| {
        input.sso_domains.and_then(|m| m.get(&domain)).or_else(|| config.idp_hints.get(&domain)).cloned()
    });

    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &config.client_id);
        q.append_pair("redirect_uri", settings.redirect_uri);
        q.append_pair("scope", &config.scope_param());
        q.append_pair("state", &state);
        q.append_pair("nonce", &nonce);
        q.append_pair("code_challenge", challenge.as_str());
        q.append_pair("code_challenge_method", CodeChallenge::METHOD);
        if let Some(h) = &idp_hint {
            q.append_pair("kc_idp_hint", h);
        }
        if let Some(h) = &login_hint {
            q.append_pair("login_hint", h);
        }
    }

    let ttl = settings.flow_ttl_seconds;
    let state_cookie = SetCookie::new(settings.state_cookie_name, &state, settings.cookie_attributes, Some(ttl)).map_err(LoginError::Cookie)?;
    let record = FlowRecord {
        v: FLOW_RECORD_VERSION,
        realm: realm.clone(),
        verifier,
        nonce,
        redirect_uri: settings.redirect_uri.to_owned(),
        return_path: ReturnPath::or_default(input.return_to),
        created_at: input.now,
        expires_at: input.now.saturating_add(ttl),
    };
    Ok(LoginStart { authorize_url: url.into(), record_key: flow_key(&state), record, ttl_seconds: ttl, state_cookie })
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::policy::{PolicySpec, RealmConfig};

    pub(crate) const ISSUER: &str = "https://id.example.com/realms/acme";

    pub(crate) fn policy() -> RealmPolicy {
        let mut c = RealmConfig::new("edge-web");
        c.idp_hints.insert("corp.example".into(), "corp-saml".into());
        let mut realms = BTreeMap::new();
        realms.insert("acme".to_owned(), c);
        RealmPolicy::new(PolicySpec { issuer_base_url: "https://id.example.com".into(), realms, allow_insecure_loopback: false, leeway_seconds: 0, algorithms: None }).unwrap()
    }

    pub(crate) fn start(realm: &str, return_to: Option<&str>, hint: Option<&str>) -> Result<LoginStart, LoginError> {
        let attrs = CookieAttributes::default();
        let settings = LoginSettings { redirect_uri: "https://app.example.com/auth/callback", flow_ttl_seconds: 600, state_cookie_name: "__Host-rg_state", cookie_attributes: &attrs };
        let random = LoginRandom::from_bytes(&[9; 96]);
        let input = LoginInput { realm, return_to, login_hint: hint, sso_domains: None, now: 1_000, random: &random };
        start_login(&policy(), &ProviderMetadata::keycloak_layout(ISSUER), &settings, &input)
    }

    fn query(url: &str) -> BTreeMap<String, String> {
        url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
    }

    #[test]
    fn authorize_url_has_code_flow_pkce_s256_state_and_nonce() {
        let s = start("acme", Some("/orders?id=1"), None).unwrap();
        assert!(s.authorize_url.starts_with(&format!("{ISSUER}/protocol/openid-connect/auth?")));
        let q = query(&s.authorize_url);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "edge-web");
        assert_eq!(q["redirect_uri"], "https://app.example.com/auth/callback");
        assert_eq!(q["scope"], "openid email profile");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], s.record.verifier.challenge().as_str());
        assert!(b64::decode(&q["state"]).unwrap().len() * 8 >= 128, "state carries at least 128 bits");
        assert_eq!(q["nonce"], s.record.nonce);
        assert!(!q.contains_key("kc_idp_hint") && !q.contains_key("login_hint"));
    }

    #[test]
    fn flow_record_is_keyed_by_a_hash_of_the_state_and_expires_with_the_ttl() {
        let s = start("acme", Some("/orders"), None).unwrap();
        let state = query(&s.authorize_url)["state"].clone();
        assert_eq!(s.record_key, flow_key(&state));
        assert!(!s.record_key.contains(&state));
        assert_eq!((s.record.created_at, s.record.expires_at, s.ttl_seconds), (1_000, 1_600, 600));
        assert_eq!(s.record.return_path.as_str(), "/orders");
        assert_eq!(s.state_cookie.value(), state);
        assert_eq!(s.state_cookie.max_age(), Some(600));
        let back = FlowRecord::from_json(&s.record.to_json()).unwrap();
        assert_eq!(back.verifier.expose(), s.record.verifier.expose());
    }

    #[test]
    fn refused_return_to_becomes_the_default_path() {
        assert_eq!(start("acme", Some("//evil.example"), None).unwrap().record.return_path.as_str(), "/");
    }

    #[test]
    fn email_domain_with_an_idp_hint_adds_kc_idp_hint_with_the_same_output_shape() {
        let with = start("acme", None, Some("Ann@CORP.example")).unwrap();
        let q = query(&with.authorize_url);
        assert_eq!(q["kc_idp_hint"], "corp-saml");
        assert_eq!(q["login_hint"], "ann@corp.example");
        let without = start("acme", None, Some("ann@other.example")).unwrap();
        let q2 = query(&without.authorize_url);
        assert!(!q2.contains_key("kc_idp_hint"));
        assert_eq!(q2["login_hint"], "ann@other.example");
        assert_eq!(with.ttl_seconds, without.ttl_seconds);
        assert_eq!(with.state_cookie.name(), without.state_cookie.name());
        let bad = start("acme", None, Some("not an email")).unwrap();
        assert!(!query(&bad.authorize_url).contains_key("login_hint"), "an invalid hint is dropped, not echoed");
    }

    #[test]
    fn unknown_realm_short_ttl_and_foreign_metadata_are_refused() {
        assert_eq!(start("other", None, None).unwrap_err(), LoginError::UnknownRealm);
        let attrs = CookieAttributes::default();
        let random = LoginRandom::from_bytes(&[1; 96]);
        let input = LoginInput { realm: "acme", return_to: None, login_hint: None, sso_domains: None, now: 0, random: &random };
        let short = LoginSettings { redirect_uri: "https://app/cb", flow_ttl_seconds: 59, state_cookie_name: "s", cookie_attributes: &attrs };
        assert_eq!(start_login(&policy(), &ProviderMetadata::keycloak_layout(ISSUER), &short, &input).unwrap_err(), LoginError::Ttl);
        let ok = LoginSettings { flow_ttl_seconds: 60, ..short };
        let foreign = ProviderMetadata::keycloak_layout("https://id.example.com/realms/other");
        assert_eq!(start_login(&policy(), &foreign, &ok, &input).unwrap_err(), LoginError::MetadataIssuer);
    }

    #[test]
    fn records_of_another_version_or_shape_are_refused() {
        assert_eq!(FlowRecord::from_json("{}").unwrap_err(), LoginError::CorruptRecord);
        let s = start("acme", None, None).unwrap();
        let v2 = s.record.to_json().replace("\"v\":1", "\"v\":2");
        assert_eq!(FlowRecord::from_json(&v2).unwrap_err(), LoginError::CorruptRecord);
    }
}
