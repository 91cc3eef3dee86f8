//! Extractors whose rejections are API problems (stable codes), never
//! axum's plain-text defaults. Rejection details never echo the body.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body (`application/json`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError::MalformedJson("syntax error".into())),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::MalformedJson(shape_detail(&e.body_text()))),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::PayloadTooLarge),
            Err(_) => Err(ApiError::MalformedJson("unreadable body".into())),
        }
    }
}

/// Keeps serde's field path and what was expected, drops any echoed value.
fn shape_detail(text: &str) -> String {
    let msg = text.rsplit_once("target type: ").map(|(_, m)| m).unwrap_or(text);
    if msg.contains("unknown field") {
        let field = msg.split('`').nth(1).unwrap_or("?");
        return format!("unknown field `{field}`");
    }
    if msg.contains("missing field") {
        let field = msg.split('`').nth(1).unwrap_or("?");
        return format!("missing field `{field}`");
    }
    let path = msg.split_once(": ").map(|(p, _)| p).unwrap_or("body");
    format!("{path}: wrong type")
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| ApiError::InvalidPath(e.body_text()))
    }
}

/// Query parameters.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|_: QueryRejection| ApiError::InvalidQuery("unexpected or malformed query parameters".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_detail_never_echoes_values() {
        let t = "Failed to deserialize the JSON body into the target type: password: invalid type: integer `12345`, expected a string at line 1 column 20";
        assert_eq!(shape_detail(t), "password: wrong type");
        let t = "Failed to deserialize the JSON body into the target type: unknown field `pasword`, expected one of `email`, `password`";
        assert_eq!(shape_detail(t), "unknown field `pasword`");
    }
}
