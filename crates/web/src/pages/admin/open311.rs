//! Open311 client systems of the admin's subtree: each gets a key, shown once when it is
//! made, and can be revoked, after which its posts get 403.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_app::open311;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::UnitKind;
use serde::Deserialize;

use super::{not_found, render, saved, unavailable, Admin, ListQuery, Notice};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

pub struct ClientRow {
    id: i64,
    name: String,
    unit: String,
    created: String,
    revoked: Option<String>,
}

/// What the add form held, kept when it is refused.
#[derive(Deserialize, Default)]
pub struct NewClientForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/open311.html")]
struct ClientsPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rows: Vec<ClientRow>,
    places: Vec<(i64, String)>,
    form: &'a NewClientForm,
    /// A key just made: shown this once.
    key: Option<(String, String)>,
}

impl ClientsPage<'_> {
    fn chosen(&self, unit_id: &i64) -> bool {
        self.form.unit_id == Some(*unit_id)
    }
}

async fn show(
    state: &AppState,
    chrome: &Chrome,
    admin: &Staff,
    form: &NewClientForm,
    notice: Option<Notice>,
    key: Option<(String, String)>,
) -> Response {
    let (Ok(entries), Ok(clients)) = (state.store.unit_entries(admin).await, state.store.open311_clients().await)
    else {
        return unavailable(chrome);
    };
    let names: HashMap<i64, String> = entries.iter().map(|e| (e.unit.id, e.unit.name.clone())).collect();
    // Requests go to a place: a community, a village or a grid, as on the public form.
    let places = entries
        .iter()
        .filter(|e| e.active && matches!(e.unit.kind, UnitKind::Community | UnitKind::Village | UnitKind::Grid))
        .map(|e| (e.unit.id, e.unit.name.clone()))
        .collect();
    let rows = clients
        .into_iter()
        .filter(|c| admin.covers(&c.unit_path))
        .map(|c| ClientRow {
            id: c.id,
            unit: names.get(&c.unit_id).cloned().unwrap_or(c.unit_name),
            name: c.name,
            created: time::display(c.created_at),
            revoked: c.revoked_at.map(time::display),
        })
        .collect();
    let template = ClientsPage { chrome, tab: "open311", notice, rows, places, form, key };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn list(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    show(&state, &chrome, &admin, &NewClientForm::default(), query.notice(&chrome), None).await
}

pub async fn add(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<NewClientForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show(&state, &chrome, &admin, &form, Some(Notice::csrf(&chrome)), None).await;
    }
    let Some(unit_id) = form.unit_id else {
        return show(&state, &chrome, &admin, &form, Some(Notice::refused(&chrome, "open311.choose_unit")), None).await;
    };
    match open311::add_client(&state.store, &form.name, unit_id, Some(&admin)).await {
        Ok((client, key)) => {
            let notice = Notice::saved(&chrome);
            show(&state, &chrome, &admin, &NewClientForm::default(), Some(notice), Some((client.name, key))).await
        }
        Err(error) => show(&state, &chrome, &admin, &form, Some(Notice::from_store(&chrome, error)), None).await,
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show(&state, &chrome, &admin, &NewClientForm::default(), Some(Notice::csrf(&chrome)), None).await;
    }
    match open311::revoke_client(&state.store, id, Some(&admin)).await {
        Ok(_) => saved("/admin/open311"),
        Err(gongzhi_app::AppError::Store(gongzhi_store::StoreError::NotFound)) => not_found(&chrome),
        Err(error) => {
            let notice = Notice::from_store(&chrome, error);
            show(&state, &chrome, &admin, &NewClientForm::default(), Some(notice), None).await
        }
    }
}
