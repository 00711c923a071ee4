//! A campaign's trend (创文迎检 over its weeks): the campaigns, and for one its finished
//! rounds day by day — rounds, score, items failed — drawn as a line and listed, each
//! day's count opening the rounds it counts, each round's failures its rectifications.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use gongzhi_domain::time;
use gongzhi_store::inspection::{Campaign, Round};
use serde::Deserialize;
use serde_json::json;

use super::inspection::{percent, viewer};
use super::{page, Chrome, PageError, PageResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/inspections/campaigns", get(index))
        .route("/work/inspections/campaigns/{id}", get(campaign))
}

#[derive(Template)]
#[template(path = "inspection/campaigns.html")]
struct IndexPage<'a> {
    chrome: &'a Chrome,
    campaigns: Vec<(Campaign, String, String)>,
}

fn local_day(at: i64) -> String {
    time::local_date(at).to_string()
}

async fn index(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    if let Err(to_login) = viewer(&chrome)? {
        return Ok(to_login);
    }
    let campaigns = state.store.campaigns().await?.into_iter().map(|c| {
        let (from, to) = (local_day(c.starts_at), local_day(c.ends_at));
        (c, from, to)
    });
    let campaigns = campaigns.collect();
    Ok(page(&chrome, &IndexPage { chrome: &chrome, campaigns }))
}

/// A day of the trend as the table shows it.
struct DayLine {
    date: String,
    rounds: i64,
    score: String,
    failed: i64,
}

#[derive(Template)]
#[template(path = "inspection/campaign.html")]
struct CampaignPage<'a> {
    chrome: &'a Chrome,
    c: Campaign,
    from: String,
    to: String,
    days: Vec<DayLine>,
    /// The chart's JSON: the days and the score and rounds series.
    chart: String,
    /// The day asked for, with its rounds and each one's score.
    day: Option<(String, Vec<(Round, String)>)>,
}

#[derive(Deserialize, Default)]
struct DayQuery {
    #[serde(default)]
    day: Option<String>,
}

async fn campaign(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<DayQuery>,
) -> PageResult {
    let user = match viewer(&chrome)? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let store = &state.store;
    let c = store.campaign(id).await?;
    let trend = store.campaign_trend(&staff, id).await?;
    let days: Vec<DayLine> = trend
        .iter()
        .map(|d| DayLine {
            date: d.date.to_string(),
            rounds: d.rounds,
            score: percent(d.earned, d.possible),
            failed: d.failed,
        })
        .collect();
    let score = |earned: i64, possible: i64| {
        gongzhi_domain::inspection::Score { earned: earned as u32, possible: possible as u32, failed: 0, unmarked: 0 }
            .percent()
    };
    let chart = json!({
        "days": days.iter().map(|d| d.date.as_str()).collect::<Vec<_>>(),
        "series": [
            { "name": chrome.t.get("inspection.score"), "data": trend.iter().map(|d| score(d.earned, d.possible)).collect::<Vec<_>>() },
            { "name": chrome.t.get("inspection.failed"), "data": trend.iter().map(|d| d.failed).collect::<Vec<_>>() },
        ],
    })
    .to_string()
    // Kept inside a script element: nothing in it may close the element.
    .replace('<', "\\u003c");
    let day = match query.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(text) => {
            let date: NaiveDate = text.parse().map_err(|_| PageError::not_found())?;
            let rounds = store.campaign_rounds_on(&staff, id, date).await?;
            let scored = rounds.into_iter().map(|r| {
                let score = percent(r.earned, r.possible);
                (r, score)
            });
            Some((date.to_string(), scored.collect()))
        }
    };
    let (from, to) = (local_day(c.starts_at), local_day(c.ends_at));
    Ok(page(&chrome, &CampaignPage { chrome: &chrome, c, from, to, days, chart, day }))
}
