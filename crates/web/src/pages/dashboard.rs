//! The dashboard of a unit subtree for any period: the measures of SPEC section 4, each
//! linked to the requests it counts; their daily trend; the sub-units ranked by
//! composite score; the categories most raised and those rising fastest; the overdue
//! items. The content is the one a bulletin freezes (`Store::publishing_content`), so a
//! dashboard and a bulletin of the same period show the same figures.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::Duration;
use gongzhi_domain::time;
use gongzhi_store::ListFilter;

use super::figures::{content_view, scope_of, units_in_scope, ContentView, Scope, ScopeQuery};
use super::leader::trend_json;
use super::{page, Chrome, PageResult};
use crate::AppState;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/work/dashboard", axum::routing::get(dashboard))
        .route("/work/figures", axum::routing::get(super::figures::figure))
        .route("/work/figures.xlsx", axum::routing::get(super::figures::export))
}

/// Overdue items the dashboard lists; the overdue figure links to all of them.
const OVERDUE_SHOWN: u32 = 20;

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct Dashboard<'a> {
    chrome: &'a Chrome,
    units: Vec<(i64, String)>,
    unit_id: i64,
    from: String,
    to: String,
    content: Option<ContentView>,
    trend: String,
    overdue: Vec<(i64, String, String, String)>,
    /// `unit=…&from=…&to=…` of the scope shown, for links to its lists.
    query: String,
    error: Option<&'static str>,
}

pub async fn dashboard(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ScopeQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let today = time::local_date(now);
    let units = units_in_scope(&state, &staff).await?;
    let mut template = Dashboard {
        chrome: &chrome,
        units,
        unit_id: staff.unit_id,
        from: query.from.clone(),
        to: query.to.clone(),
        content: None,
        trend: "{}".into(),
        overdue: vec![],
        query: String::new(),
        error: None,
    };
    let scope: Scope = match scope_of(&state, &staff, &query, (today - Duration::days(29), today)).await {
        Ok(scope) => scope,
        Err(key) => {
            template.error = Some(key);
            let mut response = page(&chrome, &template);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let store = &state.store;
    let overdue = ListFilter {
        unit_id: Some(scope.unit.id),
        overdue: Some(true),
        limit: Some(OVERDUE_SHOWN),
        ..Default::default()
    };
    // Three independent reads, each on its own pooled connection.
    let (content, days, overdue) = tokio::join!(
        store.publishing_content(scope.unit.id, scope.period(), now),
        store.daily_counters(scope.unit.id, scope.from, scope.to),
        store.list(&staff, &overdue, now),
    );
    let (content, days, overdue) = (content?, days?, overdue?);
    template.unit_id = scope.unit.id;
    template.from = scope.from.to_string();
    template.to = scope.to.to_string();
    template.query = scope.query();
    template.trend = trend_json(&chrome, &days);
    template.overdue = overdue
        .items
        .into_iter()
        .map(|r| (r.id, r.number, r.new.title, r.resolve_by.map(time::display).unwrap_or_default()))
        .collect();
    template.content = Some(content_view(&chrome, &content, Some(&scope)));
    Ok(page(&chrome, &template))
}
