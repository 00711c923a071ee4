//! The unit tree and the category catalogue, for forms and filters. Public: they name
//! no person.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::AppState;

pub async fn units(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": state.store.units().await? })))
}

pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": state.store.categories().await? })))
}
