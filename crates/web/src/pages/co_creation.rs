//! 共同缔造 (co-creation): a public page per unit — the district, a subdistrict, a
//! community — showing its five stages with their figures. 共谋 counts proposals and
//! meetings (with the requests residents raised), 共建 the adopted work, 共管 the
//! supervision of it, 共评 residents' verdicts, 共享 the outcomes and the bulletins
//! published. Every figure links to the list it counts where one exists: residents reach
//! the community pages and the published bulletins; staff looking at their own subtree
//! also reach the request lists of the figures and the supervision lists.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use gongzhi_domain::figures::Measure;
use gongzhi_domain::time;
use gongzhi_domain::unit::{Unit, UnitKind};
use gongzhi_domain::Role;
use gongzhi_store::deliberation::{DeliberationFigures, Volunteer};

use super::figures::{shown, Scope};
use super::leader::percent;
use super::{page, Chrome, PageError, PageResult};
use crate::AppState;

/// Volunteers the 共建 stage lists by name; the figure counts them all.
const VOLUNTEERS_LISTED: u32 = 50;

/// The period of the request figures: the last year.
const DAYS: i64 = 365;

pub fn routes() -> Router<AppState> {
    Router::new().route("/co-creation", get(district)).route("/co-creation/{id}", get(unit))
}

/// A figure, and the list it counts when there is one for this viewer.
pub struct Figure {
    id: &'static str,
    label: &'static str,
    value: String,
    href: Option<String>,
}

/// One of the five stages.
pub struct Stage {
    id: &'static str,
    name: &'static str,
    what: &'static str,
    figures: Vec<Figure>,
}

/// A unit below, with its deliberation in short.
pub struct Below {
    id: i64,
    name: String,
    figures: DeliberationFigures,
}

#[derive(Template)]
#[template(path = "deliberation/co_creation.html")]
struct Page<'a> {
    chrome: &'a Chrome,
    unit: Unit,
    parent: Option<Unit>,
    community: bool,
    from: String,
    to: String,
    stages: Vec<Stage>,
    below: Vec<Below>,
    /// The volunteers and party members taking part in 共建, the first of them by name.
    volunteers: Vec<Volunteer>,
    volunteer_count: i64,
}

/// `/co-creation`: the district's page.
pub async fn district(state: State<AppState>, chrome: Chrome) -> PageResult {
    let units = state.store.units().await?;
    let root = units.iter().find(|u| u.parent_id.is_none()).ok_or_else(PageError::not_found)?;
    show(&state, &chrome, root.id).await
}

/// `/co-creation/{id}`: a subdistrict's, a town's or a community's page.
pub async fn unit(state: State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    show(&state, &chrome, id).await
}

async fn show(state: &AppState, chrome: &Chrome, id: i64) -> PageResult {
    let store = &state.store;
    let unit = super::deliberation_view::unit_page(state, id).await?;
    if unit.kind == UnitKind::Department {
        // A department has no residents' deliberation of its own.
        return Err(PageError::not_found());
    }
    let now = time::now();
    let to = time::local_date(now);
    let from = to - Duration::days(DAYS - 1);
    let (figures, measures, callbacks, units, taking_part) = tokio::join!(
        store.deliberation_figures(&unit.path),
        store.measures(unit.id, from, to, now),
        store.callback_summary(unit.id, from, to),
        store.units(),
        store.volunteers_taking_part(&unit.path, VOLUNTEERS_LISTED),
    );
    let (figures, measures, callbacks, units) = (figures?, measures?, callbacks?, units?);
    let (volunteer_count, volunteers) = taking_part?;
    let mut below = Vec::new();
    for child in units.iter().filter(|u| u.parent_id == Some(unit.id) && u.kind != UnitKind::Department) {
        below.push(Below {
            id: child.id,
            name: child.name.clone(),
            figures: store.deliberation_figures(&child.path).await?,
        });
    }
    let parent = unit.parent_id.and_then(|p| units.iter().find(|u| u.id == p)).cloned();
    let community = matches!(unit.kind, UnitKind::Community | UnitKind::Village | UnitKind::Grid);
    let links = Links::new(chrome, &unit, community, from, to);
    let t = &chrome.t;
    let count =
        |id, key, value: i64, href: Option<String>| Figure { id, label: t.get(key), value: value.to_string(), href };
    let measure = |m: Measure| Figure {
        id: m.as_str(),
        label: t.lookup(&format!("measure.{}", m.as_str())),
        value: shown(chrome, m, &measures),
        href: links.measure(m),
    };
    let f = &figures;
    let stages = vec![
        Stage {
            id: "co_plan",
            name: t.get("cocreation.co_plan"),
            what: t.get("cocreation.co_plan_what"),
            figures: vec![
                count("proposals", "cocreation.proposals", f.proposals, links.deliberation("proposals")),
                count("wishes", "cocreation.wishes", f.wishes, links.deliberation("proposals")),
                count("meetings", "cocreation.meetings", f.meetings, links.deliberation("meetings")),
                measure(Measure::Intake),
            ],
        },
        Stage {
            id: "co_build",
            name: t.get("cocreation.co_build"),
            what: t.get("cocreation.co_build_what"),
            figures: vec![
                count("adopted", "cocreation.adopted", f.adopted, links.deliberation("results")),
                count("in_progress", "cocreation.in_progress", f.in_progress, links.deliberation("results")),
                count("undecided", "cocreation.undecided", f.undecided, links.deliberation("proposals")),
                count("resolved", "cocreation.resolved", measures.counters.resolved, None),
                count("volunteers", "cocreation.volunteers", volunteer_count, Some("#volunteers".into())),
            ],
        },
        Stage {
            id: "co_manage",
            name: t.get("cocreation.co_manage"),
            what: t.get("cocreation.co_manage_what"),
            figures: vec![
                count("callbacks", "cocreation.callbacks", callbacks.sampled.count, links.callbacks()),
                Figure {
                    id: "callback_rate",
                    label: t.get("cocreation.callback_rate"),
                    value: percent(callbacks.callback_rate),
                    href: links.callbacks(),
                },
                count("orders", "cocreation.orders", f.orders, links.orders()),
                measure(Measure::OverdueCount),
            ],
        },
        Stage {
            id: "co_evaluate",
            name: t.get("cocreation.co_evaluate"),
            what: t.get("cocreation.co_evaluate_what"),
            figures: vec![
                count("evaluations", "cocreation.evaluations", measures.counters.evaluations, None),
                measure(Measure::SolvedRate),
                measure(Measure::SatisfactionRate),
            ],
        },
        Stage {
            id: "co_share",
            name: t.get("cocreation.co_share"),
            what: t.get("cocreation.co_share_what"),
            figures: vec![
                count("done", "cocreation.done", f.done, links.deliberation("results")),
                count("declined", "cocreation.declined", f.declined, links.deliberation("proposals")),
                count("bulletins", "cocreation.bulletins", f.bulletins, Some("/bulletins".into())),
            ],
        },
    ];
    let (from, to) = (from.to_string(), to.to_string());
    let template = Page { chrome, unit, parent, community, from, to, stages, below, volunteers, volunteer_count };
    Ok(page(chrome, &template))
}

/// Where this viewer's figures lead.
struct Links {
    unit_id: i64,
    community: bool,
    /// Set for staff whose subtree holds the unit: the request lists of the figures.
    scope: Option<Scope>,
    role: Option<Role>,
}

impl Links {
    fn new(chrome: &Chrome, unit: &Unit, community: bool, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Links {
        let staff = chrome.user.as_ref().map(|u| u.staff()).filter(|s| s.covers(&unit.path));
        let scope = staff.as_ref().map(|_| Scope { unit: unit.clone(), from, to });
        Links { unit_id: unit.id, community, scope, role: staff.map(|s| s.role) }
    }

    /// A community's own page lists its proposals, meetings and results; above a
    /// community, the table of the units below leads there.
    fn deliberation(&self, section: &str) -> Option<String> {
        Some(if self.community { format!("/communities/{}#{section}", self.unit_id) } else { "#below".into() })
    }

    fn measure(&self, measure: Measure) -> Option<String> {
        self.scope.as_ref().map(|scope| scope.figure_href(measure.as_str()))
    }

    /// The callbacks are the supervisors' list.
    fn callbacks(&self) -> Option<String> {
        (self.role == Some(Role::Supervisor)).then(|| "/work/supervision/callbacks".into())
    }

    fn orders(&self) -> Option<String> {
        matches!(self.role, Some(Role::Supervisor | Role::Handler | Role::Leader))
            .then(|| "/work/supervision/orders".into())
    }
}
