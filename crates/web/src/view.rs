//! How a request looks to a staff member: everything they may see, the requester's phone
//! masked unless their role needs it, deadlines with their colour.

use gongzhi_domain::deadline::{DeadlinePolicy, Urgency};
use gongzhi_domain::geo::Point;
use gongzhi_domain::phone;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Request;
use gongzhi_domain::{Channel, Kind, RequesterType, Satisfaction, Status};
use gongzhi_store::Account;
use gongzhi_store::NewSuggestion;
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Lang, Messages};

/// Whether this viewer sees the real number of this request's requester.
pub fn sees_phone(viewer: &Account) -> bool {
    viewer.role.sees_phone_numbers()
}

/// The requester's name and phone as this viewer may see them: `None` for the name of an
/// anonymous requester, whose phone is then hidden too from those who need not call.
pub fn requester(r: &Request, viewer: &Account) -> (Option<String>, String) {
    let unmasked = sees_phone(viewer);
    if r.new.anonymous && !unmasked {
        return (None, String::new());
    }
    let phone = if unmasked { r.new.requester_phone.clone() } else { phone::mask(&r.new.requester_phone) };
    (Some(r.new.requester_name.clone()), phone)
}

/// The requester as a staff member may see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequesterView {
    #[serde(rename = "type")]
    pub kind: RequesterType,
    /// The name, or 匿名 for an anonymous requester.
    pub name: String,
    /// Masked (`138****1234`) unless the role calls requesters back; empty for an
    /// anonymous requester then.
    pub phone: String,
    pub anonymous: bool,
}

/// A request as staff see it. Its tracking code is not among its fields: the code is the
/// requester's key to evaluate and reopen, so staff read it once, in intake's answer, and
/// never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub number: String,
    pub status: Status,
    /// The status in Chinese, as the pages show it.
    pub status_label: String,
    pub version: i64,
    pub kind: Kind,
    pub channel: Channel,
    pub title: String,
    pub content: String,
    pub address: String,
    /// Where the problem is (WGS-84), when its channel said.
    pub location: Option<Point>,
    pub unit_id: i64,
    pub category_id: Option<i64>,
    pub urgent: bool,
    pub requester: RequesterView,
    pub assignee_unit_id: Option<i64>,
    pub co_unit_ids: Vec<i64>,
    pub handler_id: Option<i64>,
    pub created_at: Millis,
    pub dispatched_at: Option<Millis>,
    pub claimed_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
    pub respond_by: Option<Millis>,
    pub resolve_by: Option<Millis>,
    pub deadline_estimated: bool,
    /// The colour of an open request's deadline; `null` for the rest.
    pub urgency: Option<Urgency>,
    pub overdue: bool,
    /// For an overdue request: the unit whose leaders it now stands before.
    pub escalated_to_unit_id: Option<i64>,
    pub pending_extension: Option<Millis>,
    pub reply: Option<String>,
    pub contacted: Option<bool>,
    pub solved: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    pub evaluated_at: Option<Millis>,
    pub return_count: i64,
    pub reopen_count: i64,
    pub press_count: i64,
    /// Calls about it after the first (重复来电).
    pub repeat_calls: i64,
    pub merged_into: Option<i64>,
    /// Intake's suggestion, for dispatchers, leaders, supervisors and admins only (`null`
    /// when there was nothing to suggest); other roles do not get the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = true, value_type = Option<NewSuggestion>)]
    pub suggestion: Option<Option<NewSuggestion>>,
}

pub fn request(r: &Request, viewer: &Account, policy: &DeadlinePolicy, now: Millis) -> RequestView {
    let (name, phone) = requester(r, viewer);
    let urgency = policy.urgency_of(r, now);
    // An overdue item climbs one unit up the tree for every further period it stays
    // overdue; this is the unit whose leaders it now stands before.
    let escalated_to = match (urgency, r.resolve_by, r.assignee_path.as_deref()) {
        (Some(Urgency::Overdue), Some(due), Some(path)) => {
            let chain: Vec<i64> = gongzhi_domain::unit::path_ids(path).collect();
            let levels = policy.escalation_levels(due, now) as usize;
            chain.len().checked_sub(1 + levels).map(|i| chain[i]).or(chain.first().copied())
        }
        _ => None,
    };
    let zh = Messages::new(Lang::Zh);
    RequestView {
        id: r.id,
        number: r.number.clone(),
        status: r.status,
        status_label: zh.status(r.status).to_string(),
        version: r.version,
        kind: r.new.kind,
        channel: r.new.channel,
        title: r.new.title.clone(),
        content: r.new.content.clone(),
        address: r.new.address.clone(),
        location: r.new.location,
        unit_id: r.new.unit_id,
        category_id: r.new.category_id,
        urgent: r.new.urgent,
        requester: RequesterView {
            kind: r.new.requester_type,
            name: name.unwrap_or_else(|| zh.get("request.anonymous").to_string()),
            phone,
            anonymous: r.new.anonymous,
        },
        assignee_unit_id: r.assignee_unit_id,
        co_unit_ids: r.co_unit_ids.clone(),
        handler_id: r.handler_id,
        created_at: r.created_at,
        dispatched_at: r.dispatched_at,
        claimed_at: r.claimed_at,
        resolved_at: r.resolved_at,
        closed_at: r.closed_at,
        respond_by: r.respond_by,
        resolve_by: r.resolve_by,
        deadline_estimated: r.deadline_estimated,
        urgency,
        overdue: urgency == Some(Urgency::Overdue),
        escalated_to_unit_id: escalated_to,
        pending_extension: r.pending_extension,
        reply: r.reply.clone(),
        contacted: r.contacted,
        solved: r.solved,
        satisfaction: r.satisfaction,
        evaluated_at: r.evaluated_at,
        return_count: r.return_count,
        reopen_count: r.reopen_count,
        press_count: r.press_count,
        repeat_calls: r.repeat_calls,
        merged_into: r.merged_into,
        suggestion: None,
    }
}
