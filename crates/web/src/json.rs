//! JSON bodies with errors a person can act on: malformed JSON, wrong types, unknown or
//! missing fields, text holding U+0000 and oversized bodies each get their own answer.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<Value>::from_request(req, state).await.map_err(rejected)?;
        // PostgreSQL cannot store U+0000 and SQLite can: refused here, both answer alike.
        if holds_nul(&value) {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_text", "api.nul_field"));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|error| invalid_fields(&error.to_string()))
    }
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(key, value)| key.contains('\0') || holds_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Fields of a body the caller got wrong, as the parser says.
pub fn invalid_fields(detail: &str) -> ApiError {
    ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", "api.invalid_fields", detail)
}

fn rejected(rejection: JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => invalid_fields(&detail),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::invalid(StatusCode::BAD_REQUEST, "malformed_json", "api.malformed_json", &detail)
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::invalid(StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type", "api.content_type", &detail)
        }
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
        _ => ApiError::invalid(rejection.status(), "bad_body", "api.bad_body", &detail),
    }
}

/// Query strings, with the same kind of errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let detail = rejection.body_text();
                Err(ApiError::invalid(StatusCode::BAD_REQUEST, "invalid_query", "api.invalid_query", &detail))
            }
        }
    }
}
