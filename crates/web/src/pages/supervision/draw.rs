//! The draw: a form for scope, period, rate, minimum and an optional seed; the list of
//! samples; one sample with its requests, and the same draw made again from its seed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use chrono::Duration;
use gongzhi_domain::role::Role;
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time;
use gongzhi_store::{Account, DrawSpec, Reproduction, Sample};
use serde::Deserialize;

use super::{not_found, parse_date, refuse, requests, see_other, user_of, when, Names, PageQuery, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::error::{refusal, refused, said, Refusal};
use crate::pages::{page, same_site_form, Chrome, PageResult};
use crate::AppState;

/// The draw form as the browser sends it, and as it is shown again after a refusal.
#[derive(Deserialize, Clone)]
#[serde(default)]
pub struct DrawForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    unit: String,
    from: String,
    to: String,
    rate: String,
    minimum: String,
    seed: String,
}

impl Default for DrawForm {
    fn default() -> Self {
        let today = time::local_date(time::now());
        let rule = SampleRule::default();
        DrawForm {
            csrf: String::new(),
            unit: String::new(),
            from: (today - Duration::days(30)).to_string(),
            to: today.to_string(),
            rate: rule.rate_percent.to_string(),
            minimum: rule.minimum.to_string(),
            seed: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "supervision/draw.html")]
struct DrawPage<'a> {
    chrome: &'a Chrome,
    form: DrawForm,
    units: Vec<(i64, String)>,
    error: Option<String>,
}

async fn show_form(state: &AppState, chrome: &Chrome, user: &Account, form: DrawForm, refusal: Refusal) -> PageResult {
    let units = crate::pages::figures::units_in_scope(state, &user.staff()).await?;
    let (status, error) = said(refusal);
    let mut response = page(chrome, &DrawPage { chrome, form, units, error });
    *response.status_mut() = status;
    Ok(response)
}

pub async fn form(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let form = DrawForm { unit: user.unit_id.to_string(), ..DrawForm::default() };
    show_form(&state, &chrome, &user, form, None).await
}

/// The spec a form asks for, or the message key of what is wrong with it.
fn spec_of(form: &DrawForm) -> Result<DrawSpec, &'static str> {
    let number = |text: &str| text.trim().parse::<u32>().map_err(|_| "supervision.bad_number");
    Ok(DrawSpec {
        unit_id: form.unit.trim().parse().map_err(|_| "supervision.bad_number")?,
        from: parse_date(&form.from).ok_or("supervision.bad_date")?,
        to: parse_date(&form.to).ok_or("supervision.bad_date")?,
        rule: SampleRule { rate_percent: number(&form.rate)?, minimum: number(&form.minimum)? },
        seed: match form.seed.trim() {
            "" => None,
            seed => Some(seed.parse().map_err(|_| "supervision.bad_seed")?),
        },
    })
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<DrawForm>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    if !same_site_form(&headers, &form.csrf) {
        return show_form(&state, &chrome, &user, form, refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let spec = match spec_of(&form) {
        Ok(spec) => spec,
        Err(key) => {
            let error = refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, key);
            return show_form(&state, &chrome, &user, form, error).await;
        }
    };
    match gongzhi_app::supervision::draw(&state.store, &user.staff(), &spec, time::now())
        .await
        .map_err(gongzhi_store::StoreError::from)
    {
        Ok((sample, _)) => Ok(see_other(format!("/work/supervision/samples/{}", sample.id))),
        Err(error) => show_form(&state, &chrome, &user, form, refusal(&chrome, error)?).await,
    }
}

/// A sample as a row of the list.
pub struct SampleRow {
    pub id: i64,
    pub scope: String,
    pub period: String,
    pub rule: String,
    pub seed: u64,
    pub population: i64,
    pub items: i64,
    pub finished: i64,
    pub drawn: String,
    pub by: String,
}

pub(super) fn sample_row(sample: &Sample, names: &Names) -> SampleRow {
    SampleRow {
        id: sample.id,
        scope: names.unit(sample.scope_unit_id),
        period: format!("{} ~ {}", sample.from, sample.to),
        rule: format!("{}% / ≥{}", sample.rule.rate_percent, sample.rule.minimum),
        seed: sample.seed,
        population: sample.population,
        items: sample.items,
        finished: sample.finished,
        drawn: when(sample.drawn_at),
        by: names.person(sample.drawn_by),
    }
}

#[derive(Template)]
#[template(path = "supervision/samples.html")]
struct SamplesPage<'a> {
    chrome: &'a Chrome,
    rows: Vec<SampleRow>,
    pager: Pager,
}

pub async fn samples(State(state): State<AppState>, chrome: Chrome, Query(query): Query<PageQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let total = state.store.samples(&staff, 0, 1).await?.total;
    let pager = Pager::new("/work/supervision/samples", query.page, total);
    let listing = state.store.samples(&staff, pager.offset(), super::PER_PAGE).await?;
    let names = Names::load(&state).await?;
    let rows = listing.items.iter().map(|s| sample_row(s, &names)).collect();
    Ok(page(&chrome, &SamplesPage { chrome: &chrome, rows, pager }))
}

/// Every sample and every request it drew, as two sheets.
pub async fn samples_export(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let listing = state.store.samples(&staff, 0, super::EXPORT_ROWS).await?;
    let names = Names::load(&state).await?;
    let t = &chrome.t;
    let mut items = Vec::new();
    for sample in &listing.items {
        let drawn = state.store.sample_items(&staff, sample.id).await?;
        let found = requests(&state, &user, drawn.iter().map(|i| i.request_id)).await?;
        for item in drawn {
            let number = found.get(&item.request_id).map(|r| r.number.clone()).unwrap_or_default();
            items.push(vec![
                Cell::Int(sample.id),
                Cell::Text(number),
                Cell::Text(names.unit(item.unit_id)),
                Cell::Text(t.lookup(&format!("callback_state.{}", item.state.as_str())).to_string()),
                Cell::Int(item.attempts),
            ]);
        }
    }
    let rows = listing
        .items
        .iter()
        .map(|s| {
            let row = sample_row(s, &names);
            vec![
                Cell::Int(row.id),
                Cell::Text(row.scope),
                Cell::Text(row.period),
                Cell::Text(row.rule),
                Cell::Text(row.seed.to_string()),
                Cell::Int(row.population),
                Cell::Int(row.items),
                Cell::Int(row.finished),
                Cell::Text(row.drawn),
                Cell::Text(row.by),
            ]
        })
        .collect();
    let header = |keys: &[&str]| keys.iter().map(|k| t.get(k).to_string()).collect();
    let sheets = [
        Sheet {
            name: t.get("supervision.samples").to_string(),
            header: header(&[
                "supervision.sample",
                "supervision.scope",
                "supervision.period",
                "supervision.rule",
                "supervision.seed",
                "supervision.population",
                "supervision.drawn_count",
                "supervision.finished",
                "supervision.drawn_at",
                "supervision.drawn_by",
            ]),
            rows,
        },
        Sheet {
            name: t.get("supervision.items").to_string(),
            header: header(&[
                "supervision.sample",
                "request.number",
                "request.assignee",
                "supervision.callback_state",
                "supervision.attempts",
            ]),
            rows: items,
        },
    ];
    Ok(export::download("samples.xlsx", sheets.into()).await)
}

/// A drawn request as a row of its sample.
pub struct ItemRow {
    pub id: i64,
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub state: &'static str,
    pub state_name: &'static str,
    pub attempts: i64,
}

#[derive(Template)]
#[template(path = "supervision/sample.html")]
struct SamplePage<'a> {
    chrome: &'a Chrome,
    sample: SampleRow,
    items: Vec<ItemRow>,
    audit: Option<Reproduction>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SampleQuery {
    verify: Option<String>,
}

pub async fn sample(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<SampleQuery>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let sample = match state.store.sample(&staff, id).await {
        Err(gongzhi_store::StoreError::NotFound) => return Ok(not_found(&chrome)),
        found => found?,
    };
    let drawn = state.store.sample_items(&staff, id).await?;
    let audit = match query.verify {
        Some(_) => Some(state.store.reproduce_sample(&staff, id).await?),
        None => None,
    };
    let names = Names::load(&state).await?;
    let found = requests(&state, &user, drawn.iter().map(|i| i.request_id)).await?;
    let items = drawn
        .iter()
        .map(|item| {
            let request = found.get(&item.request_id);
            ItemRow {
                id: item.id,
                request_id: item.request_id,
                number: request.map(|r| r.number.clone()).unwrap_or_default(),
                title: request.map(|r| r.new.title.clone()).unwrap_or_default(),
                unit: names.unit(item.unit_id),
                state: item.state.as_str(),
                state_name: chrome.t.lookup(&format!("callback_state.{}", item.state.as_str())),
                attempts: item.attempts,
            }
        })
        .collect();
    let sample = sample_row(&sample, &names);
    Ok(page(&chrome, &SamplePage { chrome: &chrome, sample, items, audit }))
}
