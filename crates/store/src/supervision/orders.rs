//! Rework and press orders: opened by a supervisor, answered by the unit, closed or sent
//! back by the supervisor, and climbing the unit tree while they go unanswered.

use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::supervision::order::{self, Order, OrderKind, OrderStatus, ESCALATION_DAYS};
use gongzhi_domain::time::Millis;
use gongzhi_domain::Actor;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::rows::{order_from_row, ORDER_COLUMNS};
use super::write::{Act, NewOrder};
use super::{page, require_supervisor};
use crate::{Listing, Result, Store, StoreError};

/// Which orders a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub kind: Option<OrderKind>,
    pub request_id: Option<i64>,
}

impl Store {
    /// Opens a rework or press order on a request in the supervisor's subtree.
    pub async fn open_order(&self, staff: &Staff, new: NewOrder, at: Millis) -> Result<Order> {
        require_supervisor(staff)?;
        let written = self.supervise(Act::Order(new), Actor::Staff(staff.clone()), at).await?;
        self.order(staff, written.id).await
    }

    /// The unit's written answer, by a handler of the unit or a leader over it.
    pub async fn answer_order(&self, staff: &Staff, order_id: i64, answer: &str, at: Millis) -> Result<Order> {
        let act = Act::Answer { order_id, answer: answer.to_string() };
        self.supervise(act, Actor::Staff(staff.clone()), at).await?;
        self.order(staff, order_id).await
    }

    /// The supervisor accepts the answer and closes the order.
    pub async fn close_order(&self, staff: &Staff, order_id: i64, note: &str, at: Millis) -> Result<Order> {
        let act = Act::Close { order_id, note: note.to_string() };
        self.supervise(act, Actor::Staff(staff.clone()), at).await?;
        self.order(staff, order_id).await
    }

    /// The supervisor does not accept the answer: the order is open again until `due_at`.
    pub async fn send_back_order(
        &self,
        staff: &Staff,
        order_id: i64,
        note: &str,
        due_at: Millis,
        at: Millis,
    ) -> Result<Order> {
        if due_at <= at {
            return Err(gongzhi_domain::supervision::Refused::Invalid {
                field: "due",
                reason: "must be later than now".into(),
            }
            .into());
        }
        let act = Act::SendBack { order_id, note: note.to_string(), due_at };
        self.supervise(act, Actor::Staff(staff.clone()), at).await?;
        self.order(staff, order_id).await
    }

    /// One order, for its supervisors and the people who answer it.
    pub async fn order(&self, staff: &Staff, id: i64) -> Result<Order> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM supervision_orders WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let order = order_from_row(&row)?;
        if order.visible_to(staff) {
            Ok(order)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Orders the staff member may see, soonest due first: a supervisor's subtree, a
    /// leader's subtree, a handler's own unit.
    pub async fn orders(&self, staff: &Staff, filter: &OrderFilter, offset: i64, limit: i64) -> Result<Listing<Order>> {
        let (offset, limit) = page(offset, limit);
        // A handler's orders are their own unit's; leaders and supervisors see their subtree.
        let scope = match staff.role {
            Role::Supervisor | Role::Leader => format!("{}%", staff.unit_path),
            Role::Handler => staff.unit_path.clone(),
            _ => return Ok(Listing { items: Vec::new(), total: 0 }),
        };
        let filters = "unit_path LIKE $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR kind = $3) \
             AND ($4 = 0 OR request_id = $4)";
        let status = filter.status.map(|s| s.as_str()).unwrap_or_default();
        let kind = filter.kind.map(|k| k.as_str()).unwrap_or_default();
        let request = filter.request_id.unwrap_or(0);
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM supervision_orders WHERE {filters} ORDER BY status = 'closed', due_at, id \
             LIMIT $5 OFFSET $6"
        );
        let rows = sqlx::query(&sql)
            .bind(scope.as_str())
            .bind(status)
            .bind(kind)
            .bind(request)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM supervision_orders WHERE {filters}"))
            .bind(scope.as_str())
            .bind(status)
            .bind(kind)
            .bind(request)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items: rows.iter().map(order_from_row).collect::<Result<_>>()?, total })
    }

    /// Moves every open order past its due date one level up the unit tree and gives it a
    /// new due date; returns how many moved. The timer runs it; any instance may, as an
    /// order moved by another first is left as it is.
    pub async fn escalate_orders(&self, now: Millis) -> Result<usize> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM supervision_orders WHERE status = 'open' AND due_at < $1 ORDER BY due_at LIMIT 500"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(self.pool()).await?;
        let next_due = order::due_after(&self.settings().calendar, now, ESCALATION_DAYS);
        let mut moved = 0;
        for row in &rows {
            let order = order_from_row(row)?;
            let parent = self.unit(order.holder_unit_id).await?.parent_id;
            let act = Act::Escalate { order_id: order.id, parent, next_due };
            if self.supervise(act, Actor::System, now).await?.order_id.is_some() {
                moved += 1;
            }
        }
        Ok(moved)
    }
}
