//! Inspections: points and their four-level chain, versioned checklists, campaigns,
//! rounds with findings and photos, the rectification requests failed items became, and
//! the figures read from them. The requests themselves are written by the writer like
//! every other request; these tables only say where each one came from.
//!
//! Scope: a staff member sees the points whose place lies in their subtree.

use std::collections::{BTreeMap, HashMap};

use gongzhi_domain::bulletin::{self, FailedItem, InspectionRank, InspectionSection, OverdueRectification, UnitRef};
use gongzhi_domain::inspection::{ItemDraft, Mark, RoundStatus, Score, Severity};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::{may_take, Duty};
use sqlx::{AnyConnection, Row};

use crate::attachments::Photos;
use crate::{Result, Store, StoreError};

/// An inspection point (点位) with its chain (四级调度).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Point {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub cadre_id: Option<i64>,
    pub cadre_name: Option<String>,
}

const POINT_COLUMNS: &str = "p.id, p.kind, p.name, p.address, p.unit_id, p.unit_path, u.name AS unit_name, p.lat, \
     p.long, p.leader_id, l.name AS leader_name, p.department_id, d.name AS department_name, p.cadre_id, \
     c.name AS cadre_name";
const POINT_FROM: &str = "inspection_points p JOIN units u ON u.id = p.unit_id \
     LEFT JOIN users l ON l.id = p.leader_id LEFT JOIN units d ON d.id = p.department_id \
     LEFT JOIN users c ON c.id = p.cadre_id";

/// A point as an admin adds it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPoint {
    pub kind: String,
    pub name: String,
    pub address: String,
    pub unit_id: i64,
    pub lat: Option<f64>,
    pub long: Option<f64>,
}

/// The four levels a point's findings are dispatched along.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chain {
    pub leader_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cadre_id: Option<i64>,
    pub volunteer_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ChecklistHead {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub items: i64,
    pub created_at: Millis,
}

const CHECKLIST_HEAD: &str = "k.id, k.name, k.version, k.created_at, \
     (SELECT COUNT(*) FROM checklist_items i WHERE i.checklist_id = k.id) AS items FROM checklists k";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub position: i64,
    pub text: String,
    pub points: i64,
    pub severity: String,
    pub category: String,
    pub category_id: Option<i64>,
}

impl ItemRow {
    pub fn severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Minor)
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub checklist_id: i64,
    pub checklist_name: String,
    pub starts_at: Millis,
    pub ends_at: Millis,
    pub points: i64,
}

/// One of a campaign's points and who inspects it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub point_id: i64,
    pub inspector_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub point_id: i64,
    pub point_name: String,
    pub unit_path: String,
    pub checklist_id: i64,
    pub checklist_name: String,
    pub campaign_id: Option<i64>,
    pub inspector_id: i64,
    pub inspector_name: String,
    pub status: String,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub earned: i64,
    pub possible: i64,
    pub failed: i64,
}

impl Round {
    pub fn status(&self) -> RoundStatus {
        RoundStatus::parse(&self.status).unwrap_or(RoundStatus::Open)
    }

    pub fn score(&self) -> Score {
        Score { earned: self.earned as u32, possible: self.possible as u32, failed: self.failed as u32, unmarked: 0 }
    }
}

pub(crate) const ROUND_COLUMNS: &str = "r.id, r.point_id, p.name AS point_name, p.unit_path, r.checklist_id, \
     k.name AS checklist_name, r.campaign_id, r.inspector_id, i.name AS inspector_name, r.status, r.started_at, \
     r.finished_at, r.earned, r.possible, r.failed";
pub(crate) const ROUND_FROM: &str = "inspection_rounds r JOIN inspection_points p ON p.id = r.point_id \
     JOIN checklists k ON k.id = r.checklist_id JOIN users i ON i.id = r.inspector_id";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Finding {
    pub item_id: i64,
    pub mark: String,
    pub note: String,
    pub photos: i64,
}

impl Finding {
    pub fn mark(&self) -> Option<Mark> {
        Mark::parse(&self.mark)
    }
}

/// Where a rectification request came from.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Rectification {
    pub request_id: i64,
    pub point_id: i64,
    pub round_id: i64,
    pub item_id: i64,
    pub campaign_id: Option<i64>,
    pub severity: String,
    pub order_id: Option<i64>,
    pub leader_id: Option<i64>,
}

/// A rectification as the figures list it, with its request's state.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RectificationLine {
    pub request_id: i64,
    pub number: String,
    pub status: String,
    pub resolve_by: Option<Millis>,
    pub point_id: i64,
    pub point_name: String,
    pub round_id: i64,
    pub item_id: i64,
    pub item_text: String,
    pub severity: String,
    pub order_id: Option<i64>,
}

/// Which rectifications a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RectificationFilter {
    pub point_id: Option<i64>,
    pub round_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub open: bool,
    pub overdue: bool,
}

/// A unit's (or a point's) score over a period: finished rounds' points summed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScoreLine {
    pub id: i64,
    pub name: String,
    pub rounds: i64,
    pub earned: i64,
    pub possible: i64,
    pub open: i64,
    pub overdue: i64,
}

impl ScoreLine {
    pub fn score(&self) -> Score {
        Score { earned: self.earned as u32, possible: self.possible as u32, failed: 0, unmarked: 0 }
    }
}

/// The units and the points of a scope ranked over a period, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Rankings {
    pub units: Vec<ScoreLine>,
    pub points: Vec<ScoreLine>,
}

/// Best score first; lines without a scored round last; equal scores by name.
fn best_first(mut lines: Vec<ScoreLine>) -> Vec<ScoreLine> {
    lines.sort_by(|a, b| {
        let key = |l: &ScoreLine| l.score().percent().unwrap_or(-1.0);
        key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal).then(a.name.cmp(&b.name))
    });
    lines
}

use crate::queries::OPEN_STATES;

/// Rounds named per statement when their failures are kept.
const ROUNDS_PER_STATEMENT: usize = 500;

/// Keeps the failed items of those of these rounds that are finished in
/// `round_failures`, from their findings, in the caller's transaction: for a round as it
/// finishes and for rounds loaded in bulk.
pub(crate) async fn keep_failures(conn: &mut AnyConnection, round_ids: &[i64]) -> Result<()> {
    for chunk in round_ids.chunks(ROUNDS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO round_failures (finished_at, round_id, item_id, point_id, unit_path) \
             SELECT r.finished_at, f.round_id, f.item_id, r.point_id, p.unit_path \
             FROM inspection_findings f JOIN inspection_rounds r ON r.id = f.round_id \
             JOIN inspection_points p ON p.id = r.point_id \
             WHERE f.mark = $1 AND r.status = $2 AND f.round_id IN ({})",
            crate::rows::placeholders(3, chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(Mark::Fail.as_str()).bind(RoundStatus::Finished.as_str());
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// Kinds an admin added, beside the built-in ones.
    pub async fn point_kinds(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT code, name FROM inspection_kinds ORDER BY code").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?))).collect()
    }

    pub async fn add_point_kind(&self, code: &str, name: &str) -> Result<()> {
        sqlx::query("INSERT INTO inspection_kinds (code, name) VALUES ($1, $2)")
            .bind(code)
            .bind(name)
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::from_insert(e, "point kind"))?;
        Ok(())
    }

    /// Adds a point in a place (community, village or grid) of the admin's subtree.
    pub async fn add_point(&self, admin: &Staff, new: &NewPoint, at: Millis) -> Result<i64> {
        let unit = self.unit(new.unit_id).await.map_err(|_| StoreError::UnknownUnit(new.unit_id))?;
        if !admin.covers(&unit.path) {
            return Err(StoreError::UnknownUnit(new.unit_id));
        }
        let active = !self.inactive_units().await?.contains(&unit.id);
        may_take(&unit, active, Duty::Place, "unit_id")?;
        let row = sqlx::query(
            "INSERT INTO inspection_points (kind, name, address, unit_id, unit_path, lat, long, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&new.kind)
        .bind(&new.name)
        .bind(&new.address)
        .bind(unit.id)
        .bind(&unit.path)
        .bind(new.lat)
        .bind(new.long)
        .bind(at)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_insert(e, "point"))?;
        Ok(row.try_get("id")?)
    }

    /// Sets a point's chain; the department must be able to take work and the people
    /// must exist.
    pub async fn set_chain(&self, admin: &Staff, point_id: i64, chain: &Chain) -> Result<()> {
        let point = self.point(admin, point_id).await?;
        if let Some(department) = chain.department_id {
            let unit = self.unit(department).await.map_err(|_| StoreError::UnknownUnit(department))?;
            let active = !self.inactive_units().await?.contains(&unit.id);
            may_take(&unit, active, Duty::Handling, "department")?;
        }
        for user in chain.leader_id.iter().chain(&chain.cadre_id).chain(&chain.volunteer_ids) {
            let found =
                sqlx::query("SELECT id FROM users WHERE id = $1").bind(user).fetch_optional(self.pool()).await?;
            if found.is_none() {
                return Err(StoreError::Invalid(format!("user {user} does not exist")));
            }
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE inspection_points SET leader_id = $1, department_id = $2, cadre_id = $3 WHERE id = $4")
            .bind(chain.leader_id)
            .bind(chain.department_id)
            .bind(chain.cadre_id)
            .bind(point.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM inspection_point_volunteers WHERE point_id = $1")
            .bind(point.id)
            .execute(&mut *tx)
            .await?;
        for user in &chain.volunteer_ids {
            sqlx::query("INSERT INTO inspection_point_volunteers (point_id, user_id) VALUES ($1, $2)")
                .bind(point.id)
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_insert(e, "volunteer"))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A point in the staff member's scope.
    pub async fn point(&self, staff: &Staff, id: i64) -> Result<Point> {
        let sql = format!("SELECT {POINT_COLUMNS} FROM {POINT_FROM} WHERE p.id = $1");
        let point: Point =
            sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        if !staff.covers(&point.unit_path) {
            return Err(StoreError::NotFound);
        }
        Ok(point)
    }

    /// The points in the staff member's scope, by name.
    pub async fn points(&self, staff: &Staff) -> Result<Vec<Point>> {
        let sql = format!("SELECT {POINT_COLUMNS} FROM {POINT_FROM} WHERE p.unit_path LIKE $1 ORDER BY p.name, p.id");
        Ok(sqlx::query_as(&sql).bind(format!("{}%", staff.unit_path)).fetch_all(self.pool()).await?)
    }

    /// The names of a point's volunteers.
    pub async fn point_volunteers(&self, point_id: i64) -> Result<Vec<String>> {
        self.volunteers_by(point_id, "name").await
    }

    /// The logins of a point's volunteers, as the chain template writes them.
    pub async fn point_volunteer_logins(&self, point_id: i64) -> Result<Vec<String>> {
        self.volunteers_by(point_id, "login").await
    }

    /// One column of a point's volunteers' accounts (a fixed name, never input), sorted.
    async fn volunteers_by(&self, point_id: i64, column: &'static str) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT u.{column} AS value FROM inspection_point_volunteers v JOIN users u ON u.id = v.user_id \
             WHERE v.point_id = $1 ORDER BY u.{column}"
        );
        let rows = sqlx::query(&sql).bind(point_id).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get("value")?)).collect()
    }

    /// Stores a checklist as the next version of its name.
    pub async fn add_checklist(&self, name: &str, items: &[ItemDraft], by: Option<i64>, at: Millis) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM checklists WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        let version: i64 = row.try_get::<i64, _>("v")? + 1;
        let row = sqlx::query(
            "INSERT INTO checklists (name, version, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(version)
        .bind(at)
        .bind(by)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "checklist"))?;
        let id: i64 = row.try_get("id")?;
        for (position, item) in items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO checklist_items (checklist_id, position, text, points, severity, category, category_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(position as i64 + 1)
            .bind(&item.text)
            .bind(item.points as i64)
            .bind(item.severity.as_str())
            .bind(&item.category)
            .bind(item.category_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Every checklist version, newest first within each name.
    pub async fn checklists(&self) -> Result<Vec<ChecklistHead>> {
        let sql = format!("SELECT {CHECKLIST_HEAD} ORDER BY k.name, k.version DESC");
        Ok(sqlx::query_as(&sql).fetch_all(self.pool()).await?)
    }

    pub async fn checklist(&self, id: i64) -> Result<(ChecklistHead, Vec<ItemRow>)> {
        let sql = format!("SELECT {CHECKLIST_HEAD} WHERE k.id = $1");
        let head: ChecklistHead =
            sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let items = sqlx::query_as(
            "SELECT id, position, text, points, severity, category, category_id FROM checklist_items \
             WHERE checklist_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok((head, items))
    }

    /// A planned campaign: its checklist applied to its points between two dates.
    pub async fn add_campaign(
        &self,
        name: &str,
        checklist_id: i64,
        (starts_at, ends_at): (Millis, Millis),
        points: &[Assignment],
        by: i64,
        at: Millis,
    ) -> Result<i64> {
        self.checklist(checklist_id).await?;
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO inspection_campaigns (name, checklist_id, starts_at, ends_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name)
        .bind(checklist_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for point in points {
            sqlx::query(
                "INSERT INTO inspection_campaign_points (campaign_id, point_id, inspector_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(point.point_id)
            .bind(point.inspector_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "campaign point"))?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.name, c.checklist_id, k.name AS checklist_name, c.starts_at, c.ends_at, \
             (SELECT COUNT(*) FROM inspection_campaign_points p WHERE p.campaign_id = c.id) AS points \
             FROM inspection_campaigns c JOIN checklists k ON k.id = c.checklist_id ORDER BY c.starts_at DESC, c.id DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The campaign's points assigned to an inspector (or to nobody in particular).
    pub async fn campaign_points(&self, campaign_id: i64) -> Result<Vec<Assignment>> {
        let rows = sqlx::query(
            "SELECT point_id, inspector_id FROM inspection_campaign_points WHERE campaign_id = $1 ORDER BY point_id",
        )
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(Assignment { point_id: r.try_get("point_id")?, inspector_id: r.try_get("inspector_id")? }))
            .collect()
    }

    /// Opens a round of an inspector at a point.
    pub async fn start_round(
        &self,
        point_id: i64,
        checklist_id: i64,
        campaign_id: Option<i64>,
        inspector_id: i64,
        at: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO inspection_rounds (point_id, checklist_id, campaign_id, inspector_id, status, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(point_id)
        .bind(checklist_id)
        .bind(campaign_id)
        .bind(inspector_id)
        .bind(RoundStatus::Open.as_str())
        .bind(at)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// A round whose point lies in the staff member's scope.
    pub async fn round(&self, staff: &Staff, id: i64) -> Result<Round> {
        let sql = format!("SELECT {ROUND_COLUMNS} FROM {ROUND_FROM} WHERE r.id = $1");
        let round: Round =
            sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        if !staff.covers(&round.unit_path) {
            return Err(StoreError::NotFound);
        }
        Ok(round)
    }

    /// Rounds in scope, newest first: of one point, or all of them.
    pub async fn rounds(&self, staff: &Staff, point_id: Option<i64>, limit: i64) -> Result<Vec<Round>> {
        // One point's rounds are read through its own index, all of them through the
        // newest first: a condition that may be either would use neither.
        let of_point = if point_id.is_some() { "r.point_id = $2" } else { "$2 = 0" };
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM {ROUND_FROM} WHERE p.unit_path LIKE $1 AND {of_point} \
             ORDER BY r.started_at DESC, r.id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(format!("{}%", staff.unit_path))
            .bind(point_id.unwrap_or(0))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn findings(&self, round_id: i64) -> Result<Vec<Finding>> {
        Ok(sqlx::query_as(
            "SELECT f.item_id, f.mark, f.note, (SELECT COUNT(*) FROM inspection_photos p \
             WHERE p.round_id = f.round_id AND p.item_id = f.item_id) AS photos \
             FROM inspection_findings f WHERE f.round_id = $1",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves one item's finding (again, if it was marked before) with its photos.
    pub async fn mark_item(
        &self,
        round_id: i64,
        item_id: i64,
        mark: Mark,
        note: &str,
        photos: &[Vec<u8>],
        at: Millis,
    ) -> Result<()> {
        let photos = Photos::check(photos)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM inspection_findings WHERE round_id = $1 AND item_id = $2")
            .bind(round_id)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO inspection_findings (round_id, item_id, mark, note, marked_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(round_id)
        .bind(item_id)
        .bind(mark.as_str())
        .bind(note.trim())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        for (bytes, kind) in photos.iter() {
            use sha2::Digest;
            let sha = hex::encode(sha2::Sha256::digest(bytes));
            sqlx::query(
                "INSERT INTO inspection_photos (round_id, item_id, content_type, bytes, size, sha256, created_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM inspection_photos \
                 WHERE round_id = $1 AND item_id = $2 AND sha256 = $6)",
            )
            .bind(round_id)
            .bind(item_id)
            .bind(kind)
            .bind(bytes.to_vec())
            .bind(bytes.len() as i64)
            .bind(sha)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The photos of one item's finding, oldest first.
    pub async fn finding_photos(&self, round_id: i64, item_id: i64) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT id, content_type, bytes FROM inspection_photos WHERE round_id = $1 AND item_id = $2 ORDER BY id",
        )
        .bind(round_id)
        .bind(item_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("content_type")?, r.try_get("bytes")?))).collect()
    }

    /// Closes a round with its score; only an open one. Its failed items are kept by the
    /// time it finished, for the figures of a period (`round_failures`).
    pub async fn finish_round(&self, round_id: i64, score: &Score, at: Millis) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE inspection_rounds SET status = $1, finished_at = $2, earned = $3, possible = $4, failed = $5 \
             WHERE id = $6 AND status = $7",
        )
        .bind(RoundStatus::Finished.as_str())
        .bind(at)
        .bind(score.earned as i64)
        .bind(score.possible as i64)
        .bind(score.failed as i64)
        .bind(round_id)
        .bind(RoundStatus::Open.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Refused("round_finished"));
        }
        keep_failures(&mut tx, &[round_id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records where a rectification request came from.
    pub async fn record_rectification(&self, r: &Rectification, at: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO rectifications (request_id, point_id, round_id, item_id, campaign_id, severity, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.request_id)
        .bind(r.point_id)
        .bind(r.round_id)
        .bind(r.item_id)
        .bind(r.campaign_id)
        .bind(&r.severity)
        .bind(at)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_insert(e, "rectification"))?;
        Ok(())
    }

    /// Counts one more failure of an item at a point; returns how many there have been
    /// within the campaign (none are counted outside one).
    pub async fn count_failure(&self, r: &Rectification, at: Millis) -> Result<u32> {
        let Some(campaign) = r.campaign_id else { return Ok(0) };
        sqlx::query(
            "INSERT INTO inspection_failures (point_id, item_id, campaign_id, request_id, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.point_id)
        .bind(r.item_id)
        .bind(campaign)
        .bind(r.request_id)
        .bind(at)
        .execute(self.pool())
        .await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM inspection_failures WHERE point_id = $1 AND item_id = $2 AND campaign_id = $3",
        )
        .bind(r.point_id)
        .bind(r.item_id)
        .bind(campaign)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")? as u32)
    }

    /// Where a request came from, when an inspection raised it.
    pub async fn rectification(&self, request_id: i64) -> Result<Option<Rectification>> {
        Ok(sqlx::query_as(
            "SELECT r.request_id, r.point_id, r.round_id, r.item_id, r.campaign_id, r.severity, r.order_id, p.leader_id \
             FROM rectifications r JOIN inspection_points p ON p.id = r.point_id WHERE r.request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The latest open rectification of an item at a point within a campaign.
    pub async fn open_rectification_of(&self, point_id: i64, item_id: i64, campaign_id: i64) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT r.request_id FROM rectifications r JOIN requests q ON q.id = r.request_id \
             WHERE r.point_id = $1 AND r.item_id = $2 AND r.campaign_id = $3 AND q.status IN {OPEN_STATES} \
             ORDER BY r.request_id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(point_id).bind(item_id).bind(campaign_id).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get("request_id")).transpose()?)
    }

    pub async fn set_rectification_order(&self, request_id: i64, order_id: i64) -> Result<()> {
        sqlx::query("UPDATE rectifications SET order_id = $1 WHERE request_id = $2")
            .bind(order_id)
            .bind(request_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The supervisor nearest above a unit, who presses escalated rectifications.
    pub async fn supervisor_over(&self, unit_path: &str) -> Result<Option<Staff>> {
        let rows = sqlx::query(
            "SELECT s.id, s.unit_id, u.path FROM users s JOIN units u ON u.id = s.unit_id \
             WHERE s.role = $1 AND s.active = 1 ORDER BY LENGTH(u.path) DESC, s.id",
        )
        .bind(Role::Supervisor.as_str())
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let path: String = row.try_get("path")?;
            if unit_path.starts_with(&path) {
                let staff = Staff {
                    user_id: row.try_get("id")?,
                    role: Role::Supervisor,
                    unit_id: row.try_get("unit_id")?,
                    unit_path: path,
                };
                return Ok(Some(staff));
            }
        }
        Ok(None)
    }

    /// Rectifications in scope that a figure counts, newest first.
    pub async fn rectifications(
        &self,
        staff: &Staff,
        filter: RectificationFilter,
        now: Millis,
        limit: i64,
    ) -> Result<Vec<RectificationLine>> {
        self.rectifications_under(&staff.unit_path, filter, now, limit).await
    }

    /// As `rectifications`, for the points under a unit path.
    async fn rectifications_under(
        &self,
        path: &str,
        filter: RectificationFilter,
        now: Millis,
        limit: i64,
    ) -> Result<Vec<RectificationLine>> {
        let sql = format!(
            "SELECT r.request_id, q.number, q.status, q.resolve_by, r.point_id, p.name AS point_name, r.round_id, \
             r.item_id, i.text AS item_text, r.severity, r.order_id \
             FROM rectifications r JOIN requests q ON q.id = r.request_id \
             JOIN inspection_points p ON p.id = r.point_id JOIN checklist_items i ON i.id = r.item_id \
             WHERE p.unit_path LIKE $1 AND ($2 = 0 OR r.point_id = $2) AND ($3 = 0 OR r.round_id = $3) \
             AND ($4 = 0 OR p.unit_id = $4) AND ($5 = 0 OR q.status IN {OPEN_STATES}) \
             AND ($6 = 0 OR (q.status IN {OPEN_STATES} AND q.resolve_by < $7)) \
             ORDER BY r.request_id DESC LIMIT $8"
        );
        Ok(sqlx::query_as(&sql)
            .bind(format!("{path}%"))
            .bind(filter.point_id.unwrap_or(0))
            .bind(filter.round_id.unwrap_or(0))
            .bind(filter.unit_id.unwrap_or(0))
            .bind(filter.open as i64)
            .bind(filter.overdue as i64)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    /// Finished rounds' scores over a period, per place unit and per point, with each
    /// one's open and overdue rectifications now.
    pub async fn rankings(&self, staff: &Staff, period: (Millis, Millis), now: Millis) -> Result<Rankings> {
        self.rankings_under(&staff.unit_path, period, now).await
    }

    /// As `rankings`, for the points under a unit path. The period's finished rounds are
    /// summed per point, from an index that carries their scores; a unit's line is the
    /// sum of its points' lines.
    async fn rankings_under(&self, path: &str, (from, to): (Millis, Millis), now: Millis) -> Result<Rankings> {
        let like = format!("{path}%");
        let points = sqlx::query(
            "SELECT p.id AS id, p.name AS name, u.id AS unit_id, u.name AS unit_name \
             FROM inspection_points p JOIN units u ON u.id = p.unit_id WHERE p.unit_path LIKE $1",
        )
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        // Summed before they meet the points: joined first, PostgreSQL sorted every round
        // of the period by point to group them.
        let sums: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT r.point_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(r.earned) AS BIGINT), \
             CAST(SUM(r.possible) AS BIGINT) FROM inspection_rounds r \
             WHERE r.finished_at >= $2 AND r.finished_at < $3 AND r.status = 'finished' \
             AND r.point_id IN (SELECT id FROM inspection_points WHERE unit_path LIKE $1) GROUP BY r.point_id",
        )
        .bind(&like)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let sums: HashMap<i64, (i64, i64, i64)> = sums.into_iter().map(|(id, n, e, p)| (id, (n, e, p))).collect();
        // Open and overdue rectifications in one pass over the rectifications of the
        // points: the open requests of a district are many more than its rectifications,
        // and SQLite, which keeps no statistics, would start from them for each line.
        // CROSS JOIN keeps SQLite's order as written; PostgreSQL plans it as any join.
        let sql = format!(
            "SELECT p.id AS id, CAST(COUNT(*) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN q.resolve_by < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM inspection_points p CROSS JOIN rectifications x CROSS JOIN requests q \
             WHERE x.point_id = p.id AND q.id = x.request_id AND p.unit_path LIKE $1 \
             AND q.status IN {OPEN_STATES} GROUP BY p.id"
        );
        let counts: Vec<(i64, i64, i64)> = sqlx::query_as(&sql).bind(&like).bind(now).fetch_all(self.pool()).await?;
        let counts: HashMap<i64, (i64, i64)> = counts.into_iter().map(|(id, open, late)| (id, (open, late))).collect();
        let mut lines = Vec::with_capacity(points.len());
        let mut units: BTreeMap<i64, ScoreLine> = BTreeMap::new();
        for row in &points {
            let id: i64 = row.try_get("id")?;
            let (open, overdue) = counts.get(&id).copied().unwrap_or_default();
            let (rounds, earned, possible) = sums.get(&id).copied().unwrap_or_default();
            let point = ScoreLine { id, name: row.try_get("name")?, rounds, earned, possible, open, overdue };
            let unit_id: i64 = row.try_get("unit_id")?;
            let unit_name: String = row.try_get("unit_name")?;
            let unit = units.entry(unit_id).or_insert_with(|| ScoreLine {
                id: unit_id,
                name: unit_name,
                rounds: 0,
                earned: 0,
                possible: 0,
                open: 0,
                overdue: 0,
            });
            unit.rounds += point.rounds;
            unit.earned += point.earned;
            unit.possible += point.possible;
            unit.open += point.open;
            unit.overdue += point.overdue;
            lines.push(point);
        }
        Ok(Rankings { units: best_first(units.into_values().collect()), points: best_first(lines) })
    }

    /// A bulletin's inspection section for a unit subtree and period; `None` where the
    /// subtree has no inspection point.
    pub async fn inspection_section(
        &self,
        path: &str,
        period: (Millis, Millis),
        now: Millis,
    ) -> Result<Option<InspectionSection>> {
        let units = self.rankings_under(path, period, now).await?.units;
        if units.is_empty() {
            return Ok(None);
        }
        let overdue_filter = RectificationFilter { overdue: true, ..Default::default() };
        // The newest overdue, listed by deadline; the count is the units' sum.
        let mut overdue = self.rectifications_under(path, overdue_filter, now, bulletin::OVERDUE_LISTED as i64).await?;
        overdue.sort_by_key(|r| (r.resolve_by, r.request_id));
        // Failures counted per item first, each a range of the item's failures, counted
        // once (MATERIALIZED: merged into the outer query, SQLite counted them once for
        // each place that names the count); then named: the same text in two versions of
        // a checklist is one item to readers.
        let worst = sqlx::query(
            "WITH n AS MATERIALIZED (SELECT c.id AS item_id, (SELECT COUNT(*) FROM round_failures f \
               WHERE f.item_id = c.id AND f.finished_at >= $1 AND f.finished_at < $2 AND f.unit_path LIKE $3) \
               AS failures FROM checklist_items c) \
             SELECT k.name AS checklist, i.text AS text, CAST(SUM(n.failures) AS BIGINT) AS failures \
             FROM n JOIN checklist_items i ON i.id = n.item_id JOIN checklists k ON k.id = i.checklist_id \
             WHERE n.failures > 0 GROUP BY k.name, i.text ORDER BY failures DESC, k.name, i.text LIMIT $4",
        )
        .bind(period.0)
        .bind(period.1)
        .bind(format!("{path}%"))
        .bind(bulletin::WORST_ITEMS as i64)
        .fetch_all(self.pool())
        .await?;
        let worst_items = worst
            .iter()
            .map(|r| {
                Ok(FailedItem {
                    checklist: r.try_get("checklist")?,
                    text: r.try_get("text")?,
                    failures: r.try_get("failures")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut rank = 0;
        let units: Vec<InspectionRank> = units
            .into_iter()
            .map(|l| {
                let scored = l.possible > 0;
                rank += usize::from(scored);
                InspectionRank {
                    rank: scored.then_some(rank),
                    unit: UnitRef { id: l.id, name: l.name, department: false },
                    rounds: l.rounds,
                    earned: l.earned,
                    possible: l.possible,
                    open: l.open,
                    overdue: l.overdue,
                }
            })
            .collect();
        Ok(Some(InspectionSection {
            rounds: units.iter().map(|u| u.rounds).sum(),
            earned: units.iter().map(|u| u.earned).sum(),
            possible: units.iter().map(|u| u.possible).sum(),
            open: units.iter().map(|u| u.open).sum(),
            overdue_count: units.iter().map(|u| u.overdue).sum(),
            worst_items,
            overdue: overdue
                .into_iter()
                .map(|r| OverdueRectification {
                    request_id: r.request_id,
                    number: r.number,
                    point: r.point_name,
                    item: r.item_text,
                    resolve_by: r.resolve_by.unwrap_or_default(),
                })
                .collect(),
            units,
        }))
    }
}
