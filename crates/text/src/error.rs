use std::path::PathBuf;

/// Everything that can go wrong in this crate. All of it comes from files or
/// from the caller's data; the algorithms themselves do not fail.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("bad CSV in {path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("CSV {path} lacks a usable column: {detail}")]
    Columns { path: PathBuf, detail: String },
    #[error("model file {path} is not a valid routing model: {detail}")]
    Model { path: PathBuf, detail: String },
    #[error("cannot train: {0}")]
    Training(String),
}

pub type Result<T> = std::result::Result<T, TextError>;
