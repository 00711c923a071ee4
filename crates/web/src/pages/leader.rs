//! The leader's view: the measures of their unit's subtree over the last 30 days, each
//! a link to the requests it counts and with its definition a click away, the daily
//! trend as a chart, and what is overdue now — with a line saying how that list and the
//! period's overdue count differ.

use askama::Template;
use axum::extract::State;
use chrono::Duration;
use gongzhi_domain::figures::Measure;
use gongzhi_domain::measures::{Measures, Scoring};
use gongzhi_domain::time;
use gongzhi_store::Queue;
use serde_json::json;

use super::figures::{figure_views, shown, FigureView, Scope};
use super::{page, Chrome, PageError, PageResult};
use crate::AppState;

/// Overdue requests the overview lists; the rest are a click away.
const OVERDUE_SHOWN: u32 = 20;

/// One figure of the measures, ready to show.
pub struct Figure {
    id: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "work/leader.html")]
struct Leader<'a> {
    chrome: &'a Chrome,
    unit: String,
    figures: Vec<FigureView>,
    /// The chart's data as JSON, read by app.js: no inline script under the CSP.
    trend: String,
    overdue: Vec<(i64, String, String)>,
    /// Why the overdue count and the overdue list differ, in numbers.
    overdue_note: String,
    /// How often intake's suggestion was right, on the requests dispatched since.
    suggestions: Vec<Figure>,
}

/// A rate as pages show it: one decimal of a percent, or a dash when there is none.
pub(crate) fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

/// The measures an overview shows, each with how it is computed.
const SHOWN: &[Measure] = &[
    Measure::Intake,
    Measure::ResponseRate,
    Measure::ClosureRate,
    Measure::OnTimeRate,
    Measure::SolvedRate,
    Measure::SatisfactionRate,
    Measure::OverdueCount,
    Measure::CompositeScore,
];

/// The figures an overview shows; each links to its requests when `scope` is given.
fn figures(chrome: &Chrome, m: &Measures, scoring: &Scoring, scope: Option<&Scope>) -> Vec<FigureView> {
    figure_views(chrome, m, scope, Some(scoring))
        .into_iter()
        .filter(|f| SHOWN.iter().any(|s| s.as_str() == f.id))
        .collect()
}

fn suggestion_figures(chrome: &Chrome, a: &gongzhi_store::SuggestionAccuracy) -> Vec<Figure> {
    let t = &chrome.t;
    vec![
        Figure { id: "suggestion_unit", label: t.get("suggest.unit_accuracy"), value: percent(a.unit_accuracy) },
        Figure {
            id: "suggestion_category",
            label: t.get("suggest.category_accuracy"),
            value: percent(a.category_accuracy),
        },
        Figure { id: "suggestion_counted", label: t.get("suggest.dispatched"), value: a.dispatched.to_string() },
    ]
}

pub async fn leader(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = chrome.user.clone() else {
        return Ok(chrome.to_login());
    };
    let now = time::now();
    let today = time::local_date(now);
    let from = today - Duration::days(29);
    let store = &state.store;
    let staff = user.staff();
    // Independent reads, each on its own connection: the page waits for the slowest only.
    let (unit, measures, days, overdue, accuracy) = tokio::join!(
        store.unit(user.unit_id),
        store.measures(user.unit_id, from, today, now),
        store.daily_counters(user.unit_id, from, today),
        store.queue(&staff, Queue::Overdue, now, OVERDUE_SHOWN),
        store.suggestion_accuracy(user.unit_id, from, today),
    );
    let (unit, measures, days, overdue, accuracy) = (unit?, measures?, days?, overdue?, accuracy?);
    let trend = trend_json(&chrome, &days);
    let overdue: Vec<(i64, String, String)> = overdue.into_iter().map(|r| (r.id, r.number, r.new.title)).collect();
    // A list shorter than its limit is all there is; a full one says only that there are
    // more, which spares every overview a count over the whole subtree.
    let overdue_now = if overdue.len() < OVERDUE_SHOWN as usize {
        chrome.t.get("leader.overdue_all").replace("{n}", &overdue.len().to_string())
    } else {
        chrome.t.get("leader.overdue_more").replace("{n}", &OVERDUE_SHOWN.to_string())
    };
    let overdue_note = chrome
        .t
        .get("leader.overdue_note")
        .replace("{count}", &measures.overdue_count.to_string())
        .replace("{now}", &overdue_now)
        .replace("{shown}", &overdue.len().to_string());
    let scope = Scope { unit: unit.clone(), from, to: today };
    let template = Leader {
        chrome: &chrome,
        unit: unit.name,
        figures: figures(&chrome, &measures, &store.settings().scoring, Some(&scope)),
        trend: trend.to_string(),
        overdue,
        overdue_note,
        suggestions: suggestion_figures(&chrome, &accuracy),
    };
    Ok(page(&chrome, &template))
}

/// A sub-unit's line in the public table.
pub struct UnitLine {
    name: String,
    intake: i64,
    closure: String,
    on_time: String,
    satisfaction: String,
    score: String,
}

#[derive(Template)]
#[template(path = "portal/stats.html")]
struct PublicStats<'a> {
    chrome: &'a Chrome,
    unit: String,
    figures: Vec<FigureView>,
    trend: String,
    lines: Vec<UnitLine>,
}

/// The public statistics: the district's measures for the last 30 days, its trend, and
/// each subdistrict and town beside the others. No person is named.
pub async fn public(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let now = time::now();
    let today = time::local_date(now);
    let from = today - Duration::days(29);
    let store = &state.store;
    let units = store.units().await?;
    let Some(root) = units.iter().find(|u| u.parent_id.is_none()) else { return Err(PageError::unavailable()) };
    let (measures, days) =
        (store.measures(root.id, from, today, now).await?, store.daily_counters(root.id, from, today).await?);
    let mut lines = Vec::new();
    for unit in units.iter().filter(|u| {
        u.parent_id == Some(root.id)
            && matches!(u.kind, gongzhi_domain::UnitKind::Subdistrict | gongzhi_domain::UnitKind::Town)
    }) {
        let m = store.measures(unit.id, from, today, now).await?;
        lines.push(UnitLine {
            name: unit.name.clone(),
            intake: m.intake,
            closure: shown(&chrome, Measure::ClosureRate, &m),
            on_time: shown(&chrome, Measure::OnTimeRate, &m),
            satisfaction: shown(&chrome, Measure::SatisfactionRate, &m),
            score: shown(&chrome, Measure::CompositeScore, &m),
        });
    }
    let template = PublicStats {
        chrome: &chrome,
        unit: root.name.clone(),
        figures: figures(&chrome, &measures, &store.settings().scoring, None),
        trend: trend_json(&chrome, &days),
        lines,
    };
    Ok(page(&chrome, &template))
}

pub(crate) fn trend_json(chrome: &Chrome, days: &[(chrono::NaiveDate, gongzhi_domain::measures::Counters)]) -> String {
    json!({
        "days": days.iter().map(|(d, _)| d.format("%m-%d").to_string()).collect::<Vec<_>>(),
        "series": [
            { "name": chrome.t.get("measure.intake"), "data": days.iter().map(|(_, c)| c.intake).collect::<Vec<_>>() },
            { "name": chrome.t.get("measure.resolved"), "data": days.iter().map(|(_, c)| c.resolved).collect::<Vec<_>>() },
        ],
    })
    .to_string()
}
