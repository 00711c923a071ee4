//! Synthetic data for the demo and the benchmark: a whole district (units and staff) and an
//! endless stream of residents' requests that read like real hotline and message-board text.
//!
//! Everything is deterministic for a seed and self-contained: the word lists live in this
//! module, so the demo runs on a machine without the shared real data. Nothing here touches
//! a database; callers turn the specs into units, users and requests through the store.
//!
//! Layout: `units` builds the district tree and its users, `people` invents names and
//! phones, `places` invents the estates, roads and shops of each community, `problems`
//! holds what residents complain about per category, `phrases` the words around it and the
//! stock phrases of replies, `fill` substitutes placeholders, `compose` wraps a problem in
//! words, `request` picks incidents and puts messages together, and `reply` writes what
//! staff answer.

mod compose;
mod fill;
pub mod geo;
mod people;
mod phrases;
mod places;
mod problems;
mod reply;
mod request;
mod units;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use people::{mobile_phone, person_name};
pub use reply::{progress_note, reply_text};
pub use request::RequestGen;
pub use units::TOWN_WINDOW_OPERATOR;

/// A district: its unit tree and its staff.
#[derive(Clone, Debug, Serialize)]
pub struct District {
    /// `units[0]` is the district; every parent comes before its children.
    pub units: Vec<UnitSpec>,
    pub users: Vec<UserSpec>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnitSpec {
    /// ASCII, unique, hierarchical ("QL-S01-C02").
    pub code: String,
    pub name: String,
    /// "district", "subdistrict", "town", "community", "village", "grid" or "department".
    pub kind: &'static str,
    /// Index into `District::units`.
    pub parent: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserSpec {
    /// Short ASCII login ("admin", "handler_c001").
    pub login: String,
    pub name: String,
    /// "operator", "dispatcher", "handler", "leader", "volunteer", "inspector",
    /// "supervisor" or "admin".
    pub role: &'static str,
    /// Index into `District::units`.
    pub unit: usize,
}

/// One resident's (or enterprise's) request as it arrives, before any handling.
#[derive(Clone, Debug, Serialize)]
pub struct RequestSpec {
    pub title: String,
    pub content: String,
    /// Where the problem is, as residents write it: 街道/镇 + 社区/村 + road, number, place.
    pub address: String,
    /// Index into `District::units` of the community or village the place belongs to.
    pub unit: usize,
    pub level1: String,
    pub level2: String,
    pub level3: String,
    /// "consult", "help", "complaint", "report", "suggestion" or "praise".
    pub kind: &'static str,
    /// "hotline", "mobile", "web", "walk_in", "meeting", "superior" or "open311".
    pub channel: &'static str,
    pub urgent: bool,
    /// A person's name, or the company's name when `enterprise` is set. Anonymous requests
    /// still carry it (the hotline knows who called); `anonymous` asks that it not be shown.
    pub requester_name: String,
    /// 11-digit mainland mobile number.
    pub requester_phone: String,
    pub enterprise: bool,
    pub anonymous: bool,
    /// Which problem it is about: requests with the same value raise one problem at one
    /// place (however differently worded), which is what makes them duplicates.
    pub problem: String,
}

/// The district for `seed`: the same seed always gives the same units, codes and people.
pub fn district(seed: u64) -> District {
    units::build(seed)
}

/// The department that handles a first-level category by default, as an index into
/// `district.units`; `None` for a category this generator does not know.
pub fn default_department(district: &District, level1: &str) -> Option<usize> {
    units::default_department(district, level1)
}
