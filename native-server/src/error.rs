//! The API's errors, and the one place that maps them to HTTP: RFC 9457
//! problem details (`application/problem+json`) with a stable `code`.
//!
//! Details never carry a secret (password, key, token, hash); storage and
//! internal errors are logged server-side and answered with a generic text.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub mod oauth;

use crate::domain::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    // Input
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("the body is not valid JSON of the expected shape: {0}")]
    MalformedJson(String),
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body is too large")]
    PayloadTooLarge,
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("invalid path: {0}")]
    InvalidPath(String),
    // Who may call
    #[error("authentication required")]
    Unauthenticated,
    #[error("the credentials are not valid")]
    InvalidToken,
    #[error("this caller may not act on this realm")]
    RealmForbidden,
    #[error("this caller lacks the required scope")]
    InsufficientScope,
    // What exists
    #[error("unknown realm")]
    UnknownRealm,
    #[error("identity not found")]
    IdentityNotFound,
    #[error("not found")]
    NotFound,
    // Conflicts
    #[error("the email address is already used in this realm")]
    EmailTaken,
    #[error("the email address belongs to an identity linked to another profile")]
    EmailChangeDenied,
    #[error("the profile is already linked to another identity in this realm")]
    ProfileTaken,
    #[error("the domain is configured for another realm")]
    DomainTaken,
    #[error("a concurrent change conflicted with this one; retry")]
    Conflict,
    // Limits
    #[error("too many failed password checks for this address; try again later")]
    LockedOut,
    // Ours
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// Stable short code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Field(_) => "invalid_field",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidPath(_) => "invalid_path",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::InvalidToken => "invalid_token",
            ApiError::RealmForbidden => "realm_forbidden",
            ApiError::InsufficientScope => "insufficient_scope",
            ApiError::UnknownRealm => "unknown_realm",
            ApiError::IdentityNotFound => "identity_not_found",
            ApiError::NotFound => "not_found",
            ApiError::EmailTaken => "email_taken",
            ApiError::EmailChangeDenied => "email_change_denied",
            ApiError::ProfileTaken => "profile_taken",
            ApiError::DomainTaken => "domain_taken",
            ApiError::Conflict => "conflict",
            ApiError::LockedOut => "locked_out",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Field(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MalformedJson(_) | ApiError::InvalidQuery(_) | ApiError::InvalidPath(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthenticated | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::RealmForbidden | ApiError::InsufficientScope => StatusCode::FORBIDDEN,
            ApiError::UnknownRealm | ApiError::IdentityNotFound | ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::EmailTaken
            | ApiError::EmailChangeDenied
            | ApiError::ProfileTaken
            | ApiError::DomainTaken
            | ApiError::Conflict => StatusCode::CONFLICT,
            ApiError::LockedOut => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Maps a storage error; `NotFound` from a store is an identity here
    /// (callers with other resources map it themselves).
    pub fn from_store(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound => ApiError::IdentityNotFound,
            StoreError::EmailTaken => ApiError::EmailTaken,
            StoreError::EmailDenied => ApiError::EmailChangeDenied,
            StoreError::ProfileTaken => ApiError::ProfileTaken,
            StoreError::DomainTaken => ApiError::DomainTaken,
            StoreError::Conflict => ApiError::Conflict,
            StoreError::Injected(point) => {
                tracing::warn!(point, "injected storage fault");
                ApiError::Unavailable
            }
            StoreError::Database(e) => {
                tracing::error!(error = %e, "storage error");
                match e {
                    sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => ApiError::Unavailable,
                    _ => ApiError::Internal,
                }
            }
            StoreError::Migrate(e) => {
                tracing::error!(error = %e, "migration error");
                ApiError::Internal
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::from_store(e)
    }
}

/// RFC 9457 problem details, with the stable `code` and, for field errors,
/// the field and its own reason code.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_code: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (field, field_code) = match &self {
            ApiError::Field(f) => (Some(f.field.to_owned()), Some(f.code.to_owned())),
            _ => (None, None),
        };
        let problem = Problem {
            type_: format!("urn:realmgate:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            field,
            field_code,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match self {
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::InvalidToken => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            ApiError::InsufficientScope => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"insufficient_scope\""));
            }
            _ => {}
        }
        response
    }
}

impl From<crate::crypto::password::Busy> for ApiError {
    fn from(err: crate::crypto::password::Busy) -> Self {
        tracing::warn!(error = %err, "password hashing refused");
        match err {
            crate::crypto::password::Busy::Saturated => ApiError::Unavailable,
            crate::crypto::password::Busy::Failed => ApiError::Internal,
        }
    }
}
