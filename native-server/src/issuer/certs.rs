//! `/protocol/openid-connect/certs`: the realm's published keys (the active
//! one and retired ones until their tokens have expired).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::keys;
use super::token::realm_json;
use crate::error::oauth::OAuthError;
use crate::state::AppState;

pub async fn certs(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let run = async {
        let realm = realm_json(&state, &raw).await?;
        // First use of a realm created after start: make its key now.
        state.issuer.signer.active(state.store.as_ref(), &realm, state.issuer.settings.default_alg, state.now()).await.map_err(|e| {
            tracing::error!(realm = %realm, error = %e, "signing key unavailable");
            OAuthError::Server
        })?;
        Ok::<_, OAuthError>(keys::jwks(&state.store.published_keys(&realm, state.now()).await?))
    };
    match run.await {
        Ok(doc) => {
            let mut r = axum::Json(doc).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
            r
        }
        Err(e) => e.into_response(),
    }
}
