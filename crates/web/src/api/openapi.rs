//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' request and
//! response types and their annotations. The router is built from the same annotated
//! handlers, so a route cannot be served under a path the document does not give.

use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{bulletins, catalogue, requests, session, stats, supervision, track};
use crate::error::ErrorBody;
use crate::AppState;

/// Every route of `/api/v1`, as `METHOD /path`, the document's own included. The test
/// holds both the document and the router to this list.
pub const ROUTES: &[&str] = &[
    "POST /api/v1/login",
    "POST /api/v1/logout",
    "GET /api/v1/me",
    "POST /api/v1/requests",
    "GET /api/v1/requests",
    "GET /api/v1/requests/{id}",
    "POST /api/v1/requests/{id}/{action}",
    "GET /api/v1/queues",
    "GET /api/v1/queues/{queue}",
    "GET /api/v1/track/{code}",
    "POST /api/v1/track/{code}/{action}",
    "GET /api/v1/stats",
    "GET /api/v1/bulletins/{id}",
    "GET /api/v1/units",
    "GET /api/v1/categories",
    "GET /api/v1/supervision/callback-summary",
    "POST /api/v1/supervision/samples",
    "GET /api/v1/supervision/samples/{id}",
    "GET /api/v1/supervision/callbacks",
    "POST /api/v1/supervision/callbacks/{item}",
    "GET /api/v1/supervision/orders",
    "POST /api/v1/supervision/orders",
    "GET /api/v1/supervision/orders/{id}",
    "POST /api/v1/supervision/orders/{id}/{act}",
    "GET /api/v1/openapi.json",
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gongzhi API",
        description = "Requests from intake to the requester's verdict, supervision and the measures. \
                       Times are milliseconds since 1970-01-01 UTC; dates in query strings and bodies are \
                       local dates YYYY-MM-DD (China Standard Time). Every error has the shape of ErrorBody. \
                       See docs/api.md for the contract with examples."
    ),
    modifiers(&BearerToken),
    components(schemas(ErrorBody)),
    tags(
        (name = "session", description = "Logging in and out"),
        (name = "requests", description = "Intake, lists, one request, actions and queues"),
        (name = "tracking", description = "The requester's side, by tracking code; refuses staff credentials"),
        (name = "measures", description = "The measures of a unit's subtree"),
        (name = "publishing", description = "Bulletins"),
        (name = "catalogue", description = "Units and categories"),
        (name = "supervision", description = "Samples, callbacks and orders"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// Staff programs send `Authorization: Bearer TOKEN` (`gongzhi token create`).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A token from `gongzhi token create --user LOGIN`; browsers use the session cookie of `POST /api/v1/login` instead"))
            .build();
        document
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The routes of `/api/v1`, relative to it, with their documentation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(requests::create, requests::list))
        .routes(routes!(requests::detail))
        .routes(routes!(requests::act))
        .routes(routes!(requests::queue_counts))
        .routes(routes!(requests::queue))
        .routes(routes!(track::track))
        .routes(routes!(track::act))
        .routes(routes!(stats::stats))
        .routes(routes!(bulletins::bulletin))
        .routes(routes!(catalogue::units))
        .routes(routes!(catalogue::categories))
        .routes(routes!(openapi_json))
        .merge(supervision::routes())
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
    let mut document = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", routes()).into_openapi();
    add_common_errors(&mut document);
    document
});

/// The errors every route of a kind can give, whatever its handler does, added where
/// the handler's annotation does not say more: the guard's `400` for a path or query
/// holding U+0000 (every route), `503` when the database fails (every route but this
/// document), `401` where credentials are required, and `413`, `415` and `422` where a
/// JSON body is read.
fn add_common_errors(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .build()
    };
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let mut common = vec![("400", "A bad path, query or body")];
            if path != "/api/v1/openapi.json" {
                common.push(("503", "The database is unavailable; nothing was changed"));
            }
            let required = operation.security.as_ref().is_some_and(|s| {
                s.iter().all(|requirement| {
                    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                })
            });
            if required {
                common.push(("401", "No, unknown or expired credentials"));
            }
            if operation.request_body.is_some() {
                common.extend([
                    ("413", "Body over 256 KB"),
                    ("415", "Not sent as application/json"),
                    ("422", "Unknown or missing fields, or wrong types"),
                ]);
            }
            for (status, description) in common {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| error(description).into());
            }
        }
    }
}

/// The OpenAPI document, paths in full (`/api/v1/…`).
pub fn document() -> &'static utoipa::openapi::OpenApi {
    &DOCUMENT
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document, OpenAPI 3.1", body = Object)))]
async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}
