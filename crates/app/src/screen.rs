//! The big screen (大屏) of a command centre: the same figures as the dashboard and
//! `/api/v1/stats` for the viewer's scope, read by the same store functions, with
//! today's counters beside the last 30 days.

use chrono::{Duration, NaiveDate};
use gongzhi_domain::bulletin::{Content, Period, PeriodKind};
use gongzhi_domain::measures::{Counters, Measures};
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::{Order, OrderKind, OrderStatus};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Request;
use gongzhi_store::{OrderFilter, Queue, Store};

use crate::Result;

/// Days the screen's period covers, today included: the dashboard's default.
pub const DAYS: i64 = 30;
/// Overdue requests and open press orders listed; the screen has room for no more.
pub const LISTED: u32 = 8;

/// What the big screen shows.
pub struct Screen {
    pub today: NaiveDate,
    /// Today's measures: intake and closures as they stand.
    pub today_measures: Measures,
    /// The last `DAYS` days as the dashboard shows them: measures, unit ranking, hot
    /// categories.
    pub content: Content,
    pub trend: Vec<(NaiveDate, Counters)>,
    /// Overdue now, most overdue first.
    pub overdue: Vec<Request>,
    pub press_orders: Vec<Order>,
}

/// The big screen of the staff member's own unit at `now`.
pub async fn screen(store: &Store, staff: &Staff, now: Millis) -> Result<Screen> {
    let today = time::local_date(now);
    let from = today - Duration::days(DAYS - 1);
    let unit = staff.unit_id;
    let press = OrderFilter { status: Some(OrderStatus::Open), kind: Some(OrderKind::Press), request_id: None };
    // Independent reads, each on its own pooled connection.
    let (today_measures, content, trend, overdue, press_orders) = tokio::try_join!(
        store.measures(unit, today, today, now),
        store.publishing_content(unit, Period { kind: PeriodKind::Custom, from, to: today }, now),
        store.daily_counters(unit, from, today),
        store.queue(staff, Queue::Overdue, now, LISTED),
        store.orders(staff, &press, 0, i64::from(LISTED)),
    )?;
    Ok(Screen { today, today_measures, content, trend, overdue, press_orders: press_orders.items })
}
