//! Routing: which first-level category a message belongs to, and which unit
//! usually handles that category.

mod eval;
pub mod features;
mod linear;
mod model;

pub use eval::{score, stratified_folds, Scores};
pub use linear::SplitMix;
pub use model::{Evidence, Example, Prediction, RouteConfig, RoutingModel};

#[cfg(test)]
mod tests;
