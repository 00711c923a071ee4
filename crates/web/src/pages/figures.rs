//! What dashboards, lists and bulletins share: the scope and period a page is asked
//! for, the measures as figures that link to their requests, a bulletin's content as a
//! page shows it, and the page behind every figure (`/work/figures`), which lists exactly
//! the requests the figure counts.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use gongzhi_domain::bulletin::{CategoryCount, Content, Period, PeriodKind};
use gongzhi_domain::figures::{self, Makeup, Measure, Selection};
use gongzhi_domain::measures::{rate, Measures, Scoring};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::unit::Unit;
use gongzhi_store::{FigureScope, StoreError};
use serde::Deserialize;
use serde_json::json;

use super::{page, Chrome, PageError, PageResult};
use crate::export::{Cell, Sheet};
use crate::AppState;

/// Rows a page of requests shows.
pub const PAGE: i64 = 50;

/// The unit and period fields of a page's query string, as the browser sends them.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ScopeQuery {
    pub unit: String,
    pub from: String,
    pub to: String,
}

/// A unit of the viewer's subtree and a period.
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit: Unit,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Scope {
    /// `unit=…&from=…&to=…`, for links to other pages of the same scope and period.
    pub fn query(&self) -> String {
        format!("unit={}&from={}&to={}", self.unit.id, self.from, self.to)
    }

    pub fn figure_href(&self, figure: &str) -> String {
        format!("/work/figures?{}&figure={figure}", self.query())
    }

    pub fn period(&self) -> Period {
        Period { kind: PeriodKind::Custom, from: self.from, to: self.to }
    }
}

/// The scope asked for: the viewer's own unit and `default` period unless the query
/// names others; or the message key of what is wrong with it.
pub async fn scope_of(
    state: &AppState,
    staff: &Staff,
    query: &ScopeQuery,
    default: (NaiveDate, NaiveDate),
) -> Result<Scope, &'static str> {
    let date = |text: &str, fallback: NaiveDate| {
        if text.trim().is_empty() {
            Ok(fallback)
        } else {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| "publish.bad_period")
        }
    };
    let from = date(&query.from, default.0)?;
    let to = date(&query.to, default.1)?;
    Period::custom(from, to).ok_or("publish.bad_period")?;
    let unit_id = if query.unit.trim().is_empty() {
        staff.unit_id
    } else {
        query.unit.trim().parse().map_err(|_| "publish.bad_unit")?
    };
    let unit = state.store.unit(unit_id).await.map_err(|_| "publish.bad_unit")?;
    if !staff.covers(&unit.path) {
        return Err("publish.bad_unit");
    }
    Ok(Scope { unit, from, to })
}

/// The units a viewer may pick: their subtree, parents first.
pub async fn units_in_scope(state: &AppState, staff: &Staff) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(state.store.units().await?.into_iter().filter(|u| staff.covers(&u.path)).map(|u| (u.id, u.name)).collect())
}

/// One figure as a page shows it, with the requests behind it a click away and a line
/// saying how it is computed.
pub struct FigureView {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    /// For a rate, `part / whole`.
    pub parts: String,
    pub href: Option<String>,
    pub how: String,
}

/// A figure's value as pages show it: the measure's display, and 数据不足 for a score
/// withheld for too little data.
pub fn shown(chrome: &Chrome, measure: Measure, m: &Measures) -> String {
    if measure == Measure::CompositeScore && m.too_little_data {
        chrome.t.get("measure.too_little_data").to_string()
    } else {
        figures::display(measure, m)
    }
}

/// How a measure is computed, in a line. The composite score names its weights and
/// minimum as `scoring` has them; `None` for a bulletin kept before they were recorded.
pub fn how(chrome: &Chrome, measure: Measure, scoring: Option<&Scoring>) -> String {
    let t = &chrome.t;
    if measure != Measure::CompositeScore {
        return t.lookup(&format!("how.{}", measure.as_str())).to_string();
    }
    let Some(scoring) = scoring else { return t.get("how.composite_unrecorded").to_string() };
    let weight = |w: f64| if w.fract() == 0.0 { format!("{w:.0}") } else { format!("{w:.1}") };
    let weighed = scoring.weighed();
    let terms: Vec<String> = weighed
        .iter()
        .map(|(m, w)| format!("{}×{}", t.lookup(&format!("measure.{}", m.as_str())), weight(*w)))
        .collect();
    t.get("how.composite_score")
        .replace("{terms}", &terms.join(" + "))
        .replace("{total}", &weight(weighed.iter().map(|(_, w)| w).sum()))
        .replace("{minimum}", &scoring.minimum.to_string())
}

/// Every measure of SPEC section 4, in its order; linked when `scope` is given.
pub fn figure_views(
    chrome: &Chrome,
    m: &Measures,
    scope: Option<&Scope>,
    scoring: Option<&Scoring>,
) -> Vec<FigureView> {
    Measure::ALL
        .iter()
        .map(|measure| FigureView {
            id: measure.as_str(),
            label: chrome.t.lookup(&format!("measure.{}", measure.as_str())),
            value: shown(chrome, *measure, m),
            parts: match measure.makeup() {
                Makeup::Rate { part, whole } => format!("{} / {}", m.counters.get(part), m.counters.get(whole)),
                _ => String::new(),
            },
            href: scope.map(|s| s.figure_href(measure.as_str())),
            how: how(chrome, *measure, scoring),
        })
        .collect()
}

/// Places or departments, each ranked among their own.
pub struct RankGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<RankLine>,
}

/// A sub-unit's line in a ranking.
pub struct RankLine {
    pub rank: String,
    pub name: String,
    pub figures: Vec<FigureView>,
}

/// A category's line: how many came in, how many the period before.
pub struct CategoryLine {
    pub name: String,
    pub count: i64,
    pub previous: i64,
    pub href: Option<String>,
}

/// A bulletin's or a dashboard's content as a page shows it.
pub struct ContentView {
    pub unit: String,
    pub period: String,
    pub generated: String,
    /// A bulletin whose period was not over when its figures were taken (临时通报).
    pub provisional: bool,
    pub figures: Vec<FigureView>,
    /// The columns of the ranking: the measures each line shows.
    pub ranking_columns: Vec<&'static str>,
    pub ranking: Vec<RankGroup>,
    pub top: Vec<CategoryLine>,
    pub hot: Vec<CategoryLine>,
    pub overdue_units: Vec<(String, i64, Option<String>)>,
    pub callbacks: Option<CallbackView>,
    pub inspections: Option<super::bulletin_sections::InspectionView>,
    pub enterprises: Option<super::bulletin_sections::EnterpriseView>,
    pub tasks: Option<super::bulletin_sections::TaskView>,
    /// Chart data for app.js: the ranking's scores and the top categories.
    pub ranking_chart: String,
    pub category_chart: String,
}

pub struct CallbackView {
    pub sampled: i64,
    pub reached: i64,
    pub rate: String,
    /// Each question's words, how many said yes, and its name.
    pub answers: Vec<(&'static str, i64, String)>,
    /// The start of the callback figures' links (`…&figure=callbacks.`), on staff pages.
    pub href: Option<String>,
}

/// The measures a ranking line shows.
pub const RANKED: &[Measure] = &[
    Measure::Intake,
    Measure::ResponseRate,
    Measure::ClosureRate,
    Measure::OnTimeRate,
    Measure::SatisfactionRate,
    Measure::OverdueCount,
    Measure::CompositeScore,
];

/// `links` is the scope of the content when its figures should link to their requests
/// (staff pages); public and printed pages pass `None`.
pub fn content_view(chrome: &Chrome, content: &Content, links: Option<&Scope>) -> ContentView {
    let t = &chrome.t;
    let child_scope =
        |unit_id: i64| links.map(|s| Scope { unit: Unit { id: unit_id, ..s.unit.clone() }, from: s.from, to: s.to });
    let lines: Vec<(bool, RankLine)> = content
        .ranking
        .iter()
        .map(|r| {
            let scope = child_scope(r.unit.id);
            let all = figure_views(chrome, &r.measures, scope.as_ref(), content.scoring.as_ref());
            let line = RankLine {
                rank: r.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                name: r.unit.name.clone(),
                figures: all.into_iter().filter(|f| RANKED.iter().any(|m| m.as_str() == f.id)).collect(),
            };
            (r.unit.department, line)
        })
        .collect();
    let chart_names: Vec<String> = lines.iter().map(|(_, l)| l.name.clone()).collect();
    let mut ranking: Vec<RankGroup> = Vec::new();
    for (department, line) in lines {
        let (id, title) = if department {
            ("ranking-departments", t.get("publish.ranking_departments"))
        } else {
            ("ranking", t.get("publish.ranking_places"))
        };
        match ranking.last_mut() {
            Some(group) if group.id == id => group.lines.push(line),
            _ => ranking.push(RankGroup { id, title, lines: vec![line] }),
        }
    }
    let category = |c: &CategoryCount| CategoryLine {
        name: if c.name.is_empty() { t.get("publish.no_category").to_string() } else { c.name.clone() },
        count: c.count,
        previous: c.previous,
        href: links.map(|s| format!("{}&category={}", s.figure_href("intake"), c.category_id.unwrap_or(0))),
    };
    let top: Vec<CategoryLine> = content.top_categories.iter().map(category).collect();
    let period = match t.lang {
        crate::i18n::Lang::Zh => content.period.label_zh(),
        crate::i18n::Lang::En => content.period.label_en(),
    };
    ContentView {
        unit: content.unit.name.clone(),
        period,
        generated: time::display(content.generated_at),
        provisional: false,
        figures: figure_views(chrome, &content.measures, links, content.scoring.as_ref()),
        ranking_columns: RANKED.iter().map(|m| t.lookup(&format!("measure.{}", m.as_str()))).collect(),
        ranking_chart: json!({
            "labels": chart_names,
            "series": [{
                "name": t.get("measure.composite_score"),
                "type": "bar",
                "data": content.ranking.iter().map(|r| r.measures.composite_score.map(|s| (s * 10.0).round() / 10.0)).collect::<Vec<_>>(),
            }],
        })
        .to_string(),
        category_chart: json!({
            "labels": top.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            "series": [{ "name": t.get("measure.intake"), "type": "bar", "data": top.iter().map(|c| c.count).collect::<Vec<_>>() }],
        })
        .to_string(),
        ranking,
        top,
        hot: content.hot_categories.iter().map(category).collect(),
        overdue_units: content
            .overdue_units
            .iter()
            .map(|u| (u.unit.name.clone(), u.overdue_count, child_scope(u.unit.id).map(|s| s.figure_href("overdue_count"))))
            .collect(),
        callbacks: content.callbacks.as_ref().map(|c| CallbackView {
            sampled: c.sampled,
            reached: c.reached,
            rate: super::leader::percent(c.callback_rate()),
            answers: c
                .answers
                .iter()
                .map(|(q, n)| (t.lookup(&format!("publish.question.{q}")), *n, q.clone()))
                .collect(),
            href: links.map(|s| s.figure_href("callbacks.")),
        }),
        inspections: content.inspections.as_ref().map(|i| super::bulletin_sections::view(i, links)),
        enterprises: content.enterprises.as_ref().map(|e| super::bulletin_sections::enterprise_view(chrome, e, links)),
        tasks: content.tasks.as_ref().map(|s| super::bulletin_sections::task_view(chrome, s, links)),
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct FigureQuery {
    #[serde(flatten)]
    scope: ScopeQuery,
    /// A measure (`closure_rate`) or one of its counters (`dispatched_resolved`).
    figure: String,
    /// Which counter of the figure to list, when it has several.
    list: String,
    category: String,
    page: String,
}

/// A counter of the figure, with how many requests it counts and its link.
pub struct PartView {
    pub name: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub current: bool,
}

/// A listed request.
pub struct Line {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: &'static str,
    pub at: String,
    /// For a rate: whether the request is also in the part (✓).
    pub in_part: Option<bool>,
}

#[derive(Template)]
#[template(path = "dashboard/figure.html")]
struct FigurePage<'a> {
    chrome: &'a Chrome,
    unit: String,
    from: String,
    to: String,
    label: &'static str,
    /// `part / whole = rate` for a rate.
    value: String,
    parts: Vec<PartView>,
    /// For a composite score: the measures it weighs, with their weights.
    measures: Vec<(String, String)>,
    category: Option<String>,
    lines: Vec<Line>,
    in_part_label: Option<&'static str>,
    page: i64,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
    back: String,
    /// The spreadsheet of the requests listed, every page of them.
    export: Option<String>,
    error: Option<&'static str>,
}

/// The requests behind a figure, a page at a time.
pub async fn figure(State(state): State<AppState>, chrome: Chrome, Query(query): Query<FigureQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let today = time::local_date(now);
    let mut template = FigurePage {
        chrome: &chrome,
        unit: String::new(),
        from: String::new(),
        to: String::new(),
        label: "",
        value: String::new(),
        parts: vec![],
        measures: vec![],
        category: None,
        lines: vec![],
        in_part_label: None,
        page: 1,
        total: 0,
        prev: None,
        next: None,
        back: "/work/dashboard".into(),
        export: None,
        error: None,
    };
    let scope = match scope_of(&state, &staff, &query.scope, (today - chrono::Duration::days(29), today)).await {
        Ok(scope) => scope,
        Err(key) => return Ok(refuse(&chrome, template, key)),
    };
    template.unit = scope.unit.name.clone();
    template.from = scope.from.to_string();
    template.to = scope.to.to_string();
    template.back = format!("/work/dashboard?{}", scope.query());
    let category: Option<i64> = match query.category.trim() {
        "" => None,
        text => match text.parse() {
            Ok(id) => Some(id),
            Err(_) => return Ok(refuse(&chrome, template, "publish.bad_figure")),
        },
    };
    if let Some(id) = category.filter(|id| *id != 0) {
        match state.store.category(id).await {
            Ok(c) => template.category = Some(c.name),
            Err(error) => {
                PageError::refusal(error)?;
                return Ok(refuse(&chrome, template, "publish.bad_figure"));
            }
        }
    } else if category == Some(0) {
        template.category = Some(chrome.t.get("publish.no_category").to_string());
    }
    if let Some(name) = query.figure.strip_prefix("callbacks.") {
        let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
        return callback_figure(&state, template, &staff, &scope, name, page_number).await;
    }
    // A measure lists its counters; a counter lists itself.
    let (label, names, part) = match listing(&chrome, &query.figure) {
        Listing::Counters { label, names, part } => (label, names, part),
        Listing::Score(measure) => {
            let scoring = state.store.settings().scoring;
            template.label = chrome.t.lookup(&format!("measure.{}", measure.as_str()));
            template.value = how(&chrome, measure, Some(&scoring));
            template.measures = scoring
                .weighed()
                .iter()
                .map(|(m, w)| {
                    let name = chrome.t.lookup(&format!("measure.{}", m.as_str()));
                    (format!("{name} × {w}"), scope.figure_href(m.as_str()))
                })
                .collect();
            return Ok(page(&chrome, &template));
        }
        Listing::Unknown => return Ok(refuse(&chrome, template, "publish.bad_figure")),
    };
    template.label = label;
    let listed = names.iter().copied().find(|n| *n == query.list).unwrap_or(names[0]);
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let figure_scope = FigureScope { unit: &scope.unit, from: scope.from, to: scope.to, category };
    let base = format!(
        "/work/figures?{}&figure={}{}",
        scope.query(),
        query.figure,
        category.map(|c| format!("&category={c}")).unwrap_or_default()
    );
    let mut counts = Vec::new();
    for name in &names {
        let Some(selection) = Selection::by_name(name) else { continue };
        let (offset, limit) = if *name == listed { ((page_number - 1) * PAGE, PAGE) } else { (0, 1) };
        let found = state.store.figure_requests(selection, &figure_scope, now, offset, limit).await?;
        counts.push((*name, found.total));
        if *name == listed {
            let part_selection = part.and_then(Selection::by_name);
            template.total = found.total;
            template.lines = found
                .items
                .iter()
                .map(|r| Line {
                    id: r.id,
                    number: r.number.clone(),
                    title: r.new.title.clone(),
                    status: chrome.t.status(r.status),
                    at: selection.at.of(r).map(time::display).unwrap_or_default(),
                    in_part: part_selection
                        .filter(|_| *name != part.unwrap_or_default())
                        .map(|p| p.counts(r, now).is_some()),
                })
                .collect();
        }
    }
    template.parts = counts
        .iter()
        .map(|(name, count)| PartView {
            name,
            label: chrome.t.lookup(&format!("counter.{name}")),
            count: *count,
            href: format!("{base}&list={name}"),
            current: *name == listed,
        })
        .collect();
    template.value = match (part, counts.as_slice()) {
        (Some(_), [(_, whole), (_, part)]) => {
            rate(*part, *whole).map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
        }
        _ => counts.iter().map(|(_, n)| n).sum::<i64>().to_string(),
    };
    if part.is_some() && listed != part.unwrap_or_default() {
        template.in_part_label = part.map(|p| chrome.t.lookup(&format!("counter.{p}")));
    }
    template.page = page_number;
    template.export = Some(format!("{}&list={listed}", base.replacen("/work/figures?", "/work/figures.xlsx?", 1)));
    let pages = |n: i64| format!("{base}&list={listed}&page={n}");
    template.prev = (page_number > 1).then(|| pages(page_number - 1));
    // A count of repeat calls is more than the requests it lists: a short page is the last.
    let full = template.lines.len() as i64 == PAGE;
    template.next = (page_number * PAGE < template.total && full).then(|| pages(page_number + 1));
    Ok(page(&chrome, &template))
}

/// What a figure lists: a measure's or a counter's counters (whole first, then part for
/// a rate), or the measures a score weighs.
enum Listing {
    Counters { label: &'static str, names: Vec<&'static str>, part: Option<&'static str> },
    Score(Measure),
    Unknown,
}

fn listing(chrome: &Chrome, figure: &str) -> Listing {
    match (Measure::parse(figure), Selection::by_name(figure)) {
        (Some(measure), _) => {
            let label = chrome.t.lookup(&format!("measure.{}", measure.as_str()));
            match measure.makeup() {
                Makeup::Count(names) => Listing::Counters { label, names: names.to_vec(), part: None },
                Makeup::Rate { part, whole } => Listing::Counters { label, names: vec![whole, part], part: Some(part) },
                Makeup::Score(_) => Listing::Score(measure),
            }
        }
        (None, Some(selection)) => Listing::Counters {
            label: chrome.t.lookup(&format!("counter.{}", selection.name)),
            names: vec![selection.name],
            part: None,
        },
        (None, None) => Listing::Unknown,
    }
}

/// The requests a figure's page lists, all of them, as a spreadsheet: the same scope,
/// period, category and counter as the page, and the same columns.
pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<FigureQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let today = time::local_date(now);
    let bad = || Err(PageError::new(StatusCode::BAD_REQUEST, "error.title", "publish.bad_figure"));
    let Ok(scope) = scope_of(&state, &staff, &query.scope, (today - chrono::Duration::days(29), today)).await else {
        return bad();
    };
    let category: Option<i64> = match query.category.trim() {
        "" => None,
        text => match text.parse() {
            Ok(id) => Some(id),
            Err(_) => return bad(),
        },
    };
    let Listing::Counters { label, names, part } = listing(&chrome, &query.figure) else { return bad() };
    let listed = names.iter().copied().find(|n| *n == query.list).unwrap_or(names[0]);
    let Some(selection) = Selection::by_name(listed) else { return bad() };
    let figure_scope = FigureScope { unit: &scope.unit, from: scope.from, to: scope.to, category };
    let limit = crate::export::MAX_ROWS as i64;
    let found = state.store.figure_requests(selection, &figure_scope, now, 0, limit).await?;
    let t = &chrome.t;
    let part = part.filter(|p| *p != listed).and_then(Selection::by_name);
    let mut header: Vec<String> = ["request.number", "request.title", "request.status", "figure.at"]
        .iter()
        .map(|k| t.get(k).to_string())
        .collect();
    if let Some(p) = part {
        header.push(t.lookup(&format!("counter.{}", p.name)).to_string());
    }
    let rows = found
        .items
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::from(r.number.clone()),
                Cell::from(r.new.title.clone()),
                Cell::from(t.status(r.status)),
                Cell::from(selection.at.of(r).map(time::display)),
            ];
            if let Some(p) = part {
                row.push(Cell::from(if p.counts(r, now).is_some() { "✓" } else { "" }));
            }
            row
        })
        .collect();
    let name = format!("{label}-{}", t.lookup(&format!("counter.{listed}")));
    let sheet = Sheet { name: name.clone(), header, rows };
    Ok(crate::export::download(&format!("{name}-{}-{}-{}.xlsx", scope.unit.name, scope.from, scope.to), vec![sheet])
        .await)
}

/// The requests behind a callback figure (`callbacks.sampled`, `callbacks.reached`, or a
/// question's `callbacks.satisfied`…): those the callback summary names. A request called
/// in two samples counts twice and is listed once.
async fn callback_figure(
    state: &AppState,
    mut template: FigurePage<'_>,
    staff: &Staff,
    scope: &Scope,
    name: &str,
    page_number: i64,
) -> PageResult {
    let chrome = template.chrome;
    let summary = match state.store.callback_summary(scope.unit.id, scope.from, scope.to).await {
        Ok(summary) => summary,
        Err(error) => {
            PageError::refusal(error)?;
            return Ok(refuse(chrome, template, "publish.bad_period"));
        }
    };
    let (label, figure) = match name {
        "sampled" => (chrome.t.get("bulletin.callbacks_sampled"), &summary.sampled),
        "reached" => (chrome.t.get("bulletin.callbacks_reached"), &summary.reached),
        question => match summary.questions.iter().find(|q| q.question.as_str() == question) {
            Some(tally) => (chrome.t.lookup(&format!("publish.question.{question}")), &tally.passed),
            None => return Ok(refuse(chrome, template, "publish.bad_figure")),
        },
    };
    template.label = label;
    template.value = figure.count.to_string();
    template.total = figure.request_ids.len() as i64;
    template.page = page_number;
    let start = ((page_number - 1) * PAGE) as usize;
    for id in figure.request_ids.iter().skip(start).take(PAGE as usize) {
        let r = state.store.request(*id, staff).await?;
        template.lines.push(Line {
            id: r.id,
            number: r.number,
            title: r.new.title,
            status: chrome.t.status(r.status),
            at: r.first_resolved_at.map(time::display).unwrap_or_default(),
            in_part: None,
        });
    }
    let pages = |n: i64| format!("/work/figures?{}&figure=callbacks.{name}&page={n}", scope.query());
    template.prev = (page_number > 1).then(|| pages(page_number - 1));
    template.next = (page_number * PAGE < template.total).then(|| pages(page_number + 1));
    Ok(page(chrome, &template))
}

fn refuse(chrome: &Chrome, mut template: FigurePage<'_>, key: &'static str) -> Response {
    template.error = Some(key);
    let mut response = page(chrome, &template);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, Messages};
    use gongzhi_domain::bulletin::BulletinStatus;
    use gongzhi_domain::figures::{Measure, SELECTIONS};
    use gongzhi_domain::supervision::{Question, Rule};

    /// The words these pages look up by a name made at run time.
    #[test]
    fn every_measure_counter_rule_and_question_has_words() {
        let mut keys: Vec<String> = Measure::ALL.iter().map(|m| format!("measure.{m}")).collect();
        keys.extend(Measure::ALL.iter().filter(|m| **m != Measure::CompositeScore).map(|m| format!("how.{m}")));
        keys.extend(SELECTIONS.iter().map(|s| format!("counter.{}", s.name)));
        keys.extend(Rule::ALL.iter().map(|r| format!("lists.rule.{r}")));
        keys.extend(Question::ALL.iter().map(|q| format!("publish.question.{q}")));
        keys.extend(BulletinStatus::ALL.iter().map(|s| format!("bulletin.status.{s}")));
        keys.extend(["lists.problem", "lists.task", "lists.outcome"].map(String::from));
        for lang in [Lang::Zh, Lang::En] {
            for key in &keys {
                assert_ne!(Messages::new(lang).lookup(key), "?", "{key} in {lang:?}");
            }
        }
    }
}
