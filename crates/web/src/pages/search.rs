//! Search: full-text over titles and contents combined with the list filters (state,
//! unit, category, kind, channel, dates, overdue), a page at a time, and the same
//! selection as a spreadsheet.
//!
//! The form is a plain GET, so a search is a link a cadre can bookmark or send on.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::*;
use gongzhi_store::{ListFilter, StoreError};
use percent_encoding::utf8_percent_encode;
use serde::Deserialize;

use super::work::{row, unit_names, Row};
use super::{login, page, Chrome, PageError, PageResult};
use crate::export::{self, Cell, Sheet};
use crate::AppState;

/// The search form as the browser sends it: every field a string, empty when unset.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    status: String,
    unit: String,
    category: String,
    kind: String,
    channel: String,
    /// `enterprise` or `resident`: who raised it.
    requester: String,
    from: String,
    to: String,
    overdue: String,
    cursor: String,
}

impl SearchForm {
    /// The query string of this search without its cursor, for links to other pages
    /// and to the export.
    fn query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("status", &self.status),
            ("unit", &self.unit),
            ("category", &self.category),
            ("kind", &self.kind),
            ("channel", &self.channel),
            ("requester", &self.requester),
            ("from", &self.from),
            ("to", &self.to),
            ("overdue", &self.overdue),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn is_empty(&self) -> bool {
        self.query().is_empty()
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, login::UNRESERVED).to_string()
}

/// The filter a form asks for, or the message key of what is wrong with it.
fn filter_of(form: &SearchForm) -> Result<ListFilter, &'static str> {
    let id = |text: &str| -> Result<Option<i64>, &'static str> {
        if text.is_empty() {
            Ok(None)
        } else {
            text.parse().map(Some).map_err(|_| "search.bad_field")
        }
    };
    let day = |text: &str, next: bool| -> Result<Option<Millis>, &'static str> {
        if text.is_empty() {
            return Ok(None);
        }
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "search.bad_date")?;
        let date = if next { date.succ_opt().unwrap_or(date) } else { date };
        Ok(Some(time::start_of(date)))
    };
    let status = match form.status.as_str() {
        "" => vec![],
        "open" => Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        other => vec![Status::parse(other).ok_or("search.bad_field")?],
    };
    Ok(ListFilter {
        status,
        unit_id: id(&form.unit)?,
        category_id: id(&form.category)?,
        kind: if form.kind.is_empty() { None } else { Some(Kind::parse(&form.kind).ok_or("search.bad_field")?) },
        channel: if form.channel.is_empty() {
            None
        } else {
            Some(Channel::parse(&form.channel).ok_or("search.bad_field")?)
        },
        requester_type: if form.requester.is_empty() {
            None
        } else {
            Some(RequesterType::parse(&form.requester).ok_or("search.bad_field")?)
        },
        created_from: day(&form.from, false)?,
        created_to: day(&form.to, true)?,
        overdue: if form.overdue.is_empty() { None } else { Some(true) },
        text: Some(form.q.trim().to_string()).filter(|q| !q.is_empty()),
        cursor: Some(form.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(PAGE),
        ..ListFilter::default()
    })
}

/// Rows a page shows.
const PAGE: u32 = 50;
/// Rows an export carries at most.
pub(crate) const EXPORT_ROWS: usize = 10_000;

#[derive(Template)]
#[template(path = "work/search.html")]
struct SearchPage<'a> {
    chrome: &'a Chrome,
    form: SearchForm,
    units: Vec<(i64, String)>,
    categories: Vec<(i64, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    searched: bool,
    rows: Vec<Row>,
    next: Option<String>,
    first: Option<String>,
    export: String,
    error: Option<&'static str>,
}

impl SearchPage<'_> {
    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "status" => &self.form.status,
            "unit" => &self.form.unit,
            "category" => &self.form.category,
            "kind" => &self.form.kind,
            "requester" => &self.form.requester,
            _ => &self.form.channel,
        };
        current == value
    }
}

pub async fn search(State(state): State<AppState>, chrome: Chrome, Query(form): Query<SearchForm>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let (units, categories) = (state.store.units().await?, state.store.categories().await?);
    let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let units: Vec<(i64, String)> =
        units.into_iter().filter(|u| staff.covers(&u.path)).map(|u| (u.id, u.name)).collect();
    // Categories by their first two levels: the third is too fine to choose from a list.
    let categories = categories.into_iter().filter(|c| c.level <= 2).map(|c| (c.id, c.name)).collect();
    let t = &chrome.t;
    let statuses = std::iter::once(("open", t.get("search.open")))
        .chain(Status::ALL.iter().map(|s| (s.as_str(), t.status(*s))))
        .collect();
    let kinds = Kind::ALL.iter().map(|k| (k.as_str(), t.kind(*k))).collect();
    let channels = Channel::ALL.iter().map(|c| (c.as_str(), t.lookup(&format!("channel.{}", c.as_str())))).collect();

    let searched = !form.is_empty();
    let mut rows = Vec::new();
    let mut next = None;
    let mut error = None;
    if searched {
        match filter_of(&form) {
            Ok(filter) => match state.store.list(&staff, &filter, now).await {
                Ok(found) => {
                    rows = found.items.iter().map(|r| row(r, &chrome, &names, &state, now)).collect();
                    next = found.next_cursor.map(|c| format!("/work/search?{}&cursor={}", form.query(), encode(&c)));
                }
                Err(StoreError::Invalid(_)) if filter.text.is_some() => error = Some("search.too_short"),
                Err(StoreError::Invalid(_)) | Err(StoreError::NotFound) => error = Some("search.bad_field"),
                Err(failure) => return Err(failure.into()),
            },
            Err(key) => error = Some(key),
        }
    }
    let first = (!form.cursor.is_empty()).then(|| format!("/work/search?{}", form.query()));
    let export = format!("/work/search.xlsx?{}", form.query());
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let template = SearchPage {
        chrome: &chrome,
        form,
        units,
        categories,
        statuses,
        kinds,
        channels,
        searched,
        rows,
        next,
        first,
        export,
        error,
    };
    let mut response = page(&chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// The whole selection as a spreadsheet, up to [`EXPORT_ROWS`] rows.
pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(form): Query<SearchForm>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let refused = |key| PageError::new(StatusCode::BAD_REQUEST, "error.title", key);
    let mut filter = filter_of(&SearchForm { cursor: String::new(), ..form }).map_err(refused)?;
    filter.limit = Some(gongzhi_store::MAX_PAGE);
    let mut found = Vec::new();
    loop {
        let page = match state.store.list(&staff, &filter, now).await {
            Ok(page) => page,
            Err(StoreError::Invalid(_)) => return Err(refused("search.too_short")),
            Err(failure) => return Err(failure.into()),
        };
        found.extend(page.items);
        match page.next_cursor {
            Some(cursor) if found.len() < EXPORT_ROWS => filter.cursor = Some(cursor),
            _ => break,
        }
    }
    let names = unit_names(&state).await?;
    let sheets = vec![request_sheet(&chrome, &names, &found)];
    Ok(export::download(&format!("{}.xlsx", chrome.t.get("search.file")), sheets).await)
}

/// Requests as a worksheet, the way every request list exports.
pub(crate) fn request_sheet(chrome: &Chrome, names: &HashMap<i64, String>, requests: &[Request]) -> Sheet {
    let t = &chrome.t;
    let name = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned());
    let rows = requests
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.number.as_str()),
                Cell::from(r.new.title.as_str()),
                Cell::from(t.kind(r.new.kind)),
                Cell::from(t.lookup(&format!("channel.{}", r.new.channel.as_str()))),
                Cell::from(t.lookup(&format!("requester.{}", r.new.requester_type.as_str()))),
                Cell::from(name(Some(r.new.unit_id))),
                Cell::from(name(r.assignee_unit_id)),
                Cell::from(t.status(r.status)),
                Cell::from(time::display(r.created_at)),
                Cell::from(r.resolve_by.map(time::display)),
                Cell::from(r.new.content.as_str()),
            ]
        })
        .collect();
    let header = [
        "request.number",
        "request.title",
        "search.kind",
        "search.channel",
        "search.requester",
        "request.place",
        "request.assignee",
        "request.status",
        "search.created",
        "request.resolve_by",
        "search.content",
    ];
    Sheet {
        name: t.get("search.title").to_string(),
        header: header.iter().map(|k| t.get(k).to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_becomes_a_filter_or_a_reason() {
        let form =
            SearchForm { q: " 井盖 ".into(), status: "open".into(), from: "2026-01-01".into(), ..Default::default() };
        let filter = filter_of(&form).expect("valid");
        assert_eq!(filter.text.as_deref(), Some("井盖"));
        assert!(filter.status.iter().all(|s| s.is_open()) && !filter.status.is_empty());
        assert!(filter.created_from.is_some());
        let bad = SearchForm { from: "2026-13-01".into(), ..Default::default() };
        assert_eq!(filter_of(&bad).err(), Some("search.bad_date"));
        let bad = SearchForm { unit: "x".into(), ..Default::default() };
        assert_eq!(filter_of(&bad).err(), Some("search.bad_field"));
    }

    #[test]
    fn links_keep_the_search_and_escape_it() {
        let form = SearchForm { q: "井盖 & 路灯".into(), kind: "complaint".into(), ..Default::default() };
        assert_eq!(form.query(), "q=%E4%BA%95%E7%9B%96%20%26%20%E8%B7%AF%E7%81%AF&kind=complaint");
    }
}
