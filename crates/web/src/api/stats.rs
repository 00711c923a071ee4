//! The measures of a unit's subtree for a period.

use axum::extract::State;
use axum::Json;
use gongzhi_domain::time;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    unit: Option<i64>,
    from: String,
    to: String,
}

/// Longest period one call may ask for.
const MAX_DAYS: i64 = 3 * 366;

pub async fn stats(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Value>> {
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
    // How often intake's suggestion named the unit finally dispatched to.
    let suggestions = state.store.suggestion_accuracy(unit_id, from, to).await?;
    Ok(Json(json!({
        "unit": { "id": unit.id, "name": unit.name },
        "from": query.from,
        "to": query.to,
        "measures": measures,
        // How the composite score was made: the weights and the minimum behind each rate.
        "scoring": state.store.settings().scoring,
        "suggestions": suggestions,
    })))
}
