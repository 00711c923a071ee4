//! How the supervision tables map to their types; each column list is written once.

use chrono::NaiveDate;
use gongzhi_domain::supervision::callback::{Answers, AttemptResult, CallbackState};
use gongzhi_domain::supervision::order::{Order, OrderKind, OrderStatus};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Attempt, Sample, SampleItem, Talk};
use crate::rows::{flag, vocab};
use crate::Result;

fn answers(row: &AnyRow) -> Result<Option<Answers>> {
    Ok(
        match (
            flag(row, "from_public")?,
            flag(row, "measures_known")?,
            flag(row, "result_fed_back")?,
            flag(row, "satisfied")?,
        ) {
            (Some(from_public), Some(measures_known), Some(result_fed_back), Some(satisfied)) => {
                Some(Answers { from_public, measures_known, result_fed_back, satisfied })
            }
            _ => None,
        },
    )
}

fn day(row: &AnyRow, column: &str) -> Result<NaiveDate> {
    Ok(time::day_to_date(row.try_get(column)?))
}

pub(crate) const SAMPLE_COLUMNS: &str = "s.id, s.scope_unit_id, s.scope_path, s.period_from, s.period_to, \
    s.rate_percent, s.minimum, s.seed, s.population, s.drawn_by, s.drawn_at, \
    (SELECT COUNT(*) FROM sample_items i WHERE i.sample_id = s.id) AS items, \
    (SELECT COUNT(*) FROM sample_items i WHERE i.sample_id = s.id AND i.state IN ('reached', 'unreachable')) AS finished";

pub(crate) fn sample_from_row(row: &AnyRow) -> Result<Sample> {
    let rate: i64 = row.try_get("rate_percent")?;
    let minimum: i64 = row.try_get("minimum")?;
    let seed: i64 = row.try_get("seed")?;
    Ok(Sample {
        id: row.try_get("id")?,
        scope_unit_id: row.try_get("scope_unit_id")?,
        scope_path: row.try_get("scope_path")?,
        from: day(row, "period_from")?,
        to: day(row, "period_to")?,
        rule: SampleRule {
            rate_percent: rate.clamp(0, 100) as u32,
            minimum: minimum.clamp(0, i64::from(u32::MAX)) as u32,
        },
        seed: seed.max(0) as u64,
        population: row.try_get("population")?,
        drawn_by: row.try_get("drawn_by")?,
        drawn_at: row.try_get("drawn_at")?,
        items: row.try_get("items")?,
        finished: row.try_get("finished")?,
    })
}

pub(crate) const ITEM_COLUMNS: &str = "id, sample_id, request_id, unit_id, unit_path, place_path, drawn_at, state, \
    attempts, last_attempt_at, from_public, measures_known, result_fed_back, satisfied";

pub(crate) fn item_from_row(row: &AnyRow) -> Result<SampleItem> {
    Ok(SampleItem {
        id: row.try_get("id")?,
        sample_id: row.try_get("sample_id")?,
        request_id: row.try_get("request_id")?,
        unit_id: row.try_get("unit_id")?,
        unit_path: row.try_get("unit_path")?,
        place_path: row.try_get("place_path")?,
        drawn_at: row.try_get("drawn_at")?,
        state: vocab(row, "state", CallbackState::parse)?,
        attempts: row.try_get("attempts")?,
        last_attempt_at: row.try_get("last_attempt_at")?,
        answers: answers(row)?,
    })
}

pub(crate) const ATTEMPT_COLUMNS: &str =
    "id, item_id, at, by_user, reached, from_public, measures_known, result_fed_back, satisfied, note";

pub(crate) fn attempt_from_row(row: &AnyRow) -> Result<Attempt> {
    let reached = flag(row, "reached")?.unwrap_or(false);
    let result = match answers(row)? {
        Some(answers) if reached => AttemptResult::Reached(answers),
        _ => AttemptResult::NotReached,
    };
    Ok(Attempt {
        id: row.try_get("id")?,
        item_id: row.try_get("item_id")?,
        at: row.try_get("at")?,
        by_user: row.try_get("by_user")?,
        result,
        note: row.try_get("note")?,
    })
}

pub(crate) const ORDER_COLUMNS: &str = "id, kind, request_id, unit_id, unit_path, holder_unit_id, reason, due_at, \
    status, level, answer, answered_at, answered_by, close_note, closed_at, closed_by, created_at, created_by";

pub(crate) fn order_from_row(row: &AnyRow) -> Result<Order> {
    Ok(Order {
        id: row.try_get("id")?,
        kind: vocab(row, "kind", OrderKind::parse)?,
        request_id: row.try_get("request_id")?,
        unit_id: row.try_get("unit_id")?,
        unit_path: row.try_get("unit_path")?,
        holder_unit_id: row.try_get("holder_unit_id")?,
        reason: row.try_get("reason")?,
        due_at: row.try_get("due_at")?,
        status: vocab(row, "status", OrderStatus::parse)?,
        level: row.try_get("level")?,
        answer: row.try_get("answer")?,
        answered_at: row.try_get("answered_at")?,
        answered_by: row.try_get("answered_by")?,
        close_note: row.try_get("close_note")?,
        closed_at: row.try_get("closed_at")?,
        closed_by: row.try_get("closed_by")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

pub(crate) const TALK_COLUMNS: &str = "id, cadre_id, unit_id, unit_path, held_at, reason, recorded_by, recorded_at";

pub(crate) fn talk_from_row(row: &AnyRow) -> Result<Talk> {
    Ok(Talk {
        id: row.try_get("id")?,
        cadre_id: row.try_get("cadre_id")?,
        unit_id: row.try_get("unit_id")?,
        unit_path: row.try_get("unit_path")?,
        held_at: row.try_get("held_at")?,
        reason: row.try_get("reason")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
        request_ids: Vec::new(),
    })
}
