//! Gongzhi over HTTP: the pages, the JSON API (`/api/v1`), Open311 GeoReport v2
//! (`/open311/v2`), health and Prometheus metrics.
//!
//! Handlers are thin: they extract and check the input, call one `gongzhi_app` use case
//! (or one store read), and shape the answer. Rules live in `gongzhi_domain`, the steps
//! of each use case in `gongzhi_app`, data and scope in `gongzhi_store`; nothing here
//! writes to the store itself.
//! Nothing here keeps state another app instance would need: sessions, throttles and
//! idempotency keys are in the database.

mod api;
mod auth;
mod error;
pub mod export;
mod guard;
pub mod i18n;
mod json;
pub mod messages;
mod metrics;
mod open311;
pub mod pages;
pub mod suggest;
mod trace;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use gongzhi_domain::time::{Millis, HOUR};
use gongzhi_store::Store;

pub use api::{document as openapi_document, ROUTES as API_ROUTES};
pub use error::{ApiError, ApiResult};
pub use metrics::Metrics;

/// Settings of the HTTP side.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session_ttl: Millis,
    /// Mark cookies `Secure`: on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
    /// Wrong tracking codes one address may try per window.
    pub track_attempts: i64,
    pub throttle_window: Millis,
    /// Logins one account may try from one address per window.
    pub login_attempts: i64,
    /// Logins one account may try per `login_account_window` from addresses it has not
    /// logged in from lately (see `auth`).
    pub login_account_attempts: i64,
    pub login_account_window: Millis,
    /// Believe X-Forwarded-For: only behind a proxy that sets it.
    pub trust_forwarded: bool,
    /// Photos one form may carry, and the size of each, in bytes.
    pub photo_max_count: usize,
    pub photo_max_bytes: usize,
    /// When set, `/metrics` answers only `Authorization: Bearer` with this token.
    pub metrics_token: Option<String>,
    /// Serve `/metrics` with the site; off when it has a listen address of its own
    /// (`metrics_router`).
    pub metrics_on_site: bool,
    /// Where the maps' base tiles come from; none by default, and then nothing is
    /// fetched from elsewhere and the maps draw their points on a plain grid.
    pub map_tiles: Option<pages::map::MapTiles>,
    /// An SMS channel is configured: the deliberation portal confirms residents' numbers
    /// by a code sent through it (`pages::resident_phone`); without one, the community's
    /// staff confirm proposals.
    pub phone_codes: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_ttl: 8 * HOUR,
            secure_cookies: false,
            track_attempts: 20,
            throttle_window: HOUR / 6,
            login_attempts: 10,
            login_account_attempts: 30,
            login_account_window: HOUR,
            trust_forwarded: false,
            photo_max_count: 3,
            photo_max_bytes: 5 * 1024 * 1024,
            metrics_token: None,
            metrics_on_site: true,
            map_tiles: None,
            phone_codes: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub config: Arc<WebConfig>,
    /// Routing suggestions and duplicates at intake; a cache of what the database holds.
    pub suggester: Arc<suggest::Suggester>,
    /// Hot issues computed lately, by scope and period; a cache.
    pub hot: Arc<pages::hot::HotCache>,
    /// The content security policy every response carries: our own files only, and the
    /// map tiles' origin when tiles are configured.
    pub csp: axum::http::HeaderValue,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let suggester = suggest::Suggester::start(store.clone());
        let (metrics, config) = (Arc::new(Metrics::default()), Arc::new(config));
        let csp = pages::assets::content_security_policy(config.map_tiles.as_ref());
        AppState { store, metrics, config, suggester, hot: Arc::default(), csp }
    }
}

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    let (api, _) = api::routes().split_for_parts();
    let api = api.fallback(api::not_found);
    let site = Router::new()
        .route("/", get(pages::portal::home))
        .route(
            "/submit",
            get(pages::portal::submit_form)
                .post(pages::portal::submit)
                .layer(DefaultBodyLimit::max(pages::upload::body_limit(&state.config))),
        )
        .route("/track", get(pages::portal::lookup))
        .route("/stats", get(pages::leader::public))
        .route("/track/{code}", get(pages::portal::track))
        .route("/track/{code}/evaluate", post(pages::portal::evaluate))
        .route("/track/{code}/reopen", post(pages::portal::reopen))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/work", get(pages::work::home))
        .route("/work/dispatch", get(pages::desk::desk))
        .route("/work/intake", get(pages::intake::show).post(pages::intake::record))
        .route("/work/intake/repeat", post(pages::intake::repeat))
        .route("/work/intake/callers", get(pages::intake::caller_fragment))
        .route("/work/intake/suggested", post(pages::intake::suggested_fragment))
        .route("/work/search", get(pages::search::search))
        .route("/work/search.xlsx", get(pages::search::export))
        .route("/work/queue.xlsx", get(pages::work::queue_export))
        .route("/work/overview", get(pages::leader::leader))
        .route("/work/hot", get(pages::hot::hot))
        .route("/work/hot.xlsx", get(pages::hot::export))
        .route("/work/requests/{id}", get(pages::work::request))
        .route(
            "/work/requests/{id}/{action}",
            post(pages::work::act).layer(DefaultBodyLimit::max(pages::upload::body_limit(&state.config))),
        )
        .route("/work/requests/{id}/photos/{n}", get(pages::photos::staff_photo))
        .route("/work/inspections", get(pages::inspection::home))
        .route("/work/inspections.xlsx", get(pages::inspection::ranking_xlsx))
        .route("/work/inspections/rectifications", get(pages::inspection::rectifications))
        .route("/work/inspections/rectifications.xlsx", get(pages::inspection::rectifications_xlsx))
        .route("/work/inspections/points/{id}", get(pages::inspection::point))
        .route("/work/inspections/rounds", post(pages::inspection::start))
        .route("/work/inspections/rounds/{id}", get(pages::inspection::round))
        .route(
            "/work/inspections/rounds/{id}/items/{item}",
            post(pages::inspection::mark).layer(DefaultBodyLimit::max(pages::upload::body_limit(&state.config))),
        )
        .route("/work/inspections/rounds/{id}/items/{item}/photos/{n}", get(pages::inspection::photo))
        .route("/work/inspections/rounds/{id}/finish", post(pages::inspection::finish))
        .route(
            "/work/inspections/reinspect/{id}",
            get(pages::inspection::reinspect_form)
                .post(pages::inspection::reinspect)
                .layer(DefaultBodyLimit::max(pages::upload::body_limit(&state.config))),
        )
        .merge(pages::inspection_admin::routes())
        .route("/track/{code}/photos/{n}", get(pages::photos::track_photo))
        .route("/work/password", get(pages::account::show).post(pages::account::change))
        .route("/work/notifications", get(pages::notify::list))
        .route("/work/notifications/read", post(pages::notify::mark_read))
        .route("/work/notifications/settings", post(pages::account::save_prefs))
        .merge(pages::admin::routes())
        .merge(pages::dashboard::routes())
        .merge(pages::map::routes())
        .merge(pages::proposals::routes())
        .merge(pages::resident_phone::routes())
        .merge(pages::deliberation::routes())
        .merge(pages::meetings::routes(&state.config))
        .merge(pages::co_creation::routes())
        .merge(pages::tasks::routes())
        .merge(pages::campaigns::routes())
        .merge(pages::screen::routes())
        .merge(pages::lists::routes())
        .merge(pages::bulletins::routes())
        .merge(pages::supervision::routes())
        .merge(open311::routes())
        .route("/lang/{code}", get(pages::switch_language))
        .route("/assets/{name}", get(pages::assets::asset));
    let mut app = Router::new().merge(site).nest("/api/v1", api).route("/healthz", get(api::health));
    if state.config.metrics_on_site {
        app = app.route("/metrics", get(metrics::render));
    }
    let app = app
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::check))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), pages::error::render))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(axum::middleware::map_response_with_state(state.clone(), pages::security_headers))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(api::panic_response))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn(open311::errors));
    trace::layers(app).with_state(state)
}

/// `/metrics` alone, for a listen address of its own that only the monitoring network
/// reaches.
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics::render)).with_state(state)
}
