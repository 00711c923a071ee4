//! The sections of bulletins and dashboards beyond the measures: inspections (创文迎检:
//! the places ranked by the period's scores, the items failed most, the rectifications
//! overdue when the figures were taken) and 营商环境 (what enterprises raised). On staff
//! pages each count links to exactly what it counts.

use gongzhi_domain::bulletin::{EnterpriseSection, InspectionSection};
use gongzhi_domain::tasks::TaskSection;
use gongzhi_domain::time;

use super::figures::Scope;
use super::leader::percent;
use super::Chrome;
use crate::export::{Cell, Sheet};

pub struct InspectionView {
    pub rounds: i64,
    pub score: String,
    pub open: i64,
    pub overdue_count: i64,
    /// The ranking's lines: rank, place, rounds, score, open, overdue, and on staff
    /// pages the links of the open and overdue counts.
    pub units: Vec<UnitLine>,
    pub worst_items: Vec<(String, String, i64)>,
    /// Number, point, item, deadline, and the request's page on staff pages.
    pub overdue: Vec<(String, String, String, String, Option<String>)>,
    /// The period's figures page, on staff pages.
    pub href: Option<String>,
}

pub struct UnitLine {
    pub rank: String,
    pub name: String,
    pub rounds: i64,
    pub score: String,
    pub open: i64,
    pub overdue: i64,
    pub open_href: Option<String>,
    pub overdue_href: Option<String>,
}

fn shown(score: Option<f64>) -> String {
    score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into())
}

pub fn view(section: &InspectionSection, links: Option<&Scope>) -> InspectionView {
    let list =
        |unit: i64, which: &str| links.map(|_| format!("/work/inspections/rectifications?unit={unit}&{which}=1"));
    InspectionView {
        rounds: section.rounds,
        score: shown(section.score()),
        open: section.open,
        overdue_count: section.overdue_count,
        units: section
            .units
            .iter()
            .map(|u| UnitLine {
                rank: u.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                name: u.unit.name.clone(),
                rounds: u.rounds,
                score: shown(u.score()),
                open: u.open,
                overdue: u.overdue,
                open_href: list(u.unit.id, "open"),
                overdue_href: list(u.unit.id, "overdue"),
            })
            .collect(),
        worst_items: section.worst_items.iter().map(|i| (i.checklist.clone(), i.text.clone(), i.failures)).collect(),
        overdue: section
            .overdue
            .iter()
            .map(|r| {
                let page = links.map(|_| format!("/work/requests/{}", r.request_id));
                (r.number.clone(), r.point.clone(), r.item.clone(), time::display(r.resolve_by), page)
            })
            .collect(),
        href: links.map(|s| format!("/work/inspections?from={}&to={}", s.from, s.to)),
    }
}

/// The section as a worksheet: the totals, the ranking, the worst items and the overdue
/// rectifications, one block under another.
pub fn sheet(chrome: &Chrome, section: &InspectionSection) -> Sheet {
    let t = &chrome.t;
    let text = |key: &str| Cell::from(t.get(key));
    let mut rows = vec![
        vec![text("inspection.rounds"), Cell::Int(section.rounds)],
        vec![text("inspection.score"), section.score().map(Cell::Number).unwrap_or(Cell::Empty)],
        vec![text("inspection.open"), Cell::Int(section.open)],
        vec![text("inspection.overdue"), Cell::Int(section.overdue_count)],
        vec![],
        vec![
            text("bulletin.rank"),
            text("inspection.unit"),
            text("inspection.rounds"),
            text("inspection.score"),
            text("inspection.open"),
            text("inspection.overdue"),
        ],
    ];
    for u in &section.units {
        rows.push(vec![
            u.rank.map(|n| Cell::Int(n as i64)).unwrap_or(Cell::Empty),
            Cell::from(u.unit.name.as_str()),
            Cell::Int(u.rounds),
            u.score().map(Cell::Number).unwrap_or(Cell::Empty),
            Cell::Int(u.open),
            Cell::Int(u.overdue),
        ]);
    }
    rows.push(vec![]);
    rows.push(vec![text("inspection.checklist"), text("inspection.item"), text("publish.failures")]);
    for i in &section.worst_items {
        rows.push(vec![Cell::from(i.checklist.as_str()), Cell::from(i.text.as_str()), Cell::Int(i.failures)]);
    }
    rows.push(vec![]);
    rows.push(vec![
        text("inspection.number"),
        text("inspection.point"),
        text("inspection.item"),
        text("inspection.due"),
    ]);
    for r in &section.overdue {
        rows.push(vec![
            Cell::from(r.number.as_str()),
            Cell::from(r.point.as_str()),
            Cell::from(r.item.as_str()),
            Cell::Text(time::display(r.resolve_by)),
        ]);
    }
    Sheet { name: t.get("publish.inspections").into(), header: vec![t.get("publish.inspections").into()], rows }
}

/// The 营商环境 figures: counts, and rates as percentages.
pub struct EnterpriseView {
    pub figures: Vec<(&'static str, String)>,
    /// The period's enterprise requests in the search, on staff pages.
    pub href: Option<String>,
}

fn enterprise_figures(chrome: &Chrome, e: &EnterpriseSection) -> Vec<(&'static str, String)> {
    let t = &chrome.t;
    vec![
        (t.get("enterprise.received"), e.received.to_string()),
        (t.get("enterprise.resolved"), e.resolved.to_string()),
        (t.get("enterprise.resolve_rate"), percent(e.resolve_rate())),
        (t.get("enterprise.on_time_rate"), percent(e.on_time_rate())),
        (t.get("enterprise.satisfaction_rate"), percent(e.satisfaction_rate())),
        (t.get("enterprise.open_overdue"), e.open_overdue.to_string()),
    ]
}

pub fn enterprise_view(chrome: &Chrome, e: &EnterpriseSection, links: Option<&Scope>) -> EnterpriseView {
    EnterpriseView {
        figures: enterprise_figures(chrome, e),
        href: links
            .map(|s| format!("/work/search?unit={}&requester=enterprise&from={}&to={}", s.unit.id, s.from, s.to)),
    }
}

/// The 营商环境 figures as a worksheet.
pub fn enterprise_sheet(chrome: &Chrome, e: &EnterpriseSection) -> Sheet {
    let t = &chrome.t;
    Sheet {
        name: t.get("publish.enterprises").into(),
        header: vec![t.get("bulletin.measure").into(), t.get("bulletin.value").into()],
        rows: enterprise_figures(chrome, e).into_iter().map(|(k, v)| vec![Cell::from(k), Cell::Text(v)]).collect(),
    }
}

/// 重点任务推进: the milestones due in the period and how they stand, by owner unit.
pub struct TaskView {
    pub figures: Vec<(&'static str, String)>,
    /// Owner unit, due, on time, on-time rate, overdue, and on staff pages the link of
    /// the overdue count.
    pub units: Vec<(String, i64, i64, String, i64, Option<String>)>,
    /// The period's overdue milestones, on staff pages.
    pub overdue_href: Option<String>,
}

fn task_figures(chrome: &Chrome, s: &TaskSection) -> Vec<(&'static str, String)> {
    let t = &chrome.t;
    vec![
        (t.get("publish.tasks_due"), s.due.to_string()),
        (t.get("publish.tasks_on_time"), s.on_time.to_string()),
        (t.get("publish.tasks_late"), s.late.to_string()),
        (t.get("publish.tasks_in_review"), s.in_review.to_string()),
        (t.get("publish.tasks_overdue"), s.overdue.to_string()),
        (t.get("publish.tasks_sent_back"), s.sent_back.to_string()),
        (t.get("publish.tasks_rate"), percent(s.on_time_rate())),
    ]
}

pub fn task_view(chrome: &Chrome, s: &TaskSection, links: Option<&Scope>) -> TaskView {
    let overdue = |unit: i64| links.map(|s| format!("/work/tasks?overdue=1&unit={unit}&from={}&to={}", s.from, s.to));
    TaskView {
        figures: task_figures(chrome, s),
        units: s
            .units
            .iter()
            .map(|u| {
                let rate = percent(u.on_time_rate());
                (u.unit.name.clone(), u.due, u.on_time, rate, u.overdue, overdue(u.unit.id))
            })
            .collect(),
        overdue_href: links.and_then(|s| overdue(s.unit.id)),
    }
}

/// The 重点任务 figures and their units as a worksheet.
pub fn task_sheet(chrome: &Chrome, s: &TaskSection) -> Sheet {
    let t = &chrome.t;
    let mut rows: Vec<Vec<Cell>> =
        task_figures(chrome, s).into_iter().map(|(k, v)| vec![Cell::from(k), Cell::Text(v)]).collect();
    rows.push(vec![]);
    rows.push(vec![
        Cell::from(t.get("tasks.col.owner")),
        Cell::from(t.get("publish.tasks_due")),
        Cell::from(t.get("publish.tasks_on_time")),
        Cell::from(t.get("publish.tasks_rate")),
        Cell::from(t.get("publish.tasks_overdue")),
    ]);
    for u in &s.units {
        rows.push(vec![
            Cell::from(u.unit.name.as_str()),
            Cell::Int(u.due),
            Cell::Int(u.on_time),
            u.on_time_rate().map(Cell::Number).unwrap_or(Cell::Empty),
            Cell::Int(u.overdue),
        ]);
    }
    Sheet {
        name: t.get("publish.tasks").into(),
        header: vec![t.get("bulletin.measure").into(), t.get("bulletin.value").into()],
        rows,
    }
}
