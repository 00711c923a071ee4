//! What the intake desk reads while a caller waits: the caller's earlier requests, found
//! by their phone number in the operator's scope, newest first, from the phone index
//! (migration 0019).

use gongzhi_domain::role::Staff;
use gongzhi_domain::Request;
use sea_query::{Alias, Expr, Order, PostgresQueryBuilder, Query};
use sqlx::Row;

use crate::queries::{bind, col, scope, select_requests};
use crate::{rows, Listing, Result, Store};

impl Store {
    /// The requests a caller with this phone number (as kept: its digits) raised in the
    /// staff member's scope: how many, and the newest `limit`. An empty number finds none.
    pub async fn requests_by_phone(&self, phone: &str, staff: &Staff, limit: u32) -> Result<Listing<Request>> {
        if phone.is_empty() {
            return Ok(Listing { items: Vec::new(), total: 0 });
        }
        let helps = self.helps(staff).await?;
        // The literal `<> ''` is the phone index's own condition: with it in the
        // statement, both databases may read that partial index.
        let by_phone = || col("requester_phone").eq(phone).and(Expr::cust("requester_phone <> ''"));

        let mut count = Query::select();
        count.expr_as(Expr::cust("COUNT(*)"), Alias::new("n")).from(Alias::new("requests")).and_where(by_phone());
        scope(&mut count, staff, helps);
        let (sql, values) = count.build(PostgresQueryBuilder);
        let total: i64 = bind(&sql, values).fetch_one(self.pool()).await?.try_get("n")?;

        let mut page = select_requests();
        page.and_where(by_phone());
        scope(&mut page, staff, helps);
        page.order_by(Alias::new("created_at"), Order::Desc)
            .order_by(Alias::new("id"), Order::Desc)
            .limit(u64::from(limit.clamp(1, 100)));
        let (sql, values) = page.build(PostgresQueryBuilder);
        let rows = bind(&sql, values).fetch_all(self.pool()).await?;
        let items = rows.iter().map(rows::request_from_row).collect::<Result<_>>()?;
        Ok(Listing { items, total })
    }
}
