//! How a request looks to a staff member: everything they may see, the requester's phone
//! masked unless their role needs it, deadlines with their colour.

use gongzhi_domain::deadline::{DeadlinePolicy, Urgency};
use gongzhi_domain::phone;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Request;
use gongzhi_store::Account;
use serde_json::{json, Value};

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

/// A request as staff see it. Its tracking code is not among its fields: the code is the
/// requester's key to evaluate and reopen, so staff read it once, in intake's answer, and
/// never again.
pub fn request(r: &Request, viewer: &Account, policy: &DeadlinePolicy, now: Millis) -> Value {
    let (name, phone) = requester(r, viewer);
    let urgency = policy.urgency_of(r, now);
    let status_zh = Messages::new(Lang::Zh).status(r.status);
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
    json!({
        "id": r.id,
        "number": r.number,
        "status": r.status,
        "status_label": status_zh,
        "version": r.version,
        "kind": r.new.kind,
        "channel": r.new.channel,
        "title": r.new.title,
        "content": r.new.content,
        "address": r.new.address,
        "unit_id": r.new.unit_id,
        "category_id": r.new.category_id,
        "urgent": r.new.urgent,
        "requester": {
            "type": r.new.requester_type,
            "name": name.unwrap_or_else(|| Messages::new(Lang::Zh).get("request.anonymous").to_string()),
            "phone": phone,
            "anonymous": r.new.anonymous,
        },
        "assignee_unit_id": r.assignee_unit_id,
        "co_unit_ids": r.co_unit_ids,
        "handler_id": r.handler_id,
        "created_at": r.created_at,
        "dispatched_at": r.dispatched_at,
        "claimed_at": r.claimed_at,
        "resolved_at": r.resolved_at,
        "closed_at": r.closed_at,
        "respond_by": r.respond_by,
        "resolve_by": r.resolve_by,
        "deadline_estimated": r.deadline_estimated,
        "urgency": urgency,
        "overdue": urgency == Some(Urgency::Overdue),
        "escalated_to_unit_id": escalated_to,
        "pending_extension": r.pending_extension,
        "reply": r.reply,
        "contacted": r.contacted,
        "solved": r.solved,
        "satisfaction": r.satisfaction,
        "evaluated_at": r.evaluated_at,
        "return_count": r.return_count,
        "reopen_count": r.reopen_count,
        "press_count": r.press_count,
        "merged_into": r.merged_into,
    })
}
