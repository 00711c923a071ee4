//! The supervisor's home, flagged entries (with a review on demand) and the stale and
//! overdue lists by unit and by cadre.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use chrono::Duration;
use gongzhi_domain::role::Role;
use gongzhi_domain::supervision::stale::DEFAULT_DAYS;
use gongzhi_domain::time;
use gongzhi_store::tasks::MilestonesOf;
use gongzhi_store::{Account, CallbackSummary, Lateness, OrderFilter, ReviewFlag, StoreError};
use serde::Deserialize;

use super::callback::{queue_rows, QueueRow};
use super::draw::SampleRow;
use super::orders::{order_rows, OrderRow};
use super::{parse_date, refuse, requests, see_other, user_of, when, Names, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::error::{refusal, refused, said, Refusal};
use crate::pages::{page, same_site_form, Chrome, PageResult};
use crate::AppState;

/// A figure of the callback summary, ready to show, and the figure whose requests a
/// click on it lists.
pub struct Figure {
    pub id: &'static str,
    pub label: String,
    pub value: String,
    pub lists: &'static str,
}

fn figures(chrome: &Chrome, summary: &CallbackSummary) -> Vec<Figure> {
    let t = &chrome.t;
    let mut figures = vec![
        Figure {
            id: "sampled",
            label: t.get("supervision.sampled").into(),
            value: summary.sampled.count.to_string(),
            lists: "sampled",
        },
        Figure {
            id: "reached",
            label: t.get("supervision.reached").into(),
            value: summary.reached.count.to_string(),
            lists: "reached",
        },
        Figure {
            id: "callback_rate",
            label: t.get("measure.callback_rate").into(),
            value: summary.callback_rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into()),
            lists: "reached",
        },
    ];
    for tally in &summary.questions {
        figures.push(Figure {
            id: tally.question.as_str(),
            label: format!("{}{}", t.lookup(&format!("question.{}", tally.question.as_str())), t.get("supervision.no")),
            value: tally.failed.count.to_string(),
            lists: tally.question.as_str(),
        });
    }
    figures
}

#[derive(Template)]
#[template(path = "supervision/home.html")]
struct Home<'a> {
    chrome: &'a Chrome,
    unit: String,
    figures: Vec<Figure>,
    queue: Vec<QueueRow>,
    waiting: i64,
    samples: Vec<SampleRow>,
    orders: Vec<OrderRow>,
    open_orders: i64,
    flags: i64,
    stale: i64,
    overdue: i64,
    talks: i64,
    /// Milestones of tasks assigned from above waiting on their owners past the deadline.
    overdue_milestones: usize,
}

pub async fn home(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let store = &state.store;
    let now = time::now();
    let today = time::local_date(now);
    let open = OrderFilter { status: Some(gongzhi_domain::supervision::OrderStatus::Open), ..OrderFilter::default() };
    let (unit, summary, queue, samples, orders, flags, late, talks) = (
        store.unit(user.unit_id).await?,
        store.callback_summary(user.unit_id, today - Duration::days(FIGURE_DAYS - 1), today).await?,
        store.callback_queue(&staff, 0, 10).await?,
        store.samples(&staff, 0, 5).await?,
        store.orders(&staff, &open, 0, 10).await?,
        store.review_flags(&staff, 0, 1).await?,
        store.lateness(&staff, DEFAULT_DAYS, now).await?,
        store.talks(&staff, None, 0, 1).await?,
    );
    let names = Names::load(&state).await?;
    let template = Home {
        chrome: &chrome,
        unit: unit.name,
        figures: figures(&chrome, &summary),
        queue: queue_rows(&state, &chrome, &user, &queue.items).await?,
        waiting: queue.total,
        samples: samples.items.iter().map(|s| super::draw::sample_row(s, &names)).collect(),
        orders: order_rows(&state, &chrome, &user, &orders.items).await?,
        open_orders: orders.total,
        flags: flags.total,
        stale: late.items.iter().filter(|l| l.stale).count() as i64,
        overdue: late.items.iter().filter(|l| l.overdue).count() as i64,
        talks: talks.total,
        overdue_milestones: store
            .milestone_lines(&staff, &MilestonesOf::Subtree(staff.unit_path.clone()), None, Some(now))
            .await?
            .len(),
    };
    Ok(page(&chrome, &template))
}

/// Days the home page's callback figures cover, today included.
const FIGURE_DAYS: i64 = 30;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FigureQuery {
    figure: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "supervision/figure.html")]
struct FigurePage<'a> {
    chrome: &'a Chrome,
    label: String,
    count: i64,
    rows: Vec<crate::pages::work::Row>,
    pager: Pager,
}

/// The requests behind one callback figure of the home page: exactly those it counts.
pub async fn figure(State(state): State<AppState>, chrome: Chrome, Query(query): Query<FigureQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let now = time::now();
    let today = time::local_date(now);
    let summary = state.store.callback_summary(user.unit_id, today - Duration::days(FIGURE_DAYS - 1), today).await?;
    let t = &chrome.t;
    let (label, figure) = match query.figure.as_str() {
        "sampled" => (t.get("supervision.sampled").to_string(), &summary.sampled),
        "reached" => (t.get("supervision.reached").to_string(), &summary.reached),
        "unreachable" => (t.lookup("callback_state.unreachable").to_string(), &summary.unreachable),
        "pending" => (t.get("supervision.waiting").to_string(), &summary.pending),
        other => match summary.questions.iter().find(|q| q.question.as_str() == other) {
            Some(tally) => {
                (format!("{}{}", t.lookup(&format!("question.{other}")), t.get("supervision.no")), &tally.failed)
            }
            None => return Ok(super::not_found(&chrome)),
        },
    };
    let ids = &figure.request_ids;
    let pager = Pager::new(format!("/work/supervision/figures?figure={}", query.figure), query.page, ids.len() as i64);
    let shown = ids.iter().skip(pager.offset() as usize).take(super::PER_PAGE as usize).copied();
    let found = requests(&state, &user, shown.clone()).await?;
    let places = crate::pages::work::unit_names(&state).await?;
    let rows = shown
        .filter_map(|id| found.get(&id))
        .map(|r| crate::pages::work::row(r, &chrome, &places, &state, now))
        .collect();
    Ok(page(&chrome, &FigurePage { chrome: &chrome, label, count: figure.count, rows, pager }))
}

/// A flagged entry as a row.
pub struct FlagRow {
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub handler: String,
    pub rules: Vec<&'static str>,
    pub resolved: String,
    pub checked: String,
}

async fn flag_rows(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    flags: &[ReviewFlag],
) -> Result<Vec<FlagRow>, StoreError> {
    let names = Names::load(state).await?;
    let found = requests(state, user, flags.iter().map(|f| f.request_id)).await?;
    Ok(flags
        .iter()
        .map(|f| {
            let request = found.get(&f.request_id);
            FlagRow {
                request_id: f.request_id,
                number: request.map(|r| r.number.clone()).unwrap_or_default(),
                title: request.map(|r| r.new.title.clone()).unwrap_or_default(),
                unit: names.unit(f.unit_id),
                handler: f.handler_id.map(|h| names.person(h)).unwrap_or_default(),
                rules: f.rules.iter().map(|r| chrome.t.lookup(&format!("rule.{}", r.as_str()))).collect(),
                resolved: when(f.first_resolved_at),
                checked: when(f.checked_at),
            }
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FlagsQuery {
    page: Option<i64>,
    checked: Option<i64>,
    flagged: Option<i64>,
}

#[derive(Template)]
#[template(path = "supervision/flags.html")]
struct FlagsPage<'a> {
    chrome: &'a Chrome,
    supervisor: bool,
    rows: Vec<FlagRow>,
    pager: Pager,
    from: String,
    to: String,
    run: Option<(i64, i64)>,
    error: Option<String>,
}

const FLAG_ROLES: &[Role] = &[Role::Supervisor, Role::Leader, Role::Handler];

async fn show_flags(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    query: FlagsQuery,
    refusal: Refusal,
) -> PageResult {
    let staff = user.staff();
    let total = state.store.review_flags(&staff, 0, 1).await?.total;
    let pager = Pager::new("/work/supervision/flags", query.page, total);
    let listing = state.store.review_flags(&staff, pager.offset(), super::PER_PAGE).await?;
    let (status, error) = said(refusal);
    let today = time::local_date(time::now());
    let template = FlagsPage {
        chrome,
        supervisor: user.role == Role::Supervisor,
        rows: flag_rows(state, chrome, user, &listing.items).await?,
        pager,
        from: (today - Duration::days(30)).to_string(),
        to: today.to_string(),
        run: query.checked.zip(query.flagged),
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn flags(State(state): State<AppState>, chrome: Chrome, Query(query): Query<FlagsQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, FLAG_ROLES) else { return Ok(refuse(&chrome)) };
    show_flags(&state, &chrome, &user, query, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    from: String,
    to: String,
}

/// Reviews the entries of a period now, rather than waiting for the timer.
pub async fn review(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<ReviewForm>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let again = |refusal: Refusal| show_flags(&state, &chrome, &user, FlagsQuery::default(), refusal);
    if !same_site_form(&headers, &form.csrf) {
        return again(refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let (Some(from), Some(to)) = (parse_date(&form.from), parse_date(&form.to)) else {
        return again(refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "supervision.bad_date")).await;
    };
    match state.store.review_entries(&user.staff(), from, to, time::now()).await {
        Ok(run) => Ok(see_other(format!("/work/supervision/flags?checked={}&flagged={}", run.checked, run.flagged))),
        Err(error) => again(refusal(&chrome, error)?).await,
    }
}

pub async fn flags_export(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = user_of(&chrome, FLAG_ROLES) else { return Ok(refuse(&chrome)) };
    let listing = state.store.review_flags(&user.staff(), 0, super::EXPORT_ROWS).await?;
    let t = &chrome.t;
    let rows = flag_rows(&state, &chrome, &user, &listing.items)
        .await?
        .into_iter()
        .map(|f| {
            vec![
                Cell::Text(f.number),
                Cell::Text(f.title),
                Cell::Text(f.unit),
                Cell::Text(f.handler),
                Cell::Text(f.rules.join("、")),
                Cell::Text(f.resolved),
                Cell::Text(f.checked),
            ]
        })
        .collect();
    let header = ["request.number", "request.title", "request.assignee", "supervision.cadre", "supervision.rules"]
        .iter()
        .chain(&["supervision.resolved", "supervision.checked"])
        .map(|k| t.get(k).to_string())
        .collect();
    Ok(export::download("flags.xlsx", vec![Sheet { name: t.get("supervision.flags").into(), header, rows }]).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LateQuery {
    days: Option<u32>,
    page: Option<i64>,
}

/// A late request as a row.
pub struct LateRow {
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub cadre: String,
    pub status: &'static str,
    pub last_step: String,
    pub idle_days: u32,
    pub due: String,
    pub stale: bool,
    pub overdue: bool,
}

/// A unit's or a cadre's line.
pub struct GroupRow {
    pub name: String,
    pub stale: i64,
    pub overdue: i64,
}

#[derive(Template)]
#[template(path = "supervision/late.html")]
struct LatePage<'a> {
    chrome: &'a Chrome,
    supervisor: bool,
    days: u32,
    by_unit: Vec<GroupRow>,
    by_cadre: Vec<GroupRow>,
    rows: Vec<LateRow>,
    pager: Pager,
}

/// The stale threshold asked for, within reason.
fn days_of(query: &LateQuery) -> u32 {
    query.days.unwrap_or(DEFAULT_DAYS).clamp(1, 60)
}

fn late_rows(chrome: &Chrome, names: &Names, late: &Lateness) -> (Vec<GroupRow>, Vec<GroupRow>, Vec<LateRow>) {
    let unclaimed = chrome.t.get("supervision.unclaimed").to_string();
    let group = |groups: &[gongzhi_store::LateGroup], name: &dyn Fn(i64) -> String| {
        groups
            .iter()
            .map(|g| GroupRow {
                name: g.id.map(name).unwrap_or_else(|| unclaimed.clone()),
                stale: g.stale,
                overdue: g.overdue,
            })
            .collect::<Vec<_>>()
    };
    let by_unit = group(&late.by_unit, &|id| names.unit(id));
    let by_cadre = group(&late.by_cadre, &|id| names.person(id));
    let rows = late
        .items
        .iter()
        .map(|l| LateRow {
            request_id: l.request_id,
            number: l.number.clone(),
            title: l.title.clone(),
            unit: l.unit_id.map(|u| names.unit(u)).unwrap_or_default(),
            cadre: l.handler_id.map(|h| names.person(h)).unwrap_or_else(|| unclaimed.clone()),
            status: chrome.t.status(l.status),
            last_step: when(l.last_step),
            idle_days: l.idle_days,
            due: l.resolve_by.map(when).unwrap_or_default(),
            stale: l.stale,
            overdue: l.overdue,
        })
        .collect();
    (by_unit, by_cadre, rows)
}

pub async fn late(State(state): State<AppState>, chrome: Chrome, Query(query): Query<LateQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor, Role::Leader]) else { return Ok(refuse(&chrome)) };
    let days = days_of(&query);
    let late = state.store.lateness(&user.staff(), days, time::now()).await?;
    let names = Names::load(&state).await?;
    let (by_unit, by_cadre, rows) = late_rows(&chrome, &names, &late);
    let pager = Pager::new(format!("/work/supervision/late?days={days}"), query.page, rows.len() as i64);
    let rows = rows.into_iter().skip(pager.offset() as usize).take(super::PER_PAGE as usize).collect();
    let template =
        LatePage { chrome: &chrome, supervisor: user.role == Role::Supervisor, days, by_unit, by_cadre, rows, pager };
    Ok(page(&chrome, &template))
}

pub async fn late_export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<LateQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor, Role::Leader]) else { return Ok(refuse(&chrome)) };
    let late = state.store.lateness(&user.staff(), days_of(&query), time::now()).await?;
    let names = Names::load(&state).await?;
    let (by_unit, by_cadre, rows) = late_rows(&chrome, &names, &late);
    let t = &chrome.t;
    let yes_no = |flag: bool| Cell::Text(t.get(if flag { "supervision.yes" } else { "supervision.no" }).into());
    let header = |keys: &[&str]| keys.iter().map(|k| t.get(k).to_string()).collect::<Vec<_>>();
    let groups = |name: &str, key: &str, groups: Vec<GroupRow>| Sheet {
        name: name.to_string(),
        header: header(&[key, "supervision.stale", "supervision.overdue"]),
        rows: groups.into_iter().map(|g| vec![Cell::Text(g.name), Cell::Int(g.stale), Cell::Int(g.overdue)]).collect(),
    };
    let sheets = [
        Sheet {
            name: t.get("supervision.late").into(),
            header: header(&[
                "request.number",
                "request.title",
                "request.assignee",
                "supervision.cadre",
                "request.status",
                "supervision.last_step",
                "supervision.idle_days",
                "request.resolve_by",
                "supervision.stale",
                "supervision.overdue",
            ]),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.number),
                        Cell::Text(r.title),
                        Cell::Text(r.unit),
                        Cell::Text(r.cadre),
                        Cell::Text(r.status.into()),
                        Cell::Text(r.last_step),
                        Cell::Int(i64::from(r.idle_days)),
                        Cell::Text(r.due),
                        yes_no(r.stale),
                        yes_no(r.overdue),
                    ]
                })
                .collect(),
        },
        groups(t.get("supervision.by_unit"), "request.assignee", by_unit),
        groups(t.get("supervision.by_cadre"), "supervision.cadre", by_cadre),
    ];
    Ok(export::download("late.xlsx", sheets.into()).await)
}
