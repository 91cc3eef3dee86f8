//! The embedded realm issuer (#5): each realm served as an OpenID provider
//! under `/realms/{realm}` with Keycloak's layout, over the identities of
//! the admin API. One file per endpoint; storage behind `IssuerStore`.

pub mod auth_request;
pub mod authorize;
pub mod certs;
pub mod client_auth;
pub mod clients;
pub mod clients_file;
pub mod cookies;
pub mod discovery;
pub mod grants;
pub mod keys;
pub mod logout;
pub mod pages;
pub mod revoke;
pub mod settings;
pub mod signer;
pub mod token;
pub mod tokens;
pub mod userinfo;
pub mod util;
pub mod verify;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;

pub use settings::IssuerSettings;

use crate::state::AppState;

/// The issuer's settings and its key cache.
#[derive(Default)]
pub struct Issuer {
    pub settings: Arc<IssuerSettings>,
    pub signer: signer::Signer,
}

impl Issuer {
    pub fn new(settings: IssuerSettings) -> Issuer {
        Issuer { settings: Arc::new(settings), signer: signer::Signer::default() }
    }
}

/// The issuer's routes, under `/realms/{realm}`.
pub fn routes() -> Router<AppState> {
    let p = "/realms/{realm}/protocol/openid-connect";
    Router::new()
        .route("/realms/{realm}/.well-known/openid-configuration", get(discovery::discovery))
        .route(&format!("{p}/auth"), get(authorize::show).post(authorize::submit))
        .route(&format!("{p}/token"), axum::routing::post(token::token))
        .route(&format!("{p}/certs"), get(certs::certs))
        .route(&format!("{p}/userinfo"), get(userinfo::userinfo).post(userinfo::userinfo))
        .route(&format!("{p}/revoke"), axum::routing::post(revoke::revoke))
        .route(&format!("{p}/logout"), get(logout::get).post(logout::post))
}
