//! How often intake's suggestion was the unit (and the category) a request was dispatched
//! to. Kept as daily cells per handling unit, like the measures: a leader's page sums a
//! month of its subtree's cells, where joining each of a month's suggestions to its request
//! grows with intake (80,000 a month at a million requests a year).

use chrono::NaiveDate;
use gongzhi_domain::time;
use gongzhi_domain::Request;
use sqlx::{AnyConnection, Row};

use crate::suggestions::SuggestionAccuracy;
use crate::{Result, Store, StoreError};

/// One request's share of its cell, named as the table's columns.
const FIELDS: [&str; 4] = ["dispatched", "unit_matched", "categorised", "category_matched"];

/// What intake suggested for a request, as far as accuracy is concerned.
struct Suggested {
    unit_id: i64,
    category_id: Option<i64>,
}

/// Moves a request's share from the cell of its old handling unit to that of its new one
/// when a write changes the unit or the category. Requests without a suggested unit are
/// not counted; the cell's day is the intake day, as the suggestion was made then.
pub(crate) async fn follow(conn: &mut AnyConnection, before: &Request, after: &Request) -> Result<()> {
    if before.assignee_unit_id == after.assignee_unit_id && before.new.category_id == after.new.category_id {
        return Ok(());
    }
    let Some(suggested) = suggested(conn, after.id).await? else { return Ok(()) };
    let day = time::day_number(after.created_at);
    // A return only empties a cell and a dispatch only fills one, so a write looks up at
    // most one category here.
    for (request, sign) in [(before, -1), (after, 1)] {
        let Some(unit_id) = request.assignee_unit_id else { continue };
        let category = match request.new.category_id {
            Some(id) => first_level(conn, id).await?,
            None => None,
        };
        let share = [
            1,
            i64::from(suggested.unit_id == unit_id),
            i64::from(suggested.category_id.is_some() && category.is_some()),
            i64::from(suggested.category_id.is_some() && suggested.category_id == category),
        ];
        let share = share.map(|n| n * sign);
        // One cell at a time: a return to the same unit would name it twice.
        crate::stats::add_to_cells(conn, "suggestion_day_stats", &FIELDS, &[((unit_id, day), share.to_vec())]).await?;
    }
    Ok(())
}

async fn suggested(conn: &mut AnyConnection, request_id: i64) -> Result<Option<Suggested>> {
    let row = sqlx::query("SELECT unit_id, category_id FROM suggestions WHERE request_id = $1 AND unit_id IS NOT NULL")
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| Ok(Suggested { unit_id: row.try_get("unit_id")?, category_id: row.try_get("category_id")? }))
        .transpose()
}

/// The first-level ancestor of a category (itself at the first level); the catalogue has
/// three levels.
async fn first_level(conn: &mut AnyConnection, category_id: i64) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT COALESCE(g.id, p.id, c.id) AS root FROM categories c \
         LEFT JOIN categories p ON p.id = c.parent_id LEFT JOIN categories g ON g.id = p.parent_id \
         WHERE c.id = $1",
    )
    .bind(category_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| row.try_get("root")).transpose().map_err(Into::into)
}

impl Store {
    /// Of the requests taken in on the local dates `from..=to` that intake suggested a unit
    /// for and that are now dispatched into a unit's subtree, how many went to the
    /// suggested unit; and likewise for the category.
    pub async fn suggestion_accuracy(
        &self,
        unit_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SuggestionAccuracy> {
        if to < from {
            return Err(StoreError::Invalid("the period ends before it starts".into()));
        }
        let path = self.unit(unit_id).await?.path;
        let row = crate::stats::subtree_sums(self, "suggestion_day_stats", &FIELDS, &path, from, to).await?;
        let mut counts = [0i64; 4];
        for (n, field) in counts.iter_mut().zip(FIELDS) {
            *n = row.try_get(field)?;
        }
        let [dispatched, unit_matched, categorised, category_matched] = counts;
        let rate = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
        Ok(SuggestionAccuracy {
            dispatched,
            unit_matched,
            unit_accuracy: rate(unit_matched, dispatched),
            categorised,
            category_matched,
            category_accuracy: rate(category_matched, categorised),
        })
    }
}
