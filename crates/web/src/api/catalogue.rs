//! The unit tree and the category catalogue, for forms and filters. Public: they name
//! no person.

use axum::extract::State;
use axum::Json;
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::Unit;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<Unit>,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryList {
    pub items: Vec<Category>,
}

#[utoipa::path(get, path = "/units", tag = "catalogue",
    responses(
        (status = 200, description = "Every unit", body = UnitList),
    ))]
pub async fn units(State(state): State<AppState>) -> ApiResult<Json<UnitList>> {
    Ok(Json(UnitList { items: state.store.units().await? }))
}

#[utoipa::path(get, path = "/categories", tag = "catalogue",
    responses(
        (status = 200, description = "Every category", body = CategoryList),
    ))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<CategoryList>> {
    Ok(Json(CategoryList { items: state.store.categories().await? }))
}
