//! Identities: create, read (by id, email, profile), list, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::views::{IdentityView, RealmIdentityPath, RealmPath};
use super::{audit, parse_id};
use crate::auth::{realm_access, Access, Caller};
use crate::domain::identity::ListQuery;
use crate::domain::{Email, FieldError, IdentityId, Language, Name, NewIdentity, ProfileId};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIdentity {
    pub email: String,
    /// BCP 47 tag, e.g. `en-GB`.
    pub language: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub profile_id: Option<String>,
    #[serde(default)]
    pub mfa_required: bool,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/identities", tag = "identities",
    params(("realm" = String, Path, description = "Realm name")),
    request_body = CreateIdentity,
    responses((status = 201, body = IdentityView), (status = 409, description = "email_taken / profile_taken", body = Problem),
        (status = 422, body = Problem), (status = 400, body = Problem), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    body: Result<ApiJson<CreateIdentity>, ApiError>,
) -> Result<(StatusCode, Json<IdentityView>), ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let ApiJson(body) = body?;
    let new = NewIdentity {
        email: Email::parse("email", &body.email)?,
        language: Language::parse(&body.language)?,
        first_name: body.first_name.as_deref().map(|n| Name::parse("first_name", n)).transpose()?,
        last_name: body.last_name.as_deref().map(|n| Name::parse("last_name", n)).transpose()?,
        profile_id: body.profile_id.as_deref().map(ProfileId::parse).transpose()?,
        mfa_required: body.mfa_required,
        realm,
    };
    let created = state.store.create_identity(&new, state.now()).await?;
    audit(&caller, &new.realm, "identity.create", created.id.as_str());
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/identities/{id}", tag = "identities",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let id = parse_id(&p.id)?;
    let found = state.store.get_identity(&realm, &id).await?.ok_or(ApiError::IdentityNotFound)?;
    Ok(Json(found.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ByEmailQuery {
    /// Normalized before lookup.
    pub email: String,
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/identities/by-email", tag = "identities",
    params(("realm" = String, Path), ByEmailQuery),
    responses((status = 200, body = IdentityView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn by_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    q: Result<ApiQuery<ByEmailQuery>, ApiError>,
) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let ApiQuery(q) = q?;
    let email = Email::parse("email", &q.email)?;
    let found = state.store.find_by_email(&realm, &email).await?.ok_or(ApiError::IdentityNotFound)?;
    Ok(Json(found.into()))
}

#[derive(Debug, Deserialize)]
pub struct ProfilePath {
    pub realm: String,
    pub profile_id: String,
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/identities/by-profile/{profile_id}", tag = "identities",
    params(("realm" = String, Path), ("profile_id" = String, Path)),
    responses((status = 200, body = IdentityView), (status = 404, body = Problem)))]
pub async fn by_profile(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<ProfilePath>) -> Result<Json<IdentityView>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let profile = ProfileId::parse(&p.profile_id)?;
    let found = state.store.find_by_profile(&realm, &profile).await?.ok_or(ApiError::IdentityNotFound)?;
    Ok(Json(found.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// Only addresses starting with this (compared lowercased).
    pub email_prefix: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityPage {
    pub items: Vec<IdentityView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/admin/v1/realms/{realm}/identities", tag = "identities",
    params(("realm" = String, Path), ListParams),
    responses((status = 200, body = IdentityPage), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    q: Result<ApiQuery<ListParams>, ApiError>,
) -> Result<Json<IdentityPage>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let ApiQuery(q) = q?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::InvalidQuery("limit must be 1-200".into()));
    }
    let after = match q.after.as_deref() {
        None => None,
        Some(a) => Some(IdentityId::parse(a).ok_or_else(|| ApiError::InvalidQuery("after is not a cursor".into()))?),
    };
    let email_prefix = match q.email_prefix {
        Some(p) if p.chars().count() > 254 || p.chars().any(char::is_control) => {
            return Err(FieldError::new("email_prefix", "invalid_prefix", "at most 254 characters, no control characters").into())
        }
        p => p.map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()),
    };
    let items = state.store.list_identities(&realm, &ListQuery { after, email_prefix, limit }).await?;
    let next_cursor = (items.len() == limit as usize).then(|| items.last().map(|i| i.id.as_str().to_owned())).flatten();
    Ok(Json(IdentityPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
}

#[utoipa::path(delete, path = "/admin/v1/realms/{realm}/identities/{id}", tag = "identities",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 204, description = "Deleted with its link and sessions; IdentityDeleted"), (status = 404, body = Problem)))]
pub async fn delete(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<StatusCode, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    state.store.delete_identity(&realm, &id, state.now()).await?;
    audit(&caller, &realm, "identity.delete", id.as_str());
    Ok(StatusCode::NO_CONTENT)
}
