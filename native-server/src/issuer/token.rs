//! `/protocol/openid-connect/token`: client authentication, then one grant
//! per `grant_type` (see `grants/`).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use realmgate_core::RealmName;
use serde::Deserialize;

use super::client_auth;
use super::clients::{GRANT_CLIENT_CREDENTIALS, GRANT_CODE, GRANT_REFRESH, GRANT_TOKEN_EXCHANGE};
use super::grants;
use crate::error::oauth::OAuthError;
use crate::state::AppState;

/// Every parameter any grant reads. Secrets: never logged.
#[derive(Default, Deserialize)]
pub struct TokenParams {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    // RFC 8693
    pub requested_subject: Option<String>,
    pub subject_token: Option<String>,
    pub subject_token_type: Option<String>,
    pub requested_token_type: Option<String>,
    pub audience: Option<String>,
}

pub(super) async fn realm_json(state: &AppState, raw: &str) -> Result<RealmName, OAuthError> {
    let realm = RealmName::parse(raw).map_err(|_| OAuthError::UnknownRealm)?;
    if !state.store.realm_exists(realm.as_str()).await? {
        return Err(OAuthError::UnknownRealm);
    }
    Ok(realm)
}

pub async fn token(State(state): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, form: Result<Form<TokenParams>, FormRejection>) -> Response {
    match run(&state, &raw, &headers, form).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run(state: &AppState, raw: &str, headers: &HeaderMap, form: Result<Form<TokenParams>, FormRejection>) -> Result<Response, OAuthError> {
    let realm = realm_json(state, raw).await?;
    let Form(p) = form.map_err(|_| OAuthError::InvalidRequest("the body must be a form (application/x-www-form-urlencoded) without repeated parameters"))?;
    let presented = client_auth::presented(headers, p.client_id.as_deref(), p.client_secret.as_deref())?;
    let client = client_auth::authenticate(state, &realm, presented).await?;
    let grant = p.grant_type.as_deref().ok_or(OAuthError::InvalidRequest("grant_type is required"))?;
    let issued = match grant {
        GRANT_CODE => grants::code::exchange(state, &realm, &client, &p).await?,
        GRANT_REFRESH => grants::refresh::exchange(state, &realm, &client, &p).await?,
        GRANT_CLIENT_CREDENTIALS => grants::client_credentials::exchange(state, &realm, &client, &p).await?,
        GRANT_TOKEN_EXCHANGE => return grants::exchange::exchange(state, &realm, &client, &p).await,
        _ => return Err(OAuthError::UnsupportedGrantType),
    };
    Ok(issued.into_response())
}
