//! One module per command.

pub mod admin;
pub mod bench;
pub mod serve;
pub mod text;
