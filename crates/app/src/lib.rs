//! Gongzhi's use cases: what a resident, a cadre, a supervisor or a tool can do, each as
//! one function that every channel calls — the public site, the JSON API, the intake
//! desk, the command line, imports and demo data alike.
//!
//! This crate owns the order of the steps of a use case and nothing else:
//! - the domain (`gongzhi_domain`) owns every rule: what intake requires, which unit may
//!   take a request, what a role may do in a state, deadlines, measures;
//! - the store (`gongzhi_store`) only stores: it reads and writes, enforces scope in
//!   every query and the constraints only a transaction can check;
//! - the adapters (`gongzhi_web`, the `gongzhi` binary) extract what they received, call
//!   one function here and render the answer. None of them writes to the store itself.
//!
//! Every use case returns a typed result or an `AppError`.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod catalogue;
pub mod deliberation;
mod error;
pub mod handling;
pub mod import;
pub mod inspection;
pub mod intake;
pub mod map;
pub mod notify;
pub mod open311;
pub mod photos;
pub mod publishing;
pub mod screen;
pub mod setup;
pub mod suggestions;
pub mod supervision;
pub mod tasks;
pub mod visibility;

pub use error::{AppError, Result};
pub use handling::{act, Act};
pub use intake::{import, submit, NoSuggestions, Submission, Suggest};
