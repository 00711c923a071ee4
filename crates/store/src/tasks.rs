//! Tasks assigned from above (责任清单, 重点任务): task lists, their tasks and milestones,
//! the reports and reviews of each milestone with their attachments, the timer that tells
//! of deadlines crossed, and the figures read from them.
//!
//! Scope: a staff member sees a task when its owner unit lies in their subtree, when the
//! list's issuing unit does, or when they are its responsible person.

use gongzhi_domain::bulletin::UnitRef;
use gongzhi_domain::notify::units_above;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::tasks::{self, MilestoneAction, MilestoneStatus, Ownership, Standing, TaskSection, TaskUnitLine};
use gongzhi_domain::time::{Millis, DAY};
use gongzhi_domain::unit::path_ids;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// A task list as it is issued.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTaskList {
    pub name: String,
    /// The issuing unit.
    pub unit_id: i64,
    pub tasks: Vec<NewTask>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub number: String,
    pub title: String,
    pub owner_unit_id: i64,
    pub responsible_id: Option<i64>,
    pub evidence: String,
    /// Each milestone's title and the instant it is due.
    pub milestones: Vec<(String, Millis)>,
}

/// A task list with its progress.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TaskListHead {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub created_at: Millis,
    pub tasks: i64,
    pub milestones: i64,
    pub accepted: i64,
}

/// A task with its owner and progress.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    pub list_path: String,
    pub number: String,
    pub title: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub owner_path: String,
    pub responsible_id: Option<i64>,
    pub responsible_name: Option<String>,
    pub evidence: String,
    pub milestones: i64,
    pub accepted: i64,
    /// Milestones waiting on the owner past their deadline now.
    pub overdue: i64,
}

impl TaskRow {
    pub fn ownership(&self) -> Ownership<'_> {
        Ownership { owner_path: &self.owner_path, responsible_id: self.responsible_id }
    }

    pub fn percent_done(&self) -> u8 {
        tasks::percent_done(self.accepted, self.milestones)
    }

    /// Whether `staff` may see it.
    pub fn seen_by(&self, staff: &Staff) -> bool {
        staff.covers(&self.owner_path) || staff.covers(&self.list_path) || self.responsible_id == Some(staff.user_id)
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub task_id: i64,
    pub position: i64,
    pub title: String,
    pub due_at: Millis,
    pub status: String,
    pub reported_at: Option<Millis>,
    pub reported_by: Option<i64>,
    pub reviewed_at: Option<Millis>,
    pub reviewed_by: Option<i64>,
    pub sent_back: i64,
}

impl MilestoneRow {
    pub fn status(&self) -> MilestoneStatus {
        MilestoneStatus::parse(&self.status).unwrap_or(MilestoneStatus::Pending)
    }

    pub fn standing(&self, now: Millis) -> Standing {
        tasks::standing(self.status(), self.due_at, self.reported_at, now)
    }
}

/// A report or a review of a milestone.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StepRow {
    pub id: i64,
    pub milestone_id: i64,
    pub action: String,
    pub actor_id: i64,
    pub actor_name: String,
    pub note: String,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub step_id: i64,
    pub milestone_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// An attachment as it is reported.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A milestone with its task, as lists across tasks show it (three lists, overdue lists,
/// the progress export).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MilestoneLine {
    pub id: i64,
    pub task_id: i64,
    pub list_name: String,
    pub number: String,
    pub task_title: String,
    pub owner_name: String,
    pub owner_path: String,
    pub responsible_name: Option<String>,
    pub title: String,
    pub due_at: Millis,
    pub status: String,
    pub reported_at: Option<Millis>,
    pub reviewed_at: Option<Millis>,
    pub sent_back: i64,
    /// The last report's words, or the last sending back's reason.
    pub last_note: Option<String>,
}

impl MilestoneLine {
    pub fn status(&self) -> MilestoneStatus {
        MilestoneStatus::parse(&self.status).unwrap_or(MilestoneStatus::Pending)
    }

    pub fn standing(&self, now: Millis) -> Standing {
        tasks::standing(self.status(), self.due_at, self.reported_at, now)
    }
}

/// Whose milestones a list across tasks shows.
#[derive(Debug, Clone, PartialEq)]
pub enum MilestonesOf {
    /// Of the tasks a person is responsible for.
    Person(i64),
    /// Of the tasks owned in a unit's subtree (its path).
    Subtree(String),
    /// Of one list, every task the viewer sees.
    List(i64),
}

const TASK_COLUMNS: &str = "t.id, t.list_id, l.name AS list_name, l.unit_path AS list_path, t.number, t.title, \
     t.owner_unit_id, o.name AS owner_name, t.owner_path, t.responsible_id, r.name AS responsible_name, t.evidence, \
     (SELECT COUNT(*) FROM milestones m WHERE m.task_id = t.id) AS milestones, \
     (SELECT COUNT(*) FROM milestones m WHERE m.task_id = t.id AND m.status = 'accepted') AS accepted, \
     (SELECT COUNT(*) FROM milestones m WHERE m.task_id = t.id AND m.status IN ('pending', 'sent_back') \
        AND m.due_at < $1) AS overdue";
const TASK_FROM: &str = "tasks t JOIN task_lists l ON l.id = t.list_id JOIN units o ON o.id = t.owner_unit_id \
     LEFT JOIN users r ON r.id = t.responsible_id";
const MILESTONE_COLUMNS: &str = "id, task_id, position, title, due_at, status, reported_at, reported_by, reviewed_at, \
     reviewed_by, sent_back";
const LINE_COLUMNS: &str =
    "m.id, m.task_id, l.name AS list_name, t.number, t.title AS task_title, o.name AS owner_name, \
     t.owner_path, r.name AS responsible_name, m.title, m.due_at, m.status, m.reported_at, m.reviewed_at, m.sent_back, \
     (SELECT s.note FROM milestone_steps s WHERE s.milestone_id = m.id ORDER BY s.id DESC LIMIT 1) AS last_note";
const LINE_FROM: &str = "milestones m JOIN tasks t ON t.id = m.task_id JOIN task_lists l ON l.id = t.list_id \
     JOIN units o ON o.id = t.owner_unit_id LEFT JOIN users r ON r.id = t.responsible_id";

/// Lines a list across tasks carries at most.
pub const MAX_LINES: i64 = 10_000;

/// How early the responsible person is told a milestone is coming due.
pub const WARNING_LEAD: Millis = 3 * DAY;
/// How long an overdue milestone waits before it climbs one more level.
pub const ESCALATION_PERIOD: Millis = 7 * DAY;
/// Levels above the owner unit an overdue milestone climbs.
const LEVELS: i64 = 4;

/// What a notification about a task says.
struct TaskNotice<'a> {
    key: String,
    topic: &'static str,
    task_id: i64,
    /// The list and the task's number in it.
    number: String,
    title: &'a str,
    note: &'a str,
    at: Millis,
}

impl<'a> TaskNotice<'a> {
    /// What a step on a task's milestone says, keyed by the step.
    fn of_step(step_id: i64, topic: &'static str, task: &TaskRow, title: &'a str, note: &'a str, at: Millis) -> Self {
        let number = label(&task.list_name, &task.number);
        TaskNotice { key: format!("ms{step_id}"), topic, task_id: task.id, number, title, note, at }
    }
}

async fn tell(conn: &mut AnyConnection, users: &[i64], notice: &TaskNotice<'_>) -> Result<()> {
    for user in users {
        sqlx::query(
            "INSERT INTO inbox (key, user_id, topic, request_id, task_id, number, title, note, created_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING",
        )
        .bind(format!("{}:u{user}", notice.key))
        .bind(*user)
        .bind(notice.topic)
        .bind(notice.task_id)
        .bind(notice.number.as_str())
        .bind(notice.title)
        .bind(notice.note)
        .bind(notice.at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The active staff of a role in the nearest of `units` that has any.
async fn nearest_of_role(conn: &mut AnyConnection, units: &[i64], role: Role) -> Result<Vec<i64>> {
    for unit in units {
        let rows = sqlx::query("SELECT id FROM users WHERE unit_id = $1 AND role = $2 AND active = 1 ORDER BY id")
            .bind(*unit)
            .bind(role.as_str())
            .fetch_all(&mut *conn)
            .await?;
        if !rows.is_empty() {
            return rows.iter().map(|r| Ok(r.try_get("id")?)).collect();
        }
    }
    Ok(Vec::new())
}

/// The supervisors whose subtree holds `path`.
async fn supervisors_over(conn: &mut AnyConnection, path: &str) -> Result<Vec<i64>> {
    let units: Vec<i64> = path_ids(path).collect();
    let mut found = Vec::new();
    for unit in units {
        let rows = sqlx::query("SELECT id FROM users WHERE unit_id = $1 AND role = 'supervisor' AND active = 1")
            .bind(unit)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            found.push(row.try_get("id")?);
        }
    }
    Ok(found)
}

/// A task's label in notifications: its list and number.
fn label(list: &str, number: &str) -> String {
    format!("{list} #{number}")
}

impl Store {
    /// Issues a task list with its tasks and milestones in one transaction; returns its id.
    pub async fn issue_task_list(&self, staff: &Staff, new: &NewTaskList, at: Millis) -> Result<i64> {
        let unit = self.unit(new.unit_id).await.map_err(|_| StoreError::UnknownUnit(new.unit_id))?;
        let mut owners = Vec::new();
        for task in &new.tasks {
            owners.push(self.unit(task.owner_unit_id).await.map_err(|_| StoreError::UnknownUnit(task.owner_unit_id))?);
        }
        let paths: Vec<&str> = owners.iter().map(|u| u.path.as_str()).collect();
        tasks::may_issue(staff, &paths).map_err(|r| StoreError::Refused(r.code()))?;
        let mut tx = self.pool().begin().await?;
        let list_id: i64 = sqlx::query(
            "INSERT INTO task_lists (name, unit_id, unit_path, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(new.name.trim())
        .bind(unit.id)
        .bind(unit.path.as_str())
        .bind(staff.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "task_list"))?
        .try_get("id")?;
        for (position, (task, owner)) in new.tasks.iter().zip(&owners).enumerate() {
            let task_id: i64 = sqlx::query(
                "INSERT INTO tasks (list_id, number, position, title, owner_unit_id, owner_path, responsible_id, \
                 evidence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(list_id)
            .bind(task.number.as_str())
            .bind(position as i64)
            .bind(task.title.as_str())
            .bind(owner.id)
            .bind(owner.path.as_str())
            .bind(task.responsible_id)
            .bind(task.evidence.as_str())
            .bind(at)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (position, (title, due_at)) in task.milestones.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO milestones (task_id, position, title, due_at, status, owner_path, responsible_id) \
                     VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
                )
                .bind(task_id)
                .bind(position as i64)
                .bind(title.as_str())
                .bind(*due_at)
                .bind(owner.path.as_str())
                .bind(task.responsible_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(list_id)
    }

    /// The task lists in which the viewer sees any task, newest first.
    pub async fn task_lists(&self, staff: &Staff) -> Result<Vec<TaskListHead>> {
        let sql = "SELECT l.id, l.name, l.unit_id, u.name AS unit_name, l.unit_path, l.created_at, \
             (SELECT COUNT(*) FROM tasks t WHERE t.list_id = l.id) AS tasks, \
             (SELECT COUNT(*) FROM milestones m JOIN tasks t ON t.id = m.task_id WHERE t.list_id = l.id) AS milestones, \
             (SELECT COUNT(*) FROM milestones m JOIN tasks t ON t.id = m.task_id WHERE t.list_id = l.id \
                AND m.status = 'accepted') AS accepted \
             FROM task_lists l JOIN units u ON u.id = l.unit_id \
             WHERE l.unit_path LIKE $1 OR EXISTS (SELECT 1 FROM tasks t WHERE t.list_id = l.id \
                AND (t.owner_path LIKE $1 OR t.responsible_id = $2)) \
             ORDER BY l.created_at DESC, l.id DESC";
        Ok(sqlx::query_as(sql).bind(format!("{}%", staff.unit_path)).bind(staff.user_id).fetch_all(self.pool()).await?)
    }

    /// A list's tasks the viewer sees, in the list's order.
    pub async fn tasks_of_list(&self, staff: &Staff, list_id: i64, now: Millis) -> Result<Vec<TaskRow>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM {TASK_FROM} WHERE t.list_id = $2 ORDER BY t.position");
        let rows: Vec<TaskRow> = sqlx::query_as(&sql).bind(now).bind(list_id).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().filter(|t| t.seen_by(staff)).collect())
    }

    /// A task the viewer sees, with its milestones in order.
    pub async fn task(&self, staff: &Staff, id: i64, now: Millis) -> Result<(TaskRow, Vec<MilestoneRow>)> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM {TASK_FROM} WHERE t.id = $2");
        let task: TaskRow =
            sqlx::query_as(&sql).bind(now).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        if !task.seen_by(staff) {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {MILESTONE_COLUMNS} FROM milestones WHERE task_id = $1 ORDER BY position");
        let milestones = sqlx::query_as(&sql).bind(id).fetch_all(self.pool()).await?;
        Ok((task, milestones))
    }

    /// Every report and review of a task's milestones, oldest first.
    pub async fn task_steps(&self, task_id: i64) -> Result<Vec<StepRow>> {
        Ok(sqlx::query_as(
            "SELECT s.id, s.milestone_id, s.action, s.actor_id, u.name AS actor_name, s.note, s.at \
             FROM milestone_steps s JOIN milestones m ON m.id = s.milestone_id JOIN users u ON u.id = s.actor_id \
             WHERE m.task_id = $1 ORDER BY s.id",
        )
        .bind(task_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The attachments of a task's reports.
    pub async fn task_files(&self, task_id: i64) -> Result<Vec<FileRow>> {
        Ok(sqlx::query_as(
            "SELECT f.id, f.step_id, f.milestone_id, f.name, f.content_type, f.size FROM milestone_files f \
             JOIN milestones m ON m.id = f.milestone_id WHERE m.task_id = $1 ORDER BY f.id",
        )
        .bind(task_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// An attachment, for a viewer who sees its task: its row and its bytes.
    pub async fn task_file(&self, staff: &Staff, id: i64) -> Result<(FileRow, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT f.id, f.step_id, f.milestone_id, f.name, f.content_type, f.size, f.bytes, m.task_id \
             FROM milestone_files f JOIN milestones m ON m.id = f.milestone_id WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        self.task(staff, row.try_get("task_id")?, 0).await?;
        let file = FileRow {
            id: row.try_get("id")?,
            step_id: row.try_get("step_id")?,
            milestone_id: row.try_get("milestone_id")?,
            name: row.try_get("name")?,
            content_type: row.try_get("content_type")?,
            size: row.try_get("size")?,
        };
        Ok((file, row.try_get("bytes")?))
    }

    /// The id of the task a milestone belongs to, for a viewer who sees it.
    pub async fn milestone_task(&self, staff: &Staff, milestone_id: i64) -> Result<i64> {
        Ok(self.milestone_of(staff, milestone_id).await?.0.id)
    }

    /// The task a milestone belongs to, for a viewer who sees it, and the milestone.
    async fn milestone_of(&self, staff: &Staff, milestone_id: i64) -> Result<(TaskRow, MilestoneRow)> {
        let task_id: i64 = sqlx::query("SELECT task_id FROM milestones WHERE id = $1")
            .bind(milestone_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get("task_id")?;
        let (task, milestones) = self.task(staff, task_id, 0).await?;
        let milestone = milestones.into_iter().find(|m| m.id == milestone_id).ok_or(StoreError::NotFound)?;
        Ok((task, milestone))
    }

    /// The owner reports a milestone's progress with its attachments; the leaders over
    /// the owner unit are told to review it.
    pub async fn report_milestone(
        &self,
        staff: &Staff,
        milestone_id: i64,
        note: &str,
        files: &[NewFile],
        at: Millis,
    ) -> Result<()> {
        let (task, milestone) = self.milestone_of(staff, milestone_id).await?;
        tasks::may_report(staff, &task.ownership()).map_err(|r| StoreError::Refused(r.code()))?;
        let from = milestone.status();
        let to = tasks::next(MilestoneAction::Report, from).map_err(|r| StoreError::Refused(r.code()))?;
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(
            "UPDATE milestones SET status = $1, reported_at = $2, reported_by = $3, reviewed_at = NULL, \
             reviewed_by = NULL WHERE id = $4 AND status = $5",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(staff.user_id)
        .bind(milestone_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Refused(tasks::Refused::MilestoneState.code()));
        }
        let step_id = step(&mut tx, milestone_id, MilestoneAction::Report, staff.user_id, note, at).await?;
        for file in files {
            let digest = hex::encode(Sha256::digest(&file.bytes));
            sqlx::query(
                "INSERT INTO milestone_files (step_id, milestone_id, name, content_type, bytes, size, sha256, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(step_id)
            .bind(milestone_id)
            .bind(file.name.as_str())
            .bind(file.content_type.as_str())
            .bind(file.bytes.as_slice())
            .bind(file.bytes.len() as i64)
            .bind(digest)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        let reviewers = nearest_of_role(&mut tx, &units_above(&task.owner_path, 1), Role::Leader).await?;
        let notice = TaskNotice::of_step(step_id, "milestone_reported", &task, &milestone.title, note, at);
        let reviewers: Vec<i64> = reviewers.into_iter().filter(|id| *id != staff.user_id).collect();
        tell(&mut tx, &reviewers, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A leader over the owner accepts a reported milestone, or sends it back saying why;
    /// whoever reported it and the responsible person are told of a sending back.
    pub async fn review_milestone(
        &self,
        staff: &Staff,
        milestone_id: i64,
        accept: bool,
        note: &str,
        at: Millis,
    ) -> Result<()> {
        let (task, milestone) = self.milestone_of(staff, milestone_id).await?;
        tasks::may_review(staff, &task.ownership(), milestone.reported_by)
            .map_err(|r| StoreError::Refused(r.code()))?;
        let action = if accept { MilestoneAction::Accept } else { MilestoneAction::SendBack };
        let from = milestone.status();
        let to = tasks::next(action, from).map_err(|r| StoreError::Refused(r.code()))?;
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(
            "UPDATE milestones SET status = $1, reviewed_at = $2, reviewed_by = $3, \
             sent_back = sent_back + $4 WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(staff.user_id)
        .bind(i64::from(!accept))
        .bind(milestone_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Refused(tasks::Refused::MilestoneState.code()));
        }
        let step_id = step(&mut tx, milestone_id, action, staff.user_id, note, at).await?;
        if !accept {
            let mut told: Vec<i64> = milestone.reported_by.into_iter().chain(task.responsible_id).collect();
            told.dedup();
            let notice = TaskNotice::of_step(step_id, "milestone_sent_back", &task, &milestone.title, note, at);
            tell(&mut tx, &told, &notice).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The milestone timer: tells of the milestones that came within the warning lead of
    /// their deadline, passed it, or stayed past it for one more period since the last
    /// look — the responsible person first, then the owner unit's leaders, then one unit
    /// higher each period, with the supervisors over the owner from the first period on.
    /// Each crossing is keyed, so that looks by several instances write nothing twice.
    pub async fn sweep_milestones(&self, now: Millis) -> Result<usize> {
        let mut conn = self.pool().acquire().await?;
        let Some(from) = crate::notify::sweep_from(&mut conn, "task_sweep", now).await? else { return Ok(0) };
        let mut windows = vec![(-1, from + WARNING_LEAD, now + WARNING_LEAD)];
        for level in 0..=LEVELS {
            windows.push((level, from - level * ESCALATION_PERIOD, now - level * ESCALATION_PERIOD));
        }
        let mut told = 0;
        for (level, after, until) in windows {
            let sql = "SELECT m.id, m.title, m.due_at, m.responsible_id, t.id AS task_id, t.number, t.owner_unit_id, \
                 t.owner_path, l.name AS list_name FROM milestones m JOIN tasks t ON t.id = m.task_id \
                 JOIN task_lists l ON l.id = t.list_id \
                 WHERE m.due_at > $1 AND m.due_at <= $2 AND m.status IN ('pending', 'sent_back') ORDER BY m.due_at";
            let rows = sqlx::query(sql).bind(after).bind(until).fetch_all(&mut *conn).await?;
            for row in rows {
                let owner_path: String = row.try_get("owner_path")?;
                let responsible: Option<i64> = row.try_get("responsible_id")?;
                let (topic, people) = match level {
                    -1 => {
                        let people = match responsible {
                            Some(id) => vec![id],
                            None => nearest_of_role(&mut conn, &units_above(&owner_path, 0), Role::Handler).await?,
                        };
                        ("milestone_due", people)
                    }
                    0 => {
                        let mut people: Vec<i64> = responsible.into_iter().collect();
                        people.extend(nearest_of_role(&mut conn, &units_above(&owner_path, 0), Role::Leader).await?);
                        ("milestone_overdue", people)
                    }
                    up => {
                        let above = units_above(&owner_path, up as usize);
                        let mut people = match above.first() {
                            Some(unit) => nearest_of_role(&mut conn, &[*unit], Role::Leader).await?,
                            None => Vec::new(),
                        };
                        if up == 1 {
                            people.extend(supervisors_over(&mut conn, &owner_path).await?);
                        }
                        ("milestone_overdue", people)
                    }
                };
                let mut people = people;
                people.sort_unstable();
                people.dedup();
                let (id, due): (i64, i64) = (row.try_get("id")?, row.try_get("due_at")?);
                let number = label(&row.try_get::<String, _>("list_name")?, &row.try_get::<String, _>("number")?);
                let title: String = row.try_get("title")?;
                let step = if level < 0 { "warning".to_string() } else { format!("overdue{level}") };
                let notice = TaskNotice {
                    key: format!("m{id}:{due}:{step}"),
                    topic,
                    task_id: row.try_get("task_id")?,
                    number,
                    title: &title,
                    note: "",
                    at: now,
                };
                tell(&mut conn, &people, &notice).await?;
                told += people.len();
            }
        }
        sqlx::query("UPDATE task_sweep SET swept_to = $1 WHERE id = 1").bind(now).execute(&mut *conn).await?;
        Ok(told)
    }

    /// Milestones across tasks the viewer sees: a person's, a subtree's or a list's, due
    /// in `[from, to)` (or any time when `None`), only those waiting on their owner past
    /// the deadline at `now` when `overdue_only`; by deadline.
    pub async fn milestone_lines(
        &self,
        staff: &Staff,
        of: &MilestonesOf,
        due: Option<(Millis, Millis)>,
        overdue_only: Option<Millis>,
    ) -> Result<Vec<MilestoneLine>> {
        // A list reads in its own order; lists across tasks by deadline.
        let order = match of {
            MilestonesOf::List(_) => "t.position, m.position",
            _ => "m.due_at, m.id",
        };
        let (filter, value) = match of {
            MilestonesOf::Person(id) => ("m.responsible_id = $1", Value::Int(*id)),
            MilestonesOf::Subtree(path) => ("m.owner_path LIKE $1", Value::Text(format!("{path}%"))),
            MilestonesOf::List(id) => ("t.list_id = $1", Value::Int(*id)),
        };
        let (from, to) = due.unwrap_or((i64::MIN, i64::MAX));
        let overdue = match overdue_only {
            Some(_) => " AND m.status IN ('pending', 'sent_back') AND m.due_at < $4",
            None => " AND m.due_at < $4",
        };
        let sql = format!(
            "SELECT {LINE_COLUMNS}, l.unit_path AS list_path, t.responsible_id AS task_responsible \
             FROM {LINE_FROM} WHERE {filter} AND m.due_at >= $2 AND m.due_at < $3{overdue} \
             ORDER BY {order} LIMIT {MAX_LINES}"
        );
        let query = sqlx::query(&sql);
        let query = match value {
            Value::Int(id) => query.bind(id),
            Value::Text(text) => query.bind(text),
        };
        let rows = query.bind(from).bind(to).bind(overdue_only.unwrap_or(i64::MAX)).fetch_all(self.pool()).await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let owner_path: String = row.try_get("owner_path")?;
            let list_path: String = row.try_get("list_path")?;
            let responsible: Option<i64> = row.try_get("task_responsible")?;
            if !(staff.covers(&owner_path) || staff.covers(&list_path) || responsible == Some(staff.user_id)) {
                continue;
            }
            lines.push(<MilestoneLine as sqlx::FromRow<_>>::from_row(&row)?);
        }
        Ok(lines)
    }

    /// What a bulletin says of the tasks owned in a scope: the milestones due in
    /// `[from, to)` and how they stand at `now`, by owner unit; `None` where none is due.
    pub async fn task_section(
        &self,
        path: &str,
        (from, to): (Millis, Millis),
        now: Millis,
    ) -> Result<Option<TaskSection>> {
        let rows = sqlx::query(
            "SELECT t.owner_unit_id, o.name AS owner_name, o.kind AS owner_kind, m.status, m.due_at, m.reported_at \
             FROM milestones m JOIN tasks t ON t.id = m.task_id JOIN units o ON o.id = t.owner_unit_id \
             WHERE m.owner_path LIKE $1 AND m.due_at >= $2 AND m.due_at < $3",
        )
        .bind(format!("{path}%"))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut section = TaskSection::default();
        for row in rows {
            let status =
                MilestoneStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(MilestoneStatus::Pending);
            let standing = tasks::standing(status, row.try_get("due_at")?, row.try_get("reported_at")?, now);
            let unit_id: i64 = row.try_get("owner_unit_id")?;
            let line = match section.units.iter_mut().position(|l| l.unit.id == unit_id) {
                Some(i) => &mut section.units[i],
                None => {
                    let unit = UnitRef {
                        id: unit_id,
                        name: row.try_get("owner_name")?,
                        department: row.try_get::<String, _>("owner_kind")? == "department",
                    };
                    section.units.push(TaskUnitLine { unit, due: 0, on_time: 0, overdue: 0 });
                    section.units.last_mut().expect("just pushed")
                }
            };
            line.due += 1;
            section.due += 1;
            match standing {
                Standing::OnTime => {
                    line.on_time += 1;
                    section.on_time += 1;
                }
                Standing::Late => section.late += 1,
                Standing::InReview => section.in_review += 1,
                Standing::Overdue => {
                    line.overdue += 1;
                    section.overdue += 1;
                }
                Standing::Open => {}
            }
        }
        section.sent_back = sqlx::query(
            "SELECT COUNT(*) AS n FROM milestone_steps s JOIN milestones m ON m.id = s.milestone_id \
             WHERE s.action = 'send_back' AND s.at >= $1 AND s.at < $2 AND m.owner_path LIKE $3",
        )
        .bind(from)
        .bind(to)
        .bind(format!("{path}%"))
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        // Worst first: most overdue, then the lowest share on time.
        section.units.sort_by(|a, b| {
            b.overdue.cmp(&a.overdue).then(
                a.on_time_rate()
                    .unwrap_or(0.0)
                    .partial_cmp(&b.on_time_rate().unwrap_or(0.0))
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
        });
        Ok(Some(section))
    }
}

enum Value {
    Int(i64),
    Text(String),
}

/// Keeps a report or a review in the milestone's history; returns its id.
async fn step(
    conn: &mut AnyConnection,
    milestone_id: i64,
    action: MilestoneAction,
    actor: i64,
    note: &str,
    at: Millis,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO milestone_steps (milestone_id, action, actor_id, note, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(milestone_id)
    .bind(action.as_str())
    .bind(actor)
    .bind(note)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?)
}
