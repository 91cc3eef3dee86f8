//! Every failure the Worker can answer with, and the one place that maps it
//! to HTTP. Bodies carry a stable code and a fixed sentence of ours: never a
//! token, code, secret, cookie value or a provider's error description.

use realmgate_core::callback::CallbackError;
use realmgate_core::login::LoginError;

use crate::config::ConfigError;
use realmgate_core::request::CrossSite;
use crate::reply::Reply;

/// RFC 6750 §3 challenge for a refused token.
pub const INVALID_TOKEN_CHALLENGE: &str = "Bearer error=\"invalid_token\"";

/// The outcome code when the runtime's signature primitive (WebCrypto) failed and the
/// bundle has no wasm backend for the algorithm (built without `wasm-signatures`): the
/// token is refused as `Internal` (500; at the callback `CallbackFailed`, 502), since no
/// signature check ran. Fail closed, never "valid".
pub const SIGNATURE_UNAVAILABLE: &str = "signature_unavailable";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeError {
    /// The Worker's configuration is unusable.
    Config(ConfigError),
    NotFound,
    MethodNotAllowed,
    /// `/login` for a realm the policy does not allow.
    UnknownRealm,
    /// Login could not start (metadata, redirect URI, TTL).
    Login(LoginError),
    /// The callback was refused: a 400 page, nothing set.
    Callback(CallbackError),
    /// The callback's ID token or code exchange failed (code for logs).
    CallbackFailed(&'static str),
    /// A state-changing request came from another site.
    CrossSite(CrossSite),
    /// No session (session/refresh/logout without usable cookies).
    NoSession(&'static str),
    /// The session cannot continue (refresh refused by the provider, or no
    /// refresh cookie): 401, and the Worker clears the session cookies.
    SessionEnded(&'static str),
    /// A bearer token was refused (`/verify`, gateway API calls); code from the core's refusal.
    InvalidToken(&'static str),
    /// The provider failed (unreachable, timeout, 5xx, malformed answer).
    Upstream(&'static str),
    /// KV failed.
    Storage(&'static str),
    /// A runtime call failed in a way no request can cause.
    Internal(&'static str),
}

impl EdgeError {
    /// The outcome code in the log line.
    pub fn code(&self) -> &str {
        match self {
            EdgeError::Config(c) => c.code(),
            EdgeError::NotFound => "not_found",
            EdgeError::MethodNotAllowed => "method_not_allowed",
            EdgeError::UnknownRealm => "unknown_realm",
            EdgeError::Login(e) => e.code(),
            EdgeError::Callback(e) => e.code(),
            EdgeError::CrossSite(c) => c.code(),
            EdgeError::CallbackFailed(c)
            | EdgeError::NoSession(c)
            | EdgeError::SessionEnded(c)
            | EdgeError::InvalidToken(c)
            | EdgeError::Upstream(c)
            | EdgeError::Storage(c)
            | EdgeError::Internal(c) => c,
        }
    }

    /// The response. This is the only mapping from failures to HTTP.
    pub fn reply(&self) -> Reply {
        let problem = |status: u16, error: &str, message: &str| {
            Reply::json(status, &serde_json::json!({ "error": error, "message": message }))
        };
        match self {
            EdgeError::Config(_) => problem(500, "server_misconfigured", "the login service is not configured correctly"),
            EdgeError::NotFound => problem(404, "not_found", "no such endpoint"),
            EdgeError::MethodNotAllowed => problem(405, "method_not_allowed", "method not allowed on this endpoint"),
            EdgeError::UnknownRealm => problem(400, "unknown_realm", "the realm parameter names no realm this service accepts"),
            EdgeError::Login(LoginError::UnknownRealm) => EdgeError::UnknownRealm.reply(),
            EdgeError::Login(_) => problem(502, "provider_misconfigured", "the identity provider's configuration is not usable"),
            EdgeError::Callback(e) => Reply::page(400, "Sign-in failed", callback_sentence(*e)),
            EdgeError::CallbackFailed(_) => {
                Reply::page(502, "Sign-in failed", "The identity provider's answer could not be accepted. Please start again.")
            }
            EdgeError::CrossSite(_) => problem(403, "cross_site", "cross-site requests are refused"),
            EdgeError::NoSession(_) => problem(401, "no_session", "not signed in"),
            EdgeError::SessionEnded(_) => problem(401, "session_ended", "the session has ended; sign in again"),
            EdgeError::InvalidToken(_) => {
                problem(401, "invalid_token", "the access token is missing or not valid").with_header("WWW-Authenticate", INVALID_TOKEN_CHALLENGE)
            }
            EdgeError::Upstream(_) => problem(502, "provider_unavailable", "the identity provider did not answer usably"),
            EdgeError::Storage(_) => problem(503, "storage_unavailable", "temporarily unavailable, try again"),
            EdgeError::Internal(_) => problem(500, "internal", "internal error"),
        }
    }
}

fn callback_sentence(e: CallbackError) -> &'static str {
    match e {
        CallbackError::MissingStateCookie | CallbackError::StateMismatch => {
            "This sign-in was not started in this browser. Please start again."
        }
        CallbackError::UnknownFlow | CallbackError::Expired => "This sign-in link was already used or has expired. Please start again.",
        _ => "The sign-in response was not valid. Please start again.",
    }
}

impl From<ConfigError> for EdgeError {
    fn from(e: ConfigError) -> Self {
        EdgeError::Config(e)
    }
}

impl From<CallbackError> for EdgeError {
    fn from(e: CallbackError) -> Self {
        EdgeError::Callback(e)
    }
}

impl From<LoginError> for EdgeError {
    fn from(e: LoginError) -> Self {
        EdgeError::Login(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_tokens_get_401_with_the_rfc6750_challenge() {
        let r = EdgeError::InvalidToken("expired").reply();
        assert_eq!(r.status, 401);
        assert_eq!(r.header("www-authenticate"), Some("Bearer error=\"invalid_token\""));
        assert!(!r.body.contains("expired"), "the reason stays in the logs");
    }

    #[test]
    fn an_unavailable_signature_check_refuses_with_its_own_code() {
        let e = EdgeError::Internal(SIGNATURE_UNAVAILABLE);
        assert_eq!(e.code(), "signature_unavailable");
        assert_eq!(e.reply().status, 500, "not 200, and not a 401 blaming the token");
        assert!(!e.reply().body.contains(SIGNATURE_UNAVAILABLE), "the reason stays in the logs");
        assert_eq!(EdgeError::CallbackFailed(SIGNATURE_UNAVAILABLE).reply().status, 502);
    }

    #[test]
    fn callback_refusals_are_400_pages_and_failures_do_not_leak() {
        let r = EdgeError::Callback(CallbackError::StateMismatch).reply();
        assert_eq!(r.status, 400);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.header("set-cookie").is_none(), "nothing is set on a refused callback");
        assert_eq!(EdgeError::Upstream("token_endpoint_status").reply().status, 502);
        assert!(!EdgeError::Upstream("token_endpoint_status").reply().body.contains("token_endpoint"));
        assert_eq!(EdgeError::Login(LoginError::UnknownRealm).reply().status, 400);
        assert_eq!(EdgeError::CrossSite(CrossSite::Origin).reply().status, 403);
    }
}
