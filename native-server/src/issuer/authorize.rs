//! `/protocol/openid-connect/auth`: the login page (GET) and its form (POST).
//! A live session cookie skips the form; `prompt=none` without one answers
//! `login_required`; success redirects with `code`, `state` and `iss`.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;

use super::auth_request::{redirect, validate, AuthParams, AuthRequest, Prompt};
use super::cookies;
use super::pages::{login_page, LoginForm};
use super::util::{digest, random_token};
use crate::auth::password_check::{self, PasswordOutcome};
use crate::domain::{Email, Identity, Password};
use crate::error::oauth::PageError;
use crate::state::AppState;
use crate::store::issuer::{CodeRecord, NewSession, SessionRecord};

const BAD_CREDENTIALS: &str = "Invalid email or password.";
const LOCKED_OUT: &str = "Too many failed sign-in attempts. Please try again later.";
const FORM_EXPIRED: &str = "Your sign-in form expired. Please try again.";

pub(super) async fn realm_page(state: &AppState, raw: &str) -> Result<RealmName, PageError> {
    let realm = RealmName::parse(raw).map_err(|_| PageError::UNKNOWN_REALM)?;
    if !state.store.realm_exists(realm.as_str()).await? {
        return Err(PageError::UNKNOWN_REALM);
    }
    Ok(realm)
}

const BAD_PARAMS: PageError = PageError::new(StatusCode::BAD_REQUEST, "Invalid request", "The sign-in request is malformed.");

pub async fn show(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, q: Result<Query<AuthParams>, QueryRejection>) -> Response {
    let realm = match realm_page(&state, &raw).await {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    let Ok(Query(params)) = q else { return BAD_PARAMS.into_response() };
    let req = match validate(&state, &realm, &params).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    if req.prompt != Prompt::Login {
        match current_session(&state, &realm, &headers).await {
            Ok(Some((session, identity))) => return finish(&state, &realm, &req, &session, &identity, None).await,
            Ok(None) => {}
            Err(p) => return p.into_response(),
        }
    }
    if req.prompt == Prompt::None {
        return login_required(&state, &realm, &req);
    }
    let email = req.login_hint.clone().unwrap_or_default();
    form(&state, &realm, &headers, &params, &email, None, StatusCode::OK)
}

pub async fn submit(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, f: Result<Form<AuthParams>, FormRejection>) -> Response {
    let realm = match realm_page(&state, &raw).await {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    let Ok(Form(params)) = f else { return BAD_PARAMS.into_response() };
    let req = match validate(&state, &realm, &params).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let typed = params.email.clone().unwrap_or_default();
    if !cookies::csrf_ok(&headers, params.csrf.as_deref()) {
        return form(&state, &realm, &headers, &params, &typed, Some(FORM_EXPIRED), StatusCode::BAD_REQUEST);
    }
    let (Ok(email), Some(Ok(pw))) = (Email::parse("email", &typed), params.password.clone().map(Password::for_check)) else {
        return form(&state, &realm, &headers, &params, &typed, Some(BAD_CREDENTIALS), StatusCode::UNAUTHORIZED);
    };
    let who = format!("login:{}", req.client.client_id);
    let outcome = match password_check::check(&state, &realm, &email, pw, &who).await {
        Ok(o) => o,
        Err(e) => return PageError::from(e).into_response(),
    };
    let id = match outcome {
        PasswordOutcome::Valid(id) => id,
        PasswordOutcome::Invalid => return form(&state, &realm, &headers, &params, &typed, Some(BAD_CREDENTIALS), StatusCode::UNAUTHORIZED),
        PasswordOutcome::LockedOut => return form(&state, &realm, &headers, &params, &typed, Some(LOCKED_OUT), StatusCode::TOO_MANY_REQUESTS),
    };
    match login(&state, &realm, &req, &id).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

/// Opens a browser session for a checked password and finishes the flow.
async fn login(state: &AppState, realm: &RealmName, req: &AuthRequest, id: &crate::domain::IdentityId) -> Result<Response, PageError> {
    let identity = state.store.get_identity(realm, id).await?.ok_or(PageError::SERVER)?;
    if let Some(refusal) = mfa_refusal(&identity) {
        tracing::info!(realm = %realm, identity_id = %identity.id, "login refused: MFA");
        return Err(refusal);
    }
    let cookie = random_token();
    let now = state.now();
    let new = NewSession { realm: realm.clone(), identity_id: identity.id.clone(), cookie_hash: Some(digest(&cookie)), expires_at: now + state.issuer.settings.session_ttl_ms };
    let session = state.store.open_session(&new, now).await?;
    tracing::info!(realm = %realm, identity_id = %identity.id, client_id = %req.client.client_id, session_id = %session.id, "login");
    Ok(finish(state, realm, req, &session, &identity, Some(cookie)).await)
}

/// Identities that must use MFA cannot sign in here yet (TOTP comes later).
pub(super) fn mfa_refusal(identity: &Identity) -> Option<PageError> {
    if identity.mfa_required && !identity.mfa_enabled {
        return Some(PageError::new(
            StatusCode::FORBIDDEN,
            "Two-factor authentication required",
            "Your account requires two-factor authentication, which is not set up yet. Please contact your administrator.",
        ));
    }
    if identity.mfa_enabled {
        return Some(PageError::new(
            StatusCode::FORBIDDEN,
            "Two-factor sign-in unavailable",
            "Your account uses two-factor authentication, which this sign-in page does not support yet. Please contact your administrator.",
        ));
    }
    None
}

/// The live session named by the request's cookie, with its identity.
pub(super) async fn current_session(state: &AppState, realm: &RealmName, headers: &HeaderMap) -> Result<Option<(SessionRecord, Identity)>, PageError> {
    let Some(cookie) = cookies::get(headers, cookies::SESSION) else { return Ok(None) };
    let Some(session) = state.store.session_by_cookie(realm, &digest(cookie)).await? else { return Ok(None) };
    if !session.is_live(state.now()) {
        return Ok(None);
    }
    let identity = state.store.get_identity(realm, &session.identity_id).await?;
    Ok(identity.map(|i| (session, i)))
}

/// Issues a code for the session and redirects; sets the session cookie when new.
async fn finish(state: &AppState, realm: &RealmName, req: &AuthRequest, session: &SessionRecord, identity: &Identity, cookie: Option<String>) -> Response {
    if let Some(refusal) = mfa_refusal(identity) {
        return refusal.into_response();
    }
    let code = random_token();
    let now = state.now();
    let record = CodeRecord {
        code_hash: digest(&code),
        realm: realm.as_str().to_owned(),
        client_id: req.client.client_id.clone(),
        session_id: session.id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        scope: req.scope.join(" "),
        nonce: req.nonce.clone(),
        created_at: now,
        expires_at: now + state.issuer.settings.code_ttl_ms,
    };
    if let Err(e) = state.store.insert_code(&record).await {
        return PageError::from(e).into_response();
    }
    let iss = state.issuer.settings.issuer(realm);
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = req.state.as_deref() {
        pairs.push(("state", s));
    }
    pairs.push(("iss", iss.as_str()));
    let mut response = redirect(&req.redirect_uri, &pairs);
    let secure = state.issuer.settings.secure_cookies();
    if let Some(c) = cookie {
        let max_age = state.issuer.settings.session_ttl_ms / 1000;
        if let Some(v) = cookies::set(cookies::SESSION, &c, realm, max_age, secure) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if let Some(v) = cookies::clear(cookies::CSRF, realm, secure) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

fn login_required(state: &AppState, realm: &RealmName, req: &AuthRequest) -> Response {
    let iss = state.issuer.settings.issuer(realm);
    let mut pairs = vec![("error", "login_required"), ("error_description", "the user is not signed in")];
    if let Some(s) = req.state.as_deref() {
        pairs.push(("state", s));
    }
    pairs.push(("iss", iss.as_str()));
    redirect(&req.redirect_uri, &pairs)
}

/// The login form, reusing the browser's CSRF cookie or setting a new one.
fn form(state: &AppState, realm: &RealmName, headers: &HeaderMap, params: &AuthParams, email: &str, error: Option<&str>, status: StatusCode) -> Response {
    let (csrf, fresh) = match cookies::get(headers, cookies::CSRF) {
        Some(c) if c.len() == 43 => (c.to_owned(), false),
        _ => (random_token(), true),
    };
    // Relative: the form posts back to the URL it was served from, whatever
    // host name or path prefix the browser used.
    let hidden = params.hidden();
    let mut response = login_page(status, &LoginForm { realm: realm.as_str(), action: "auth", hidden: &hidden, csrf: &csrf, email, error });
    if fresh {
        if let Some(v) = cookies::set(cookies::CSRF, &csrf, realm, 3600, state.issuer.settings.secure_cookies()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
