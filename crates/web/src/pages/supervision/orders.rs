//! Rework and press orders: the list (a supervisor's subtree, a leader's, a handler's own
//! unit), one order with the forms its viewer may use, and opening one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use gongzhi_app::supervision::OrderStep;
use gongzhi_domain::role::Role;
use gongzhi_domain::supervision::order::{self, due_after, Order, OrderKind, OrderStatus, DEFAULT_DAYS};
use gongzhi_domain::time;
use gongzhi_store::{Account, NewOrder, OrderFilter, StoreError};
use serde::Deserialize;

use super::{end_of, not_found, parse_date, refuse, requests, see_other, user_of, when, Names, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::error::{refusal, refused, said, Refusal};
use crate::pages::{page, same_site_form, Chrome, PageResult};
use crate::AppState;

const WHO: &[Role] = &[Role::Supervisor, Role::Leader, Role::Handler];

/// An order as a row of the list.
pub struct OrderRow {
    pub id: i64,
    pub kind: &'static str,
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub holder: String,
    pub level: i64,
    pub due: String,
    pub late: bool,
    pub status: &'static str,
    pub status_name: &'static str,
}

pub(super) async fn order_rows(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    orders: &[Order],
) -> Result<Vec<OrderRow>, StoreError> {
    let names = Names::load(state).await?;
    let found = requests(state, user, orders.iter().map(|o| o.request_id)).await?;
    let now = time::now();
    Ok(orders
        .iter()
        .map(|o| {
            let request = found.get(&o.request_id);
            OrderRow {
                id: o.id,
                kind: chrome.t.lookup(&format!("order_kind.{}", o.kind.as_str())),
                request_id: o.request_id,
                number: request.map(|r| r.number.clone()).unwrap_or_default(),
                title: request.map(|r| r.new.title.clone()).unwrap_or_default(),
                unit: names.unit(o.unit_id),
                holder: names.unit(o.holder_unit_id),
                level: o.level,
                due: when(o.due_at),
                late: o.status == OrderStatus::Open && o.due_at < now,
                status: o.status.as_str(),
                status_name: chrome.t.lookup(&format!("order_status.{}", o.status.as_str())),
            }
        })
        .collect())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    kind: String,
    page: Option<i64>,
    /// A request to open an order on, from the late list's links.
    request: String,
}

impl ListQuery {
    fn filter(&self) -> OrderFilter {
        OrderFilter { status: OrderStatus::parse(&self.status), kind: OrderKind::parse(&self.kind), request_id: None }
    }

    fn query(&self) -> String {
        format!("status={}&kind={}", self.filter().status.map(|s| s.as_str()).unwrap_or_default(), {
            self.filter().kind.map(|k| k.as_str()).unwrap_or_default()
        })
    }
}

/// The form that opens an order, as sent and as shown again after a refusal.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OpenForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    request: String,
    kind: String,
    reason: String,
    due: String,
}

#[derive(Template)]
#[template(path = "supervision/orders.html")]
struct ListPage<'a> {
    chrome: &'a Chrome,
    supervisor: bool,
    rows: Vec<OrderRow>,
    pager: Pager,
    status: String,
    kind: String,
    statuses: Vec<(&'static str, &'static str)>,
    form: OpenForm,
    due: String,
    export: String,
    error: Option<String>,
}

async fn show_list(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    query: ListQuery,
    form: OpenForm,
    refusal: Refusal,
) -> PageResult {
    let staff = user.staff();
    let filter = query.filter();
    let total = state.store.orders(&staff, &filter, 0, 1).await?.total;
    let pager = Pager::new(format!("/work/supervision/orders?{}", query.query()), query.page, total);
    let listing = state.store.orders(&staff, &filter, pager.offset(), super::PER_PAGE).await?;
    let rows = order_rows(state, chrome, user, &listing.items).await?;
    let (status, error) = said(refusal);
    let statuses = OrderStatus::ALL
        .iter()
        .map(|s| (s.as_str(), chrome.t.lookup(&format!("order_status.{}", s.as_str()))))
        .collect();
    let due = time::local_date(due_after(&state.store.settings().calendar, time::now(), DEFAULT_DAYS)).to_string();
    let template = ListPage {
        chrome,
        supervisor: user.role == Role::Supervisor,
        rows,
        pager,
        status: filter.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        kind: filter.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        statuses,
        form,
        due,
        export: format!("/work/supervision/orders.xlsx?{}", query.query()),
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn list(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, WHO) else { return Ok(refuse(&chrome)) };
    let form = OpenForm { request: query.request.clone(), kind: "press".into(), ..OpenForm::default() };
    show_list(&state, &chrome, &user, query, form, None).await
}

pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, WHO) else { return Ok(refuse(&chrome)) };
    let listing = state.store.orders(&user.staff(), &query.filter(), 0, super::EXPORT_ROWS).await?;
    let rows = order_rows(&state, &chrome, &user, &listing.items).await?;
    let t = &chrome.t;
    let sheet = Sheet {
        name: t.get("supervision.orders").to_string(),
        header: [
            "supervision.order",
            "supervision.kind",
            "request.number",
            "request.title",
            "request.assignee",
            "supervision.holder",
            "supervision.level",
            "supervision.due",
            "supervision.status",
        ]
        .iter()
        .map(|k| t.get(k).to_string())
        .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Int(r.id),
                    Cell::Text(r.kind.to_string()),
                    Cell::Text(r.number),
                    Cell::Text(r.title),
                    Cell::Text(r.unit),
                    Cell::Text(r.holder),
                    Cell::Int(r.level),
                    Cell::Text(r.due),
                    Cell::Text(r.status_name.to_string()),
                ]
            })
            .collect(),
    };
    Ok(export::download("orders.xlsx", vec![sheet]).await)
}

/// A request named by its id or by its public number (the local date and the id).
fn request_id(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = if text.len() > 8 { &text[8..] } else { text };
    digits.parse().ok().filter(|id| *id > 0)
}

pub async fn open(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<OpenForm>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let again = |refusal: Refusal| show_list(&state, &chrome, &user, ListQuery::default(), form.clone(), refusal);
    let invalid = |key| refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, key);
    if !same_site_form(&headers, &form.csrf) {
        return again(refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let (Some(request_id), Some(kind)) = (request_id(&form.request), OrderKind::parse(&form.kind)) else {
        return again(invalid("supervision.bad_request")).await;
    };
    let Some(due) = parse_date(&form.due) else { return again(invalid("supervision.bad_date")).await };
    let new = NewOrder { kind, request_id, reason: form.reason.clone(), due_at: end_of(due) };
    match gongzhi_app::supervision::open_order(&state.store, &user.staff(), new, time::now())
        .await
        .map_err(StoreError::from)
    {
        Ok(order) => Ok(see_other(format!("/work/supervision/orders/{}", order.id))),
        Err(error) => again(refusal(&chrome, error)?).await,
    }
}

#[derive(Template)]
#[template(path = "supervision/order.html")]
struct OrderPage<'a> {
    chrome: &'a Chrome,
    row: OrderRow,
    order: Order,
    created_by: String,
    answered_by: String,
    closed_by: String,
    may_answer: bool,
    /// The supervisor may send the answer back; and close the order when `may_close`.
    may_send_back: bool,
    may_close: bool,
    /// A rework answered over a request still being redone: 销号 waits for its resolution.
    rework_unfinished: bool,
    due: String,
    error: Option<String>,
}

impl OrderPage<'_> {
    fn when(&self, at: &i64) -> String {
        when(*at)
    }
}

async fn show_order(state: &AppState, chrome: &Chrome, user: &Account, id: i64, refusal: Refusal) -> PageResult {
    let staff = user.staff();
    let order = match state.store.order(&staff, id).await {
        Ok(order) => order,
        Err(StoreError::NotFound) => return Ok(not_found(chrome)),
        Err(error) => return Err(error.into()),
    };
    let names = Names::load(state).await?;
    let Some(row) = order_rows(state, chrome, user, std::slice::from_ref(&order)).await?.pop() else {
        return Ok(not_found(chrome));
    };
    let due = time::local_date(due_after(&state.store.settings().calendar, time::now(), DEFAULT_DAYS)).to_string();
    let request = super::requests(state, user, [order.request_id]).await?.remove(&order.request_id);
    let (status, error) = said(refusal);
    let may_send_back = order.status == OrderStatus::Answered && order::supervises(&staff, &order.unit_path);
    let may_close = may_send_back && request.as_ref().is_some_and(|r| order.may_close(r.status).is_ok());
    let template = OrderPage {
        chrome,
        row,
        created_by: names.person(order.created_by),
        answered_by: order.answered_by.map(|u| names.person(u)).unwrap_or_default(),
        closed_by: order.closed_by.map(|u| names.person(u)).unwrap_or_default(),
        may_answer: order.status == OrderStatus::Open && order.may_answer(&staff),
        may_send_back,
        may_close,
        rework_unfinished: order.kind == OrderKind::Rework && request.is_some_and(|r| r.status.is_open()),
        order,
        due,
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let Some(user) = user_of(&chrome, WHO) else { return Ok(refuse(&chrome)) };
    show_order(&state, &chrome, &user, id, None).await
}

/// What the order page's forms send.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    text: String,
    due: String,
}

pub async fn act(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path((id, act)): Path<(i64, String)>,
    Form(form): Form<ActForm>,
) -> PageResult {
    let Some(user) = user_of(&chrome, WHO) else { return Ok(refuse(&chrome)) };
    if !same_site_form(&headers, &form.csrf) {
        return show_order(&state, &chrome, &user, id, refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let staff = user.staff();
    let now = time::now();
    let step = match act.as_str() {
        "answer" => OrderStep::Answer(form.text.clone()),
        "close" => OrderStep::Close(form.text.clone()),
        "return" => match parse_date(&form.due) {
            Some(due) => OrderStep::SendBack { note: form.text.clone(), due_at: end_of(due) },
            None => {
                let bad_date = refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "supervision.bad_date");
                return show_order(&state, &chrome, &user, id, bad_date).await;
            }
        },
        _ => return Ok(not_found(&chrome)),
    };
    match gongzhi_app::supervision::order_step(&state.store, &staff, id, step, now).await.map_err(StoreError::from) {
        Ok(_) => Ok(see_other(format!("/work/supervision/orders/{id}"))),
        Err(error) => show_order(&state, &chrome, &user, id, refusal(&chrome, error)?).await,
    }
}
