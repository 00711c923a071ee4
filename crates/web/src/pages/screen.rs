//! The big screen (大屏) of the command centre's wall, 1920×1080: the map of open work,
//! today's intake and closures, the 30 days' trend, the unit ranking, what is overdue,
//! open press orders and the categories rising fastest. The page polls
//! `/work/screen/data` and redraws in place; every figure is the one `/api/v1/stats`
//! and the dashboard give for the same scope and period (`gongzhi_app::screen`).

use askama::Template;
use axum::extract::State;
use axum::Json;
use gongzhi_domain::measures::Measures;
use gongzhi_domain::time;
use serde::Serialize;

use super::map::MapSetup;
use super::{page, Chrome, PageResult};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/work/screen", axum::routing::get(screen))
        .route("/work/screen/data", axum::routing::get(data))
}

/// Seconds between refreshes of the page's figures.
pub const REFRESH_SECONDS: u32 = 15;

#[derive(Serialize)]
pub struct ScreenData {
    pub unit_id: i64,
    pub unit: String,
    /// `YYYY-MM-DD`: today, and the first and last day of the period.
    pub today: String,
    pub from: String,
    pub to: String,
    /// As `/api/v1/stats?from=today&to=today` gives them.
    pub today_measures: Measures,
    /// As `/api/v1/stats?from=…&to=…` gives them for the period.
    pub measures: Measures,
    pub trend: Trend,
    pub ranking: Vec<Ranked>,
    /// Categories rising fastest against the period before.
    pub hot: Vec<Hot>,
    pub overdue: Vec<Listed>,
    pub press_orders: Vec<Listed>,
    /// When these figures were read, local time.
    pub updated_at: String,
}

#[derive(Serialize)]
pub struct Trend {
    pub days: Vec<String>,
    pub intake: Vec<i64>,
    pub resolved: Vec<i64>,
}

#[derive(Serialize)]
pub struct Ranked {
    pub rank: Option<usize>,
    pub unit: String,
    pub composite_score: Option<f64>,
    pub closure_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

#[derive(Serialize)]
pub struct Hot {
    pub name: String,
    pub count: i64,
    pub previous: i64,
}

/// A request on one of the screen's lists, with when it fell or falls due.
#[derive(Serialize)]
pub struct Listed {
    pub request_id: i64,
    pub text: String,
    pub due: String,
}

async fn read(state: &AppState, account: &gongzhi_store::Account) -> ApiResult<ScreenData> {
    let s = gongzhi_app::screen::screen(&state.store, &account.staff(), time::now()).await?;
    let content = s.content;
    Ok(ScreenData {
        unit_id: content.unit.id,
        unit: content.unit.name,
        today: s.today.to_string(),
        from: content.period.from.to_string(),
        to: content.period.to.to_string(),
        today_measures: s.today_measures,
        measures: content.measures,
        trend: Trend {
            days: s.trend.iter().map(|(d, _)| d.format("%m-%d").to_string()).collect(),
            intake: s.trend.iter().map(|(_, c)| c.intake).collect(),
            resolved: s.trend.iter().map(|(_, c)| c.resolved).collect(),
        },
        ranking: content
            .ranking
            .into_iter()
            .map(|r| Ranked {
                rank: r.rank,
                unit: r.unit.name,
                composite_score: r.measures.composite_score,
                closure_rate: r.measures.closure_rate,
                satisfaction_rate: r.measures.satisfaction_rate,
            })
            .collect(),
        hot: content
            .hot_categories
            .into_iter()
            .map(|c| Hot { name: c.name, count: c.count, previous: c.previous })
            .collect(),
        overdue: s
            .overdue
            .into_iter()
            .map(|r| Listed {
                request_id: r.id,
                text: format!("{} {}", r.number, r.new.title),
                due: r.resolve_by.map(time::display).unwrap_or_default(),
            })
            .collect(),
        press_orders: s
            .press_orders
            .into_iter()
            .map(|o| Listed { request_id: o.request_id, text: o.reason, due: time::display(o.due_at) })
            .collect(),
        updated_at: time::display(time::now()),
    })
}

/// The screen's figures now, for its refreshes.
pub async fn data(State(state): State<AppState>, Caller(account): Caller) -> ApiResult<Json<ScreenData>> {
    Ok(Json(read(&state, &account).await?))
}

#[derive(Template)]
#[template(path = "work/screen.html")]
struct Screen<'a> {
    chrome: &'a Chrome,
    map: MapSetup,
    /// The first figures, as JSON: drawn at once, then refreshed.
    data: String,
    unit: String,
    refresh: u32,
}

pub async fn screen(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let data = read(&state, &user).await.map_err(|_| super::PageError::unavailable())?;
    let template = Screen {
        chrome: &chrome,
        map: MapSetup::of(&state),
        unit: data.unit.clone(),
        data: super::script_json(&data),
        refresh: REFRESH_SECONDS,
    };
    Ok(page(&chrome, &template))
}
