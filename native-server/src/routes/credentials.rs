//! Credentials: set, delete, has-password, check (constant-time, locked
//! out after repeated failures).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::{IdentityView, RealmIdentityPath, RealmPath};
use super::{audit, parse_id};
use crate::auth::password_check::{self, PasswordOutcome};
use crate::auth::{realm_access, Access, Caller};
use crate::crypto::password;
use crate::domain::{Email, Password};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCredentials {
    pub email: String,
    /// 8–1024 bytes; stored as an argon2id hash.
    pub password: String,
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/identities/{id}/credentials", tag = "credentials",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = SetCredentials,
    responses((status = 200, body = IdentityView), (status = 409, description = "email_taken", body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<SetCredentials>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let email = Email::parse("email", &body.email)?;
    let pw = Password::parse(body.password)?;
    let hash = password::run_limited(move || password::hash(&pw)).await?.map_err(|_| ApiError::Internal)?;
    let updated = state.store.set_credentials(&realm, &id, &email, &hash, state.now()).await?;
    audit(&caller, &realm, "identity.credentials_set", id.as_str());
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/admin/v1/realms/{realm}/identities/{id}/credentials", tag = "credentials",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "Password removed, sessions revoked", body = IdentityView), (status = 404, body = Problem)))]
pub async fn delete(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let updated = state.store.delete_credentials(&realm, &id, state.now()).await?;
    audit(&caller, &realm, "identity.credentials_delete", id.as_str());
    Ok(Json(updated.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HasPassword {
    pub has_password: bool,
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/identities/{id}/credentials", tag = "credentials",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = HasPassword), (status = 404, body = Problem)))]
pub async fn has_password(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<HasPassword>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let id = parse_id(&p.id)?;
    let found = state.store.get_identity(&realm, &id).await?.ok_or(ApiError::IdentityNotFound)?;
    Ok(Json(HasPassword { has_password: found.has_password }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckPassword {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckResult {
    pub valid: bool,
    /// Set only when `valid`.
    pub identity_id: Option<String>,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/credentials/check", tag = "credentials",
    params(("realm" = String, Path)), request_body = CheckPassword,
    responses((status = 200, description = "Same answer and cost for an unknown address and a wrong password", body = CheckResult),
        (status = 429, description = "locked_out", body = Problem), (status = 422, body = Problem)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    body: Result<ApiJson<CheckPassword>, ApiError>,
) -> Result<(StatusCode, Json<CheckResult>), ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let ApiJson(body) = body?;
    let email = Email::parse("email", &body.email)?;
    let pw = Password::for_check(body.password)?;
    match password_check::check(&state, &realm, &email, pw, &caller.principal).await? {
        PasswordOutcome::LockedOut => Err(ApiError::LockedOut),
        PasswordOutcome::Valid(id) => Ok((StatusCode::OK, Json(CheckResult { valid: true, identity_id: Some(id.as_str().to_owned()) }))),
        PasswordOutcome::Invalid => Ok((StatusCode::OK, Json(CheckResult { valid: false, identity_id: None }))),
    }
}
