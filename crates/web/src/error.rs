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
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError { status, code, text: Text::new(zh, en), extra: Box::default() }
    }

    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", zh, en)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "请先登录，或登录已过期",
            "log in first, or the session has expired",
        )
    }

    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", zh, en)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "未找到，或不在您的管辖范围内",
            "not found, or outside your scope",
        )
    }

    pub fn too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("提交内容过大，上限为 {} KB", crate::MAX_BODY / 1024),
            format!("the body is over {} KB", crate::MAX_BODY / 1024),
        )
    }

    /// The database or the writer failed: the caller may try again.
    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "系统暂时无法处理，请稍后重试，您的数据不会丢失",
            "the service cannot take this right now; try again, nothing was lost",
        )
    }

    pub fn throttled() -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "尝试次数过多，请稍后再试",
            "too many attempts, try again later",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match &error {
            StoreError::Rule(rule) => {
                use gongzhi_domain::Broken::*;
                let status = match rule {
                    WrongRole { .. } | NotAssignedUnit { .. } | OutOfScope => StatusCode::FORBIDDEN,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                ApiError { status, code: rule.code(), text: messages::broken(rule), extra: Box::default() }
            }
            StoreError::Conflict { current } => ApiError {
                status: StatusCode::CONFLICT,
                code: "conflict",
                text: Text::new(
                    "该诉求已被他人处理，请刷新后再试",
                    format!("someone else changed this request first (now at version {current}); reload and try again"),
                ),
                extra: Box::new(ErrorExtra { current_version: Some(*current), ..ErrorExtra::default() }),
            },
            StoreError::NotFound => ApiError::not_found(),
            StoreError::UnknownUnit(id) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_unit",
                format!("单位 {id} 不存在"),
                format!("unit {id} does not exist"),
            ),
            StoreError::UnknownCategory(id) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_category",
                format!("分类 {id} 不存在"),
                format!("category {id} does not exist"),
            ),
            StoreError::Invalid(reason) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("输入有误：{reason}"), reason.clone())
            }
            StoreError::Duplicate(what) => ApiError::new(
                StatusCode::CONFLICT,
                "duplicate",
                format!("已存在：{what}"),
                format!("already exists: {what}"),
            ),
            StoreError::AlreadyOpen { what, id } => {
                // The words are in the catalogue under `open.{what}`, naming the one open.
                let words = |lang| {
                    crate::i18n::Messages::new(lang).lookup(&format!("open.{what}")).replace("{id}", &id.to_string())
                };
                let mut error = ApiError::new(
                    StatusCode::CONFLICT,
                    "already_open",
                    words(crate::i18n::Lang::Zh),
                    words(crate::i18n::Lang::En),
                );
                error.extra = Box::new(ErrorExtra {
                    open_id: Some(*id),
                    open_kind: Some(what.to_string()),
                    current_version: None,
                });
                error
            }
            StoreError::Refused(code) => {
                // The words are in the catalogue under `refused.{code}`.
                let words = |lang| crate::i18n::Messages::new(lang).lookup(&format!("refused.{code}"));
                let (zh, en) = (words(crate::i18n::Lang::Zh), words(crate::i18n::Lang::En));
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en)
            }
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
