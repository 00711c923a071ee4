//! How units are scored and ranked: the weight of each rate in the composite score (综合得分)
//! and the fewest requests behind each weighed rate before a unit is scored at all. The
//! district admin sets them; every dashboard, bulletin and statistic scores with them
//! from then on, and a bulletin keeps the ones it was generated with.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_app::admin;
use gongzhi_domain::figures::Measure;
use gongzhi_domain::measures::{Scoring, MAX_MINIMUM, MAX_WEIGHT};
use gongzhi_domain::time;
use serde::Deserialize;

use super::{render, saved, Admin, ListQuery, Notice};
use crate::pages::figures::how;
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

/// The scoring form as typed: shown again as it was when it is refused.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ScoringForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    response: String,
    closure: String,
    on_time: String,
    solved: String,
    satisfaction: String,
    minimum: String,
}

impl ScoringForm {
    fn of(scoring: &Scoring) -> ScoringForm {
        let weight = |w: f64| w.to_string();
        ScoringForm {
            csrf: String::new(),
            response: weight(scoring.response),
            closure: weight(scoring.closure),
            on_time: weight(scoring.on_time),
            solved: weight(scoring.solved),
            satisfaction: weight(scoring.satisfaction),
            minimum: scoring.minimum.to_string(),
        }
    }

    /// The numbers typed, if each is one and they make a usable scoring.
    fn scoring(&self) -> Option<Scoring> {
        let weight = |text: &str| text.trim().parse::<f64>().ok();
        let scoring = Scoring {
            response: weight(&self.response)?,
            closure: weight(&self.closure)?,
            on_time: weight(&self.on_time)?,
            solved: weight(&self.solved)?,
            satisfaction: weight(&self.satisfaction)?,
            minimum: self.minimum.trim().parse().ok()?,
        };
        scoring.check().ok().map(|_| scoring)
    }

    /// Each weight's field: its name, its label and the value typed.
    fn fields(&self) -> [(&'static str, Measure, &str); 5] {
        [
            ("response", Measure::ResponseRate, &self.response),
            ("closure", Measure::ClosureRate, &self.closure),
            ("on_time", Measure::OnTimeRate, &self.on_time),
            ("solved", Measure::SolvedRate, &self.solved),
            ("satisfaction", Measure::SatisfactionRate, &self.satisfaction),
        ]
    }
}

/// A weight's line on the form.
pub struct WeightField {
    name: &'static str,
    label: &'static str,
    value: String,
    how: String,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    weights: Vec<WeightField>,
    minimum: String,
    /// The score as computed now, in words.
    formula: String,
    max_weight: f64,
    max_minimum: i64,
}

fn show(state: &AppState, chrome: &Chrome, form: &ScoringForm, notice: Option<Notice>) -> Response {
    let weights = form
        .fields()
        .into_iter()
        .map(|(name, measure, value)| WeightField {
            name,
            label: chrome.t.lookup(&format!("measure.{}", measure.as_str())),
            value: value.to_string(),
            how: how(chrome, measure, None),
        })
        .collect();
    let template = SettingsPage {
        chrome,
        tab: "settings",
        notice,
        weights,
        minimum: form.minimum.clone(),
        formula: how(chrome, Measure::CompositeScore, Some(&state.store.settings().scoring)),
        max_weight: MAX_WEIGHT,
        max_minimum: MAX_MINIMUM,
    };
    render(chrome, &template, template.notice.as_ref())
}

pub async fn page(
    State(state): State<AppState>,
    Admin { chrome, .. }: Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    let form = ScoringForm::of(&state.store.settings().scoring);
    show(&state, &chrome, &form, query.notice(&chrome))
}

pub async fn save(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    headers: HeaderMap,
    Form(form): Form<ScoringForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show(&state, &chrome, &form, Some(Notice::csrf(&chrome)));
    }
    let Some(scoring) = form.scoring() else {
        return show(&state, &chrome, &form, Some(Notice::refused(&chrome, "refused.bad_scoring")));
    };
    match admin::set_scoring(&state.store, &admin, &scoring, time::now()).await {
        Ok(()) => saved("/admin/settings"),
        Err(error) => show(&state, &chrome, &form, Some(Notice::from_store(&chrome, error))),
    }
}
