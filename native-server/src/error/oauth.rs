//! The issuer's errors and their HTTP form (the issuer's half of the one
//! place that maps errors to HTTP): RFC 6749 §5.2 JSON for the token,
//! revocation and userinfo endpoints, and HTML pages for the browser when
//! redirecting back is not safe (unknown client, unregistered redirect URI).
//! Descriptions are fixed texts: never a token, code, secret or password.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope: {0}")]
    InvalidScope(&'static str),
    /// A bearer token refused at userinfo.
    #[error("invalid_token")]
    InvalidToken,
    #[error("not_found: unknown realm")]
    UnknownRealm,
    #[error("temporarily_unavailable")]
    Unavailable,
    #[error("server_error")]
    Server,
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::InvalidToken => "invalid_token",
            OAuthError::UnknownRealm => "not_found",
            OAuthError::Unavailable => "temporarily_unavailable",
            OAuthError::Server => "server_error",
        }
    }

    fn description(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(d) | OAuthError::InvalidGrant(d) | OAuthError::UnauthorizedClient(d) | OAuthError::InvalidScope(d) => d,
            OAuthError::InvalidClient => "client authentication failed",
            OAuthError::UnsupportedGrantType => "grant_type is not supported",
            OAuthError::InvalidToken => "the access token is not valid",
            OAuthError::UnknownRealm => "realm does not exist",
            OAuthError::Unavailable => "try again later",
            OAuthError::Server => "internal error",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient | OAuthError::InvalidToken => StatusCode::UNAUTHORIZED,
            OAuthError::UnknownRealm => StatusCode::NOT_FOUND,
            OAuthError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            OAuthError::Server => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        match crate::error::ApiError::from_store(e) {
            crate::error::ApiError::Unavailable => OAuthError::Unavailable,
            _ => OAuthError::Server,
        }
    }
}

impl From<crate::error::ApiError> for OAuthError {
    fn from(e: crate::error::ApiError) -> Self {
        match e {
            crate::error::ApiError::Unavailable => OAuthError::Unavailable,
            _ => OAuthError::Server,
        }
    }
}

/// Headers every token-bearing or credential-handling response carries.
pub fn no_store(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code(), "error_description": self.description() });
        let mut response = (self.status(), axum::Json(body)).into_response();
        no_store(&mut response);
        match self {
            OAuthError::InvalidClient => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"token\""));
            }
            OAuthError::InvalidToken => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            _ => {}
        }
        response
    }
}

/// An error shown to the browser as a page (never a redirect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: &'static str,
}

impl PageError {
    pub const fn new(status: StatusCode, title: &'static str, message: &'static str) -> PageError {
        PageError { status, title, message }
    }

    pub const UNKNOWN_REALM: PageError = PageError::new(StatusCode::NOT_FOUND, "Unknown realm", "This realm does not exist.");
    pub const UNKNOWN_CLIENT: PageError =
        PageError::new(StatusCode::BAD_REQUEST, "Unknown application", "The application that sent you here is not registered (client_id).");
    pub const BAD_REDIRECT: PageError =
        PageError::new(StatusCode::BAD_REQUEST, "Invalid redirect", "The application asked to return to an address it has not registered (redirect_uri).");
    pub const SERVER: PageError = PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Please try again later.");
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        let _ = crate::error::ApiError::from_store(e);
        PageError::SERVER
    }
}

impl From<crate::error::ApiError> for PageError {
    fn from(_: crate::error::ApiError) -> Self {
        PageError::SERVER
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        crate::issuer::pages::message_page(self.status, self.title, self.message)
    }
}
