//! A request (诉求 / 工单) and the small vocabularies it is described with.

use serde::{Deserialize, Serialize};

use crate::error::Broken;
use crate::geo::Point;
use crate::time::Millis;

/// Declares a closed vocabulary whose names are the glossary's code names, with the one
/// string form used in SQL, JSON and URLs.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Where a request is in its lifecycle.
    Status {
        Submitted = "submitted",
        PendingDispatch = "pending_dispatch",
        Dispatched = "dispatched",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
        Rejected = "rejected",
        Merged = "merged",
    }
}

impl Status {
    /// Open states still need somebody's work; merge and press apply to them.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Submitted | Status::PendingDispatch | Status::Dispatched | Status::InProgress)
    }

    /// States a request passes through and leaves: at any time only recent requests are
    /// in them, a small share of all.
    pub fn is_passing(self) -> bool {
        self.is_open() || self == Status::Resolved
    }
}

vocabulary! {
    /// 诉求类型
    Kind {
        Consult = "consult",
        Help = "help",
        Complaint = "complaint",
        Report = "report",
        Suggestion = "suggestion",
        Praise = "praise",
    }
}

vocabulary! {
    /// 来源渠道
    Channel {
        Hotline = "hotline",
        Web = "web",
        Mobile = "mobile",
        WalkIn = "walk_in",
        Meeting = "meeting",
        Inspection = "inspection",
        Supervision = "supervision",
        Superior = "superior",
        Open311 = "open311",
        Import = "import",
    }
}

vocabulary! {
    /// 群众 or 市场主体
    RequesterType {
        Resident = "resident",
        Enterprise = "enterprise",
    }
}

vocabulary! {
    /// The requester's verdict on the result.
    Satisfaction {
        Satisfied = "satisfied",
        BasicallySatisfied = "basically_satisfied",
        Unsatisfied = "unsatisfied",
    }
}

impl Satisfaction {
    /// 满意 and 基本满意 both count as satisfied in the satisfaction rate.
    pub fn counts_as_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Unsatisfied)
    }
}

/// What the intake form or API carries; everything else is set by the lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRequest {
    pub kind: Kind,
    pub channel: Channel,
    pub title: String,
    pub content: String,
    pub address: String,
    /// The community, village or grid where the problem is.
    pub unit_id: i64,
    pub category_id: Option<i64>,
    pub urgent: bool,
    pub requester_type: RequesterType,
    pub requester_name: String,
    pub requester_phone: String,
    pub anonymous: bool,
    /// Where the problem is, when the channel knows (a phone's GPS, an Open311 client).
    #[serde(default)]
    pub location: Option<Point>,
}

/// Limits on what intake accepts, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_CONTENT: usize = 10_000;
pub const MAX_SHORT: usize = 200;
pub use crate::phone::MAX_PHONE;

impl NewRequest {
    /// What every channel must carry, and how long each field may be: the intake rules
    /// that need nothing but the request itself. Whether its unit may take it now
    /// (`unit::may_take`) is checked where the unit is read, in the same transaction.
    /// Historical records (`Channel::Import`) may lack the requester's phone.
    pub fn check(&self) -> Result<(), Broken> {
        let check = |field: &'static str, text: &str, max: usize, required: bool| -> Result<(), Broken> {
            if required && text.trim().is_empty() {
                return Err(Broken::Missing(field));
            }
            if text.chars().count() > max {
                return Err(Broken::Invalid { field, reason: format!("longer than {max} characters") });
            }
            Ok(())
        };
        check("title", &self.title, MAX_TITLE, true)?;
        check("content", &self.content, MAX_CONTENT, true)?;
        check("address", &self.address, MAX_SHORT, false)?;
        check("requester_name", &self.requester_name, MAX_SHORT, false)?;
        if !self.anonymous && self.requester_phone.trim().is_empty() && self.channel != Channel::Import {
            return Err(Broken::Missing("requester_phone"));
        }
        crate::phone::check(&self.requester_phone, "requester_phone")?;
        if let Some(point) = &self.location {
            point.check()?;
        }
        Ok(())
    }
}

/// A request as it stands now. Timestamps are UTC milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: i64,
    pub number: String,
    pub tracking_code: String,
    pub status: Status,
    pub version: i64,
    pub new: NewRequest,
    /// Path of `new.unit_id` in the unit tree; the scope test for its place.
    pub unit_path: String,
    /// The unit that must handle it, set by dispatch, and its path.
    pub assignee_unit_id: Option<i64>,
    pub assignee_path: Option<String>,
    pub co_unit_ids: Vec<i64>,
    /// The handler who claimed it.
    pub handler_id: Option<i64>,
    pub created_at: Millis,
    pub dispatched_at: Option<Millis>,
    pub claimed_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
    /// The first resolution, kept through reopenings: the reopen rate counts from it.
    pub first_resolved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
    pub respond_by: Option<Millis>,
    pub resolve_by: Option<Millis>,
    /// True when a deadline fell in a year the working calendar does not cover, so it was
    /// computed on weekends alone.
    pub deadline_estimated: bool,
    pub pending_extension: Option<Millis>,
    pub reply: Option<String>,
    pub contacted: Option<bool>,
    pub solved: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    pub evaluated_at: Option<Millis>,
    pub return_count: i64,
    pub reopen_count: i64,
    pub press_count: i64,
    /// Calls about it after the first (重复来电), each recorded instead of a new request.
    pub repeat_calls: i64,
    pub merged_into: Option<i64>,
}

impl Request {
    /// A request as intake creates it: nothing has happened to it yet.
    pub fn submitted(new: NewRequest, unit_path: String, created_at: Millis) -> Request {
        Request {
            id: 0,
            number: String::new(),
            tracking_code: String::new(),
            status: Status::Submitted,
            version: 1,
            new,
            unit_path,
            assignee_unit_id: None,
            assignee_path: None,
            co_unit_ids: Vec::new(),
            handler_id: None,
            created_at,
            dispatched_at: None,
            claimed_at: None,
            resolved_at: None,
            first_resolved_at: None,
            closed_at: None,
            respond_by: None,
            resolve_by: None,
            deadline_estimated: false,
            pending_extension: None,
            reply: None,
            contacted: None,
            solved: None,
            satisfaction: None,
            evaluated_at: None,
            return_count: 0,
            reopen_count: 0,
            press_count: 0,
            repeat_calls: 0,
            merged_into: None,
        }
    }

    /// Whether a staff member may see it: it lies in their subtree, is assigned into it,
    /// or their unit helps as a co-unit.
    pub fn visible_to(&self, staff: &crate::role::Staff) -> bool {
        staff.covers(&self.unit_path)
            || self.assignee_path.as_deref().is_some_and(|p| staff.covers(p))
            || self.co_unit_ids.contains(&staff.unit_id)
    }

    /// Open and past its resolve deadline.
    pub fn is_overdue(&self, now: Millis) -> bool {
        self.status.is_open() && self.resolve_by.is_some_and(|due| due < now)
    }
}

/// The public number of a request: its local creation date and its id, so that it is
/// unique without a counter and tells a clerk at a glance when it came in.
pub fn number_for(id: i64, created_at: Millis) -> String {
    let date = crate::time::local_date(created_at);
    format!("{}{:07}", date.format("%Y%m%d"), id)
}
