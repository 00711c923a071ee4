//! The supervisors' follow-up audit (回头看), as rules free of I/O: which finished
//! requests a random draw picks (`sample`), what a callback asks and what counts as a
//! failing answer (`callback`), how rework and press orders move and climb the unit tree
//! when they run late (`order`), which entries break the review rules (`review`), and
//! when open work counts as stale (`stale`).
//!
//! The store records what a supervisor does; these modules decide what it means.

pub mod callback;
pub mod order;
pub mod review;
pub mod sample;
pub mod stale;

pub use callback::{Answers, AttemptResult, CallbackState, Question};
pub use order::{Order, OrderKind, OrderStatus, OrderStep};
pub use review::Rule;
pub use sample::{Candidate, SampleRule};

/// What a supervision act refused, and why. Each is something a user can cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only a supervisor may do this")]
    NotSupervisor,
    #[error("only the handlers and leaders of the unit may answer this order")]
    NotOrderUnit,
    #[error("the order is {0}, not open for this")]
    OrderState(OrderStatus),
    #[error("the callback is already finished")]
    CallbackFinished,
    #[error("the reworked request is not resolved again yet")]
    ReworkUnfinished,
    #[error("the request already has {kind} order {order_id} open")]
    AlreadyOpen { kind: OrderKind, order_id: i64 },
    #[error("a required field is missing: {0}")]
    Missing(&'static str),
    #[error("invalid value for {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Refused {
    /// A stable code for API clients and the message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::NotSupervisor => "not_supervisor",
            Refused::NotOrderUnit => "not_order_unit",
            Refused::OrderState(_) => "order_state",
            Refused::CallbackFinished => "callback_finished",
            Refused::ReworkUnfinished => "rework_unfinished",
            Refused::AlreadyOpen { .. } => "already_open",
            Refused::Missing(_) => "missing_field",
            Refused::Invalid { .. } => "invalid_value",
        }
    }
}

/// Longest free text a supervision act takes, in characters.
pub const MAX_TEXT: usize = 2_000;

/// Checks a required free text: present and not too long.
pub fn required(text: &str, field: &'static str) -> Result<(), Refused> {
    if text.trim().is_empty() {
        return Err(Refused::Missing(field));
    }
    limited(text, field)
}

pub fn limited(text: &str, field: &'static str) -> Result<(), Refused> {
    if text.chars().count() > MAX_TEXT {
        return Err(Refused::Invalid { field, reason: format!("longer than {MAX_TEXT} characters") });
    }
    if !crate::lifecycle::printable(text) {
        return Err(Refused::Invalid { field, reason: crate::lifecycle::UNPRINTABLE.into() });
    }
    Ok(())
}
