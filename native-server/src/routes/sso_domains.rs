//! SSO domains: email domain → realm and IdP hint. The check answers the
//! same shape whether or not a domain is configured.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::RealmPath;
use crate::auth::{realm_access, Access, Caller};
use crate::domain::email::normalize_domain;
use crate::domain::{Email, IdpHint};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct DomainPath {
    pub realm: String,
    pub domain: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSsoDomain {
    pub idp_hint: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(put, path = "/admin/v1/realms/{realm}/sso-domains/{domain}", tag = "sso domains",
    params(("realm" = String, Path), ("domain" = String, Path)), request_body = SetSsoDomain,
    responses((status = 204), (status = 409, description = "domain_taken (by another realm)", body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<DomainPath>,
    body: Result<ApiJson<SetSsoDomain>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let ApiJson(body) = body?;
    let domain = normalize_domain(&p.domain)?;
    let hint = IdpHint::parse(&body.idp_hint)?;
    state.store.set_sso_domain(&realm, &domain, &hint, body.enabled, state.now()).await?;
    tracing::info!(principal = %caller.principal, realm = %realm, domain = %domain, op = "sso_domain.set", "audit");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/v1/realms/{realm}/sso-domains/{domain}", tag = "sso domains",
    params(("realm" = String, Path), ("domain" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<DomainPath>) -> Result<StatusCode, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let domain = normalize_domain(&p.domain)?;
    if !state.store.remove_sso_domain(&realm, &domain).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(principal = %caller.principal, realm = %realm, domain = %domain, op = "sso_domain.remove", "audit");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoCheck {
    pub email: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SsoCheckResult {
    /// Always present: the normalized domain of the address.
    pub domain: String,
    /// Whether this realm sends the address to an enterprise IdP.
    pub sso: bool,
    /// The IdP alias (`kc_idp_hint`), or null.
    pub idp_hint: Option<String>,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/sso-domains/check", tag = "sso domains",
    params(("realm" = String, Path)), request_body = SsoCheck,
    responses((status = 200, description = "Same shape for configured and unconfigured domains", body = SsoCheckResult), (status = 422, body = Problem)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    body: Result<ApiJson<SsoCheck>, ApiError>,
) -> Result<Json<SsoCheckResult>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let ApiJson(body) = body?;
    let email = Email::parse("email", &body.email)?;
    let domain = email.domain().to_owned();
    let hint = state
        .store
        .get_sso_domain(&domain)
        .await?
        .filter(|d| d.enabled && d.realm == realm.as_str())
        .map(|d| d.idp_hint);
    Ok(Json(SsoCheckResult { domain, sso: hint.is_some(), idp_hint: hint }))
}
