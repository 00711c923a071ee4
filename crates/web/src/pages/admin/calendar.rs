//! The working calendar: a year's days month by month, marked working, weekend, holiday
//! or make-up working day (调休); a click turns one day around, and a newer official file
//! (`date,kind,festival`, as shipped in `cn_official_days.csv`) replaces the whole.

use gongzhi_app::admin;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate, Weekday};
use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::time;
use serde::Deserialize;

use super::{render, saved, unavailable, Admin, Notice};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

/// One day in a month's grid.
pub struct Day {
    date: String,
    day: u32,
    /// `work`, `weekend`, `holiday` or `makeup`.
    class: &'static str,
    festival: String,
}

pub struct Month {
    number: u32,
    /// Weeks from Monday; `None` pads the days of other months.
    weeks: Vec<Vec<Option<Day>>>,
}

fn month(calendar: &WorkCalendar, festivals: &HashMap<String, String>, year: i32, number: u32) -> Month {
    let mut weeks = Vec::new();
    let mut week: Vec<Option<Day>> = Vec::new();
    let first = NaiveDate::from_ymd_opt(year, number, 1).unwrap_or_default();
    week.extend((0..first.weekday().num_days_from_monday()).map(|_| None));
    let mut date = first;
    while date.month() == number && date.year() == year {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let class = match (calendar.is_working_day(date), weekend) {
            (true, false) => "work",
            (true, true) => "makeup",
            (false, true) => "weekend",
            (false, false) => "holiday",
        };
        let key = date.format("%Y-%m-%d").to_string();
        let festival = festivals.get(&key).cloned().unwrap_or_default();
        week.push(Some(Day { date: key, day: date.day(), class, festival }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }
    Month { number, weeks }
}

/// The festival named on each listed day of the file.
fn festivals(csv: &str) -> HashMap<String, String> {
    csv.lines()
        .filter_map(|line| {
            let mut fields = line.split(',');
            let date = fields.next()?.trim();
            let festival = fields.nth(1).unwrap_or_default().trim();
            Some((date.to_string(), festival.to_string()))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    year: i32,
    covered: bool,
    working_days: usize,
    months: Vec<Month>,
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    saved: Option<String>,
}

fn this_year() -> i32 {
    time::local_date(time::now()).year()
}

async fn show_year(state: &AppState, chrome: &Chrome, year: i32, notice: Option<Notice>) -> Response {
    let Ok(csv) = state.store.calendar_csv().await else { return unavailable(chrome) };
    let calendar = state.store.settings().calendar.clone();
    let year = year.clamp(1990, 2100);
    let festivals = festivals(&csv);
    let months: Vec<Month> = (1..=12).map(|m| month(&calendar, &festivals, year, m)).collect();
    let working_days = months
        .iter()
        .flat_map(|m| m.weeks.iter().flatten().flatten())
        .filter(|d| matches!(d.class, "work" | "makeup"))
        .count();
    let covered = calendar.covers(year);
    let template = CalendarPage { chrome, tab: "calendar", notice, year, covered, working_days, months };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn show(
    State(state): State<AppState>,
    Admin { chrome, .. }: Admin,
    Query(query): Query<CalendarQuery>,
) -> Response {
    let notice = query.saved.as_ref().map(|_| Notice::saved(&chrome));
    show_year(&state, &chrome, query.year.unwrap_or_else(this_year), notice).await
}

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    date: String,
}

pub async fn toggle(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<ToggleForm>,
) -> Response {
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    let year = date.map(|d| d.year()).unwrap_or_else(this_year);
    if !same_site_form(&headers, &form.csrf) {
        return show_year(&state, &chrome, year, Some(Notice::csrf(&chrome))).await;
    }
    let Some(date) = date else {
        return show_year(&state, &chrome, year, Some(Notice::refused(&chrome, "admin.bad_date"))).await;
    };
    match admin::toggle_day(&state.store, &admin, date, time::now()).await {
        Ok(_) => saved(&format!("/admin/calendar?year={year}")),
        Err(error) => show_year(&state, &chrome, year, Some(Notice::from_store(&chrome, error))).await,
    }
}

/// The calendar file from a form: an uploaded file, or text pasted into the box.
async fn read_upload(mut parts: Multipart) -> (String, String) {
    let (mut csrf, mut csv) = (String::new(), String::new());
    while let Ok(Some(field)) = parts.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let text = field.text().await.unwrap_or_default();
        match name.as_str() {
            "_csrf" => csrf = text,
            "file" | "csv" if csv.trim().is_empty() => csv = text,
            _ => {}
        }
    }
    // Spreadsheet programs save CSV with a byte-order mark and CRLF line ends.
    (csrf, csv.trim_start_matches('\u{feff}').replace("\r\n", "\n"))
}

pub async fn load(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    parts: Multipart,
) -> Response {
    let (csrf, csv) = read_upload(parts).await;
    if !same_site_form(&headers, &csrf) {
        return show_year(&state, &chrome, this_year(), Some(Notice::csrf(&chrome))).await;
    }
    match admin::load_calendar(&state.store, &admin, &csv, time::now()).await {
        Ok(_) => saved("/admin/calendar"),
        Err(error) => {
            let mut notice = Notice::from_store(&chrome, error);
            notice.text = format!("{}{}", chrome.t.get("admin.calendar_refused"), notice.text);
            show_year(&state, &chrome, this_year(), Some(notice)).await
        }
    }
}

/// The calendar file in force, to edit and load again.
pub async fn download(State(state): State<AppState>, Admin { chrome, .. }: Admin) -> Response {
    match state.store.calendar_csv().await {
        Ok(csv) => (
            [(CONTENT_TYPE, "text/csv; charset=utf-8"), (CONTENT_DISPOSITION, "attachment; filename=\"calendar.csv\"")],
            csv,
        )
            .into_response(),
        Err(_) => unavailable(&chrome),
    }
}
