//! Email: the three-outcome change, verification, clearing.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::{IdentityView, RealmIdentityPath};
use super::{audit, parse_id};
use crate::auth::{realm_access, Access, Caller};
use crate::domain::email_change::EmailChangeOutcome;
use crate::domain::Email;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmail {
    pub email: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The address was free.
    Approved,
    /// The address belonged to an identity without a profile link, which was merged into this one.
    Merged,
    /// The address is already this identity's.
    Unchanged,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailChangeResult {
    pub outcome: Outcome,
    /// With `merged`: the identity that was absorbed (and removed).
    pub merged_identity_id: Option<String>,
    pub identity: IdentityView,
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/identities/{id}/email", tag = "email",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = ChangeEmail,
    responses((status = 200, body = EmailChangeResult),
        (status = 409, description = "email_change_denied: the address belongs to an identity linked to another profile", body = Problem),
        (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<ChangeEmail>, ApiError>,
) -> Result<Json<EmailChangeResult>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let email = Email::parse("email", &body.email)?;
    let outcome = state.store.change_email(&realm, &id, &email, state.now()).await?;
    let (outcome, merged) = match outcome {
        EmailChangeOutcome::Approved => (Outcome::Approved, None),
        EmailChangeOutcome::Unchanged => (Outcome::Unchanged, None),
        EmailChangeOutcome::Merged { absorbed } => (Outcome::Merged, Some(absorbed.as_str().to_owned())),
    };
    audit(&caller, &realm, "identity.email", id.as_str());
    let identity = state.store.get_identity(&realm, &id).await?.ok_or(ApiError::IdentityNotFound)?;
    Ok(Json(EmailChangeResult { outcome, merged_identity_id: merged, identity: identity.into() }))
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/identities/{id}/email/verify", tag = "email",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 404, body = Problem)))]
pub async fn verify(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let updated = state.store.verify_email(&realm, &id, state.now()).await?;
    audit(&caller, &realm, "identity.email_verify", id.as_str());
    Ok(Json(updated.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearEmail {
    /// An invalidated placeholder address chosen by the caller, e.g. `deleted-<id>@invalid.example`.
    pub placeholder: String,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/identities/{id}/email/clear", tag = "email",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = ClearEmail,
    responses((status = 200, body = IdentityView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn clear(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<ClearEmail>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let placeholder = Email::parse("placeholder", &body.placeholder)?;
    let updated = state.store.clear_email(&realm, &id, &placeholder, state.now()).await?;
    audit(&caller, &realm, "identity.email_clear", id.as_str());
    Ok(Json(updated.into()))
}
