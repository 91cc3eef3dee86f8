//! `/protocol/openid-connect/revoke` (RFC 7009). A refresh token: that
//! token and every other refresh token of its session is revoked, and the
//! session ends. An access token of the client: its session ends (access
//! tokens are short-lived JWTs; ending the session stops userinfo and every
//! refresh). Unknown, foreign or malformed tokens: 200 and nothing happens.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client_auth;
use super::token::realm_json;
use super::userinfo::client_audiences;
use super::util::digest;
use super::verify::verify_access;
use crate::error::oauth::{no_store, OAuthError};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct RevokeParams {
    token: Option<String>,
    #[allow(dead_code)]
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn revoke(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, form: Result<Form<RevokeParams>, FormRejection>) -> Response {
    match run(&state, &raw, &headers, form).await {
        Ok(()) => {
            let mut r = StatusCode::OK.into_response();
            no_store(&mut r);
            r
        }
        Err(e) => e.into_response(),
    }
}

async fn run(state: &AppState, raw: &str, headers: &HeaderMap, form: Result<Form<RevokeParams>, FormRejection>) -> Result<(), OAuthError> {
    let realm = realm_json(state, raw).await?;
    let Form(p) = form.map_err(|_| OAuthError::InvalidRequest("the body must be a form"))?;
    let presented = client_auth::presented(headers, p.client_id.as_deref(), p.client_secret.as_deref())?;
    let client = client_auth::authenticate(state, &realm, presented).await?;
    let token = p.token.as_deref().ok_or(OAuthError::InvalidRequest("token is required"))?;
    let now = state.now();
    if let Some(record) = state.store.get_refresh(&realm, &digest(token)).await? {
        if record.client_id == client.client_id {
            state.store.end_session(&realm, &record.session_id, "revoked", now).await?;
            tracing::info!(realm = %realm, client_id = %client.client_id, session_id = %record.session_id, "refresh token revoked");
        }
        return Ok(());
    }
    let settings = &state.issuer.settings;
    if let Ok(id) = verify_access(state.store.as_ref(), settings, &realm, token, client_audiences(&client), state.clock.now_secs(), now).await {
        if let (Some(sid), Some(client_id)) = (id.session_id.as_deref(), id.authorized_party.as_deref()) {
            if client_id == client.client_id {
                state.store.end_session(&realm, sid, "revoked", now).await?;
                tracing::info!(realm = %realm, client_id = %client.client_id, session_id = %sid, "access token revoked: session ended");
            }
        }
    }
    Ok(())
}
