//! A bulletin as data: its content as generated, the remarks, and whether and when it
//! was published. Staff read the bulletins of their subtree.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

pub async fn bulletin(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let b = state.store.bulletin(&account.staff(), id).await?;
    Ok(Json(json!({
        "id": b.id,
        "unit_id": b.unit_id,
        "status": b.status,
        "provisional": b.is_provisional(),
        "from": b.period().from.to_string(),
        "to": b.period().to.to_string(),
        "content": b.content,
        "remarks": b.remarks,
        "created_at": b.created_at,
        "published_at": b.published_at,
    })))
}
