//! `/protocol/openid-connect/userinfo`: the claims of the person an access
//! token names, while its session is live.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::clients::Client;
use super::token::realm_json;
use super::tokens::identity_claims;
use super::verify::{claimed_claims, verify_access};
use crate::domain::IdentityId;
use crate::error::oauth::{no_store, OAuthError};
use crate::state::AppState;

pub async fn userinfo(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap) -> Response {
    match run(&state, &raw, &headers).await {
        Ok(claims) => {
            let mut r = axum::Json(Value::Object(claims)).into_response();
            no_store(&mut r);
            r
        }
        Err(e) => e.into_response(),
    }
}

/// The audiences a token of `client` may carry.
pub(super) fn client_audiences(client: &Client) -> Vec<String> {
    let mut a = vec![client.client_id.clone()];
    a.extend(client.config.audiences.iter().cloned());
    a
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).map(str::trim)
}

async fn run(state: &AppState, raw: &str, headers: &HeaderMap) -> Result<Map<String, Value>, OAuthError> {
    let realm = realm_json(state, raw).await?;
    let token = bearer(headers).ok_or(OAuthError::InvalidToken)?;
    // The token's client picks the audiences to accept; the core then checks all.
    let azp = claimed_claims(token).and_then(|c| c.get("azp").and_then(Value::as_str).map(str::to_owned)).ok_or(OAuthError::InvalidToken)?;
    let client = state.store.get_client(&realm, &azp).await?.ok_or(OAuthError::InvalidToken)?;
    let settings = &state.issuer.settings;
    let verified = verify_access(state.store.as_ref(), settings, &realm, token, client_audiences(&client), state.clock.now_secs(), state.now())
        .await
        .map_err(|r| {
            tracing::info!(realm = %realm, reason = r.code, "userinfo: token refused");
            OAuthError::InvalidToken
        })?;
    let sid = verified.session_id.as_deref().ok_or(OAuthError::InvalidToken)?;
    let session = state.store.get_session(&realm, sid).await?.filter(|s| s.is_live(state.now())).ok_or(OAuthError::InvalidToken)?;
    let id = IdentityId::parse(&verified.subject).ok_or(OAuthError::InvalidToken)?;
    if session.identity_id != id {
        return Err(OAuthError::InvalidToken);
    }
    let identity = state.store.get_identity(&realm, &id).await?.ok_or(OAuthError::InvalidToken)?;
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(identity.id.as_str()));
    identity_claims(&identity, &verified.scopes, &mut claims);
    Ok(claims)
}
