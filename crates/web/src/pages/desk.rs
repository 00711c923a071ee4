//! The dispatch desk: every request waiting for a unit, with its category, place, text
//! and age; what intake suggested for it — category and unit with the confidence and the
//! words behind them, accepted in one click — and the open requests it may duplicate,
//! merged into in one click.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::time::{self, HOUR};
use gongzhi_domain::UnitKind;
use gongzhi_store::{Queue, RequestHead, StoreError, Suggestion};
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
    hours: i64,
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
    units: Vec<(i64, String)>,
    page: u64,
    more: bool,
}

/// Requests a desk page shows.
const PAGE: u32 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    page: String,
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
    let (units, categories, targets) =
        (state.store.units().await?, state.store.categories().await?, targets(&state).await?);
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
    let waiting = items
        .iter()
        .map(|r| {
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
                hours: (now - r.created_at) / HOUR,
                chosen,
                suggestion,
                duplicates: duplicates(&chrome, suggestions.get(&r.id), &heads),
            }
        })
        .collect();
    Ok(page(&chrome, &Desk { chrome: &chrome, waiting, units: targets, page: page_number, more }))
}

/// The units a dispatch form offers, by name: those that handle work and take it now.
pub(crate) async fn targets(state: &AppState) -> Result<Vec<(i64, String)>, StoreError> {
    let inactive = state.store.inactive_units().await?;
    let mut targets: Vec<(i64, String)> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::Community | UnitKind::Village | UnitKind::Department | UnitKind::Subdistrict | UnitKind::Town
            ) && !inactive.contains(&u.id)
        })
        .map(|u| (u.id, u.name))
        .collect();
    targets.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(targets)
}
