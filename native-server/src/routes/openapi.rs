//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{attributes, credentials, email, events, identities, ops, profile, sessions, sso_domains, tokens};

#[derive(OpenApi)]
#[openapi(
    info(title = "Realmgate identity administration", description = "Administer identities per realm. Errors are RFC 9457 problem details with a stable `code`. Authenticate with `Authorization: Bearer <api key or token>`."),
    paths(
        identities::create, identities::list, identities::get, identities::by_email, identities::by_profile, identities::delete,
        attributes::change_names, attributes::set_language, attributes::change_mfa,
        email::change, email::verify, email::clear,
        credentials::set, credentials::delete, credentials::has_password, credentials::check,
        profile::link, profile::unlink,
        sessions::logout_all,
        tokens::verify,
        sso_domains::set, sso_domains::remove, sso_domains::check,
        events::feed,
        ops::healthz, ops::readyz, ops::metrics,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("API key (rgk_…) or a realm access token")).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
