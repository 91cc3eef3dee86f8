//! Profile links: link / relink / unlink an identity to the caller's profile.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::{IdentityView, RealmIdentityPath};
use super::{audit, parse_id};
use crate::auth::{realm_access, Access, Caller};
use crate::domain::ProfileId;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkProfile {
    pub profile_id: String,
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/identities/{id}/profile", tag = "profile links",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = LinkProfile,
    responses((status = 200, description = "Linked (or relinked: the previous link is replaced)", body = IdentityView),
        (status = 409, description = "profile_taken", body = Problem), (status = 422, body = Problem)))]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<LinkProfile>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let profile = ProfileId::parse(&body.profile_id)?;
    let updated = state.store.link_profile(&realm, &id, &profile, state.now()).await?;
    audit(&caller, &realm, "identity.profile_link", id.as_str());
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/admin/v1/realms/{realm}/identities/{id}/profile", tag = "profile links",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 404, body = Problem)))]
pub async fn unlink(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let updated = state.store.unlink_profile(&realm, &id, state.now()).await?;
    audit(&caller, &realm, "identity.profile_unlink", id.as_str());
    Ok(Json(updated.into()))
}
