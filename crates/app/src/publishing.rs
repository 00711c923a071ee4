//! Publishing (共享): bulletins drafted for a unit and period, remarked on, published
//! with the audit chain's head as their anchor. What a bulletin counts and how units
//! rank is `gongzhi_domain::bulletin`'s; printing it is the web's (a template).

use chrono::NaiveDate;
use gongzhi_domain::bulletin::PeriodKind;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_store::{Bulletin, Store};

use crate::Result;

/// Drafts the bulletin of the week or month holding `date` for a unit.
pub async fn generate(
    store: &Store,
    staff: &Staff,
    unit_id: i64,
    kind: PeriodKind,
    date: NaiveDate,
    now: Millis,
) -> Result<Bulletin> {
    Ok(store.generate_bulletin(staff, unit_id, kind, date, now).await?)
}

/// A change to a draft.
pub enum Review {
    Remarks(String),
    /// Publish; `provisional` must be said for a period not over yet.
    Publish {
        provisional: bool,
    },
}

/// Changes or publishes a draft; returns the bulletin as it now stands.
pub async fn review(store: &Store, staff: &Staff, id: i64, review: Review, now: Millis) -> Result<Bulletin> {
    Ok(match review {
        Review::Remarks(remarks) => store.set_bulletin_remarks(staff, id, &remarks).await?,
        Review::Publish { provisional } => store.publish_bulletin(staff, id, provisional, now).await?,
    })
}

/// A published bulletin, for the public and for printing.
pub async fn published(store: &Store, id: i64) -> Result<Bulletin> {
    Ok(store.published_bulletin(id).await?)
}
