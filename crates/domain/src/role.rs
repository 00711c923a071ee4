//! Who acts: staff with one role in one unit, the requester holding a tracking code, or
//! the system itself (auto-close).

use serde::{Deserialize, Serialize};

use crate::request::vocabulary;

vocabulary! {
    /// The roles of the staff, and the system acting on its own.
    Role {
        Operator = "operator",
        Dispatcher = "dispatcher",
        Handler = "handler",
        Leader = "leader",
        Volunteer = "volunteer",
        Inspector = "inspector",
        Supervisor = "supervisor",
        Admin = "admin",
    }
}

impl Role {
    /// Roles whose work needs the requester's real phone number: they call back. A
    /// supervisor sees it only in the callback workspace, one drawn request at a time.
    pub fn sees_phone_numbers(self) -> bool {
        matches!(self, Role::Operator | Role::Handler)
    }
}

/// A staff member as the rules see them: one role, one unit, and that unit's path in the
/// tree, which is the scope of everything they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub user_id: i64,
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
}

impl Staff {
    /// Whether a unit with this path lies in the staff member's subtree.
    pub fn covers(&self, path: &str) -> bool {
        path.starts_with(&self.unit_path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff(Staff),
    /// The person who raised the request, identified by its tracking code.
    Requester,
    /// Timers: auto-close after the evaluation window.
    System,
}

impl Actor {
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Actor::Staff(staff) => Some(staff),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.staff().map(|s| s.user_id)
    }
}
