//! What the deliberation pages read besides a proposal and a meeting: the figures of a
//! subtree's 共同缔造 page, a community's results, the public outcome of an adopted
//! proposal's request, and the people a meeting may name to answer for adopted work.

use gongzhi_domain::time::Millis;
use gongzhi_domain::Status;

use super::unknown;
use crate::{AttachmentInfo, Result, Store, StoreError, TrackView};

/// Deliberation in a unit's subtree, all time: what residents put forward, what their
/// meetings did with it, and where the adopted work stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliberationFigures {
    pub proposals: i64,
    pub wishes: i64,
    /// Proposals waiting for a meeting, or for its decision.
    pub undecided: i64,
    pub meetings: i64,
    pub adopted: i64,
    pub declined: i64,
    /// Adopted, and their request not yet resolved.
    pub in_progress: i64,
    /// Adopted, and their request resolved or closed.
    pub done: i64,
    /// Supervision orders (催办, 督办) opened on requests of the subtree.
    pub orders: i64,
    /// Bulletins published for the unit or a unit below it.
    pub bulletins: i64,
}

/// An adopted proposal of a community, with where its request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptedResult {
    pub proposal_id: i64,
    pub title: String,
    pub decided_at: Millis,
    pub status: Status,
}

/// What residents are shown of the request an adopted proposal became: its public
/// timeline and reply, the verdict, and the photos of the work.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub track: TrackView,
    pub solved: Option<bool>,
    pub photos: Vec<AttachmentInfo>,
}

impl Store {
    /// Deliberation's figures for the subtree whose path is `path`.
    pub async fn deliberation_figures(&self, path: &str) -> Result<DeliberationFigures> {
        let under = format!("{path}%");
        let mut figures = DeliberationFigures::default();
        let by_status: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT kind, status, COUNT(*) AS n FROM proposals WHERE unit_path LIKE $1 AND status <> 'unconfirmed' \
             GROUP BY kind, status",
        )
        .bind(&under)
        .fetch_all(self.pool())
        .await?;
        for (kind, status, n) in by_status {
            figures.proposals += n;
            if kind == "wish" {
                figures.wishes += n;
            }
            match status.as_str() {
                "adopted" => figures.adopted += n,
                "declined" => figures.declined += n,
                _ => figures.undecided += n,
            }
        }
        let by_request: Vec<(String, i64)> = sqlx::query_as(
            "SELECT r.status, COUNT(*) AS n FROM meeting_agenda a JOIN proposals p ON p.id = a.proposal_id \
             JOIN requests r ON r.id = a.request_id WHERE p.unit_path LIKE $1 GROUP BY r.status",
        )
        .bind(&under)
        .fetch_all(self.pool())
        .await?;
        for (status, n) in by_request {
            match status.as_str() {
                "resolved" | "closed" => figures.done += n,
                "rejected" | "merged" => {}
                _ => figures.in_progress += n,
            }
        }
        let count = |sql: &'static str| {
            let under = under.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql).bind(under).fetch_one(self.pool()).await?;
                Ok::<i64, StoreError>(n)
            }
        };
        figures.meetings = count("SELECT COUNT(*) AS n FROM meetings WHERE unit_path LIKE $1").await?;
        figures.orders = count("SELECT COUNT(*) AS n FROM supervision_orders WHERE unit_path LIKE $1").await?;
        figures.bulletins =
            count("SELECT COUNT(*) AS n FROM bulletins WHERE status = 'published' AND unit_path LIKE $1").await?;
        Ok(figures)
    }

    /// A community's adopted proposals, the latest decided first, with their requests'
    /// states.
    pub async fn adopted_results(&self, unit_id: i64, limit: u32) -> Result<Vec<AdoptedResult>> {
        let rows: Vec<(i64, String, Option<Millis>, String)> = sqlx::query_as(
            "SELECT p.id, p.title, a.decided_at, r.status FROM meeting_agenda a \
             JOIN proposals p ON p.id = a.proposal_id JOIN requests r ON r.id = a.request_id \
             WHERE p.unit_id = $1 ORDER BY a.decided_at DESC, p.id DESC LIMIT $2",
        )
        .bind(unit_id)
        .bind(i64::from(limit.clamp(1, super::MAX_PROPOSALS)))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(proposal_id, title, decided_at, status)| {
                let status = Status::parse(&status).ok_or_else(|| unknown("status", &status))?;
                Ok(AdoptedResult { proposal_id, title, decided_at: decided_at.unwrap_or_default(), status })
            })
            .collect()
    }

    /// The public outcome of the request an adopted proposal became. Its tracking code
    /// stays here: it lets its holder judge the work, and only the proposer holds it.
    pub async fn outcome(&self, request_id: i64) -> Result<Outcome> {
        let (code, solved): (String, Option<i64>) =
            sqlx::query_as("SELECT tracking_code, solved FROM requests WHERE id = $1")
                .bind(request_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        let track = self.track(&code).await?;
        let photos = self.photos_of(request_id).await?;
        Ok(Outcome { track, solved: solved.map(|s| s != 0), photos })
    }

    /// Active staff of the subtree whose path is `path`, by name, with their unit: the
    /// people a meeting may name to answer for adopted work.
    pub async fn people_under(&self, path: &str) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name, n.name FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE n.path LIKE $1 AND u.active = 1 ORDER BY n.path, u.name LIMIT 500",
        )
        .bind(format!("{path}%"))
        .fetch_all(self.pool())
        .await?)
    }
}

/// A volunteer or party member (下沉党员, a user of role volunteer) taking part in a
/// subtree's 共建: at its meetings, or assigned to its inspection points.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Volunteer {
    pub id: i64,
    pub name: String,
    pub unit: String,
    /// Meetings of the subtree they took part in.
    pub meetings: i64,
    /// Inspection points of the subtree they are assigned to.
    pub points: i64,
}

/// The volunteers of a subtree, from the two indexes by path: those at its meetings
/// (`meeting_volunteers_by_path`) and those on its points (`inspection_points_by_path`).
const TAKING_PART: &str = "SELECT user_id FROM meeting_volunteers WHERE unit_path LIKE $1 \
     UNION SELECT v.user_id FROM inspection_points p JOIN inspection_point_volunteers v ON v.point_id = p.id \
     WHERE p.unit_path LIKE $1";

impl Store {
    /// How many volunteers and party members take part in the subtree whose path is
    /// `path`, and the first `limit` of them by name.
    pub async fn volunteers_taking_part(&self, path: &str, limit: u32) -> Result<(i64, Vec<Volunteer>)> {
        let under = format!("{path}%");
        let (count,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) AS n FROM ({TAKING_PART}) t"))
            .bind(&under)
            .fetch_one(self.pool())
            .await?;
        let sql = format!(
            "SELECT u.id, u.name, n.name AS unit, \
             (SELECT COUNT(*) FROM meeting_volunteers m WHERE m.user_id = u.id AND m.unit_path LIKE $1) AS meetings, \
             (SELECT COUNT(*) FROM inspection_point_volunteers v JOIN inspection_points p ON p.id = v.point_id \
              WHERE v.user_id = u.id AND p.unit_path LIKE $1) AS points \
             FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id IN ({TAKING_PART}) ORDER BY u.name, u.id LIMIT $2"
        );
        let listed: Vec<Volunteer> =
            sqlx::query_as(&sql).bind(&under).bind(i64::from(limit.clamp(1, 500))).fetch_all(self.pool()).await?;
        Ok((count, listed))
    }

    /// The volunteers a community's meeting may name as taking part: active users of
    /// role volunteer in the units under `above` (the community's subdistrict or town),
    /// and those assigned to the community's inspection points.
    pub async fn volunteers_for(&self, community_path: &str, above: &str) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name, n.name FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE u.role = 'volunteer' AND u.active = 1 AND (n.path LIKE $1 OR u.id IN \
             (SELECT v.user_id FROM inspection_points p JOIN inspection_point_volunteers v ON v.point_id = p.id \
              WHERE p.unit_path LIKE $2)) ORDER BY u.name, u.id LIMIT 500",
        )
        .bind(format!("{above}%"))
        .bind(format!("{community_path}%"))
        .fetch_all(self.pool())
        .await?)
    }
}
