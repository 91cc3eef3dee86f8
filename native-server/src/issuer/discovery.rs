//! `/.well-known/openid-configuration` of a realm (OIDC Discovery, RFC 8414,
//! RFC 9207), with Keycloak's endpoint layout.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::token::realm_json;
use crate::state::AppState;

pub async fn discovery(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let realm = match realm_json(&state, &raw).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let s = &state.issuer.settings;
    let ep = |name: &str| s.endpoint(&realm, name);
    axum::Json(json!({
        "issuer": s.issuer(&realm),
        "authorization_endpoint": ep("auth"),
        "token_endpoint": ep("token"),
        "jwks_uri": ep("certs"),
        "userinfo_endpoint": ep("userinfo"),
        "revocation_endpoint": ep("revoke"),
        "end_session_endpoint": ep("logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "realmgate:admin.read", "realmgate:admin.write"],
        "claims_supported": ["iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "sid", "typ", "email", "email_verified", "preferred_username", "given_name", "family_name", "name", "locale"],
        "prompt_values_supported": ["none", "login"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": false,
    }))
    .into_response()
}
