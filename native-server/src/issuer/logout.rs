//! `/protocol/openid-connect/logout` (OpenID Connect RP-Initiated Logout 1.0).
//! With a valid `id_token_hint` (signature and issuer checked by the core;
//! it may have expired) the hinted session ends at once. Without one, a
//! browser with a session is asked to confirm (a CSRF-protected form).
//! `post_logout_redirect_uri` must be registered for the client, exactly;
//! otherwise the answer is a page, never a redirect.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;
use serde::Deserialize;
use serde_json::Value;

use super::auth_request::redirect;
use super::authorize::realm_page;
use super::cookies;
use super::pages::{logout_confirm_page, message_page};
use super::util::{digest, random_token};
use super::verify::verify_hint;
use crate::error::oauth::PageError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    client_id: Option<String>,
    state: Option<String>,
    csrf: Option<String>,
    confirm: Option<String>,
}

const BAD_HINT: PageError = PageError::new(StatusCode::BAD_REQUEST, "Invalid logout request", "The logout request's id_token_hint is not valid.");
const BAD_CLIENT: PageError = PageError::new(StatusCode::BAD_REQUEST, "Invalid logout request", "The logout request names another application than its id_token_hint.");
const BAD_TARGET: PageError =
    PageError::new(StatusCode::BAD_REQUEST, "Invalid logout request", "The application asked to return to an address it has not registered (post_logout_redirect_uri).");

pub async fn get(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, q: Result<Query<LogoutParams>, QueryRejection>) -> Response {
    let params = q.map(|Query(p)| p).unwrap_or_default();
    run(&state, &raw, &headers, params, false).await.unwrap_or_else(IntoResponse::into_response)
}

pub async fn post(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, f: Result<Form<LogoutParams>, FormRejection>) -> Response {
    let params = f.map(|Form(p)| p).unwrap_or_default();
    run(&state, &raw, &headers, params, true).await.unwrap_or_else(IntoResponse::into_response)
}

async fn run(state: &AppState, raw: &str, headers: &HeaderMap, p: LogoutParams, posted: bool) -> Result<Response, PageError> {
    let realm = realm_page(state, raw).await?;
    let now = state.now();
    // Who asks, and which session: from the hint when there is one.
    let (hint_client, hint_sid) = match p.id_token_hint.as_deref() {
        None => (None, None),
        Some(hint) => {
            let claims = verify_hint(state.store.as_ref(), &state.issuer.settings, &realm, hint, now).await.map_err(|r| {
                tracing::info!(realm = %realm, reason = r.code, "logout: id_token_hint refused");
                BAD_HINT
            })?;
            let azp = claims.get("azp").and_then(Value::as_str).or_else(|| claims.get("aud").and_then(Value::as_str)).map(str::to_owned);
            (azp, claims.get("sid").and_then(Value::as_str).map(str::to_owned))
        }
    };
    let client_id = match (hint_client, p.client_id.clone()) {
        (Some(h), Some(c)) if h != c => return Err(BAD_CLIENT),
        (h, c) => h.or(c),
    };
    let target = match p.post_logout_redirect_uri.as_deref() {
        None => None,
        Some(uri) => {
            let client = match client_id.as_deref() {
                Some(id) => state.store.get_client(&realm, id).await?,
                None => None,
            };
            let registered = client.is_some_and(|c| c.config.post_logout_redirect_uris.iter().any(|u| u == uri));
            if !registered {
                return Err(BAD_TARGET);
            }
            Some(uri.to_owned())
        }
    };
    let cookie_session = match cookies::get(headers, cookies::SESSION) {
        Some(c) => state.store.session_by_cookie(&realm, &digest(c)).await?.filter(|s| s.is_live(now)),
        None => None,
    };
    let mut clear_cookie = false;
    if let Some(sid) = hint_sid.as_deref() {
        state.store.end_session(&realm, sid, "logout", now).await?;
        tracing::info!(realm = %realm, session_id = %sid, "logout");
        clear_cookie = cookie_session.as_ref().is_some_and(|s| s.id == sid);
    } else if let Some(session) = &cookie_session {
        let confirmed = posted && p.confirm.as_deref() == Some("yes") && cookies::csrf_ok(headers, p.csrf.as_deref());
        if !confirmed {
            return Ok(confirm(state, &realm, headers, &p));
        }
        state.store.end_session(&realm, &session.id, "logout", now).await?;
        tracing::info!(realm = %realm, session_id = %session.id, "logout (confirmed)");
        clear_cookie = true;
    }
    let mut response = match target {
        Some(uri) => {
            let pairs: Vec<(&str, &str)> = p.state.as_deref().map(|s| vec![("state", s)]).unwrap_or_default();
            redirect(&uri, &pairs)
        }
        None => message_page(StatusCode::OK, "Logged out", "You are logged out."),
    };
    if clear_cookie {
        if let Some(v) = cookies::clear(cookies::SESSION, &realm, state.issuer.settings.secure_cookies()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

fn confirm(state: &AppState, realm: &RealmName, headers: &HeaderMap, p: &LogoutParams) -> Response {
    let (csrf, fresh) = match cookies::get(headers, cookies::CSRF) {
        Some(c) if c.len() == 43 => (c.to_owned(), false),
        _ => (random_token(), true),
    };
    let mut hidden = Vec::new();
    for (k, v) in [("post_logout_redirect_uri", &p.post_logout_redirect_uri), ("client_id", &p.client_id), ("state", &p.state)] {
        if let Some(v) = v.as_deref() {
            hidden.push((k, v));
        }
    }
    let mut response = logout_confirm_page("logout", &hidden, &csrf);
    if fresh {
        if let Some(v) = cookies::set(cookies::CSRF, &csrf, realm, 3600, state.issuer.settings.secure_cookies()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
