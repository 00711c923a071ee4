//! The measures of a unit's subtree for a period.

use axum::extract::State;
use axum::Json;
use gongzhi_domain::measures::{Measures, Scoring};
use gongzhi_domain::time;
use gongzhi_store::SuggestionAccuracy;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The unit whose subtree is measured; the caller's own by default.
    unit: Option<i64>,
    /// `YYYY-MM-DD`, local.
    from: String,
    /// `YYYY-MM-DD`, local, inclusive.
    to: String,
}

/// A unit named.
#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

/// The measures of a unit's subtree for a period.
#[derive(Serialize, ToSchema)]
pub struct StatsView {
    pub unit: UnitRef,
    pub from: String,
    pub to: String,
    pub measures: Measures,
    /// How the composite score was made: the weights and the minimum behind each rate.
    pub scoring: Scoring,
    /// How often intake's suggestion named the unit finally dispatched to.
    pub suggestions: SuggestionAccuracy,
}

/// Longest period one call may ask for.
const MAX_DAYS: i64 = 3 * 366;

#[utoipa::path(get, path = "/stats", tag = "measures", params(StatsQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The measures", body = StatsView),
        (status = 400, description = "A bad query, date or period", body = ErrorBody),
        (status = 404, description = "No such unit in the caller's scope", body = ErrorBody),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsView>> {
    let from = super::parse_date(&query.from, "from")?;
    let to = super::parse_date(&query.to, "to")?;
    if to < from || (to - from).num_days() > MAX_DAYS {
        return Err(ApiError::bad_request("api.bad_period"));
    }
    let unit_id = query.unit.unwrap_or(account.unit_id);
    let unit = state.store.unit(unit_id).await?;
    if !account.staff().covers(&unit.path) {
        return Err(ApiError::not_found());
    }
    let measures = state.store.measures(unit_id, from, to, time::now()).await?;
    let suggestions = state.store.suggestion_accuracy(unit_id, from, to).await?;
    Ok(Json(StatsView {
        unit: UnitRef { id: unit.id, name: unit.name },
        from: query.from,
        to: query.to,
        measures,
        scoring: state.store.settings().scoring,
        suggestions,
    }))
}
