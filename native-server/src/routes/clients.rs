//! OAuth clients of a realm's embedded issuer: put (create or replace),
//! get (never the secret), delete. Write access for all three.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use crate::auth::{realm_access, Access, Caller};
use crate::error::{ApiError, Problem};
use crate::issuer::clients::{check_client_id, Client, ClientConfig, ClientSpec};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ClientPath {
    pub realm: String,
    pub client_id: String,
}

/// A client as the API shows it: its config, and whether it has a secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    /// `false`: a public client (PKCE only).
    pub confidential: bool,
    #[serde(flatten)]
    pub config: ClientConfig,
}

impl From<Client> for ClientView {
    fn from(c: Client) -> Self {
        ClientView { client_id: c.client_id.clone(), confidential: c.is_confidential(), config: c.config }
    }
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/clients/{client_id}", tag = "clients",
    params(("realm" = String, Path), ("client_id" = String, Path)), request_body = ClientSpec,
    responses((status = 200, description = "Created or replaced", body = ClientView), (status = 422, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<ClientPath>,
    body: Result<ApiJson<ClientSpec>, ApiError>,
) -> Result<Json<ClientView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let ApiJson(spec) = body?;
    let id = p.client_id.clone();
    // A plaintext secret is hashed with argon2.
    let client = crate::crypto::password::run_limited(move || spec.into_client(&id)).await??;
    state.store.upsert_client(&realm, &client, state.now()).await?;
    tracing::info!(principal = %caller.principal, realm = %realm, client_id = %client.client_id, op = "client.put", "audit");
    Ok(Json(client.into()))
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/clients/{client_id}", tag = "clients",
    params(("realm" = String, Path), ("client_id" = String, Path)),
    responses((status = 200, body = ClientView), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<ClientPath>) -> Result<Json<ClientView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    check_client_id(&p.client_id).map_err(|_| ApiError::NotFound)?;
    let client = state.store.get_client(&realm, &p.client_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(client.into()))
}

#[utoipa::path(delete, path = "/admin/v1/realms/{realm}/clients/{client_id}", tag = "clients",
    params(("realm" = String, Path), ("client_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<ClientPath>) -> Result<StatusCode, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    if !state.store.delete_client(&realm, &p.client_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(principal = %caller.principal, realm = %realm, client_id = %p.client_id, op = "client.delete", "audit");
    Ok(StatusCode::NO_CONTENT)
}
