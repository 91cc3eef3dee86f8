//! Identity attributes: names, language, MFA flags.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::{IdentityView, RealmIdentityPath};
use super::{audit, parse_id};
use crate::auth::{realm_access, Access, Caller};
use crate::domain::identity::{MfaChange, NamesChange, Patch};
use crate::domain::{Language, Name};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Absent → `None` (unchanged); `null` → `Some(None)` (clear).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeNames {
    /// Absent: unchanged; `null`: cleared.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub first_name: Option<Option<String>>,
    /// Absent: unchanged; `null`: cleared.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub last_name: Option<Option<String>>,
}

fn patch(field: &'static str, v: Option<Option<String>>) -> Result<Patch<String>, ApiError> {
    Ok(match v {
        None => Patch::Unchanged,
        Some(None) => Patch::Clear,
        Some(Some(s)) => Patch::Set(Name::parse(field, &s)?.as_str().to_owned()),
    })
}

#[utoipa::path(patch, path = "/admin/v1/realms/{realm}/identities/{id}/names", tag = "attributes",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = ChangeNames,
    responses((status = 200, body = IdentityView), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn change_names(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<ChangeNames>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let change = NamesChange { first_name: patch("first_name", body.first_name)?, last_name: patch("last_name", body.last_name)? };
    let updated = state.store.change_names(&realm, &id, change, state.now()).await?;
    audit(&caller, &realm, "identity.names", id.as_str());
    Ok(Json(updated.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLanguage {
    /// BCP 47 tag registered with IANA, e.g. `de-CH`.
    pub language: String,
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/identities/{id}/language", tag = "attributes",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = SetLanguage,
    responses((status = 200, body = IdentityView), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn set_language(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<SetLanguage>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let language = Language::parse(&body.language)?;
    let updated = state.store.set_language(&realm, &id, &language, state.now()).await?;
    audit(&caller, &realm, "identity.language", id.as_str());
    Ok(Json(updated.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeMfa {
    /// Absent: unchanged.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Absent: unchanged.
    #[serde(default)]
    pub required: Option<bool>,
}

#[utoipa::path(patch, path = "/admin/v1/realms/{realm}/identities/{id}/mfa", tag = "attributes",
    params(("realm" = String, Path), ("id" = String, Path)), request_body = ChangeMfa,
    responses((status = 200, body = IdentityView), (status = 404, body = Problem)))]
pub async fn change_mfa(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmIdentityPath>,
    body: Result<ApiJson<ChangeMfa>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let ApiJson(body) = body?;
    let change = MfaChange { enabled: body.enabled, required: body.required };
    let updated = state.store.change_mfa(&realm, &id, change, state.now()).await?;
    audit(&caller, &realm, "identity.mfa", id.as_str());
    Ok(Json(updated.into()))
}
