//! The three-level category catalogue with each category's default unit and its own
//! working days to resolve, and the deadline policy those days stand in for: hours for
//! urgent requests, working days for the rest, the warning lead and the evaluation window.

use gongzhi_app::admin::{self, CategoryFields};
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_domain::catalogue::{self, days_from, Category, DaysFrom};
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use serde::Deserialize;

use super::{not_found, render, saved, unavailable, Admin, Notice};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

pub struct CategoryRow {
    id: i64,
    name: String,
    level: i64,
    unit: String,
    unit_id: Option<i64>,
    days: String,
    /// The working days that apply: its own or a parent's (named); none for the
    /// policy's default.
    applies: Option<u32>,
    inherited: Option<String>,
    children: usize,
}

/// The catalogue, its units' names and the active units to choose from.
struct Catalogue {
    categories: Vec<Category>,
    names: HashMap<i64, String>,
    units: Vec<(i64, String)>,
}

impl Catalogue {
    async fn load(state: &AppState, admin: &Staff) -> Option<Catalogue> {
        let categories = state.store.categories().await.ok()?;
        let entries = state.store.unit_entries(admin).await.ok()?;
        let names = entries.iter().map(|e| (e.unit.id, e.unit.name.clone())).collect();
        let units = entries
            .iter()
            .filter(|e| e.active)
            .map(|e| (e.unit.id, format!("{}{}", "　".repeat(e.depth()), e.unit.name)))
            .collect();
        Some(Catalogue { categories, names, units })
    }

    fn row(&self, c: &Category) -> CategoryRow {
        let (applies, inherited) = match days_from(&self.categories, c.id) {
            DaysFrom::Own(n) => (Some(n), None),
            DaysFrom::Parent(n, parent) => {
                (Some(n), self.categories.iter().find(|p| p.id == parent).map(|p| p.name.clone()))
            }
            DaysFrom::Policy => (None, None),
        };
        CategoryRow {
            id: c.id,
            name: c.name.clone(),
            level: c.level,
            unit: c.default_unit_id.and_then(|u| self.names.get(&u).cloned()).unwrap_or_default(),
            unit_id: c.default_unit_id,
            days: c.resolve_days.map(|d| d.to_string()).unwrap_or_default(),
            applies,
            inherited,
            children: self.categories.iter().filter(|k| k.parent_id == Some(c.id)).count(),
        }
    }

    /// `root` and everything under it, each parent right before its children.
    fn subtree(&self, root: &Category) -> Vec<CategoryRow> {
        let mut rows = vec![self.row(root)];
        for child in self.categories.iter().filter(|c| c.parent_id == Some(root.id)) {
            rows.extend(self.subtree(child));
        }
        rows
    }
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    /// The first level, or one first-level category's whole subtree.
    rows: Vec<CategoryRow>,
    top: Option<i64>,
    units: Vec<(i64, String)>,
    policy: DeadlinePolicy,
}

#[derive(Deserialize, Default)]
pub struct CategoriesQuery {
    #[serde(default)]
    top: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
}

async fn show_categories(
    state: &AppState,
    chrome: &Chrome,
    admin: &Staff,
    top: Option<i64>,
    notice: Option<Notice>,
) -> Response {
    let Some(catalogue) = Catalogue::load(state, admin).await else { return unavailable(chrome) };
    let rows = match top.and_then(|id| catalogue.categories.iter().find(|c| c.id == id && c.level == 1)) {
        Some(root) => catalogue.subtree(root),
        None => catalogue.categories.iter().filter(|c| c.level == 1).map(|c| catalogue.row(c)).collect(),
    };
    let policy = state.store.settings().policy.clone();
    let template = CategoriesPage { chrome, tab: "categories", notice, rows, top, units: catalogue.units, policy };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn list(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Query(query): Query<CategoriesQuery>,
) -> Response {
    let notice = query.saved.as_ref().map(|_| Notice::saved(&chrome));
    show_categories(&state, &chrome, &admin, query.top, notice).await
}

/// A category as typed. Numbers come as text: an empty field means "none".
#[derive(Deserialize, Default)]
pub struct CategoryForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    default_unit_id: String,
    #[serde(default)]
    resolve_days: String,
    /// The words people use for it, on the change form only.
    #[serde(default)]
    words: Option<String>,
}

/// An optional number: `Ok(None)` when left empty, `Err` when not a number.
fn optional<T: std::str::FromStr>(text: &str) -> Result<Option<T>, ()> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| ()),
    }
}

pub async fn add(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<CategoryForm>,
) -> Response {
    let parent = optional::<i64>(&form.parent_id).ok().flatten();
    let (state, chrome, admin) = (&state, &chrome, &admin);
    // A refused category shows the page its form was on.
    let back = |notice| async move {
        match parent {
            Some(id) => show_category(state, chrome, admin, id, Some(notice)).await,
            None => show_categories(state, chrome, admin, None, Some(notice)).await,
        }
    };
    if !same_site_form(&headers, &form.csrf) {
        return back(Notice::csrf(chrome)).await;
    }
    let (Ok(unit), Ok(days)) = (optional(&form.default_unit_id), optional(&form.resolve_days)) else {
        return back(Notice::refused(chrome, "refused.bad_days")).await;
    };
    let fields = CategoryFields { name: &form.name, default_unit_id: unit, resolve_days: days };
    match admin::add_category(&state.store, admin, parent, fields, time::now()).await {
        Ok(category) => saved(&format!("/admin/categories/{}", category.id)),
        Err(error) => back(Notice::from_store(chrome, error)).await,
    }
}

#[derive(Template)]
#[template(path = "admin/category.html")]
struct CategoryPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    category: CategoryRow,
    /// The names above it, first level first.
    trail: Vec<(i64, String)>,
    children: Vec<CategoryRow>,
    units: Vec<(i64, String)>,
    policy_days: u32,
    /// The words people use for it, as the admin edits them.
    words: String,
}

impl CategoryPage<'_> {
    fn chosen(&self, unit_id: &i64) -> bool {
        self.category.unit_id == Some(*unit_id)
    }
}

async fn show_category(state: &AppState, chrome: &Chrome, admin: &Staff, id: i64, notice: Option<Notice>) -> Response {
    let Some(catalogue) = Catalogue::load(state, admin).await else { return unavailable(chrome) };
    let by_id: HashMap<i64, &Category> = catalogue.categories.iter().map(|c| (c.id, c)).collect();
    let Some(category) = by_id.get(&id) else { return not_found(chrome) };
    let mut trail = Vec::new();
    let mut parent = category.parent_id;
    while let Some(up) = parent.and_then(|p| by_id.get(&p)) {
        trail.insert(0, (up.id, up.name.clone()));
        parent = up.parent_id;
    }
    let children = catalogue.categories.iter().filter(|c| c.parent_id == Some(id)).map(|c| catalogue.row(c)).collect();
    let template = CategoryPage {
        chrome,
        tab: "categories",
        notice,
        category: catalogue.row(category),
        trail,
        children,
        units: catalogue.units,
        policy_days: state.store.settings().policy.standard_resolve_days,
        words: state.store.category_words().await.unwrap_or_default().remove(&id).unwrap_or_default().join(" "),
    };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn detail(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Path(id): Path<i64>,
    Query(query): Query<CategoriesQuery>,
) -> Response {
    let notice = query.saved.as_ref().map(|_| Notice::saved(&chrome));
    show_category(&state, &chrome, &admin, id, notice).await
}

pub async fn change(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CategoryForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_category(&state, &chrome, &admin, id, Some(Notice::csrf(&chrome))).await;
    }
    let (Ok(unit), Ok(days)) = (optional(&form.default_unit_id), optional(&form.resolve_days)) else {
        return show_category(&state, &chrome, &admin, id, Some(Notice::refused(&chrome, "refused.bad_days"))).await;
    };
    let Ok(words) = catalogue::words(form.words.as_deref().unwrap_or_default()) else {
        return show_category(&state, &chrome, &admin, id, Some(Notice::refused(&chrome, "refused.bad_words"))).await;
    };
    let fields = CategoryFields { name: &form.name, default_unit_id: unit, resolve_days: days };
    let words = form.words.is_some().then_some(words.as_slice());
    match admin::change_category(&state.store, &admin, id, fields, words, time::now()).await {
        Ok(()) => saved(&format!("/admin/categories/{id}")),
        Err(error) => show_category(&state, &chrome, &admin, id, Some(Notice::from_store(&chrome, error))).await,
    }
}

/// The deadline policy as typed; every field is required.
#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    urgent_respond_hours: String,
    #[serde(default)]
    urgent_resolve_hours: String,
    #[serde(default)]
    quick_respond_days: String,
    #[serde(default)]
    quick_resolve_days: String,
    #[serde(default)]
    standard_respond_days: String,
    #[serde(default)]
    standard_resolve_days: String,
    #[serde(default)]
    evaluation_window_days: String,
    #[serde(default)]
    warning_lead_hours: String,
}

impl PolicyForm {
    fn policy(&self) -> Option<DeadlinePolicy> {
        Some(DeadlinePolicy {
            urgent_respond_hours: self.urgent_respond_hours.trim().parse().ok()?,
            urgent_resolve_hours: self.urgent_resolve_hours.trim().parse().ok()?,
            quick_respond_days: self.quick_respond_days.trim().parse().ok()?,
            quick_resolve_days: self.quick_resolve_days.trim().parse().ok()?,
            standard_respond_days: self.standard_respond_days.trim().parse().ok()?,
            standard_resolve_days: self.standard_resolve_days.trim().parse().ok()?,
            evaluation_window_days: self.evaluation_window_days.trim().parse().ok()?,
            warning_lead_hours: self.warning_lead_hours.trim().parse().ok()?,
        })
    }
}

pub async fn deadlines(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<PolicyForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_categories(&state, &chrome, &admin, None, Some(Notice::csrf(&chrome))).await;
    }
    let Some(policy) = form.policy() else {
        return show_categories(&state, &chrome, &admin, None, Some(Notice::refused(&chrome, "refused.bad_policy")))
            .await;
    };
    match admin::set_policy(&state.store, &admin, &policy, time::now()).await {
        Ok(()) => saved("/admin/categories"),
        Err(error) => show_categories(&state, &chrome, &admin, None, Some(Notice::from_store(&chrome, error))).await,
    }
}
