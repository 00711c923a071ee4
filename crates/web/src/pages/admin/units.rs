//! The unit tree: see it whole, add a unit under one, rename, deactivate, and delete one
//! added by mistake (the store refuses to delete a unit anything refers to).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_app::admin::{self, UnitChange};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::unit::UnitKind;
use gongzhi_store::UnitEntry;
use serde::Deserialize;

use super::{not_found, render, saved, unavailable, Admin, ListQuery, Notice};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

/// A unit's row in the tree.
pub struct UnitRow {
    id: i64,
    name: String,
    code: String,
    kind: &'static str,
    depth: usize,
    users: i64,
    active: bool,
}

fn unit_row(chrome: &Chrome, entry: &UnitEntry) -> UnitRow {
    UnitRow {
        id: entry.unit.id,
        name: entry.unit.name.clone(),
        code: entry.unit.code.clone(),
        kind: chrome.t.lookup(&format!("unit_kind.{}", entry.unit.kind)),
        // Deeper than five levels all indent alike; the tree is never that deep.
        depth: entry.depth().min(5),
        users: entry.users,
        active: entry.active,
    }
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rows: Vec<UnitRow>,
}

pub async fn list(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    let Ok(entries) = state.store.unit_entries(&admin).await else { return unavailable(&chrome) };
    let rows = entries.iter().map(|e| unit_row(&chrome, e)).collect();
    let notice = query.notice(&chrome);
    render(&chrome, &UnitsPage { chrome: &chrome, tab: "units", notice, rows }, None)
}

#[derive(Template)]
#[template(path = "admin/unit.html")]
struct UnitPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    unit: UnitRow,
    /// The path from the root, for orientation.
    trail: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn show_unit(state: &AppState, chrome: &Chrome, admin: &Staff, id: i64, notice: Option<Notice>) -> Response {
    let Ok(entries) = state.store.unit_entries(admin).await else { return unavailable(chrome) };
    let Some(entry) = entries.iter().find(|e| e.unit.id == id) else {
        return not_found(chrome);
    };
    let trail = entries
        .iter()
        .filter(|e| entry.unit.path.starts_with(&e.unit.path) && e.unit.id != id)
        .map(|e| e.unit.name.clone())
        .collect();
    let kinds = UnitKind::ALL
        .iter()
        .filter(|k| **k != UnitKind::District)
        .map(|k| (k.as_str(), chrome.t.lookup(&format!("unit_kind.{k}"))))
        .collect();
    let template = UnitPage { chrome, tab: "units", unit: unit_row(chrome, entry), trail, kinds, notice };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn detail(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Response {
    show_unit(&state, &chrome, &admin, id, query.notice(&chrome)).await
}

#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    kind: String,
}

/// `POST /admin/units/{id}/{op}` with `op` one of `rename`, `add` (a unit under this
/// one), `deactivate`, `activate`, `delete`.
pub async fn change(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Path((id, op)): Path<(i64, String)>,
    Form(form): Form<UnitForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_unit(&state, &chrome, &admin, id, Some(Notice::csrf(&chrome))).await;
    }
    let change = match op.as_str() {
        "rename" => UnitChange::Rename { name: &form.name },
        "add" => {
            let Some(kind) = UnitKind::parse(&form.kind) else {
                return show_unit(&state, &chrome, &admin, id, Some(Notice::refused(&chrome, "admin.choose_kind")))
                    .await;
            };
            UnitChange::AddChild { kind, code: &form.code, name: &form.name }
        }
        "deactivate" => UnitChange::SetActive(false),
        "activate" => UnitChange::SetActive(true),
        "delete" => UnitChange::Delete,
        _ => return not_found(&chrome),
    };
    match admin::change_unit(&state.store, &admin, id, change, time::now()).await {
        Ok(()) if op == "delete" || op == "add" => saved("/admin/units"),
        Ok(()) => saved(&format!("/admin/units/{id}")),
        Err(error) => show_unit(&state, &chrome, &admin, id, Some(Notice::from_store(&chrome, error))).await,
    }
}
