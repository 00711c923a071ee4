//! The one error a use case returns: a rule of the domain refused, or the store did.

use gongzhi_domain::Broken;
use gongzhi_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A rule of the domain refused: the caller's doing, with its own message.
    #[error(transparent)]
    Rule(Broken),
    /// The store refused (not found, a stale version, a duplicate, …) or failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<Broken> for AppError {
    fn from(rule: Broken) -> AppError {
        AppError::Rule(rule)
    }
}

impl From<StoreError> for AppError {
    /// A rule the store met while it wrote (a unit switched off meanwhile, a state the
    /// request has left) is a rule like any other.
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::Rule(rule) => AppError::Rule(rule),
            other => AppError::Store(other),
        }
    }
}

impl From<AppError> for StoreError {
    /// For callers that speak the store's errors (the CLI's chores, older adapters).
    fn from(error: AppError) -> StoreError {
        match error {
            AppError::Rule(rule) => StoreError::Rule(rule),
            AppError::Store(error) => error,
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
