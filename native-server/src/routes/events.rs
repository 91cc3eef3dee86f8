//! The events feed: ordered by id, for at-least-once consumers that keep
//! the last id they processed. A caller sees only its realms' events.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use crate::auth::{Caller, Realms};
use crate::clock::rfc3339;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::store::RealmFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// The id (cursor) of the last event processed; 0 or absent for the start.
    pub after: Option<i64>,
    /// 1–1000, default 100.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Also the cursor.
    pub id: i64,
    pub realm: String,
    /// IdentityCreated, EmailChanged, EmailCleared, NamesChanged, LanguageChanged, MfaChanged,
    /// CredentialsChanged, CredentialsDeleted, EmailVerified, IdentityMerged, IdentityDeleted,
    /// ProfileLinkChanged, SessionsRevoked.
    pub kind: String,
    pub identity_id: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub events: Vec<EventView>,
    /// Pass as `after` next time (unchanged when there was nothing new).
    pub next_cursor: i64,
}

#[utoipa::path(get, path = "/admin/v1/events", tag = "events", params(FeedParams),
    responses((status = 200, body = EventPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn feed(State(state): State<AppState>, caller: Caller, q: Result<ApiQuery<FeedParams>, ApiError>) -> Result<Json<EventPage>, ApiError> {
    if !caller.may_read_any() {
        return Err(ApiError::InsufficientScope);
    }
    let ApiQuery(q) = q?;
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(100);
    if after < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::InvalidQuery("after must be >= 0 and limit 1-1000".into()));
    }
    let filter = match &caller.realms {
        Realms::All => RealmFilter::All,
        Realms::Only(list) => RealmFilter::Only(list.clone()),
    };
    let events = state.store.events_after(after, limit, &filter).await?;
    let next_cursor = events.last().map(|e| e.id).unwrap_or(after);
    let events = events
        .into_iter()
        .map(|e| EventView { id: e.id, realm: e.realm, kind: e.kind, identity_id: e.identity_id, data: e.data, created_at: rfc3339(e.created_at) })
        .collect();
    Ok(Json(EventPage { events, next_cursor }))
}
