//! Full-text search over requests' titles and contents, the same on both databases.
//!
//! Neither database segments Chinese, and their own full-text features differ, so the
//! tokens are the application's (`gongzhi_text::search_tokens`: CJK bigrams and ASCII
//! words) and the index is a plain table of postings: one row per distinct token hash and
//! request. A query holds when the request has every token of the search text. The
//! rarest token drives the lookup, walking its postings newest first; the other tokens
//! and the list filters are checked per posting, so a page costs about as many index
//! reads as it has rows, however large the table.

use std::fmt::Write as _;

use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Request;
use sea_query::{Alias, Expr, Order, PostgresQueryBuilder};
use sqlx::{AnyConnection, Executor, Row};

use crate::queries::{bind, col, select_requests, ListFilter, Page, DEFAULT_PAGE, MAX_PAGE};
use crate::{rows, Result, Store, StoreError};

/// A token as the index keeps it: FNV-1a over its UTF-8 bytes, as a signed 64-bit key.
fn key(token: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in token.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// The index keys of a request: its title's and content's distinct tokens.
pub(crate) fn keys_of(request: &Request) -> Vec<i64> {
    let mut keys: Vec<i64> = gongzhi_text::search_tokens(&format!("{}\n{}", request.new.title, request.new.content))
        .iter()
        .map(|t| key(t))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Postings per statement: integers are written into the SQL itself (they cannot carry
/// anything but digits), which keeps large imports clear of bind-parameter limits.
const POSTINGS_PER_STATEMENT: usize = 2_000;

/// Adds the postings of new requests, inside the writer's transaction. They go in sorted
/// by token, so a large import fills each index page once instead of revisiting it.
pub(crate) async fn index(conn: &mut AnyConnection, requests: &[Request]) -> Result<()> {
    let mut postings: Vec<(i64, i64)> =
        requests.iter().flat_map(|r| keys_of(r).into_iter().map(move |key| (key, r.id))).collect();
    postings.sort_unstable();
    let mut sql = String::new();
    for chunk in postings.chunks(POSTINGS_PER_STATEMENT) {
        sql.clear();
        sql.push_str("INSERT INTO request_terms (term, request_id) VALUES ");
        for (i, (key, id)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(sql, "({key},{id})");
        }
        sql.push_str(" ON CONFLICT DO NOTHING");
        conn.execute(sql.as_str()).await?;
    }
    Ok(())
}

/// Whether a text has something to search for: at least two Chinese characters side by
/// side, or a Latin word or number. Callers check before searching to say so clearly.
pub fn searchable(text: &str) -> bool {
    Store::search_keys(text).is_ok()
}

/// Postings counted per token when choosing the one to drive a search: enough to tell a
/// rare token from a common one, and cheap for the most common.
const RARITY_PROBE: i64 = 5_000;

impl Store {
    /// The tokens of a search text, or a clear refusal when it has none to look for.
    fn search_keys(text: &str) -> Result<Vec<i64>> {
        let tokens = gongzhi_text::query_tokens(text);
        // A lone Chinese character is indexed only where it stands alone; searching for
        // one would silently miss most texts, so it is refused instead.
        let meaningful = tokens.iter().any(|t| t.chars().count() > 1 || t.chars().all(|c| c.is_ascii_alphanumeric()));
        if tokens.is_empty() || !meaningful {
            return Err(StoreError::Invalid(
                "search text too short: give at least two Chinese characters or a word".into(),
            ));
        }
        let mut keys: Vec<i64> = tokens.iter().map(|t| key(t)).collect();
        keys.dedup();
        Ok(keys)
    }

    /// How many postings a token has, up to the probe limit.
    async fn postings(&self, key: i64) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM request_terms WHERE term = $1 LIMIT $2) AS probe")
                .bind(key)
                .bind(RARITY_PROBE)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get("n")?)
    }

    /// A page of search results, newest recorded first; the cursor is the last id seen.
    pub(crate) async fn search(&self, staff: &Staff, filter: &ListFilter, now: Millis) -> Result<Page<Request>> {
        let mut keys = Self::search_keys(filter.text.as_deref().unwrap_or_default())?;
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let mut rarity = Vec::with_capacity(keys.len());
        for key in &keys {
            rarity.push((self.postings(*key).await?, *key));
        }
        rarity.sort_unstable();
        // Walking the rarest token's postings costs at most its postings; when even that
        // token is common and the filter leaves few requests (open or overdue work), the
        // requests the filter selects are walked instead and each is checked for the
        // tokens.
        let common = rarity.first().is_some_and(|(n, _)| *n >= RARITY_PROBE);
        if common && filter.selects_few() {
            return self.search_by_filter(staff, filter, &keys, limit, now).await;
        }
        keys = rarity.into_iter().map(|(_, key)| key).collect();
        let (driver, others) = keys.split_first().ok_or_else(|| StoreError::Invalid("empty search".into()))?;

        // `request_terms CROSS JOIN requests`: SQLite keeps the written join order for a
        // cross join, so the driving token's postings are the outer loop; PostgreSQL
        // plans it as an inner join either way.
        let mut ids = self.filtered_ids(staff, filter, now).await?;
        ids.clear_selects();
        ids.column((Alias::new("t"), Alias::new("request_id")))
            .and_where(Expr::cust_with_values("t.term = $1", [*driver]))
            .and_where(Expr::cust("requests.id = t.request_id"));
        for key in others {
            ids.and_where(Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM request_terms o WHERE o.term = $1 AND o.request_id = t.request_id)",
                [*key],
            ));
        }
        if let Some(cursor) = &filter.cursor {
            let last: i64 = cursor.parse().map_err(|_| StoreError::Invalid("bad cursor".into()))?;
            ids.and_where(Expr::cust_with_values("t.request_id < $1", [last]));
        }
        ids.order_by_expr(Expr::cust("t.request_id"), Order::Desc).limit(u64::from(limit) + 1);
        let (sql, values) = ids.build(PostgresQueryBuilder);
        let sql = sql.replacen(r#"FROM "requests""#, r#"FROM "request_terms" AS "t" CROSS JOIN "requests""#, 1);
        let found: Vec<i64> =
            bind(&sql, values).fetch_all(self.pool()).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        self.search_page(found, limit).await
    }

    /// Search driven by the filter: the requests it selects, each checked for every token.
    async fn search_by_filter(
        &self,
        staff: &Staff,
        filter: &ListFilter,
        keys: &[i64],
        limit: u32,
        now: Millis,
    ) -> Result<Page<Request>> {
        let mut ids = self.filtered_ids(staff, filter, now).await?;
        for key in keys {
            ids.and_where(Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM request_terms o WHERE o.term = $1 AND o.request_id = requests.id)",
                [*key],
            ));
        }
        if let Some(cursor) = &filter.cursor {
            let last: i64 = cursor.parse().map_err(|_| StoreError::Invalid("bad cursor".into()))?;
            ids.and_where(Expr::cust_with_values("requests.id < $1", [last]));
        }
        // `+requests.id`: sort the few rows found rather than walk the table by id.
        ids.order_by_expr(Expr::cust("+requests.id"), Order::Desc).limit(u64::from(limit) + 1);
        let (sql, values) = ids.build(PostgresQueryBuilder);
        let found: Vec<i64> =
            bind(&sql, values).fetch_all(self.pool()).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        self.search_page(found, limit).await
    }

    /// The requests behind a page of found ids (one more than the page, if there is more).
    async fn search_page(&self, found: Vec<i64>, limit: u32) -> Result<Page<Request>> {
        let mut items = Vec::with_capacity(found.len());
        if !found.is_empty() {
            let mut page = select_requests();
            page.and_where(col("id").is_in(found.iter().copied())).order_by(Alias::new("id"), Order::Desc);
            let (sql, values) = page.build(PostgresQueryBuilder);
            let rows = bind(&sql, values).fetch_all(self.pool()).await?;
            items = rows.iter().map(rows::request_from_row).collect::<Result<Vec<_>>>()?;
        }
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_distinct() {
        assert_eq!(key("井盖"), key("井盖"));
        assert_ne!(key("井盖"), key("盖井"));
        assert_ne!(key("a"), key("b"));
    }

    #[test]
    fn a_lone_character_is_refused_and_a_word_is_not() {
        assert!(Store::search_keys("井").is_err());
        assert!(Store::search_keys("，。").is_err());
        assert!(Store::search_keys("井盖").is_ok());
        assert!(Store::search_keys("wifi").is_ok());
        assert_eq!(Store::search_keys("井盖缺失").map(|k| k.len()).ok(), Some(3));
    }
}
