//! The dispatch desk: every request waiting for a unit, with its category, place, text
//! and age, and the unit it most likely belongs to already chosen — two clicks dispatch.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongzhi_domain::time::{self, HOUR};
use gongzhi_domain::UnitKind;
use gongzhi_store::Queue;

use super::{page, Chrome};
use crate::AppState;

pub struct Waiting {
    id: i64,
    version: i64,
    number: String,
    title: String,
    excerpt: String,
    category: String,
    place: String,
    hours: i64,
    /// The unit chosen for it: the category's default unit, else its own community.
    suggested: i64,
}

#[derive(Template)]
#[template(path = "work/desk.html")]
struct Desk<'a> {
    chrome: &'a Chrome,
    waiting: Vec<Waiting>,
    units: Vec<(i64, String)>,
}

pub async fn desk(State(state): State<AppState>, chrome: Chrome) -> Response {
    let Some(user) = chrome.user.clone() else {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    };
    let now = time::now();
    let (Ok(items), Ok(units), Ok(categories)) = (
        state.store.queue(&user.staff(), Queue::Dispatch, now, 100).await,
        state.store.units().await,
        state.store.categories().await,
    ) else {
        return (StatusCode::SERVICE_UNAVAILABLE, chrome.t.get("error.unavailable").to_string()).into_response();
    };
    let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let by_id: HashMap<i64, &gongzhi_domain::catalogue::Category> = categories.iter().map(|c| (c.id, c)).collect();
    // A category's default unit, looked up the tree: level 3 inherits from level 1.
    let default_unit = |mut id: Option<i64>| {
        while let Some(category) = id.and_then(|i| by_id.get(&i)) {
            if category.default_unit_id.is_some() {
                return category.default_unit_id;
            }
            id = category.parent_id;
        }
        None
    };
    let path = |id: Option<i64>| {
        let mut parts = Vec::new();
        let mut next = id;
        while let Some(category) = next.and_then(|i| by_id.get(&i)) {
            parts.push(category.name.as_str());
            next = category.parent_id;
        }
        parts.reverse();
        parts.join(" / ")
    };
    let waiting = items
        .iter()
        .map(|r| Waiting {
            id: r.id,
            version: r.version,
            number: r.number.clone(),
            title: r.new.title.clone(),
            excerpt: r.new.content.chars().take(80).collect(),
            category: path(r.new.category_id),
            place: names.get(&r.new.unit_id).cloned().unwrap_or_default(),
            hours: (now - r.created_at) / HOUR,
            suggested: default_unit(r.new.category_id).unwrap_or(r.new.unit_id),
        })
        .collect();
    let mut targets: Vec<(i64, String)> = units
        .iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::Community | UnitKind::Village | UnitKind::Department | UnitKind::Subdistrict | UnitKind::Town
            )
        })
        .map(|u| (u.id, u.name.clone()))
        .collect();
    targets.sort_by(|a, b| a.1.cmp(&b.1));
    page(&chrome, &Desk { chrome: &chrome, waiting, units: targets })
}
