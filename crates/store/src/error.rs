use gongzhi_domain::Broken;

/// What can go wrong in the store. Everything but `Database` is the caller's doing and
/// has a message fit to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Rule(#[from] Broken),
    #[error("the request was changed by someone else (now at version {current})")]
    Conflict { current: i64 },
    #[error("not found")]
    NotFound,
    #[error("unknown unit {0}")]
    UnknownUnit(i64),
    #[error("unknown category {0}")]
    UnknownCategory(i64),
    #[error("{0}")]
    Invalid(String),
    #[error("already exists: {0}")]
    Duplicate(String),
    /// Something of this kind (`press_order`, `rework_order`, `bulletin_draft`) is already
    /// open for the same request or period: carry on with that one, by its id.
    #[error("{what} {id} is already open")]
    AlreadyOpen { what: &'static str, id: i64 },
    /// A change the rules refuse, by a stable code (`wrong_password`, `unit_in_use`, …)
    /// that callers turn into words.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("the writer has stopped")]
    WriterGone,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Unique-constraint violations are a caller's duplicate, not a failure.
    pub(crate) fn from_insert(error: sqlx::Error, what: &str) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what.to_string()),
            _ => StoreError::Database(error),
        }
    }
}
