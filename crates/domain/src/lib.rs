//! The rules of Gongzhi, free of I/O: what a request is, which actions move it from state
//! to state and who may take them (`lifecycle`), when it is due on the working-day
//! calendar (`calendar`, `deadline`), how it counts in the measures (`measures`), where it
//! is (`geo`), who may see what (`scope`, `role`), and how residents deliberate
//! (`deliberation`).
//!
//! This crate deliberately knows nothing of databases, HTTP or async: the store applies
//! the changes it computes, the web layer renders them.

pub mod admin;
pub mod bulletin;
pub mod calendar;
pub mod catalogue;
pub mod deadline;
pub mod deliberation;
pub mod error;
pub mod figures;
pub mod geo;
pub mod import;
pub mod inspection;
pub mod intake;
pub mod lifecycle;
pub mod lists;
pub mod map;
pub mod measures;
pub mod notify;
pub mod open311;
pub mod phone;
pub mod request;
pub mod role;
pub mod supervision;
pub mod tasks;
pub mod time;
pub mod unit;

pub use error::Broken;
pub use lifecycle::{Action, Command, Outcome};
pub use request::{Channel, Kind, Request, RequesterType, Satisfaction, Status};
pub use role::{Actor, Role};
pub use unit::{Unit, UnitKind};
