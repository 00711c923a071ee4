//! Inspection pages: the figures leaders and inspectors drill down (ranking → point →
//! round → failed items → their requests), the phone page an inspector marks a round on
//! — each item saved by its own POST, so a lost connection loses nothing already saved —
//! and the reinspection form of a rectification. The admin's pages are in
//! `inspection_admin`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use gongzhi_app::inspection::{self as inspect, RoundView};
use gongzhi_app::AppError;
use gongzhi_domain::inspection::{Mark, RoundStatus};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Role;
use gongzhi_store::inspection::{Campaign, Point, RectificationFilter, RectificationLine, Round, ScoreLine};
use gongzhi_store::Account;
use serde::Deserialize;

use super::upload::Posted;
use super::{page, same_site_form, Chrome, CsrfForm, PageError, PageResult};
use crate::error::ApiError;
use crate::export::{self, Cell, Sheet};
use crate::AppState;

/// Rows a list shows at most.
const SHOWN: i64 = 200;

pub(crate) fn failed(error: AppError) -> PageError {
    PageError::from(ApiError::from(error))
}

/// The words of an error for a fragment or a form, in the viewer's language.
pub(crate) fn words(chrome: &Chrome, error: AppError) -> (StatusCode, String) {
    let error = ApiError::from(error);
    (error.status, error.text.in_lang(chrome.t.lang))
}

pub(crate) fn signed_in(chrome: &Chrome) -> Result<&Account, Response> {
    chrome.user.as_ref().ok_or_else(|| chrome.to_login())
}

/// Who looks at inspections: inspectors, leaders, supervisors and admins.
fn may_see(role: Role) -> bool {
    matches!(role, Role::Inspector | Role::Leader | Role::Supervisor | Role::Admin)
}

/// The newest version of each checklist, by name (the store lists the newest first).
fn newest_checklists(all: Vec<gongzhi_store::inspection::ChecklistHead>) -> Vec<(i64, String)> {
    let mut newest: Vec<(i64, String)> = Vec::new();
    for c in all {
        if !newest.iter().any(|(_, name)| *name == c.name) {
            newest.push((c.id, c.name));
        }
    }
    newest
}

/// Who looks at the figures: signed in, and of a role that watches inspections.
pub(crate) fn viewer(chrome: &Chrome) -> Result<Result<&Account, Response>, PageError> {
    match signed_in(chrome) {
        Ok(user) if may_see(user.role) => Ok(Ok(user)),
        Ok(_) => Err(PageError::forbidden("inspection.who")),
        Err(to_login) => Ok(Err(to_login)),
    }
}

pub(crate) fn percent(earned: i64, possible: i64) -> String {
    match possible {
        0 => "—".into(),
        _ => format!("{:.1}", (earned as f64 * 1000.0 / possible as f64).round() / 10.0),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

fn period(query: &PeriodQuery) -> Result<(NaiveDate, NaiveDate), PageError> {
    let today = time::local_date(time::now());
    let date = |text: &str, default: NaiveDate| {
        if text.is_empty() {
            Ok(default)
        } else {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "error.title", "inspection.bad_period"))
        }
    };
    let to = date(&query.to, today)?;
    let from = date(&query.from, to - Duration::days(29))?;
    if from > to || (to - from).num_days() > 366 {
        return Err(PageError::new(StatusCode::BAD_REQUEST, "error.title", "inspection.bad_period"));
    }
    Ok((from, to))
}

/// Who looks at the figures of which period: the viewer, the period's dates and its
/// bounds; or the login page to answer instead.
type FiguresOf<'a> = (&'a Account, NaiveDate, NaiveDate, (Millis, Millis));

fn figures_of<'a>(chrome: &'a Chrome, query: &PeriodQuery) -> Result<Result<FiguresOf<'a>, Response>, PageError> {
    let user = match viewer(chrome)? {
        Ok(user) => user,
        Err(to_login) => return Ok(Err(to_login)),
    };
    let (from, to) = period(query)?;
    Ok(Ok((user, from, to, inspect::period(from, to))))
}

struct Ranked {
    rank: usize,
    line: ScoreLine,
    score: String,
}

#[derive(Template)]
#[template(path = "inspection/home.html")]
struct Home<'a> {
    chrome: &'a Chrome,
    from: String,
    to: String,
    units: Vec<Ranked>,
    points: Vec<Ranked>,
    /// Each campaign with its points in the viewer's scope, to start a round at.
    campaigns: Vec<(Campaign, Vec<(i64, String)>)>,
    /// The newest version of each checklist, for a round outside any campaign.
    checklists: Vec<(i64, String)>,
    mine: Vec<Round>,
    is_inspector: bool,
    is_admin: bool,
    open_total: usize,
    overdue_total: usize,
}

/// `/work/inspections`: the units ranked by score over the period, the points, open and
/// overdue rectifications, and for an inspector their rounds and where to start one.
pub async fn home(State(state): State<AppState>, chrome: Chrome, Query(query): Query<PeriodQuery>) -> PageResult {
    let (user, from, to, bounds) = match figures_of(&chrome, &query)? {
        Ok(found) => found,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let now = time::now();
    let rank = |lines: Vec<ScoreLine>| {
        lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| Ranked { rank: i + 1, score: percent(line.earned, line.possible), line })
            .collect::<Vec<_>>()
    };
    let store = &state.store;
    let rankings = store.rankings(&staff, bounds, now).await?;
    let (units, points) = (rank(rankings.units), rank(rankings.points));
    let is_inspector = user.role == Role::Inspector;
    // Only an inspector starts rounds: the others' page reads nothing of what that takes.
    let (campaigns, checklists, mine) =
        if is_inspector { where_to_start(store, &staff).await? } else { Default::default() };
    let template = Home {
        chrome: &chrome,
        from: from.to_string(),
        to: to.to_string(),
        open_total: units.iter().map(|u| u.line.open as usize).sum(),
        overdue_total: units.iter().map(|u| u.line.overdue as usize).sum(),
        units,
        points,
        campaigns,
        checklists,
        mine,
        is_inspector,
        is_admin: user.role == Role::Admin,
    };
    Ok(page(&chrome, &template))
}

/// An inspector's campaigns with their points in scope, the checklists for a round
/// outside any campaign, and their latest rounds.
type StartSection = (Vec<(Campaign, Vec<(i64, String)>)>, Vec<(i64, String)>, Vec<Round>);

async fn where_to_start(store: &gongzhi_store::Store, staff: &Staff) -> Result<StartSection, PageError> {
    let in_scope = store.points(staff).await?;
    let mut campaigns = Vec::new();
    for campaign in store.campaigns().await? {
        let on = store.campaign_points(campaign.id).await?;
        let names = in_scope
            .iter()
            .filter(|p| on.iter().any(|a| a.point_id == p.id))
            .map(|p| (p.id, p.name.clone()))
            .collect::<Vec<_>>();
        if !names.is_empty() {
            campaigns.push((campaign, names));
        }
    }
    let mine = store.rounds(staff, None, 20).await?.into_iter().filter(|r| r.inspector_id == staff.user_id).collect();
    Ok((campaigns, newest_checklists(store.checklists().await?), mine))
}

#[derive(Template)]
#[template(path = "inspection/point.html")]
struct PointPage<'a> {
    chrome: &'a Chrome,
    p: Point,
    volunteers: String,
    rounds: Vec<(Round, String, String)>,
    open: usize,
}

pub async fn point(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match viewer(&chrome)? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let p = state.store.point(&staff, id).await?;
    let rounds = state.store.rounds(&staff, Some(id), SHOWN).await?;
    let rounds = rounds
        .into_iter()
        .map(|r| {
            let (score, when) = (percent(r.earned, r.possible), shown(Some(r.started_at)));
            (r, score, when)
        })
        .collect();
    let filter = RectificationFilter { point_id: Some(id), open: true, ..Default::default() };
    let open = state.store.rectifications(&staff, filter, time::now(), SHOWN).await?.len();
    let volunteers = state.store.point_volunteers(id).await?.join("、");
    Ok(page(&chrome, &PointPage { chrome: &chrome, p, volunteers, rounds, open }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RectificationQuery {
    unit: Option<i64>,
    point: Option<i64>,
    round: Option<i64>,
    open: Option<u8>,
    overdue: Option<u8>,
}

struct Line {
    r: RectificationLine,
    due: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "inspection/rectifications.html")]
struct Rectifications<'a> {
    chrome: &'a Chrome,
    lines: Vec<Line>,
    heading: &'static str,
    export: String,
}

/// Exactly the rectifications a count on the figures page counts.
/// Open past its deadline.
fn late(r: &RectificationLine, now: Millis) -> bool {
    r.resolve_by.is_some_and(|d| d < now) && gongzhi_domain::Status::parse(&r.status).is_some_and(|s| s.is_open())
}

impl RectificationQuery {
    /// The spreadsheet of the same list.
    fn export_link(&self) -> String {
        let flags = [("open", self.open), ("overdue", self.overdue)].map(|(name, v)| (name, v.map(i64::from)));
        let pairs: Vec<String> = [("unit", self.unit), ("point", self.point), ("round", self.round)]
            .into_iter()
            .chain(flags)
            .filter_map(|(name, value)| value.map(|v| format!("{name}={v}")))
            .collect();
        let link = "/work/inspections/rectifications.xlsx".to_string();
        if pairs.is_empty() {
            link
        } else {
            format!("{link}?{}", pairs.join("&"))
        }
    }

    fn filter(&self) -> RectificationFilter {
        RectificationFilter {
            unit_id: self.unit,
            point_id: self.point,
            round_id: self.round,
            open: self.open == Some(1),
            overdue: self.overdue == Some(1),
        }
    }
}

pub async fn rectifications(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<RectificationQuery>,
) -> PageResult {
    let user = match viewer(&chrome)? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let filter = q.filter();
    let now = time::now();
    let lines = state.store.rectifications(&user.staff(), filter, now, SHOWN).await?;
    let lines = lines
        .into_iter()
        .map(|r| Line { due: r.resolve_by.map(time::display).unwrap_or_default(), late: late(&r, now), r })
        .collect();
    let heading = match (filter.overdue, filter.open) {
        (true, _) => "inspection.overdue_list",
        (false, true) => "inspection.open_list",
        _ => "inspection.all_list",
    };
    let export = q.export_link();
    Ok(page(&chrome, &Rectifications { chrome: &chrome, lines, heading, export }))
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    checklist: String,
}

/// Starts a round: on a campaign's checklist, or ad hoc on the one chosen.
pub async fn start(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    axum::Form(form): axum::Form<StartForm>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    if !same_site_form(&headers, &form.csrf) {
        return Err(PageError::forbidden("form.csrf"));
    }
    let number = |text: &str| text.trim().parse::<i64>().ok().filter(|n| *n > 0);
    let point = number(&form.point)
        .ok_or_else(|| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error.title", "inspection.choose_point"))?;
    let campaign = number(&form.campaign);
    let checklist = match campaign {
        Some(id) => state.store.campaigns().await?.into_iter().find(|c| c.id == id).map(|c| c.checklist_id),
        None => number(&form.checklist),
    }
    .ok_or_else(|| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error.title", "inspection.choose_checklist"))?;
    let round = inspect::start_round(&state.store, &user.staff(), point, checklist, campaign, time::now())
        .await
        .map_err(failed)?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/inspections/rounds/{round}"))]).into_response())
}

/// One item of a round as its form shows it.
pub struct ItemView {
    pub round_id: i64,
    pub id: i64,
    pub position: i64,
    pub text: String,
    pub points: i64,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub mark: &'static str,
    pub mark_label: &'static str,
    pub note: String,
    pub photos: i64,
    /// A finding of it is saved.
    pub saved: bool,
    pub open: bool,
    /// The words of the last save: done, or why not.
    pub said: Option<(bool, String)>,
    /// The rectification request a failed item became.
    pub request: Option<(i64, String)>,
}

fn items(view: &RoundView, rectified: &[RectificationLine], t: &crate::i18n::Messages) -> Vec<ItemView> {
    let open = view.round.status() == RoundStatus::Open;
    view.items
        .iter()
        .map(|(item, finding)| ItemView {
            round_id: view.round.id,
            id: item.id,
            position: item.position,
            text: item.text.clone(),
            points: item.points,
            severity: item.severity().as_str(),
            severity_label: t.lookup(&format!("severity.{}", item.severity().as_str())),
            mark: finding.as_ref().and_then(|f| f.mark()).map(Mark::as_str).unwrap_or(""),
            mark_label: finding
                .as_ref()
                .and_then(|f| f.mark())
                .map(|m| t.lookup(&format!("mark.{}", m.as_str())))
                .unwrap_or(""),
            note: finding.as_ref().map(|f| f.note.clone()).unwrap_or_default(),
            photos: finding.as_ref().map(|f| f.photos).unwrap_or(0),
            saved: finding.is_some(),
            open,
            said: None,
            request: rectified.iter().find(|r| r.item_id == item.id).map(|r| (r.request_id, r.number.clone())),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inspection/round.html")]
struct RoundPage<'a> {
    chrome: &'a Chrome,
    r: Round,
    started: String,
    items: Vec<ItemView>,
    marked: usize,
    score: String,
    mine: bool,
    error: Option<String>,
}

async fn show_round(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    id: i64,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let view = inspect::round(&state.store, staff, id).await.map_err(failed)?;
    let filter = RectificationFilter { round_id: Some(id), ..Default::default() };
    let rectified = state.store.rectifications(staff, filter, time::now(), SHOWN).await?;
    let items = items(&view, &rectified, &chrome.t);
    let marked = items.iter().filter(|i| !i.mark.is_empty()).count();
    let score = match view.score.percent() {
        Some(p) => format!("{p:.1}"),
        None => "—".into(),
    };
    let mine = view.round.inspector_id == staff.user_id && view.round.status() == RoundStatus::Open;
    let (status, error) = match error {
        Some((status, words)) => (status, Some(words)),
        None => (StatusCode::OK, None),
    };
    let template = RoundPage {
        chrome,
        started: shown(Some(view.round.started_at)),
        r: view.round,
        items,
        marked,
        score,
        mine,
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn round(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    show_round(&state, &chrome, &user.staff(), id, None).await
}

#[derive(Deserialize)]
pub struct MarkForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mark: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "inspection/item.html")]
struct ItemFragment<'a> {
    chrome: &'a Chrome,
    i: ItemView,
}

/// Saves one item and answers with the item's form as it now stands, saying it was
/// saved — or why not, with what was typed kept.
pub async fn mark(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path((round_id, item_id)): Path<(i64, i64)>,
    Posted { form, photos, problem }: Posted<MarkForm>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let view = inspect::round(&state.store, &staff, round_id).await.map_err(failed)?;
    let list = items(&view, &[], &chrome.t);
    let Some(mut item) = list.into_iter().find(|i| i.id == item_id) else {
        return Err(PageError::not_found());
    };
    let refusal = if let Some(problem) = problem {
        Some((problem.status(), chrome.t.get(problem.key()).to_string()))
    } else if !same_site_form(&headers, &form.csrf) {
        Some((StatusCode::FORBIDDEN, chrome.t.get("form.csrf").to_string()))
    } else if let Some(mark) = Mark::parse(&form.mark) {
        let saved =
            inspect::mark_item(&state.store, &staff, round_id, item_id, mark, &form.note, photos, time::now()).await;
        match saved {
            Ok(view) => {
                let fresh = items(&view, &[], &chrome.t).into_iter().find(|i| i.id == item_id);
                item = fresh.unwrap_or(item);
                None
            }
            Err(error) => Some(words(&chrome, error)),
        }
    } else {
        Some((StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("inspection.choose_mark").to_string()))
    };
    let status = match &refusal {
        Some((status, words)) => {
            item.mark = Mark::parse(&form.mark).map(Mark::as_str).unwrap_or("");
            item.note = form.note.clone();
            item.said = Some((false, words.clone()));
            *status
        }
        None => {
            item.said = Some((true, chrome.t.get("inspection.saved").to_string()));
            StatusCode::OK
        }
    };
    // A form sent without the page's script comes back to the round, at the item.
    let plain = headers.get("x-requested-with").is_none()
        && headers.get("accept").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if plain && status == StatusCode::OK {
        let back = format!("/work/inspections/rounds/{round_id}#item-{item_id}");
        return Ok((StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response());
    }
    let mut response = page(&chrome, &ItemFragment { chrome: &chrome, i: item });
    *response.status_mut() = status;
    Ok(response)
}

/// Finishes a round: the failed items become rectification requests.
pub async fn finish(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    if !same_site_form(&headers, &form.csrf) {
        let refusal = (StatusCode::FORBIDDEN, chrome.t.get("form.csrf").to_string());
        return show_round(&state, &chrome, &staff, id, Some(refusal)).await;
    }
    match inspect::finish_round(&state.store, &staff, id, time::now()).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/inspections/rounds/{id}"))]).into_response()),
        Err(error) => {
            let (status, mut said) = words(&chrome, error);
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                let view = inspect::round(&state.store, &staff, id).await.map_err(failed)?;
                if view.score.unmarked > 0 {
                    said = chrome.t.get("inspection.unmarked").replace("{n}", &view.score.unmarked.to_string());
                }
            }
            show_round(&state, &chrome, &staff, id, Some((status, said))).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReinspectForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
}

/// The reinspection of a rectification on site: passed, it closes; failed, rework.
pub async fn reinspect(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted { form, photos, problem }: Posted<ReinspectForm>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    if let Some(problem) = problem {
        return Err(PageError::new(problem.status(), "error.title", problem.key()));
    }
    if !same_site_form(&headers, &form.csrf) {
        return Err(PageError::forbidden("form.csrf"));
    }
    let passed = match form.result.as_str() {
        "pass" => true,
        "fail" => false,
        _ => return Err(PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error.title", "inspection.choose_result")),
    };
    inspect::reinspect(&state.store, &user.staff(), id, passed, &form.note, photos, time::now())
        .await
        .map_err(failed)?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/inspections/reinspect/{id}?done=1"))]).into_response())
}

#[derive(Template)]
#[template(path = "inspection/reinspect.html")]
struct ReinspectPage<'a> {
    chrome: &'a Chrome,
    request: gongzhi_domain::Request,
    point: Point,
    round_id: i64,
    done: bool,
    may: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<u8>,
}

/// The reinspection form of one rectification, beside what it is about.
pub async fn reinspect_form(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let r = state.store.rectification(id).await?.ok_or_else(PageError::not_found)?;
    let request = state.store.request(id, &staff).await?;
    let point = state.store.point(&staff, r.point_id).await?;
    let may = gongzhi_domain::inspection::may_reinspect(&staff, r.leader_id)
        && !matches!(request.status, gongzhi_domain::Status::Closed | gongzhi_domain::Status::Merged);
    let template =
        ReinspectPage { chrome: &chrome, request, point, round_id: r.round_id, done: q.done == Some(1), may };
    Ok(page(&chrome, &template))
}

/// A photo of a finding.
pub async fn photo(
    State(state): State<AppState>,
    chrome: Chrome,
    Path((round_id, item_id, n)): Path<(i64, i64, usize)>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    state.store.round(&user.staff(), round_id).await?;
    let photos = state.store.finding_photos(round_id, item_id).await?;
    let (_, kind, bytes) = photos.into_iter().nth(n.saturating_sub(1)).ok_or_else(PageError::not_found)?;
    Ok(([(axum::http::header::CONTENT_TYPE, kind)], bytes).into_response())
}

/// When a millisecond time is shown on these pages.
pub fn shown(at: Option<Millis>) -> String {
    at.map(time::display).unwrap_or_default()
}

/// `/work/inspections.xlsx`: the period's ranking of units and of points, as on the page.
pub async fn ranking_xlsx(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let (user, from, to, bounds) = match figures_of(&chrome, &query)? {
        Ok(found) => found,
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let now = time::now();
    let t = &chrome.t;
    let header: Vec<String> =
        ["hot.rank", "inspection.rounds", "inspection.score", "inspection.open", "inspection.overdue"]
            .iter()
            .map(|key| t.get(key).to_string())
            .collect();
    let mut sheets = Vec::new();
    let rankings = state.store.rankings(&staff, bounds, now).await?;
    for (lines, title, name) in [
        (rankings.units, "inspection.ranking", "inspection.unit"),
        (rankings.points, "inspection.points_title", "inspection.point"),
    ] {
        let rows = lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let score = l.score().percent().map(Cell::Number).unwrap_or(Cell::Empty);
                vec![
                    Cell::Int(i as i64 + 1),
                    Cell::Text(l.name),
                    Cell::Int(l.rounds),
                    score,
                    Cell::Int(l.open),
                    Cell::Int(l.overdue),
                ]
            })
            .collect();
        let mut columns = header.clone();
        columns.insert(1, t.get(name).to_string());
        sheets.push(Sheet { name: t.get(title).to_string(), header: columns, rows });
    }
    Ok(export::download(&format!("inspections-{from}-{to}.xlsx"), sheets).await)
}

/// `/work/inspections/rectifications.xlsx`: the rectifications a figure counts, with
/// the same filter as their list.
pub async fn rectifications_xlsx(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<RectificationQuery>,
) -> PageResult {
    let user = match viewer(&chrome)? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let now = time::now();
    let lines = state.store.rectifications(&user.staff(), q.filter(), now, export::MAX_ROWS as i64).await?;
    let t = &chrome.t;
    let header = [
        "inspection.number",
        "inspection.point",
        "inspection.item",
        "inspection.severity",
        "inspection.state",
        "inspection.due",
        "inspection.pressed",
    ]
    .iter()
    .map(|key| t.get(key).to_string())
    .collect();
    let rows = lines
        .into_iter()
        .map(|r| {
            let due = r.resolve_by.map(time::display).unwrap_or_default();
            let due = if late(&r, now) { format!("{due}（{}）", t.get("inspection.overdue")) } else { due };
            vec![
                Cell::Text(r.number),
                Cell::Text(r.point_name),
                Cell::Text(r.item_text),
                Cell::Text(t.lookup(&format!("severity.{}", r.severity)).to_string()),
                Cell::Text(t.lookup(&format!("status.{}", r.status)).to_string()),
                Cell::Text(due),
                Cell::Text(if r.order_id.is_some() { t.get("inspection.pressed").to_string() } else { String::new() }),
            ]
        })
        .collect();
    let sheet = Sheet { name: t.get("inspection.all_list").to_string(), header, rows };
    Ok(export::download("rectifications.xlsx", vec![sheet]).await)
}
