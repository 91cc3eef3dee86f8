//! The authorization callback (DESIGN.md "The login flow", step 2): parse the
//! query, bind it to the browser by the state cookie, check the stored flow
//! and RFC 9207's `iss`, and produce either the token request or the error
//! redirect.

use subtle::ConstantTimeEq;

use crate::login::FlowRecord;
use crate::oidc::token::{authorization_code_request, sanitize_error_code, ClientAuth, FormPost};
use crate::oidc::ProviderMetadata;
use crate::policy::{RealmName, RealmPolicy};
use crate::return_path::ReturnPath;
use crate::secret::Secret;

/// The query parameter added to the return path on the error leg.
pub const AUTH_ERROR_PARAM: &str = "auth_error";

/// A parsed callback query: exactly one of the two legs.
#[derive(Debug)]
pub enum CallbackQuery {
    Success { code: Secret, state: String, iss: Option<String> },
    Error { error: String, state: String, iss: Option<String> },
}

/// Why a callback was refused. Nothing is set for the browser on any of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    #[error("callback query must hold code+state or error+state, each once and non-empty")]
    InvalidQuery,
    #[error("no state cookie: this browser did not start the login")]
    MissingStateCookie,
    #[error("state does not match this browser's state cookie")]
    StateMismatch,
    #[error("no login flow for this state (unknown, replayed or expired)")]
    UnknownFlow,
    #[error("login flow expired")]
    Expired,
    #[error("login flow belongs to a realm that is not allowed or to other metadata")]
    Realm,
    #[error("provider announces RFC 9207 but the response has no iss")]
    IssMissing,
    #[error("iss parameter is not the realm's issuer")]
    IssMismatch,
}

impl CallbackError {
    pub fn code(&self) -> &'static str {
        match self {
            CallbackError::InvalidQuery => "invalid_callback",
            CallbackError::MissingStateCookie => "state_cookie_missing",
            CallbackError::StateMismatch => "state_mismatch",
            CallbackError::UnknownFlow => "flow_unknown",
            CallbackError::Expired => "flow_expired",
            CallbackError::Realm => "flow_realm",
            CallbackError::IssMissing => "iss_missing",
            CallbackError::IssMismatch => "iss_mismatch",
        }
    }
}

impl CallbackQuery {
    /// Parses a raw query string (FORMAT.md "Callback query"): success is
    /// `code` + `state`; error is `error` + `state` (+ optional
    /// `error_description`, `error_uri`); each at most once and non-empty;
    /// other parameters (`iss`, `session_state`) are allowed, `iss` at most once.
    pub fn parse(query: &str) -> Result<CallbackQuery, CallbackError> {
        let mut code = None;
        let mut state = None;
        let mut error = None;
        let mut seen_description = false;
        let mut seen_uri = false;
        let mut iss = None;
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot_taken = match k.as_ref() {
                "code" => code.replace(v.into_owned()).is_some(),
                "state" => state.replace(v.into_owned()).is_some(),
                "error" => error.replace(v.into_owned()).is_some(),
                "iss" => iss.replace(v.into_owned()).is_some(),
                "error_description" => std::mem::replace(&mut seen_description, true) || v.is_empty(),
                "error_uri" => std::mem::replace(&mut seen_uri, true) || v.is_empty(),
                _ => false,
            };
            if slot_taken {
                return Err(CallbackError::InvalidQuery);
            }
        }
        let non_empty = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
        if [&code, &state, &error, &iss].iter().any(|s| s.is_some() && !non_empty(s)) {
            return Err(CallbackError::InvalidQuery);
        }
        match (code, error, state) {
            (Some(code), None, Some(state)) if !seen_description && !seen_uri => {
                Ok(CallbackQuery::Success { code: Secret::new(code), state, iss })
            }
            (None, Some(error), Some(state)) => Ok(CallbackQuery::Error { error, state, iss }),
            _ => Err(CallbackError::InvalidQuery),
        }
    }

    pub fn state(&self) -> &str {
        match self {
            CallbackQuery::Success { state, .. } | CallbackQuery::Error { state, .. } => state,
        }
    }

    fn iss(&self) -> Option<&str> {
        match self {
            CallbackQuery::Success { iss, .. } | CallbackQuery::Error { iss, .. } => iss.as_deref(),
        }
    }
}

/// Checks the query's state against the state cookie in constant time. An
/// empty state or cookie never matches.
pub fn check_state(query_state: &str, state_cookie: Option<&str>) -> Result<(), CallbackError> {
    let cookie = state_cookie.filter(|c| !c.is_empty()).ok_or(CallbackError::MissingStateCookie)?;
    let equal: bool = query_state.as_bytes().ct_eq(cookie.as_bytes()).into();
    if query_state.is_empty() || !equal {
        return Err(CallbackError::StateMismatch);
    }
    Ok(())
}

/// What the runtime does after an accepted callback.
#[derive(Debug)]
pub enum CallbackOutcome {
    /// Send `request` to the token endpoint, then validate the ID token with
    /// `nonce` and redirect to `return_path`.
    Exchange { request: FormPost, realm: RealmName, nonce: String, return_path: ReturnPath },
    /// The provider reported an error: redirect to `redirect` (the return path
    /// with `auth_error=<code>`). The provider's description is never used.
    ProviderError { redirect: ReturnPath, error_code: String },
}

/// Accepts a callback whose state was checked against the cookie and whose
/// flow record was read and deleted by the runtime (`None` when absent).
pub fn finish_callback(
    policy: &RealmPolicy,
    metadata: &ProviderMetadata,
    client_auth: &ClientAuth<'_>,
    query: CallbackQuery,
    record: Option<FlowRecord>,
    now: u64,
) -> Result<CallbackOutcome, CallbackError> {
    let record = record.ok_or(CallbackError::UnknownFlow)?;
    if now >= record.expires_at {
        return Err(CallbackError::Expired);
    }
    let (realm, _) = policy.realm(record.realm.as_str()).map_err(|_| CallbackError::Realm)?;
    let issuer = policy.issuer(realm);
    if metadata.issuer != issuer {
        return Err(CallbackError::Realm);
    }
    // RFC 9207 §2.4: required when announced, and checked whenever present.
    match query.iss() {
        Some(iss) if iss != issuer => return Err(CallbackError::IssMismatch),
        None if metadata.authorization_response_iss_parameter_supported => return Err(CallbackError::IssMissing),
        _ => {}
    }
    match query {
        CallbackQuery::Success { code, .. } => Ok(CallbackOutcome::Exchange {
            request: authorization_code_request(&metadata.token_endpoint, client_auth, code.expose(), &record.redirect_uri, &record.verifier),
            realm: realm.clone(),
            nonce: record.nonce,
            return_path: record.return_path,
        }),
        CallbackQuery::Error { error, .. } => {
            let error_code = sanitize_error_code(&error);
            Ok(CallbackOutcome::ProviderError { redirect: record.return_path.with_query_param(AUTH_ERROR_PARAM, &error_code), error_code })
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::login::tests::{policy, start, ISSUER};

    fn kind(q: &str) -> &'static str {
        match CallbackQuery::parse(q) {
            Ok(CallbackQuery::Success { .. }) => "success",
            Ok(CallbackQuery::Error { .. }) => "error",
            Err(_) => "invalid",
        }
    }

    #[test]
    fn query_is_code_xor_error_each_once_non_empty_with_a_state() {
        assert_eq!(kind("code=c&state=s&session_state=x&iss=https%3A%2F%2Fid"), "success");
        assert_eq!(kind("error=access_denied&error_description=%3Cscript%3E&state=s"), "error");
        for invalid in [
            "code=c&error=e&state=s",
            "state=s",
            "code=c",
            "code=a&code=b&state=s",
            "code=c&state=s&state=t",
            "code=&state=s",
            "code=c&state=",
            "error=e&error=f&state=s",
            "error=e&state=s&error_description=a&error_description=b",
            "code=c&state=s&iss=a&iss=b",
            "code=c&state=s&error_description=x",
            "",
        ] {
            assert_eq!(kind(invalid), "invalid", "{invalid}");
        }
    }

    #[test]
    fn state_must_equal_the_cookie_and_empty_never_matches() {
        assert!(check_state("abc", Some("abc")).is_ok());
        assert_eq!(check_state("abc", Some("abd")).unwrap_err(), CallbackError::StateMismatch);
        assert_eq!(check_state("abc", Some("abcd")).unwrap_err(), CallbackError::StateMismatch);
        assert_eq!(check_state("abc", None).unwrap_err(), CallbackError::MissingStateCookie);
        assert_eq!(check_state("", Some("")).unwrap_err(), CallbackError::MissingStateCookie);
        assert_eq!(check_state("", Some("x")).unwrap_err(), CallbackError::StateMismatch);
    }

    fn finish(query: &str, record: Option<FlowRecord>, now: u64, meta: &ProviderMetadata) -> Result<CallbackOutcome, CallbackError> {
        let secret = Secret::new("s");
        let auth = ClientAuth::SecretBasic { client_id: "edge-web", secret: &secret };
        finish_callback(&policy(), meta, &auth, CallbackQuery::parse(query).unwrap(), record, now)
    }

    fn iss_q(extra: &str) -> String {
        format!("code=c0de&state=s{extra}")
    }

    #[test]
    fn success_leg_builds_the_code_exchange_with_the_flows_verifier() {
        let s = start("acme", Some("/orders"), None).unwrap();
        let verifier = s.record.verifier.expose().to_owned();
        let meta = ProviderMetadata::keycloak_layout(ISSUER);
        let q = iss_q(&format!("&iss={}", url::form_urlencoded::byte_serialize(ISSUER.as_bytes()).collect::<String>()));
        match finish(&q, Some(s.record), 1_001, &meta).unwrap() {
            CallbackOutcome::Exchange { request, realm, return_path, .. } => {
                assert_eq!(request.url, meta.token_endpoint);
                let body: Vec<(String, String)> = url::form_urlencoded::parse(request.body.expose().as_bytes()).into_owned().collect();
                assert!(body.contains(&("code_verifier".into(), verifier)));
                assert!(body.contains(&("code".into(), "c0de".into())));
                assert_eq!((realm.as_str(), return_path.as_str()), ("acme", "/orders"));
            }
            other => panic!("expected exchange, got {other:?}"),
        }
    }

    #[test]
    fn rfc9207_iss_is_required_when_announced_and_must_match_whenever_present() {
        let meta = ProviderMetadata::keycloak_layout(ISSUER);
        assert_eq!(finish(&iss_q(""), Some(start("acme", None, None).unwrap().record), 1_001, &meta).unwrap_err(), CallbackError::IssMissing);
        let wrong = iss_q("&iss=https%3A%2F%2Fevil.example%2Frealms%2Facme");
        assert_eq!(finish(&wrong, Some(start("acme", None, None).unwrap().record), 1_001, &meta).unwrap_err(), CallbackError::IssMismatch);
        let mut silent = meta.clone();
        silent.authorization_response_iss_parameter_supported = false;
        assert!(finish(&iss_q(""), Some(start("acme", None, None).unwrap().record), 1_001, &silent).is_ok());
        assert_eq!(finish(&wrong, Some(start("acme", None, None).unwrap().record), 1_001, &silent).unwrap_err(), CallbackError::IssMismatch);
    }

    #[test]
    fn missing_expired_or_foreign_flows_are_refused() {
        let meta = ProviderMetadata::keycloak_layout(ISSUER);
        let q = iss_q("&iss=https%3A%2F%2Fid.example.com%2Frealms%2Facme");
        assert_eq!(finish(&q, None, 1_001, &meta).unwrap_err(), CallbackError::UnknownFlow);
        assert_eq!(finish(&q, Some(start("acme", None, None).unwrap().record), 1_600, &meta).unwrap_err(), CallbackError::Expired);
        let other = ProviderMetadata::keycloak_layout("https://id.example.com/realms/other");
        assert_eq!(finish(&q, Some(start("acme", None, None).unwrap().record), 1_001, &other).unwrap_err(), CallbackError::Realm);
    }

    #[test]
    fn error_leg_returns_to_the_return_path_with_a_sanitized_code_only() {
        let meta = ProviderMetadata::keycloak_layout(ISSUER);
        let q = "error=%3Cimg%20src%3Dx%3E&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s&iss=https%3A%2F%2Fid.example.com%2Frealms%2Facme";
        match finish(q, Some(start("acme", Some("/cart"), None).unwrap().record), 1_001, &meta).unwrap() {
            CallbackOutcome::ProviderError { redirect, error_code } => {
                assert_eq!(error_code, "invalid_response");
                assert_eq!(redirect.as_str(), "/cart?auth_error=invalid_response");
            }
            other => panic!("expected error leg, got {other:?}"),
        }
        let q = "error=access_denied&state=s&iss=https%3A%2F%2Fid.example.com%2Frealms%2Facme";
        match finish(q, Some(start("acme", None, None).unwrap().record), 1_001, &meta).unwrap() {
            CallbackOutcome::ProviderError { redirect, .. } => assert_eq!(redirect.as_str(), "/?auth_error=access_denied"),
            other => panic!("expected error leg, got {other:?}"),
        }
    }
}
