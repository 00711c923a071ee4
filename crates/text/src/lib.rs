//! Chinese text for Gongzhi: what the platform needs to understand residents'
//! messages without a database or a network.
//!
//! This crate owns:
//! - [`normalize`]: one canonical form for text typed on any device;
//! - [`tokens`]: search tokens (CJK bigrams, ASCII words) that the store indexes
//!   identically on SQLite and PostgreSQL;
//! - [`route`]: the routing classifier (message → first-level category, and the
//!   unit that usually handles it), with its training, evaluation and model file;
//! - [`stock`]: the stock phrases of complaint letters, which make no duplicate;
//! - [`dupes`]: duplicate detection, incremental for intake and in batch, and
//!   [`judged`]: its precision and recall on hand-judged pairs;
//! - [`hot`]: hot issues, clusters of requests that grow;
//! - [`words`]: words found in the messages themselves, for explanations that
//!   name whole words;
//! - [`model_text`]: a routing model as one string, to keep it in a database;
//! - [`commands`]: the functions the `gongzhi` CLI calls on CSV files.
//!
//! It deliberately does not own storage, HTTP, the request lifecycle or any
//! knowledge of units and categories beyond the labels it is trained on:
//! callers pass plain text, ids and times in, and get plain values back.
//! Models are trained only from the project's own data; nothing is downloaded.

pub mod address;
pub mod commands;
pub mod csvdata;
pub mod dupes;
mod error;
mod fasthash;
pub mod hot;
pub mod judged;
pub mod model_text;
pub mod normalize;
pub mod route;
pub mod stock;
pub mod tokens;
pub mod words;

pub use error::{Result, TextError};
pub use normalize::normalize;
pub use tokens::{query_tokens, search_tokens};
