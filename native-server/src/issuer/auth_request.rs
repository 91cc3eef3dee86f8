//! The authorization request (OIDC Core §3.1.2.1) and its validation. An
//! unknown client or unregistered `redirect_uri` is shown as a page, never
//! redirected to; every later fault goes back to the (now trusted)
//! redirect URI as `error=…` with `state` and `iss`.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;
use serde::Deserialize;

use super::clients::{Client, GRANT_CODE};
use super::tokens::is_admin_scope;
use super::util::{split_scope, with_query};
use crate::error::oauth::PageError;
use crate::state::AppState;

/// The request's parameters as sent (query on GET; the login form posts
/// them back as hidden fields with `email`, `password` and `csrf`).
#[derive(Debug, Default, Deserialize)]
pub struct AuthParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    // The login form's own fields.
    pub email: Option<String>,
    pub password: Option<String>,
    pub csrf: Option<String>,
}

impl AuthParams {
    /// The parameters to carry through the form as hidden fields.
    pub fn hidden(&self) -> Vec<(&'static str, &str)> {
        let fields = [
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("response_type", &self.response_type),
            ("scope", &self.scope),
            ("state", &self.state),
            ("nonce", &self.nonce),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ];
        fields.into_iter().filter_map(|(k, v)| v.as_deref().map(|v| (k, v))).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Default,
    None,
    Login,
}

/// A validated authorization request.
#[derive(Debug)]
pub struct AuthRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub scope: Vec<String>,
    pub prompt: Prompt,
    pub login_hint: Option<String>,
}

/// A refused request: a page, or an error sent back to the client.
#[derive(Debug)]
pub enum Refusal {
    Page(PageError),
    Redirect(Response),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(p) => p.into_response(),
            Refusal::Redirect(r) => r,
        }
    }
}

impl From<PageError> for Refusal {
    fn from(p: PageError) -> Self {
        Refusal::Page(p)
    }
}

/// A 302 to `uri` (a registered redirect URI) with `pairs` added.
pub fn redirect(uri: &str, pairs: &[(&str, &str)]) -> Response {
    match with_query(uri, pairs).and_then(|u| axum::http::HeaderValue::from_str(&u).ok()) {
        Some(location) => {
            let mut r = axum::http::StatusCode::FOUND.into_response();
            r.headers_mut().insert(header::LOCATION, location);
            r.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            r
        }
        None => PageError::BAD_REDIRECT.into_response(),
    }
}

/// The scopes a person's tokens may carry: the standard ones and the
/// client's extra scopes, but never the admin API's (service accounts only).
pub fn user_scope(requested: &str, client: &Client) -> Vec<String> {
    split_scope(requested)
        .into_iter()
        .filter(|s| matches!(s.as_str(), "openid" | "profile" | "email") || (client.config.scopes.contains(s) && !is_admin_scope(s)))
        .collect()
}

fn bounded(v: &Option<String>, max: usize) -> bool {
    v.as_ref().is_none_or(|s| s.len() <= max)
}

pub async fn validate(state: &AppState, realm: &RealmName, p: &AuthParams) -> Result<AuthRequest, Refusal> {
    let client_id = p.client_id.as_deref().ok_or(PageError::UNKNOWN_CLIENT)?;
    let client = state.store.get_client(realm, client_id).await.map_err(PageError::from)?.ok_or(PageError::UNKNOWN_CLIENT)?;
    let redirect_uri = p.redirect_uri.as_deref().ok_or(PageError::BAD_REDIRECT)?;
    if !client.config.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(PageError::BAD_REDIRECT.into());
    }
    let iss = state.issuer.settings.issuer(realm);
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if let Some(s) = p.state.as_deref() {
            pairs.push(("state", s));
        }
        pairs.push(("iss", iss.as_str()));
        Refusal::Redirect(redirect(redirect_uri, &pairs))
    };
    if p.response_type.as_deref() != Some("code") {
        return Err(fail("unsupported_response_type", "response_type must be code"));
    }
    if !client.allows_grant(GRANT_CODE) {
        return Err(fail("unauthorized_client", "the client may not use the authorization code flow"));
    }
    if !bounded(&p.state, 2048) || !bounded(&p.nonce, 512) || !bounded(&p.login_hint, 320) || !bounded(&p.scope, 2048) {
        return Err(fail("invalid_request", "a parameter is too long"));
    }
    match p.code_challenge_method.as_deref() {
        Some("S256") => {}
        Some(_) => return Err(fail("invalid_request", "code_challenge_method must be S256")),
        None => return Err(fail("invalid_request", "PKCE is required: code_challenge with code_challenge_method S256")),
    }
    let challenge = p.code_challenge.as_deref().unwrap_or("");
    let well_formed = challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(fail("invalid_request", "code_challenge must be an S256 challenge (43 base64url characters)"));
    }
    let prompt = match p.prompt.as_deref().map(split_scope).as_deref() {
        None | Some([]) => Prompt::Default,
        Some([one]) if one == "none" => Prompt::None,
        Some(list) if list.iter().any(|s| s == "none") => return Err(fail("invalid_request", "prompt=none cannot be combined")),
        Some(list) if list.iter().any(|s| s == "login") => Prompt::Login,
        Some(_) => Prompt::Default,
    };
    Ok(AuthRequest {
        redirect_uri: redirect_uri.to_owned(),
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge: challenge.to_owned(),
        scope: user_scope(p.scope.as_deref().unwrap_or("openid"), &client),
        prompt,
        login_hint: p.login_hint.clone(),
        client,
    })
}
