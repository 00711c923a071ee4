//! Routing: which first-level category a message belongs to, and which unit
//! usually handles that category where the request is.

mod calibration;
mod catalogue;
mod eval;
mod explain;
pub mod features;
mod handling;
mod linear;
mod model;
mod stack;

pub use calibration::{reliability, Bin, Calibration, Reliability};
pub use catalogue::{catalogue_examples, read_catalogue, CatalogueEntry};
pub use eval::{cross_validate, score, stratified_folds, CrossValidation, Scores};
pub use handling::{Handler, Handling, HandlingCase, PLACE};
pub use linear::SplitMix;
pub use model::{Evidence, Example, Prediction, RouteConfig, RoutingModel};

#[cfg(test)]
mod tests;
