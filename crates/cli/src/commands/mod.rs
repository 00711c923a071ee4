//! One module per command.

pub mod admin;
pub mod audit;
pub mod bench;
pub mod bulletin;
pub mod deliberation;
pub mod import;
pub mod inspection;
pub mod notify;
pub mod notify_bench;
pub mod open311;
pub mod retrain;
pub mod serve;
pub mod supervision;
pub mod tasks;
pub mod text;
