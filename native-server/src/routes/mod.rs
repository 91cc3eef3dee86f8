//! The HTTP surface: `app(state)` builds the whole router (one file per
//! resource), tested in-process.

mod attributes;
mod credentials;
mod email;
mod events;
pub mod extract;
mod identities;
pub mod openapi;
mod ops;
mod profile;
mod sessions;
mod sso_domains;
mod tokens;
pub mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{get, post, put};
use axum::Router;
use realmgate_core::RealmName;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::auth::Caller;
use crate::domain::IdentityId;
use crate::error::ApiError;
use crate::state::AppState;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn app(state: AppState) -> Router {
    let realm = Router::new()
        .route("/identities", post(identities::create).get(identities::list))
        .route("/identities/by-email", get(identities::by_email))
        .route("/identities/by-profile/{profile_id}", get(identities::by_profile))
        .route("/identities/{id}", get(identities::get).delete(identities::delete))
        .route("/identities/{id}/names", axum::routing::patch(attributes::change_names))
        .route("/identities/{id}/language", put(attributes::set_language))
        .route("/identities/{id}/mfa", axum::routing::patch(attributes::change_mfa))
        .route("/identities/{id}/email", put(email::change))
        .route("/identities/{id}/email/verify", post(email::verify))
        .route("/identities/{id}/email/clear", post(email::clear))
        .route("/identities/{id}/credentials", put(credentials::set).delete(credentials::delete).get(credentials::has_password))
        .route("/identities/{id}/profile", put(profile::link).delete(profile::unlink))
        .route("/identities/{id}/logout-all", post(sessions::logout_all))
        .route("/credentials/check", post(credentials::check))
        .route("/tokens/verify", post(tokens::verify))
        .route("/sso-domains/check", post(sso_domains::check))
        .route("/sso-domains/{domain}", put(sso_domains::set).delete(sso_domains::remove));
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .nest("/admin/v1/realms/{realm}", realm)
        .route("/admin/v1/events", get(events::feed))
        .route("/admin/v1/openapi.json", get(openapi::serve))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::telemetry::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings may carry an email address.
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// An identity id from a path: anything that is not one cannot exist.
pub(crate) fn parse_id(raw: &str) -> Result<IdentityId, ApiError> {
    IdentityId::parse(raw).ok_or(ApiError::IdentityNotFound)
}

/// The audit line of a write (the outbox event records what changed).
pub(crate) fn audit(caller: &Caller, realm: &RealmName, op: &'static str, target: &str) {
    tracing::info!(principal = %caller.principal, realm = %realm, op, subject_id = target, "audit");
}
