//! RFC 8693 token exchange for trusted services (`token_exchange_allowed`):
//! tokens for a person named by `requested_subject` (an email address, or an
//! identity id), in a new session that logout-all ends and whose refresh
//! token rotates like any other. An optional `subject_token` must be an
//! access token this realm issued to the same client. Audited.

use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;
use serde_json::json;

use crate::domain::{Email, IdentityId};
use crate::error::oauth::{no_store, OAuthError};
use crate::issuer::auth_request::user_scope;
use crate::issuer::clients::{Client, GRANT_REFRESH};
use crate::issuer::token::TokenParams;
use crate::issuer::tokens::{mint, Mint, Subject};
use crate::issuer::verify::verify_access;
use crate::state::AppState;
use crate::store::issuer::NewSession;

pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const REFRESH_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:refresh_token";

pub async fn exchange(state: &AppState, realm: &RealmName, client: &Client, p: &TokenParams) -> Result<Response, OAuthError> {
    if !client.is_confidential() || !client.config.token_exchange_allowed {
        tracing::info!(realm = %realm, client_id = %client.client_id, "token exchange refused: client not allowed");
        return Err(OAuthError::UnauthorizedClient("the client may not exchange tokens"));
    }
    match p.requested_token_type.as_deref() {
        None | Some(ACCESS_TOKEN_TYPE) | Some(REFRESH_TOKEN_TYPE) => {}
        Some(_) => return Err(OAuthError::InvalidRequest("requested_token_type must be access_token or refresh_token")),
    }
    if let Some(aud) = p.audience.as_deref() {
        if aud != client.client_id && !client.config.audiences.iter().any(|a| a == aud) {
            return Err(OAuthError::InvalidRequest("audience is not one of the client's audiences"));
        }
    }
    check_subject_token(state, realm, client, p).await?;
    let subject = p.requested_subject.as_deref().ok_or(OAuthError::InvalidRequest("requested_subject (an email address or identity id) is required"))?;
    let identity = match IdentityId::parse(subject) {
        Some(id) => state.store.get_identity(realm, &id).await?,
        None => match Email::parse("requested_subject", subject) {
            Ok(email) => state.store.find_by_email(realm, &email).await?,
            Err(_) => None,
        },
    };
    let identity = identity.ok_or(OAuthError::InvalidRequest("requested_subject is not an identity of this realm"))?;
    let now = state.now();
    let new = NewSession { realm: realm.clone(), identity_id: identity.id.clone(), cookie_hash: None, expires_at: now + state.issuer.settings.session_ttl_ms };
    let session = state.store.open_session(&new, now).await?;
    let scope = user_scope(p.scope.as_deref().unwrap_or("openid"), client);
    tracing::info!(op = "token_exchange", principal = %format!("client:{}", client.client_id), realm = %realm, subject_id = %identity.id, session_id = %session.id, "audit");
    let m = Mint { realm, client, subject: Subject::User { identity: &identity, session: &session }, scope: &scope, nonce: None, refresh: client.allows_grant(GRANT_REFRESH) };
    let issued = mint(state, m).await?;
    let mut body = json!({
        "access_token": issued.access_token,
        "issued_token_type": ACCESS_TOKEN_TYPE,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    if let Some(r) = issued.refresh_token {
        body["refresh_token"] = json!(r);
        body["refresh_expires_in"] = json!(issued.refresh_expires_in);
    }
    if let Some(id) = issued.id_token {
        body["id_token"] = json!(id);
    }
    let mut response = axum::Json(body).into_response();
    no_store(&mut response);
    Ok(response)
}

async fn check_subject_token(state: &AppState, realm: &RealmName, client: &Client, p: &TokenParams) -> Result<(), OAuthError> {
    let Some(token) = p.subject_token.as_deref() else {
        return Ok(());
    };
    if p.subject_token_type.as_deref() != Some(ACCESS_TOKEN_TYPE) {
        return Err(OAuthError::InvalidRequest("subject_token_type must be access_token"));
    }
    let audiences = vec![client.client_id.clone()];
    let settings = &state.issuer.settings;
    let verified = verify_access(state.store.as_ref(), settings, realm, token, audiences, state.clock.now_secs(), state.now()).await;
    match verified {
        Ok(id) if id.authorized_party.as_deref() == Some(client.client_id.as_str()) => Ok(()),
        Ok(_) | Err(_) => Err(OAuthError::InvalidRequest("subject_token is not an access token of this client")),
    }
}
