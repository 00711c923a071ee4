//! The callback workspace: one drawn request at a time, the requester's number shown
//! only here (and each showing logged), the four questions, and "not reached" to try
//! again later. A "no" opens a rework order for the unit in the same step.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use gongzhi_app::audit;
use gongzhi_domain::role::Role;
use gongzhi_domain::supervision::callback::{Answers, AttemptResult, Question};
use gongzhi_domain::supervision::order::{due_after, DEFAULT_DAYS};
use gongzhi_domain::time;
use gongzhi_store::{Account, CallInput, StoreError};
use serde::Deserialize;

use super::{end_of, not_found, office, parse_date, refuse, requests, see_other, user_of, when, Names};
use super::{PageQuery, Pager};
use crate::pages::error::{refusal, refused, said, Refusal};
use crate::pages::{page, same_site_form, Chrome, PageResult};
use crate::AppState;

/// A waiting callback as a row of the queue; no phone number here.
pub struct QueueRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub state_name: &'static str,
    pub attempts: i64,
    pub drawn: String,
}

#[derive(Template)]
#[template(path = "supervision/callbacks.html")]
struct QueuePage<'a> {
    chrome: &'a Chrome,
    rows: Vec<QueueRow>,
    pager: Pager,
}

pub async fn queue(State(state): State<AppState>, chrome: Chrome, Query(query): Query<PageQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let total = state.store.callback_queue(&staff, 0, 1).await?.total;
    let pager = Pager::new("/work/supervision/callbacks", query.page, total);
    let listing = state.store.callback_queue(&staff, pager.offset(), super::PER_PAGE).await?;
    let rows = queue_rows(&state, &chrome, &user, &listing.items).await?;
    Ok(page(&chrome, &QueuePage { chrome: &chrome, rows, pager }))
}

pub(super) async fn queue_rows(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    items: &[gongzhi_store::SampleItem],
) -> Result<Vec<QueueRow>, StoreError> {
    let names = Names::load(state).await?;
    let found = requests(state, user, items.iter().map(|i| i.request_id)).await?;
    Ok(items
        .iter()
        .map(|item| {
            let request = found.get(&item.request_id);
            QueueRow {
                id: item.id,
                number: request.map(|r| r.number.clone()).unwrap_or_default(),
                title: request.map(|r| r.new.title.clone()).unwrap_or_default(),
                unit: names.unit(item.unit_id),
                state_name: chrome.t.lookup(&format!("callback_state.{}", item.state.as_str())),
                attempts: item.attempts,
                drawn: when(item.drawn_at),
            }
        })
        .collect())
}

/// One earlier call, as the workspace lists it.
pub struct CallRow {
    pub at: String,
    pub by: String,
    pub result: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "supervision/callback.html")]
struct Workspace<'a> {
    chrome: &'a Chrome,
    item_id: i64,
    request_id: i64,
    number: String,
    title: String,
    content: String,
    place: String,
    unit: String,
    handler: String,
    resolved: String,
    reply: String,
    name: String,
    phone: String,
    state: &'static str,
    state_name: &'static str,
    finished: bool,
    calls: Vec<CallRow>,
    questions: Vec<(&'static str, &'static str)>,
    due: String,
    next: Option<i64>,
    order: Option<i64>,
    recorded: bool,
    error: Option<String>,
    /// The call as typed, when the form comes back.
    form: CallForm,
    /// The questions left unanswered, each said next to its question.
    missing: Vec<&'static str>,
}

impl Workspace<'_> {
    /// Whether an answer was chosen: only ever by the supervisor, never by default.
    fn chosen(&self, question: &str, answer: &str) -> bool {
        self.form.answer(question) == answer
    }

    fn missing(&self, question: &str) -> bool {
        self.missing.contains(&question)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkspaceQuery {
    recorded: Option<String>,
    order: Option<i64>,
}

async fn show(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    item_id: i64,
    query: WorkspaceQuery,
    returned: Option<Returned>,
) -> PageResult {
    let Returned { error, form, missing } = returned.unwrap_or_default();
    let (status, error) = said(error);
    let staff = user.staff();
    let (item, attempts) = match state.store.callback_item(&staff, item_id).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Ok(not_found(chrome)),
        Err(error) => return Err(error.into()),
    };
    let Some(request) = requests(state, user, [item.request_id]).await?.remove(&item.request_id) else {
        return Ok(not_found(chrome));
    };
    // The number is shown here and only here; that it was shown is on record.
    audit::saw_phones(&state.store, user.id, vec![request.id]).await;
    let names = Names::load(state).await?;
    let t = &chrome.t;
    let calls = attempts
        .iter()
        .map(|a| CallRow {
            at: when(a.at),
            by: names.person(a.by_user),
            result: match &a.result {
                AttemptResult::NotReached => t.get("supervision.not_reached").to_string(),
                AttemptResult::Reached(answers) => Question::ALL
                    .iter()
                    .map(|q| {
                        let answer = if answers.get(*q) { t.get("supervision.yes") } else { t.get("supervision.no") };
                        format!("{}{answer}", t.lookup(&format!("question.{}", q.as_str())))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            note: a.note.clone(),
        })
        .collect();
    let next = state.store.callback_queue(&staff, 0, 2).await?.items.iter().map(|i| i.id).find(|id| *id != item.id);
    let due = match form.due.trim() {
        "" => time::local_date(due_after(&state.store.settings().calendar, time::now(), DEFAULT_DAYS)).to_string(),
        typed => typed.to_string(),
    };
    let questions = Question::ALL.iter().map(|q| (q.as_str(), t.lookup(&format!("question.{}", q.as_str())))).collect();
    let template = Workspace {
        chrome,
        item_id: item.id,
        request_id: request.id,
        number: request.number.clone(),
        title: request.new.title.clone(),
        content: request.new.content.clone(),
        place: names.unit(request.new.unit_id),
        unit: names.unit(item.unit_id),
        handler: request.handler_id.map(|h| names.person(h)).unwrap_or_default(),
        resolved: request.first_resolved_at.map(when).unwrap_or_default(),
        reply: request.reply.clone().unwrap_or_default(),
        name: request.new.requester_name.clone(),
        phone: request.new.requester_phone.clone(),
        state: item.state.as_str(),
        state_name: t.lookup(&format!("callback_state.{}", item.state.as_str())),
        finished: item.state.is_finished(),
        calls,
        questions,
        due,
        next,
        order: query.order,
        recorded: query.recorded.is_some(),
        error,
        form,
        missing,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn workspace(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(item_id): Path<i64>,
    Query(query): Query<WorkspaceQuery>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    show(&state, &chrome, &user, item_id, query, None).await
}

/// A call form that came back refused: why, what was typed, and the questions left out.
#[derive(Default)]
struct Returned {
    error: Refusal,
    form: CallForm,
    missing: Vec<&'static str>,
}

/// A call as the workspace's forms send it.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CallForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    result: String,
    from_public: String,
    measures_known: String,
    result_fed_back: String,
    satisfied: String,
    note: String,
    due: String,
}

impl CallForm {
    /// The answer typed to a question, by the question's name.
    fn answer(&self, question: &str) -> &str {
        match question {
            "from_public" => &self.from_public,
            "measures_known" => &self.measures_known,
            "result_fed_back" => &self.result_fed_back,
            "satisfied" => &self.satisfied,
            _ => "",
        }
    }
}

/// What the form says happened, or the questions it left unanswered. No answer counts
/// in the figures until the supervisor has chosen it.
fn result_of(form: &CallForm) -> Result<AttemptResult, Vec<&'static str>> {
    if form.result == "not_reached" {
        return Ok(AttemptResult::NotReached);
    }
    let answer = |question: Question| crate::pages::work::yes_or_no(form.answer(question.as_str()));
    let missing: Vec<&'static str> =
        Question::ALL.iter().filter(|q| answer(**q).is_none()).map(|q| q.as_str()).collect();
    if !missing.is_empty() || form.result != "reached" {
        return Err(missing);
    }
    let yes = |question| answer(question) == Some(true);
    Ok(AttemptResult::Reached(Answers {
        from_public: yes(Question::FromPublic),
        measures_known: yes(Question::MeasuresKnown),
        result_fed_back: yes(Question::ResultFedBack),
        satisfied: yes(Question::Satisfied),
    }))
}

/// The reason a failing callback writes on its rework order: the questions answered
/// "no", and what the supervisor noted.
pub(crate) fn rework_reason(result: &AttemptResult, note: &str) -> String {
    let AttemptResult::Reached(answers) = result else { return String::new() };
    let words = office();
    let failing: Vec<String> = answers
        .failing()
        .iter()
        .map(|q| format!("{}{}", words.lookup(&format!("question.{}", q.as_str())), words.get("supervision.no")))
        .collect();
    let mut reason = format!("{}{}", words.get("supervision.found"), failing.join("；"));
    if !note.trim().is_empty() {
        reason.push('。');
        reason.push_str(note.trim());
    }
    reason
}

pub async fn record(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(item_id): Path<i64>,
    Form(form): Form<CallForm>,
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let again = |error: Refusal, form: CallForm, missing: Vec<&'static str>| {
        let returned = Returned { error, form, missing };
        show(&state, &chrome, &user, item_id, WorkspaceQuery::default(), Some(returned))
    };
    let invalid = |key| refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, key);
    if !same_site_form(&headers, &form.csrf) {
        return again(refused(&chrome, StatusCode::FORBIDDEN, "form.csrf"), form, vec![]).await;
    }
    let result = match result_of(&form) {
        Ok(result) => result,
        Err(missing) => return again(invalid("supervision.answer_all"), form, missing).await,
    };
    let now = time::now();
    let due = match form.due.trim() {
        "" => due_after(&state.store.settings().calendar, now, DEFAULT_DAYS),
        text => match parse_date(text) {
            Some(date) => end_of(date),
            None => return again(invalid("supervision.bad_date"), form, vec![]).await,
        },
    };
    let call = CallInput {
        result,
        note: form.note.clone(),
        rework_reason: rework_reason(&result, &form.note),
        rework_due: due,
    };
    match gongzhi_app::supervision::call(&state.store, &user.staff(), item_id, call, now)
        .await
        .map_err(StoreError::from)
    {
        Ok((written, _, _)) => {
            let order = written.order_id.map(|id| format!("&order={id}")).unwrap_or_default();
            Ok(see_other(format!("/work/supervision/callbacks/{item_id}?recorded=1{order}")))
        }
        Err(error) => again(refusal(&chrome, error)?, form, vec![]).await,
    }
}
