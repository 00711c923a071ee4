//! One error type for every handler: it logs what went wrong and shows the caller a
//! clear, safe message in Chinese and English, never internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::messages::{self, Text};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub text: Text,
    /// Extra fields for the client, such as the current version on a conflict; boxed, so
    /// that results carrying an error stay small.
    pub extra: Box<ErrorExtra>,
}

/// The body of every error under `/api/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, for programs: `conflict`, `wrong_state`, `missing_field`, …
    pub code: String,
    /// For people, in Chinese.
    pub message: String,
    /// For logs and programs, in English.
    pub message_en: String,
    #[serde(flatten)]
    pub extra: ErrorExtra,
}

/// What some errors say besides their message.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ErrorExtra {
    /// `conflict`: the version to retry with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// `already_open`: the one still open, and its kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_kind: Option<String>,
}

impl ApiError {
    /// A refusal in the catalogue's words for `key`.
    pub fn new(status: StatusCode, code: &'static str, key: &str) -> ApiError {
        ApiError::said(status, code, Text::from_catalogue(key))
    }

    /// A refusal in words made elsewhere, each language already chosen.
    pub fn said(status: StatusCode, code: &'static str, text: Text) -> ApiError {
        ApiError { status, code, text, extra: Box::default() }
    }

    /// A refusal in the catalogue's words for `key`, each `{name}` filled in.
    pub fn filled(status: StatusCode, code: &'static str, key: &str, values: &[(&str, &str)]) -> ApiError {
        ApiError::said(status, code, Text::filled(key, values))
    }

    pub fn bad_request(key: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", key)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "api.unauthorized")
    }

    pub fn forbidden(key: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", key)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "api.not_found")
    }

    pub fn too_large() -> ApiError {
        let kb = (crate::MAX_BODY / 1024).to_string();
        ApiError::filled(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "api.too_large", &[("kb", &kb)])
    }

    /// The database or the writer failed: the caller may try again.
    pub fn unavailable() -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "api.unavailable")
    }

    pub fn throttled() -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "throttled", "api.throttled")
    }

    /// What a caller's own mistake in the fields of a body or query says: the detail is
    /// the parser's, in English.
    pub fn invalid(status: StatusCode, code: &'static str, key: &str, detail: &str) -> ApiError {
        ApiError::filled(status, code, key, &[("detail", detail)])
    }
}

/// The status a refusal of the store (`refused.{code}`) answers: some say who may do it
/// (403), some that the thing has moved on or exists already (409); the rest are input
/// that cannot be taken (422).
fn refused_status(code: &str) -> StatusCode {
    match code {
        "not_supervisor" | "not_order_unit" | "district_admin_only" | "own_unit" | "own_account" => {
            StatusCode::FORBIDDEN
        }
        "not_round_inspector" | "not_reinspector" | "not_admin" | "inspection_action" | "meeting_action" => {
            StatusCode::FORBIDDEN
        }
        "order_state" | "callback_finished" | "bulletin_published" | "bulletin_draft_exists" | "unit_in_use" => {
            StatusCode::CONFLICT
        }
        "round_finished" => StatusCode::CONFLICT,
        "not_community_staff" | "not_allowed" => StatusCode::FORBIDDEN,
        "proposal_state" | "not_on_agenda" | "supports_closed" | "already_hidden" => StatusCode::CONFLICT,
        "too_many_supports" | "too_many_codes" => StatusCode::TOO_MANY_REQUESTS,
        "not_task_owner" | "not_task_reviewer" | "own_task_work" | "not_task_issuer" | "task_owner_out_of_scope" => {
            StatusCode::FORBIDDEN
        }
        "milestone_state" | "task_list_exists" => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<gongzhi_app::AppError> for ApiError {
    fn from(error: gongzhi_app::AppError) -> ApiError {
        ApiError::from(StoreError::from(error))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match &error {
            StoreError::Rule(rule) => {
                use gongzhi_domain::Broken::*;
                let status = match rule {
                    WrongRole { .. } | NotAssignedUnit { .. } | OutOfScope => StatusCode::FORBIDDEN,
                    _ => unprocessable,
                };
                ApiError::said(status, rule.code(), messages::broken(rule))
            }
            StoreError::Conflict { current } => {
                let version = current.to_string();
                let mut error =
                    ApiError::filled(StatusCode::CONFLICT, "conflict", "api.conflict", &[("current", &version)]);
                error.extra = Box::new(ErrorExtra { current_version: Some(*current), ..ErrorExtra::default() });
                error
            }
            StoreError::NotFound => ApiError::not_found(),
            StoreError::UnknownUnit(id) => {
                ApiError::filled(unprocessable, "unknown_unit", "api.unknown_unit", &[("id", &id.to_string())])
            }
            StoreError::UnknownCategory(id) => {
                ApiError::filled(unprocessable, "unknown_category", "api.unknown_category", &[("id", &id.to_string())])
            }
            StoreError::Invalid(reason) => {
                ApiError::filled(StatusCode::BAD_REQUEST, "invalid", "api.invalid", &[("reason", reason)])
            }
            StoreError::Duplicate(what) => {
                ApiError::filled(StatusCode::CONFLICT, "duplicate", "api.duplicate", &[("what", what)])
            }
            StoreError::AlreadyOpen { what, id } => {
                // The words are in the catalogue under `open.{what}`, naming the one open.
                let mut error = ApiError::filled(
                    StatusCode::CONFLICT,
                    "already_open",
                    &format!("open.{what}"),
                    &[("id", &id.to_string())],
                );
                error.extra = Box::new(ErrorExtra {
                    open_id: Some(*id),
                    open_kind: Some(what.to_string()),
                    current_version: None,
                });
                error
            }
            // The words are in the catalogue under `refused.{code}`.
            StoreError::Refused(code) => ApiError::new(refused_status(code), code, &format!("refused.{code}")),
            StoreError::Database(_) | StoreError::Migration(_) | StoreError::WriterGone => {
                tracing::error!(%error, "store failure");
                ApiError::unavailable()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(status = %self.status, code = self.code, message = %self.text.en, "request refused");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.text.zh,
                message_en: self.text.en,
                extra: *self.extra,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
