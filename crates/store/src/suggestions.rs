//! Routing suggestions in the database: the trained models, what intake suggested for each
//! request, how often the suggestion was the unit finally dispatched to, and the texts the
//! suggestion service and the hot-issue page read.
//!
//! The store only keeps and finds these; training and predicting belong to the text crate
//! and the service around it in the web layer.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::geo::Point;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::path_ids;
use gongzhi_domain::{Kind, Status};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{placeholders, vocab};
use crate::{Result, Store, StoreError};

/// A request intake may have filed twice: another open request much like it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateRef {
    pub id: i64,
    pub number: String,
    pub similarity: f64,
    /// Phrases both texts share, strongest first.
    pub shared_terms: Vec<String>,
}

/// What intake suggests for a new request, before it has an id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSuggestion {
    /// First-level category; none when no model was trained yet.
    pub category_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub confidence: Option<f64>,
    /// The words behind the category, strongest first.
    pub terms: Vec<String>,
    pub duplicates: Vec<DuplicateRef>,
    pub model_version: Option<i64>,
}

impl NewSuggestion {
    /// Nothing to show: no model and no duplicate.
    pub fn is_empty(&self) -> bool {
        self.category_id.is_none() && self.unit_id.is_none() && self.duplicates.is_empty()
    }
}

/// A stored suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub request_id: i64,
    #[serde(flatten)]
    pub suggested: NewSuggestion,
    pub created_at: Millis,
}

/// A trained model as stored: the newest is the one in use.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteModelRecord {
    pub version: i64,
    pub trained_at: Millis,
    /// Closed requests it learned from.
    pub trained_from: i64,
    pub scores: serde_json::Value,
    /// The model file, as the text crate writes it.
    pub model: String,
}

/// How often intake's suggestion was the unit (and the category) the request ended with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestionAccuracy {
    /// Requests with a suggested unit that are now dispatched.
    pub dispatched: i64,
    /// Of those, dispatched to the suggested unit.
    pub unit_matched: i64,
    pub unit_accuracy: Option<f64>,
    /// Requests with a suggested category and a category of their own.
    pub categorised: i64,
    /// Of those, whose own category lies under the suggested first-level category.
    pub category_matched: i64,
    pub category_accuracy: Option<f64>,
}

/// What a page shows of a request it only mentions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestHead {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: Status,
}

/// A closed request as training sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRow {
    pub title: String,
    pub content: String,
    pub kind: Kind,
    pub category_id: i64,
    /// The community, village or other unit the request was about.
    pub place_id: i64,
    /// The unit it was finally dispatched to; none when it was answered at intake.
    pub unit_id: Option<i64>,
}

/// A request's text with what duplicate and hot-issue detection need beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestText {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub content: String,
    pub kind: Kind,
    pub unit_id: i64,
    /// The street address the requester gave.
    pub address: String,
    pub created_at: Millis,
    /// Tells residents apart in hot issues; never shown.
    pub requester: Option<String>,
    /// Where it is, when its channel said.
    pub location: Option<Point>,
}

/// Most texts [`Store::texts_of`] reads in one statement.
pub const TEXTS_AT_ONCE: usize = 1_000;

const TEXT_COLUMNS: &str = "id, number, title, content, kind, unit_id, address, created_at, requester_phone, lat, long";

fn text_from_row(row: &AnyRow) -> Result<RequestText> {
    let phone: String = row.try_get("requester_phone")?;
    Ok(RequestText {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        title: row.try_get("title")?,
        content: row.try_get("content")?,
        kind: vocab(row, "kind", Kind::parse)?,
        unit_id: row.try_get("unit_id")?,
        address: row.try_get("address")?,
        created_at: row.try_get("created_at")?,
        requester: Some(phone).filter(|p| !p.trim().is_empty()),
        location: crate::rows::point(row)?,
    })
}

fn json_or_default<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

fn suggestion_from_row(row: &AnyRow) -> Result<Suggestion> {
    let terms: String = row.try_get("terms")?;
    let duplicates: String = row.try_get("duplicates")?;
    Ok(Suggestion {
        request_id: row.try_get("request_id")?,
        suggested: NewSuggestion {
            category_id: row.try_get("category_id")?,
            unit_id: row.try_get("unit_id")?,
            confidence: row.try_get("confidence")?,
            terms: json_or_default(&terms),
            duplicates: json_or_default(&duplicates),
            model_version: row.try_get("model_version")?,
        },
        created_at: row.try_get("created_at")?,
    })
}

const SUGGESTION_COLUMNS: &str =
    "request_id, category_id, unit_id, confidence, terms, duplicates, model_version, created_at";

/// Writes a request's suggestion; the writer calls it in the transaction that creates the
/// request. A second suggestion for the same request replaces the first.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    request_id: i64,
    created_at: Millis,
    s: &NewSuggestion,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO suggestions (request_id, category_id, unit_id, confidence, terms, duplicates, model_version, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO UPDATE SET \
         category_id = excluded.category_id, unit_id = excluded.unit_id, confidence = excluded.confidence, \
         terms = excluded.terms, duplicates = excluded.duplicates, model_version = excluded.model_version",
    )
    .bind(request_id)
    .bind(s.category_id)
    .bind(s.unit_id)
    .bind(s.confidence)
    .bind(serde_json::to_string(&s.terms).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&s.duplicates).unwrap_or_else(|_| "[]".into()))
    .bind(s.model_version)
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cuts a `LIKE` condition on the staff member's subtree into `sql`, or nothing at the root,
/// where everything is in scope and the planner keeps its best index.
fn scope_clause(staff_path: &str, placeholder: usize) -> String {
    if path_ids(staff_path).count() <= 1 {
        String::new()
    } else {
        format!(" AND (r.unit_path LIKE ${placeholder} OR r.assignee_path LIKE ${placeholder})")
    }
}

impl Store {
    /// Stores a newly trained model; its version is returned and it is in use from now on.
    pub async fn save_route_model(&self, trained_from: i64, scores: &serde_json::Value, model: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO route_models (trained_at, trained_from, scores, model) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(time::now())
        .bind(trained_from)
        .bind(scores.to_string())
        .bind(model)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The version of the model in use, without reading the model itself.
    pub async fn route_model_version(&self) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT MAX(id) AS id FROM route_models").fetch_one(self.pool()).await?;
        Ok(row.try_get("id")?)
    }

    /// The model in use, if one was ever trained.
    pub async fn route_model(&self) -> Result<Option<RouteModelRecord>> {
        let row = sqlx::query(
            "SELECT id, trained_at, trained_from, scores, model FROM route_models ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let scores: String = row.try_get("scores")?;
        Ok(Some(RouteModelRecord {
            version: row.try_get("id")?,
            trained_at: row.try_get("trained_at")?,
            trained_from: row.try_get("trained_from")?,
            scores: serde_json::from_str(&scores).unwrap_or(serde_json::Value::Null),
            model: row.try_get("model")?,
        }))
    }

    /// Stores a suggestion made after the request was created (requests loaded in bulk).
    pub async fn save_suggestion(&self, request_id: i64, created_at: Millis, s: &NewSuggestion) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        insert(&mut conn, request_id, created_at, s).await
    }

    /// What intake suggested for a request. Callers check the request's scope first.
    pub async fn suggestion(&self, request_id: i64) -> Result<Option<Suggestion>> {
        let sql = format!("SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE request_id = $1");
        let row = sqlx::query(&sql).bind(request_id).fetch_optional(self.pool()).await?;
        row.as_ref().map(suggestion_from_row).transpose()
    }

    /// The suggestions of a page of requests, by request id.
    pub async fn suggestions_for(&self, request_ids: &[i64]) -> Result<HashMap<i64, Suggestion>> {
        let mut out = HashMap::with_capacity(request_ids.len());
        for chunk in request_ids.chunks(100) {
            let sql = format!(
                "SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE request_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                let s = suggestion_from_row(&row)?;
                out.insert(s.request_id, s);
            }
        }
        Ok(out)
    }

    /// Number, title and state of the listed requests the staff member may see: what a
    /// page shows of a possible duplicate. Out of scope ones are left out, as if absent.
    pub async fn request_heads(&self, ids: &[i64], staff: &Staff) -> Result<HashMap<i64, RequestHead>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT id, number, title, status, unit_path, assignee_path FROM requests WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                let unit_path: String = row.try_get("unit_path")?;
                let assignee_path: Option<String> = row.try_get("assignee_path")?;
                if !staff.covers(&unit_path) && !assignee_path.is_some_and(|p| staff.covers(&p)) {
                    continue;
                }
                let status: String = row.try_get("status")?;
                let head = RequestHead {
                    id: row.try_get("id")?,
                    number: row.try_get("number")?,
                    title: row.try_get("title")?,
                    status: Status::parse(&status)
                        .ok_or_else(|| StoreError::Invalid(format!("unknown status `{status}`")))?,
                };
                out.insert(head.id, head);
            }
        }
        Ok(out)
    }

    /// The newest closed requests with a category, at most `limit`: what routing learns from.
    pub async fn training_rows(&self, limit: u32) -> Result<Vec<TrainingRow>> {
        let rows = sqlx::query(
            "SELECT title, content, kind, category_id, unit_id, assignee_unit_id FROM requests \
             WHERE status = 'closed' AND category_id IS NOT NULL ORDER BY created_at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TrainingRow {
                    title: row.try_get("title")?,
                    content: row.try_get("content")?,
                    kind: vocab(row, "kind", Kind::parse)?,
                    category_id: row.try_get("category_id")?,
                    place_id: row.try_get("unit_id")?,
                    unit_id: row.try_get("assignee_unit_id")?,
                })
            })
            .collect()
    }

    /// Requests created after the one with id `after`, oldest first, at most `limit`: how
    /// an instance learns of other instances' intake.
    pub async fn texts_after(&self, after: i64, limit: u32) -> Result<Vec<RequestText>> {
        let sql = format!("SELECT {TEXT_COLUMNS} FROM requests WHERE id > $1 ORDER BY id LIMIT $2");
        let rows = sqlx::query(&sql).bind(after).bind(i64::from(limit)).fetch_all(self.pool()).await?;
        rows.iter().map(text_from_row).collect()
    }

    /// The newest requests in one of `states` created since `since`, at most `limit`,
    /// newest first: those waiting for a dispatcher.
    pub async fn texts_in_states(&self, states: &[Status], since: Millis, limit: u32) -> Result<Vec<RequestText>> {
        let ids = self.ids_in_states(states, since, limit).await?;
        let mut texts = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(TEXTS_AT_ONCE) {
            texts.extend(self.texts_of(chunk).await?);
        }
        Ok(texts)
    }

    /// The ids of the newest requests in one of `states` created since `since`, at most
    /// `limit`, newest first: the open ones duplicates are looked for among. Their texts
    /// are read a chunk at a time with [`Store::texts_of`], so that tens of thousands of
    /// them are never held twice over, as rows and as texts.
    pub async fn ids_in_states(&self, states: &[Status], since: Millis, limit: u32) -> Result<Vec<i64>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id FROM requests WHERE created_at >= $1 AND status IN ({}) \
             ORDER BY created_at DESC, id DESC LIMIT $2",
            placeholders(3, states.len())
        );
        let mut query = sqlx::query(&sql).bind(since).bind(i64::from(limit));
        for state in states {
            query = query.bind(state.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// The texts of the requests `ids` (at most [`TEXTS_AT_ONCE`]), in that order; ids
    /// of no request are left out.
    pub async fn texts_of(&self, ids: &[i64]) -> Result<Vec<RequestText>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > TEXTS_AT_ONCE {
            return Err(StoreError::Invalid(format!("{} texts asked at once, at most {TEXTS_AT_ONCE}", ids.len())));
        }
        let sql = format!("SELECT {TEXT_COLUMNS} FROM requests WHERE id IN ({})", placeholders(1, ids.len()));
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        let mut found: HashMap<i64, RequestText> = HashMap::with_capacity(ids.len());
        for row in query.fetch_all(self.pool()).await? {
            let text = text_from_row(&row)?;
            found.insert(text.id, text);
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The newest requests taken in on the local dates `from..=to` in the staff member's
    /// scope (rejected ones left out), at most `limit`; and whether there were more. Found
    /// from the creation-time index, so the work is bounded by the period and the cap.
    pub async fn texts_in_period(
        &self,
        staff: &Staff,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
    ) -> Result<(Vec<RequestText>, bool)> {
        let sql = format!(
            "SELECT {TEXT_COLUMNS} FROM requests r WHERE r.created_at >= $1 AND r.created_at < $2 \
             AND r.status <> 'rejected'{} ORDER BY r.created_at DESC, r.id DESC LIMIT {}",
            scope_clause(&staff.unit_path, 3),
            u64::from(limit) + 1
        );
        let mut query = sqlx::query(&sql).bind(time::start_of(from)).bind(time::start_of(to.succ_opt().unwrap_or(to)));
        if path_ids(&staff.unit_path).count() > 1 {
            query = query.bind(format!("{}%", staff.unit_path));
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut texts = rows.iter().map(text_from_row).collect::<Result<Vec<_>>>()?;
        let capped = texts.len() > limit as usize;
        texts.truncate(limit as usize);
        Ok((texts, capped))
    }

    /// Residents' supports of the proposals that became these requests when adopted at a
    /// meeting (议事会), by request; requests that were no proposal are left out.
    pub async fn supports_of(&self, ids: &[i64]) -> Result<HashMap<i64, i64>> {
        let mut supports = HashMap::new();
        for chunk in ids.chunks(TEXTS_AT_ONCE) {
            let sql = format!(
                "SELECT a.request_id, p.supports FROM meeting_agenda a JOIN proposals p ON p.id = a.proposal_id \
                 WHERE a.request_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                supports.insert(row.try_get("request_id")?, row.try_get("supports")?);
            }
        }
        Ok(supports)
    }
}
