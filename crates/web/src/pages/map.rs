//! The map of open requests: the page (`/work/map`), and what it shows of a viewport
//! (`/work/map/points`), clusters counted by the database or, when few, each request.
//! The same setup draws the small maps of the request page and the intake desk.

use askama::Template;
use axum::extract::State;
use axum::Json;
use chrono::{Duration, NaiveDate};
use gongzhi_domain::map::{BadViewport, Viewport};
use gongzhi_domain::time;
use gongzhi_store::MapView;
use serde::Deserialize;
use serde_json::json;

use super::{page, Chrome, PageResult};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::AppState;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/work/map", axum::routing::get(map))
        .route("/work/map/points", axum::routing::get(points))
}

/// Where base-map tiles come from, as the deployment configured them.
#[derive(Debug, Clone)]
pub struct MapTiles {
    /// `https://…/{z}/{x}/{y}.png`.
    pub url: String,
    /// Whose map it is, shown in its corner as its licence asks.
    pub attribution: String,
}

impl MapTiles {
    /// A tile URL the map can use: http(s), with `{z}`, `{x}` and `{y}`; or why not.
    pub fn new(url: &str, attribution: &str) -> Result<MapTiles, &'static str> {
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("the tile URL starts with https:// or http://");
        }
        if !["{z}", "{x}", "{y}"].iter().all(|part| url.contains(part)) {
            return Err("the tile URL holds {z}, {x} and {y}");
        }
        let tiles = MapTiles { url: url.to_string(), attribution: attribution.trim().to_string() };
        // The origin goes into the security policy: a host name, an address or a port.
        let host = &tiles.origin()[tiles.origin().find("://").map_or(0, |i| i + 3)..];
        if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
            return Err("the tile URL's host is a name, an address or name:port");
        }
        Ok(tiles)
    }

    /// `scheme://host[:port]` of the tiles, for the content security policy.
    pub fn origin(&self) -> &str {
        let rest = self.url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let host_end = rest.find('/').unwrap_or(rest.len());
        let scheme_end = self.url.len() - rest.len();
        &self.url[..scheme_end + host_end]
    }
}

/// What every map on a page needs to know, for `map_data.html`: the tiles, if any.
pub struct MapSetup {
    pub tiles: String,
    pub attribution: String,
}

impl MapSetup {
    pub fn of(state: &AppState) -> MapSetup {
        match &state.config.map_tiles {
            Some(tiles) => MapSetup { tiles: tiles.url.clone(), attribution: tiles.attribution.clone() },
            None => MapSetup { tiles: String::new(), attribution: String::new() },
        }
    }

    pub fn has_tiles(&self) -> bool {
        !self.tiles.is_empty()
    }
}

/// A level-1 category and those below it, for the filter.
pub struct CategoryGroup {
    id: i64,
    name: String,
    children: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "work/map.html")]
struct MapPage<'a> {
    chrome: &'a Chrome,
    map: MapSetup,
    categories: Vec<CategoryGroup>,
    /// (first day, label) of the periods offered.
    periods: Vec<(String, &'static str)>,
    /// The words the map's script shows, as JSON.
    words: String,
}

/// The periods a map may be limited to, by when the requests came in.
fn periods(today: NaiveDate) -> Vec<(String, &'static str)> {
    [(6, "map.period_7"), (29, "map.period_30"), (89, "map.period_90")]
        .into_iter()
        .map(|(days, key)| ((today - Duration::days(days)).to_string(), key))
        .collect()
}

pub async fn map(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    if chrome.user.is_none() {
        return Ok(chrome.to_login());
    }
    let all = state.store.categories().await?;
    let categories = all
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(|top| CategoryGroup {
            id: top.id,
            name: top.name.clone(),
            children: all.iter().filter(|c| c.parent_id == Some(top.id)).map(|c| (c.id, c.name.clone())).collect(),
        })
        .collect();
    let t = &chrome.t;
    let words = json!({
        "cluster": t.get("map.cluster"),
        "overdue": t.get("map.overdue"),
        "open": t.get("map.open_request"),
        "states": {
            "submitted": t.get("status.submitted"),
            "pending_dispatch": t.get("status.pending_dispatch"),
            "dispatched": t.get("status.dispatched"),
            "in_progress": t.get("status.in_progress"),
        },
        "shown_none": t.get("map.shown_none"),
        "shown_points": t.get("map.shown_points"),
        "shown_clusters": t.get("map.shown_clusters"),
        "failed": t.get("map.failed"),
    });
    let template = MapPage {
        chrome: &chrome,
        map: MapSetup::of(&state),
        categories,
        periods: periods(time::local_date(time::now())),
        words: super::script_json(&words),
    };
    Ok(page(&chrome, &template))
}

/// A viewport and the map's filters, as the page's script sends them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PointsQuery {
    /// `west,south,east,north` in degrees.
    bbox: String,
    zoom: String,
    /// A category id: it and those below it.
    category: String,
    /// `YYYY-MM-DD`: requests created that day or later.
    since: String,
}

pub async fn points(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<PointsQuery>,
) -> ApiResult<Json<MapView>> {
    let viewport = Viewport::parse(&query.bbox, &query.zoom).map_err(|refused| {
        ApiError::bad_request(match refused {
            BadViewport::Bbox => "map.bad_bbox",
            BadViewport::Inverted => "map.bad_inverted",
            BadViewport::Zoom => "map.bad_zoom",
        })
    })?;
    let category = match query.category.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| ApiError::bad_request("map.bad_category"))?),
    };
    let since = match query.since.trim() {
        "" => None,
        date => Some(time::start_of(
            NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| ApiError::bad_request("map.bad_since"))?,
        )),
    };
    let staff = account.staff();
    let view = gongzhi_app::map::view(&state.store, &staff, &viewport, category, since, time::now()).await?;
    Ok(Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_url_names_its_origin_and_its_parts() {
        let tiles = MapTiles::new("https://tiles.example.gov.cn:8443/osm/{z}/{x}/{y}.png", "© 测绘院").unwrap();
        assert_eq!(tiles.origin(), "https://tiles.example.gov.cn:8443");
        assert!(MapTiles::new("ftp://x/{z}/{x}/{y}", "").is_err());
        assert!(MapTiles::new("https://x/{z}/{x}.png", "").is_err());
        assert!(MapTiles::new("https://x;script-src */{z}/{x}/{y}.png", "").is_err());
        assert!(MapTiles::new("https:///{z}/{x}/{y}.png", "").is_err());
        assert_eq!(MapTiles::new("http://[::1]:8080/{z}/{x}/{y}.png", "").unwrap().origin(), "http://[::1]:8080");
    }
}
