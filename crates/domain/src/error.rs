//! The rule an attempted action broke. Each variant is something a user can cause and
//! gets its own clear message; none of them is a bug.

use crate::lifecycle::Action;
use crate::request::Status;
use crate::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("action `{action}` is not allowed from state `{from}`")]
    WrongState { action: Action, from: Status },
    #[error("role `{role}` may not take action `{action}`")]
    WrongRole { action: Action, role: Role },
    #[error("only a handler of the assigned unit may take action `{action}`")]
    NotAssignedUnit { action: Action },
    #[error("the request is outside the actor's scope")]
    OutOfScope,
    #[error("a required field is missing: {0}")]
    Missing(&'static str),
    #[error("invalid value for {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("no extension is pending")]
    NoPendingExtension,
    #[error("an extension is already pending")]
    ExtensionPending,
    #[error("the evaluation window has passed")]
    WindowPassed,
    #[error("the evaluation window has not passed yet")]
    WindowOpen,
    #[error("a request cannot be merged into itself")]
    MergeIntoSelf,
    #[error("the requester said it is solved and is satisfied, so it is not reopened")]
    AlreadySatisfied,
    #[error("unit `{unit}` ({field}) is inactive and takes no requests")]
    UnitInactive { field: &'static str, unit: String },
    #[error("unit `{unit}` is not a community, village or grid, so it cannot be a request's place")]
    NotAPlace { unit: String },
    #[error("place `{unit}` is outside the recorder's scope")]
    PlaceOutOfScope { unit: String },
}

impl Broken {
    /// A stable code for API clients and the message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Broken::WrongState { .. } => "wrong_state",
            Broken::WrongRole { .. } => "wrong_role",
            Broken::NotAssignedUnit { .. } => "not_assigned_unit",
            Broken::OutOfScope => "out_of_scope",
            Broken::Missing(_) => "missing_field",
            Broken::Invalid { .. } => "invalid_value",
            Broken::NoPendingExtension => "no_pending_extension",
            Broken::ExtensionPending => "extension_pending",
            Broken::WindowPassed => "window_passed",
            Broken::WindowOpen => "window_open",
            Broken::MergeIntoSelf => "merge_into_self",
            Broken::AlreadySatisfied => "already_satisfied",
            Broken::UnitInactive { .. } => "unit_inactive",
            Broken::NotAPlace { .. } => "not_a_place",
            Broken::PlaceOutOfScope { .. } => "place_out_of_scope",
        }
    }
}
