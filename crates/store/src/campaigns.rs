//! A campaign's trend (创文迎检 over its weeks): its finished rounds in the viewer's scope,
//! day by day, with the points earned of those possible and the items failed, and the
//! rounds of one day — what each day's figures count.

use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis, DAY, HOUR};
use sqlx::Row;

use crate::inspection::{Campaign, Round, ROUND_COLUMNS, ROUND_FROM};
use crate::{Result, Store, StoreError};

/// One local day of a campaign's finished rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendDay {
    pub date: chrono::NaiveDate,
    pub rounds: i64,
    pub earned: i64,
    pub possible: i64,
    pub failed: i64,
}

/// How far local days are from UTC ones.
const LOCAL_OFFSET: Millis = 8 * HOUR;

impl Store {
    /// A campaign, as the campaign list has it.
    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        self.campaigns().await?.into_iter().find(|c| c.id == id).ok_or(StoreError::NotFound)
    }

    /// The campaign's finished rounds at points in the viewer's subtree, summed by the
    /// local day they were finished on, oldest first.
    pub async fn campaign_trend(&self, staff: &Staff, campaign_id: i64) -> Result<Vec<TrendDay>> {
        let rows = sqlx::query(
            "SELECT (r.finished_at + $1) / $2 AS day, COUNT(*) AS rounds, CAST(SUM(r.earned) AS BIGINT) AS earned, \
             CAST(SUM(r.possible) AS BIGINT) AS possible, CAST(SUM(r.failed) AS BIGINT) AS failed \
             FROM inspection_rounds r JOIN inspection_points p ON p.id = r.point_id \
             WHERE r.campaign_id = $3 AND r.finished_at IS NOT NULL AND p.unit_path LIKE $4 \
             GROUP BY (r.finished_at + $1) / $2 ORDER BY day",
        )
        .bind(LOCAL_OFFSET)
        .bind(DAY)
        .bind(campaign_id)
        .bind(format!("{}%", staff.unit_path))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let sum = |name: &str| -> Result<i64> { Ok(row.try_get::<Option<i64>, _>(name)?.unwrap_or(0)) };
                Ok(TrendDay {
                    date: time::day_to_date(row.try_get("day")?),
                    rounds: row.try_get("rounds")?,
                    earned: sum("earned")?,
                    possible: sum("possible")?,
                    failed: sum("failed")?,
                })
            })
            .collect()
    }

    /// The campaign's rounds in the viewer's subtree finished on a local day: what that
    /// day of the trend counts.
    pub async fn campaign_rounds_on(
        &self,
        staff: &Staff,
        campaign_id: i64,
        date: chrono::NaiveDate,
    ) -> Result<Vec<Round>> {
        let from = time::start_of(date);
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM {ROUND_FROM} WHERE r.campaign_id = $1 AND r.finished_at >= $2 \
             AND r.finished_at < $3 AND p.unit_path LIKE $4 ORDER BY r.finished_at, r.id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(campaign_id)
            .bind(from)
            .bind(from + DAY)
            .bind(format!("{}%", staff.unit_path))
            .fetch_all(self.pool())
            .await?)
    }
}
