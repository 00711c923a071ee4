//! Bulletins (通报): a scope's content for a week or a month, generated from the
//! aggregates, reviewed by a supervisor who adds remarks, then published for everyone.
//! The content is kept as generated, so a published bulletin says what it said that day.
//!
//! `publishing_content` is also what dashboards show, for any period: one assembly, two
//! uses.

use chrono::NaiveDate;
use gongzhi_domain::bulletin::{
    assemble, BulletinStatus, CallbackResults, Content, EnterpriseSection, Inputs, Period, PeriodKind, UnitRef,
    MAX_REMARKS,
};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::supervision::Refused;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::UnitKind;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Listing, Result, Store, StoreError};

/// A bulletin as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulletin {
    pub id: i64,
    pub unit_id: i64,
    pub content: Content,
    pub remarks: String,
    pub status: BulletinStatus,
    pub created_by: i64,
    pub created_at: Millis,
    pub published_by: Option<i64>,
    pub published_at: Option<Millis>,
}

impl Bulletin {
    pub fn period(&self) -> Period {
        self.content.period
    }

    pub fn is_published(&self) -> bool {
        self.status == BulletinStatus::Published
    }

    /// Its figures were taken before its period was over (临时通报).
    pub fn is_provisional(&self) -> bool {
        self.content.is_provisional()
    }
}

const COLUMNS: &str = "id, unit_id, content, remarks, status, created_by, created_at, published_by, published_at";

fn bulletin_from_row(row: &AnyRow) -> Result<Bulletin> {
    let content: String = row.try_get("content")?;
    let status: String = row.try_get("status")?;
    Ok(Bulletin {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::Invalid(format!("a bulletin's content does not read back: {e}")))?,
        remarks: row.try_get("remarks")?,
        status: BulletinStatus::parse(&status)
            .ok_or_else(|| StoreError::Invalid(format!("unknown bulletin status `{status}`")))?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        published_by: row.try_get("published_by")?,
        published_at: row.try_get("published_at")?,
    })
}

/// Bulletins are the supervisors' to write.
fn require_supervisor(staff: &Staff) -> Result<()> {
    if staff.role == Role::Supervisor {
        Ok(())
    } else {
        Err(Refused::NotSupervisor.into())
    }
}

/// Longest period whose callbacks are summed.
const CALLBACK_DAYS: i64 = 365;

impl Store {
    /// The content of a unit subtree for a period as the figures stand now.
    pub async fn publishing_content(&self, unit_id: i64, period: Period, now: Millis) -> Result<Content> {
        let unit = self.unit(unit_id).await?;
        let previous = period.previous();
        let summary = async {
            if period.days() > CALLBACK_DAYS {
                return Ok(None);
            }
            let summary = self.callback_summary(unit_id, period.from, period.to).await?;
            Ok::<_, StoreError>((summary.sampled.count > 0).then(|| CallbackResults {
                sampled: summary.sampled.count,
                reached: summary.reached.count,
                answers: summary.questions.iter().map(|q| (q.question.as_str().to_string(), q.passed.count)).collect(),
            }))
        };
        // Independent reads, each on its own pooled connection.
        let bounds = (time::start_of(period.from), time::start_of(period.to.succ_opt().unwrap_or(period.to)));
        let (measures, children, categories, previous_categories, callbacks, (inspections, enterprises, tasks)) = tokio::try_join!(
            self.measures(unit_id, period.from, period.to, now),
            self.measures_of_children(unit_id, period.from, period.to, now),
            self.category_intake(unit_id, period.from, period.to),
            self.category_intake(unit_id, previous.from, previous.to),
            summary,
            async {
                tokio::try_join!(
                    self.inspection_section(&unit.path, bounds, now),
                    self.enterprise_section(&unit.path, bounds, now),
                    self.task_section(&unit.path, bounds, now)
                )
            },
        )?;
        let mut content = assemble(Inputs {
            unit: UnitRef { id: unit.id, name: unit.name, department: unit.kind == UnitKind::Department },
            period,
            generated_at: now,
            measures,
            children: children
                .into_iter()
                .map(|(u, m)| (UnitRef { id: u.id, name: u.name, department: u.kind == UnitKind::Department }, m))
                .collect(),
            categories,
            previous_categories,
            callbacks,
            scoring: self.settings().scoring,
        });
        content.inspections = inspections;
        content.enterprises = enterprises;
        content.tasks = tasks;
        // Names only for the categories shown: the catalogue has hundreds.
        let shown: Vec<i64> =
            content.top_categories.iter().chain(&content.hot_categories).filter_map(|c| c.category_id).collect();
        let names = self.category_names(&shown).await?;
        for c in content.top_categories.iter_mut().chain(content.hot_categories.iter_mut()) {
            c.name = c.category_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
        }
        Ok(content)
    }

    /// A draft bulletin of the week or month holding `date`, for a unit of the
    /// supervisor's subtree. A period not over yet may be drafted; its bulletin is
    /// provisional. A unit has one draft per period: while it exists, generating again is
    /// refused with its id.
    pub async fn generate_bulletin(
        &self,
        staff: &Staff,
        unit_id: i64,
        kind: PeriodKind,
        date: NaiveDate,
        now: Millis,
    ) -> Result<Bulletin> {
        require_supervisor(staff)?;
        let unit = self.unit(unit_id).await?;
        if !staff.covers(&unit.path) {
            return Err(StoreError::NotFound);
        }
        if kind == PeriodKind::Custom {
            return Err(StoreError::Invalid("a bulletin covers a week or a month".into()));
        }
        let period = Period::of(kind, date);
        if time::start_of(period.from) > now {
            return Err(StoreError::Invalid("the period has not started yet".into()));
        }
        self.no_draft_of(unit.id, period).await?;
        let content = self.publishing_content(unit_id, period, now).await?;
        let json = serde_json::to_string(&content).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let inserted = sqlx::query(
            "INSERT INTO bulletins (unit_id, unit_path, period_kind, period_from, period_to, content, remarks, \
             status, created_by, created_at, draft_key) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(unit.id)
        .bind(unit.path.as_str())
        .bind(kind.as_str())
        .bind(time::date_to_day(period.from))
        .bind(time::date_to_day(period.to))
        .bind(json)
        .bind(BulletinStatus::Draft.as_str())
        .bind(staff.user_id)
        .bind(now)
        .bind(format!("{}/{}/{}", unit.id, kind.as_str(), period.from))
        .fetch_one(self.pool())
        .await;
        match inserted {
            Ok(row) => self.bulletin_by_id(row.try_get("id")?).await,
            // Another supervisor's draft of the same period was stored first.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                self.no_draft_of(unit.id, period).await?;
                Err(StoreError::Refused("bulletin_draft_exists"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses, naming it, when the unit already has a draft of the period.
    async fn no_draft_of(&self, unit_id: i64, period: Period) -> Result<()> {
        let draft = sqlx::query(
            "SELECT id FROM bulletins WHERE unit_id = $1 AND period_kind = $2 AND period_from = $3 \
             AND status = 'draft' ORDER BY id LIMIT 1",
        )
        .bind(unit_id)
        .bind(period.kind.as_str())
        .bind(time::date_to_day(period.from))
        .fetch_optional(self.pool())
        .await?;
        match draft {
            Some(row) => Err(StoreError::AlreadyOpen { what: "bulletin_draft", id: row.try_get("id")? }),
            None => Ok(()),
        }
    }

    async fn bulletin_by_id(&self, id: i64) -> Result<Bulletin> {
        let sql = format!("SELECT {COLUMNS} FROM bulletins WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        bulletin_from_row(&row)
    }

    /// A bulletin of the viewer's subtree, draft or published.
    pub async fn bulletin(&self, viewer: &Staff, id: i64) -> Result<Bulletin> {
        let sql = format!("SELECT {COLUMNS}, unit_path FROM bulletins WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let path: String = row.try_get("unit_path")?;
        if !viewer.covers(&path) {
            return Err(StoreError::NotFound);
        }
        bulletin_from_row(&row)
    }

    /// A published bulletin, for anyone.
    pub async fn published_bulletin(&self, id: i64) -> Result<Bulletin> {
        let bulletin = self.bulletin_by_id(id).await?;
        if bulletin.is_published() {
            Ok(bulletin)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The bulletins of the viewer's subtree, newest first.
    pub async fn bulletins(&self, viewer: &Staff, offset: i64, limit: i64) -> Result<Listing<Bulletin>> {
        let prefix = format!("{}%", viewer.unit_path);
        let sql = format!(
            "SELECT {COLUMNS} FROM bulletins WHERE unit_path LIKE $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(&sql)
            .bind(&prefix)
            .bind(limit.clamp(1, 200))
            .bind(offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM bulletins WHERE unit_path LIKE $1")
            .bind(&prefix)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items: rows.iter().map(bulletin_from_row).collect::<Result<_>>()?, total })
    }

    /// Published bulletins, latest publication first.
    pub async fn published_bulletins(&self, offset: i64, limit: i64) -> Result<Listing<Bulletin>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bulletins WHERE status = 'published' \
             ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2"
        );
        let rows = sqlx::query(&sql).bind(limit.clamp(1, 200)).bind(offset.max(0)).fetch_all(self.pool()).await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM bulletins WHERE status = 'published'")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items: rows.iter().map(bulletin_from_row).collect::<Result<_>>()?, total })
    }

    /// A draft the supervisor may still change.
    async fn own_draft(&self, staff: &Staff, id: i64) -> Result<Bulletin> {
        require_supervisor(staff)?;
        let bulletin = self.bulletin(staff, id).await?;
        if bulletin.is_published() {
            return Err(StoreError::Refused("bulletin_published"));
        }
        Ok(bulletin)
    }

    /// The supervisor's remarks on a draft: what the figures mean, what must be done.
    pub async fn set_bulletin_remarks(&self, staff: &Staff, id: i64, remarks: &str) -> Result<Bulletin> {
        self.own_draft(staff, id).await?;
        if remarks.chars().count() > MAX_REMARKS {
            return Err(StoreError::Rule(gongzhi_domain::Broken::Invalid {
                field: "remarks",
                reason: format!("longer than {MAX_REMARKS} characters"),
            }));
        }
        // Only a draft changes: a bulletin published meanwhile keeps its words.
        sqlx::query("UPDATE bulletins SET remarks = $1 WHERE id = $2 AND status = 'draft'")
            .bind(remarks.trim())
            .bind(id)
            .execute(self.pool())
            .await?;
        self.bulletin(staff, id).await
    }

    /// Publishes a draft: from now on it is on the public site and no longer changes. A
    /// provisional draft (its period was not over when its figures were taken) is
    /// published only when the supervisor confirms it as such (`provisional`); it stays
    /// marked provisional.
    pub async fn publish_bulletin(&self, staff: &Staff, id: i64, provisional: bool, now: Millis) -> Result<Bulletin> {
        let draft = self.own_draft(staff, id).await?;
        if draft.is_provisional() && !provisional {
            return Err(StoreError::Refused("bulletin_provisional"));
        }
        self.anchor_bulletin(id, now).await?;
        let done = sqlx::query(
            "UPDATE bulletins SET status = 'published', published_by = $1, published_at = $2, draft_key = NULL \
             WHERE id = $3 AND status = 'draft'",
        )
        .bind(staff.user_id)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Refused("bulletin_published"));
        }
        self.bulletin(staff, id).await
    }

    /// The 营商环境 figures of a unit subtree (requests placed in or assigned into it)
    /// for a period; `None` where enterprises raised nothing.
    async fn enterprise_section(
        &self,
        path: &str,
        (from, to): (Millis, Millis),
        now: Millis,
    ) -> Result<Option<EnterpriseSection>> {
        let open = format!("status IN {}", crate::queries::OPEN_STATES);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS received, \
             CAST(COALESCE(SUM(CASE WHEN first_resolved_at IS NOT NULL AND NOT ({open}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS resolved, \
             CAST(COALESCE(SUM(CASE WHEN first_resolved_at IS NOT NULL AND NOT ({open}) \
               AND (resolve_by IS NULL OR first_resolved_at <= resolve_by) THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, \
             CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS evaluated, \
             CAST(COALESCE(SUM(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END), 0) AS BIGINT) AS satisfied, \
             CAST(COALESCE(SUM(CASE WHEN {open} AND resolve_by < $4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS open_overdue \
             FROM requests WHERE requester_type = 'enterprise' AND created_at >= $1 AND created_at < $2 \
             AND (unit_path LIKE $3 OR assignee_path LIKE $3)"
        );
        let row =
            sqlx::query(&sql).bind(from).bind(to).bind(format!("{path}%")).bind(now).fetch_one(self.pool()).await?;
        let section = EnterpriseSection {
            received: row.try_get("received")?,
            resolved: row.try_get("resolved")?,
            on_time: row.try_get("on_time")?,
            evaluated: row.try_get("evaluated")?,
            satisfied: row.try_get("satisfied")?,
            open_overdue: row.try_get("open_overdue")?,
        };
        Ok((section.received > 0).then_some(section))
    }
}
