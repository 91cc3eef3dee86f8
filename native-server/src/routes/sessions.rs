//! Sessions: log an identity out everywhere.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiPath;
use super::views::RealmIdentityPath;
use super::{audit, parse_id};
use crate::auth::{realm_access, Access, Caller};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogoutAllResult {
    pub sessions_revoked: u64,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/identities/{id}/logout-all", tag = "sessions",
    params(("realm" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "Every live session revoked; SessionsRevoked", body = LogoutAllResult), (status = 404, body = Problem)))]
pub async fn logout_all(State(state): State<AppState>, caller: Caller, ApiPath(p): ApiPath<RealmIdentityPath>) -> Result<Json<LogoutAllResult>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Write).await?;
    let id = parse_id(&p.id)?;
    let n = state.store.revoke_sessions(&realm, &id, state.now()).await?;
    audit(&caller, &realm, "identity.logout_all", id.as_str());
    Ok(Json(LogoutAllResult { sessions_revoked: n }))
}
