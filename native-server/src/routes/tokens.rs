//! Verify a token issued by a realm's provider and map it to the identity
//! and profile (through the link table).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use super::views::RealmPath;
use crate::auth::{realm_access, Access, Caller};
use crate::domain::IdentityId;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyToken {
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VerifiedIdentity {
    pub profile_id: Option<String>,
    pub identity_id: String,
    pub realm: String,
}

#[utoipa::path(post, path = "/admin/v1/realms/{realm}/tokens/verify", tag = "tokens",
    params(("realm" = String, Path)), request_body = VerifyToken,
    responses((status = 200, body = VerifiedIdentity),
        (status = 401, description = "invalid_token: bad signature, wrong realm, expired, or no such identity", body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(p): ApiPath<RealmPath>,
    body: Result<ApiJson<VerifyToken>, ApiError>,
) -> Result<Json<VerifiedIdentity>, ApiError> {
    let realm = realm_access(&state, &caller, &p.realm, Access::Read).await?;
    let ApiJson(body) = body?;
    if body.token.len() > 16 * 1024 {
        return Err(ApiError::InvalidToken);
    }
    let verified = state.tokens.verify(&body.token).await.map_err(|r| {
        tracing::info!(reason = r.code, "verify-token refused");
        ApiError::InvalidToken
    })?;
    if verified.realm != realm {
        tracing::info!(reason = "realm_mismatch", "verify-token refused");
        return Err(ApiError::InvalidToken);
    }
    let id = IdentityId::parse(&verified.subject).ok_or(ApiError::InvalidToken)?;
    let identity = state.store.get_identity(&realm, &id).await?.ok_or(ApiError::InvalidToken)?;
    Ok(Json(VerifiedIdentity { profile_id: identity.profile_id, identity_id: identity.id.as_str().to_owned(), realm: realm.as_str().to_owned() }))
}
