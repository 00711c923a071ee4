//! Staff accounts of the admin's subtree: a paginated list with a spreadsheet export, a
//! new account with its role and unit, and per account: another role or unit, a new
//! password, logins stopped or allowed again, its API tokens listed and revoked.

use gongzhi_app::admin::{self, NewUser, UserChange};
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time;
use gongzhi_store::{Account, MIN_PASSWORD};
use serde::Deserialize;

use super::{not_found, paged, render, saved, unavailable, Admin, ListQuery, Notice, Pager, PER_PAGE};
use crate::export::{self, Cell, Sheet};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

pub struct UserRow {
    id: i64,
    login: String,
    name: String,
    role: &'static str,
    role_code: &'static str,
    unit: String,
    unit_id: i64,
    active: bool,
}

fn user_row(chrome: &Chrome, units: &HashMap<i64, String>, a: &Account) -> UserRow {
    UserRow {
        id: a.id,
        login: a.login.clone(),
        name: a.name.clone(),
        role: chrome.t.role(a.role),
        role_code: a.role.as_str(),
        unit: units.get(&a.unit_id).cloned().unwrap_or_default(),
        unit_id: a.unit_id,
        active: a.active,
    }
}

/// The roles and the units of the subtree, for the forms' choices.
struct Choices {
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    names: HashMap<i64, String>,
}

async fn choices(state: &AppState, chrome: &Chrome, admin: &Staff) -> Option<Choices> {
    let entries = state.store.unit_entries(admin).await.ok()?;
    let names = entries.iter().map(|e| (e.unit.id, e.unit.name.clone())).collect();
    // Indented by depth, so the choice reads as the tree.
    let units = entries
        .iter()
        .filter(|e| e.active)
        .map(|e| (e.unit.id, format!("{}{}", "　".repeat(e.depth()), e.unit.name)))
        .collect();
    let roles = Role::ALL.iter().map(|r| (r.as_str(), chrome.t.role(*r))).collect();
    Some(Choices { roles, units, names })
}

/// What the add form held, kept when it is refused (never the password).
#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rows: Vec<UserRow>,
    pager: Pager,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    form: &'a NewUserForm,
    min: usize,
}

impl UsersPage<'_> {
    fn chosen(&self, unit_id: &i64) -> bool {
        self.form.unit_id == Some(*unit_id)
    }
}

async fn show_users(
    state: &AppState,
    chrome: &Chrome,
    admin: &Staff,
    page: Option<i64>,
    form: &NewUserForm,
    notice: Option<Notice>,
) -> Response {
    let fetch = |offset| state.store.users_page(admin, offset, PER_PAGE);
    let (Ok((listing, pager)), Some(choices)) =
        (paged("/admin/users", page, fetch).await, choices(state, chrome, admin).await)
    else {
        return unavailable(chrome);
    };
    let rows = listing.items.iter().map(|a| user_row(chrome, &choices.names, a)).collect();
    let template = UsersPage {
        chrome,
        tab: "users",
        notice,
        rows,
        pager,
        roles: choices.roles,
        units: choices.units,
        form,
        min: MIN_PASSWORD,
    };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn list(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    let form = NewUserForm { role: Role::Handler.as_str().into(), ..NewUserForm::default() };
    show_users(&state, &chrome, &admin, query.page, &form, query.notice(&chrome)).await
}

pub async fn add(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<NewUserForm>,
) -> Response {
    let refuse = |notice| show_users(&state, &chrome, &admin, None, &form, Some(notice));
    if !same_site_form(&headers, &form.csrf) {
        return refuse(Notice::csrf(&chrome)).await;
    }
    let (Some(role), Some(unit_id)) = (Role::parse(&form.role), form.unit_id) else {
        return refuse(Notice::refused(&chrome, "admin.choose_role_unit")).await;
    };
    let user = NewUser { login: &form.login, name: &form.name, role, unit_id, password: &form.password };
    match admin::add_user(&state.store, &admin, user, time::now()).await {
        Ok(account) => saved(&format!("/admin/users/{}", account.id)),
        Err(error) => refuse(Notice::from_store(&chrome, error)).await,
    }
}

/// An API token as the user page lists it.
pub struct TokenRow {
    id: i64,
    name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    user: UserRow,
    tokens: Vec<TokenRow>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    min: usize,
    own: bool,
}

async fn show_user(state: &AppState, chrome: &Chrome, admin: &Staff, id: i64, notice: Option<Notice>) -> Response {
    let Some(choices) = choices(state, chrome, admin).await else { return unavailable(chrome) };
    let account = match state.store.account(id).await {
        Ok(account) if admin.covers(&account.unit_path) => account,
        _ => return not_found(chrome),
    };
    let Ok(tokens) = state.store.tokens_as_admin(admin, id).await else { return unavailable(chrome) };
    let tokens =
        tokens.into_iter().map(|t| TokenRow { id: t.id, name: t.name, created: time::display(t.created_at) }).collect();
    let template = UserPage {
        chrome,
        tab: "users",
        notice,
        user: user_row(chrome, &choices.names, &account),
        tokens,
        roles: choices.roles,
        units: choices.units,
        min: MIN_PASSWORD,
        own: account.id == admin.user_id,
    };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn detail(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Response {
    show_user(&state, &chrome, &admin, id, query.notice(&chrome)).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    token_id: Option<i64>,
}

/// `POST /admin/users/{id}/{op}` with `op` one of `change` (role and unit), `password`
/// (which also revokes the account's API tokens), `disable`, `enable`, `revoke-token`.
pub async fn change(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Path((id, op)): Path<(i64, String)>,
    Form(form): Form<UserForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_user(&state, &chrome, &admin, id, Some(Notice::csrf(&chrome))).await;
    }
    let change = match op.as_str() {
        "change" => match (Role::parse(&form.role), form.unit_id) {
            (Some(role), Some(unit_id)) => UserChange::Assign { role, unit_id },
            _ => {
                return show_user(&state, &chrome, &admin, id, Some(Notice::refused(&chrome, "admin.choose_role_unit")))
                    .await
            }
        },
        "password" if form.password != form.again => {
            return show_user(&state, &chrome, &admin, id, Some(Notice::refused(&chrome, "password.mismatch"))).await
        }
        "password" => UserChange::ResetPassword { password: &form.password },
        "disable" => UserChange::SetActive(false),
        "enable" => UserChange::SetActive(true),
        "revoke-token" => match form.token_id {
            Some(token_id) => UserChange::RevokeToken { token_id },
            None => return not_found(&chrome),
        },
        _ => return not_found(&chrome),
    };
    match admin::change_user(&state.store, &admin, id, change, time::now()).await {
        Ok(()) => saved(&format!("/admin/users/{id}")),
        Err(error) => show_user(&state, &chrome, &admin, id, Some(Notice::from_store(&chrome, error))).await,
    }
}

/// Every account of the subtree as a spreadsheet.
pub async fn export(State(state): State<AppState>, Admin { chrome, staff: admin }: Admin) -> Response {
    let (Ok(listing), Some(choices)) =
        (state.store.users_page(&admin, 0, export::MAX_ROWS as i64).await, choices(&state, &chrome, &admin).await)
    else {
        return unavailable(&chrome);
    };
    let t = &chrome.t;
    let header = ["login.login", "admin.user_name", "admin.role", "admin.unit", "admin.state"];
    let rows = listing
        .items
        .iter()
        .map(|a| {
            let row = user_row(&chrome, &choices.names, a);
            let state = t.get(if row.active { "admin.active" } else { "admin.disabled" });
            vec![Cell::from(row.login), row.name.into(), row.role.into(), row.unit.into(), state.into()]
        })
        .collect();
    let sheet =
        Sheet { name: t.get("admin.users").into(), header: header.iter().map(|k| t.get(k).into()).collect(), rows };
    export::download(&format!("{}.xlsx", t.get("admin.users")), vec![sheet]).await
}
