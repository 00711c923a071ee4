//! A bulletin as data: its content as generated, the remarks, and whether and when it
//! was published. Staff read the bulletins of their subtree.

use axum::extract::{Path, State};
use axum::Json;
use gongzhi_domain::bulletin::{BulletinStatus, Content};
use gongzhi_domain::time::Millis;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct BulletinView {
    pub id: i64,
    pub unit_id: i64,
    pub status: BulletinStatus,
    /// Its figures were taken before its period was over.
    pub provisional: bool,
    /// The period, local dates `YYYY-MM-DD`, both included.
    pub from: String,
    pub to: String,
    /// As generated: `measures`, the sub-units' `ranking`, `top_categories`,
    /// `hot_categories`, `overdue_units`, `callbacks` and the `scoring` used.
    #[schema(value_type = Object)]
    pub content: Content,
    pub remarks: String,
    pub created_at: Millis,
    pub published_at: Option<Millis>,
}

#[utoipa::path(get, path = "/bulletins/{id}", tag = "publishing", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The bulletin", body = BulletinView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such bulletin in the caller's scope", body = ErrorBody),
    ))]
pub async fn bulletin(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<BulletinView>> {
    let b = state.store.bulletin(&account.staff(), id).await?;
    Ok(Json(BulletinView {
        id: b.id,
        unit_id: b.unit_id,
        status: b.status,
        provisional: b.is_provisional(),
        from: b.period().from.to_string(),
        to: b.period().to.to_string(),
        content: b.content,
        remarks: b.remarks,
        created_at: b.created_at,
        published_at: b.published_at,
    }))
}
