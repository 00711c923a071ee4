//! The dispatch desk: every request waiting for a unit, with its category, place, text
//! and age; what intake suggested for it — category and unit with the confidence and the
//! words behind them, accepted in one click — and the open requests it may duplicate,
//! merged into in one click.
//!
//! The unit picker groups the units by level (departments, subdistricts and towns, each
//! subdistrict's communities) and filters them by name as one types; the dispatcher can
//! add instructions for the unit (派单说明). After a dispatch the desk comes back where
//! it was, saying what went to whom; requests that have waited long are marked.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_domain::calendar;
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::time;
use gongzhi_domain::unit::Unit;
use gongzhi_domain::UnitKind;
use gongzhi_store::{Queue, RequestHead, Suggestion};
use serde::Deserialize;

use super::{page, Chrome, PageResult};
use crate::suggest::MERGEABLE;
use crate::AppState;

pub struct Waiting {
    id: i64,
    version: i64,
    number: String,
    title: String,
    excerpt: String,
    category: String,
    place: String,
    /// Office hours of working days it has waited since it came in.
    waited: i64,
    long_wait: bool,
    /// Where the desk comes back to after this one is dispatched: the next row.
    back: String,
    /// The unit chosen in the dispatch form: the suggested one, else the category's
    /// default unit, else the request's own community.
    chosen: i64,
    suggestion: Option<Suggested>,
    duplicates: Vec<Duplicate>,
}

/// What intake suggested, ready to show.
pub struct Suggested {
    category: String,
    unit_id: Option<i64>,
    unit: String,
    /// "87%".
    confidence: String,
    terms: String,
}

/// An open request this one may duplicate.
pub struct Duplicate {
    id: i64,
    number: String,
    title: String,
    status: &'static str,
    /// "91%".
    similarity: String,
    shared: String,
}

#[derive(Template)]
#[template(path = "work/desk.html")]
struct Desk<'a> {
    chrome: &'a Chrome,
    waiting: Vec<Waiting>,
    groups: Vec<UnitGroup>,
    page: u64,
    more: bool,
    /// What the last dispatch sent to whom, and the row it is shown before (none: last).
    sent: Option<Sent>,
    long_wait_note: String,
}

/// Units of one level, as one `<optgroup>` of the picker.
pub struct UnitGroup {
    pub label: String,
    pub units: Vec<(i64, String)>,
}

/// The confirmation of a dispatch, in the place the dispatched row had.
pub struct Sent {
    text: String,
    before: Option<i64>,
}

impl Sent {
    /// Whether the confirmation stands right before this row.
    fn is_before(&self, id: impl std::borrow::Borrow<i64>) -> bool {
        self.before == Some(*id.borrow())
    }
}

/// Office hours a request may wait for a unit before the desk marks it.
pub const LONG_WAIT_HOURS: i64 = 4;

/// Requests a desk page shows.
const PAGE: u32 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    page: String,
    /// The request just dispatched, and the row that followed it.
    sent: String,
    at: String,
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A category's names from the top down: "城乡建设 / 市政设施 / 井盖".
fn category_path(by_id: &HashMap<i64, &Category>, id: Option<i64>) -> String {
    let mut parts = Vec::new();
    let mut next = id;
    while let Some(category) = next.and_then(|i| by_id.get(&i)) {
        parts.push(category.name.as_str());
        next = category.parent_id;
    }
    parts.reverse();
    parts.join(" / ")
}

/// A category's default unit, looked up the tree: level 3 inherits from level 1.
fn default_unit(by_id: &HashMap<i64, &Category>, mut id: Option<i64>) -> Option<i64> {
    while let Some(category) = id.and_then(|i| by_id.get(&i)) {
        if category.default_unit_id.is_some() {
            return category.default_unit_id;
        }
        id = category.parent_id;
    }
    None
}

fn suggested(s: &Suggestion, by_id: &HashMap<i64, &Category>, names: &HashMap<i64, String>) -> Option<Suggested> {
    let s = &s.suggested;
    if s.category_id.is_none() && s.unit_id.is_none() {
        return None;
    }
    Some(Suggested {
        category: category_path(by_id, s.category_id),
        unit_id: s.unit_id.filter(|u| names.contains_key(u)),
        unit: s.unit_id.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
        confidence: s.confidence.map(percent).unwrap_or_default(),
        terms: s.terms.iter().take(4).cloned().collect::<Vec<_>>().join(" · "),
    })
}

/// The duplicates in the viewer's scope that can still take a merge, most similar first.
fn duplicates(chrome: &Chrome, s: Option<&Suggestion>, heads: &HashMap<i64, RequestHead>) -> Vec<Duplicate> {
    let Some(s) = s else { return Vec::new() };
    s.suggested
        .duplicates
        .iter()
        .filter_map(|d| {
            let head = heads.get(&d.id).filter(|h| MERGEABLE.contains(&h.status))?;
            Some(Duplicate {
                id: d.id,
                number: head.number.clone(),
                title: head.title.clone(),
                status: chrome.t.status(head.status),
                similarity: percent(d.similarity),
                shared: d.shared_terms.iter().take(3).cloned().collect::<Vec<_>>().join(" · "),
            })
        })
        .collect()
}

pub async fn desk(State(state): State<AppState>, chrome: Chrome, Query(query): Query<DeskQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else {
        return Ok(chrome.to_login());
    };
    let now = time::now();
    let staff = user.staff();
    // A page number that is not one shows the first page; a huge one shows an empty page.
    let page_number = query.page.parse::<u64>().unwrap_or(1).clamp(1, 1_000_000);
    let offset = (page_number - 1) * u64::from(PAGE);
    let mut items = state.store.queue_page(&staff, Queue::Dispatch, now, offset, PAGE + 1).await?;
    let (units, categories, inactive) =
        (state.store.units().await?, state.store.categories().await?, state.store.inactive_units().await?);
    let more = items.len() > PAGE as usize;
    items.truncate(PAGE as usize);
    // A desk without suggestions still dispatches: a failed read only hides them.
    let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
    let suggestions = state.store.suggestions_for(&ids).await.unwrap_or_default();
    let duplicate_ids: Vec<i64> =
        suggestions.values().flat_map(|s| s.suggested.duplicates.iter().map(|d| d.id)).collect();
    let heads = state.store.request_heads(&duplicate_ids, &staff).await.unwrap_or_default();
    let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let by_id: HashMap<i64, &Category> = categories.iter().map(|c| (c.id, c)).collect();
    let settings = state.store.settings();
    let work_calendar = &settings.calendar;
    let waiting = items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let waited = work_calendar.working_hours(r.created_at, now);
            let suggestion = suggestions.get(&r.id).and_then(|s| suggested(s, &by_id, &names));
            let chosen = suggestion
                .as_ref()
                .and_then(|s| s.unit_id)
                .or_else(|| default_unit(&by_id, r.new.category_id))
                .unwrap_or(r.new.unit_id);
            Waiting {
                id: r.id,
                version: r.version,
                number: r.number.clone(),
                title: r.new.title.clone(),
                excerpt: r.new.content.chars().take(80).collect(),
                category: category_path(&by_id, r.new.category_id),
                place: names.get(&r.new.unit_id).cloned().unwrap_or_default(),
                waited,
                long_wait: waited >= LONG_WAIT_HOURS,
                back: format!(
                    "/work/dispatch?page={page_number}&sent={}&at={}#sent",
                    r.id,
                    items.get(i + 1).map(|n| n.id.to_string()).unwrap_or_default()
                ),
                chosen,
                suggestion,
                duplicates: duplicates(&chrome, suggestions.get(&r.id), &heads),
            }
        })
        .collect::<Vec<Waiting>>();
    let sent = match query.sent.parse::<i64>() {
        Ok(id) => sent(&state, &chrome, id, &names)
            .await
            .map(|text| Sent { text, before: query.at.parse().ok().filter(|at| waiting.iter().any(|w| w.id == *at)) }),
        Err(_) => None,
    };
    let template = Desk {
        chrome: &chrome,
        waiting,
        groups: groups(&chrome, dispatchable(units, &inactive)),
        page: page_number,
        more,
        sent,
        long_wait_note: chrome
            .t
            .get("desk.long_wait_note")
            .replace("{hours}", &LONG_WAIT_HOURS.to_string())
            .replace("{from}", &calendar::OFFICE_HOURS.0.to_string())
            .replace("{to}", &calendar::OFFICE_HOURS.1.to_string()),
    };
    Ok(page(&chrome, &template))
}

/// "已将 2024… 派给 东风社区（协办：…）": what the dispatch just made did, if it was one.
async fn sent(state: &AppState, chrome: &Chrome, id: i64, names: &HashMap<i64, String>) -> Option<String> {
    let user = chrome.user.as_ref()?;
    let request = state.store.request(id, &user.staff()).await.ok()?;
    let unit = names.get(&request.assignee_unit_id?)?;
    let co_units: Vec<&str> = request.co_unit_ids.iter().filter_map(|u| names.get(u)).map(String::as_str).collect();
    let mut text = chrome.t.get("desk.sent").replace("{number}", &request.number).replace("{unit}", unit);
    if !co_units.is_empty() {
        text.push_str(&chrome.t.get("desk.sent_co_units").replace("{units}", &co_units.join("、")));
    }
    Some(text)
}

/// The units that handle work and take it now.
fn dispatchable(units: Vec<Unit>, inactive: &[i64]) -> Vec<Unit> {
    units
        .into_iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::Community | UnitKind::Village | UnitKind::Department | UnitKind::Subdistrict | UnitKind::Town
            ) && !inactive.contains(&u.id)
        })
        .collect()
}

/// The picker's groups: departments, then subdistricts and towns, then each one's
/// communities and villages under its name; by name within a group.
fn groups(chrome: &Chrome, mut units: Vec<Unit>) -> Vec<UnitGroup> {
    units.sort_by(|a, b| a.name.cmp(&b.name));
    let t = &chrome.t;
    let of = |kinds: &[UnitKind]| -> Vec<(i64, String)> {
        units.iter().filter(|u| kinds.contains(&u.kind)).map(|u| (u.id, u.name.clone())).collect()
    };
    let mut groups = vec![
        UnitGroup { label: t.get("desk.group_departments").to_string(), units: of(&[UnitKind::Department]) },
        UnitGroup {
            label: t.get("desk.group_places").to_string(),
            units: of(&[UnitKind::Subdistrict, UnitKind::Town]),
        },
    ];
    let places: Vec<(i64, String)> = groups[1].units.clone();
    let local = |u: &Unit| matches!(u.kind, UnitKind::Community | UnitKind::Village);
    for (place, name) in &places {
        let units: Vec<(i64, String)> =
            units.iter().filter(|u| local(u) && u.parent_id == Some(*place)).map(|u| (u.id, u.name.clone())).collect();
        groups.push(UnitGroup { label: t.get("desk.group_local").replace("{place}", name), units });
    }
    // Communities whose parent is not offered (an inactive subdistrict) still can be chosen.
    let placed = |u: &Unit| places.iter().any(|(id, _)| u.parent_id == Some(*id));
    let rest: Vec<(i64, String)> =
        units.iter().filter(|u| local(u) && !placed(u)).map(|u| (u.id, u.name.clone())).collect();
    groups.push(UnitGroup { label: t.get("desk.group_other").to_string(), units: rest });
    groups.retain(|g| !g.units.is_empty());
    groups
}

/// The units a dispatch form offers, by name: those that handle work and take it now.
pub(crate) fn targets_among(units: Vec<Unit>, inactive: &[i64]) -> Vec<(i64, String)> {
    let mut targets: Vec<(i64, String)> = dispatchable(units, inactive).into_iter().map(|u| (u.id, u.name)).collect();
    targets.sort_by(|a, b| a.1.cmp(&b.1));
    targets
}
