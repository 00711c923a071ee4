//! Full-text search over requests' titles and contents, the same on both databases.
//!
//! Neither database segments Chinese, and their own full-text features differ, so the
//! tokens are the application's (`gongzhi_text::search_tokens`: CJK bigrams and ASCII
//! words) and the index is a plain table of postings: one row per distinct token hash and
//! request. A query holds when the request has every token of the search text. The
//! rarest token drives the lookup, walking its postings newest first; the other tokens
//! and the list filters are checked per posting, so a page costs about as many index
//! reads as it has rows, however large the table.
//!
//! Intake does not write postings: a request's hundred-odd tokens would dirty as many
//! scattered index pages in every commit. It lists the request in `search_pending`, and
//! the writer indexes the pending requests in sorted batches of 500 as they fill, and the
//! rest once writes pause. A search reads the pending requests that pass its filter
//! directly, so a request is found from the moment it is stored.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_domain::Request;
use sea_query::{Alias, Expr, Order, PostgresQueryBuilder, SelectStatement};
use sqlx::{AnyConnection, Executor, Row};

use crate::queries::{bind, col, select_requests, ListFilter, Page, DEFAULT_PAGE, MAX_PAGE};
use crate::{rows, Backend, Result, Store, StoreError};

/// A token as the index keeps it: FNV-1a over its UTF-8 bytes, as a signed 64-bit key.
fn key(token: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in token.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// The index keys of a title and content: their distinct tokens, sorted.
pub(crate) fn keys_of(title: &str, content: &str) -> Vec<i64> {
    let mut keys: Vec<i64> =
        gongzhi_text::search_tokens(&format!("{title}\n{content}")).iter().map(|t| key(t)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Postings per statement: integers are written into the SQL itself (they cannot carry
/// anything but digits), which keeps large imports clear of bind-parameter limits.
const POSTINGS_PER_STATEMENT: usize = 2_000;

/// Adds the postings of requests (id, title, content), inside the writer's transaction.
/// They go in sorted by token, so a batch fills each index page once instead of
/// revisiting it.
pub(crate) async fn index<'a>(
    conn: &mut AnyConnection,
    requests: impl IntoIterator<Item = (i64, &'a str, &'a str)>,
) -> Result<()> {
    let mut postings: Vec<(i64, i64)> = requests
        .into_iter()
        .flat_map(|(id, title, content)| keys_of(title, content).into_iter().map(move |key| (key, id)))
        .collect();
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

/// Marks a new request for the index, inside the writer's transaction: one row, where
/// its postings would touch a hundred index pages.
pub(crate) async fn defer(conn: &mut AnyConnection, request_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO search_pending (request_id) VALUES ($1)").bind(request_id).execute(&mut *conn).await?;
    Ok(())
}

/// Marks many new requests for the index at once, in the writer's transaction.
pub(crate) async fn defer_all(conn: &mut AnyConnection, ids: impl Iterator<Item = i64>) -> Result<()> {
    let ids: Vec<i64> = ids.collect();
    let mut sql = String::new();
    for chunk in ids.chunks(POSTINGS_PER_STATEMENT) {
        sql.clear();
        sql.push_str("INSERT INTO search_pending (request_id) VALUES ");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(sql, "({id})");
        }
        conn.execute(sql.as_str()).await?;
    }
    Ok(())
}

/// Requests the writer indexes at a time: large enough that their postings share index
/// pages, small enough that intake waits a fraction of a second at most.
pub(crate) const CATCH_UP: i64 = 500;

/// Indexes the oldest `limit` pending requests and takes them off the pending list, in
/// the caller's transaction. Returns how many it indexed.
pub(crate) async fn catch_up(conn: &mut AnyConnection, limit: i64) -> Result<usize> {
    // The pending ids are taken first and looked up one by one: joined, PostgreSQL walks
    // the requests from the oldest to reach the newest, which are the pending ones.
    let rows = sqlx::query(
        "SELECT r.id, r.title, r.content FROM requests r \
         WHERE r.id IN (SELECT request_id FROM search_pending ORDER BY request_id LIMIT $1) ORDER BY r.id",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let texts: Vec<(i64, String, String)> =
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<_, sqlx::Error>>()?;
    let Some(last) = texts.last().map(|t| t.0) else { return Ok(0) };
    index(conn, texts.iter().map(|(id, title, content)| (*id, title.as_str(), content.as_str()))).await?;
    // The oldest ids were taken in order, so everything up to the last is now indexed.
    sqlx::query("DELETE FROM search_pending WHERE request_id <= $1").bind(last).execute(&mut *conn).await?;
    Ok(texts.len())
}

/// Requests indexed per step when the index is brought up to date on purpose, after an
/// import. A step's cost is mostly the index pages it reaches, about one per distinct
/// token, and a step of 20,000 reaches few more than one of 5,000: at a million requests
/// they took 12 s and 9 s, so the larger indexes three times as fast. Other writes wait
/// for a step (the server's writer waits a minute for another process's lock).
pub(crate) const BULK_CATCH_UP: i64 = 20_000;

/// Whether a text has something to search for: at least two Chinese characters side by
/// side, or a Latin word or number. Callers check before searching to say so clearly.
pub fn searchable(text: &str) -> bool {
    Store::search_keys(text).is_ok()
}

/// Postings counted per token when choosing the one to drive a search: enough to tell a
/// rare token from a common one, and cheap for the most common.
const RARITY_PROBE: i64 = 5_000;

/// Requests a filter-driven search on PostgreSQL checks per statement. At a million
/// requests a token common enough to make a search filter-driven is in one request in 200
/// or more, so a slice usually holds a page.
const PROBE_SLICE: usize = 2_000;

/// Widest span of ids, per id of a slice, whose postings are read as a range rather than
/// probed id by id. Even a word in one request in ten then reads fewer postings than a
/// probe per id costs; the newest slices of open work are that dense.
const RANGE_SPAN_PER_ID: i64 = 25;

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
        let keys = Self::search_keys(filter.text.as_deref().unwrap_or_default())?;
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let cursor = match &filter.cursor {
            Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| StoreError::Invalid("bad cursor".into()))?),
            None => None,
        };
        let mut selected = self.filtered_ids(staff, filter, now).await?;
        if let Some(last) = cursor {
            selected.and_where(Expr::cust_with_values("requests.id < $1", [last]));
        }
        // The requests not indexed yet are read first: one indexed between the two reads
        // is then found twice and shown once, never missed.
        let pending = self.search_pending(selected.clone(), &keys, limit).await?;
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
        let by_rarity: Vec<i64> = rarity.into_iter().map(|(_, key)| key).collect();
        let indexed = if common && filter.selects_few() {
            self.search_by_filter(selected, &keys, limit).await?
        } else {
            self.search_postings(selected, &by_rarity, limit).await?
        };
        let mut found: Vec<i64> = pending.into_iter().chain(indexed).collect();
        found.sort_unstable_by(|a, b| b.cmp(a));
        found.dedup();
        found.truncate(limit as usize + 1);
        self.search_page(found, limit).await
    }

    /// Search driven by the rarest token (first of `keys`): its postings, newest first,
    /// each checked for the other tokens and the filter.
    async fn search_postings(&self, mut ids: SelectStatement, keys: &[i64], limit: u32) -> Result<Vec<i64>> {
        let (driver, others) = keys.split_first().ok_or_else(|| StoreError::Invalid("empty search".into()))?;
        // `request_terms CROSS JOIN requests`: SQLite keeps the written join order for a
        // cross join, so the driving token's postings are the outer loop; PostgreSQL
        // plans it as an inner join either way.
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
        ids.order_by_expr(Expr::cust("t.request_id"), Order::Desc).limit(u64::from(limit) + 1);
        let (sql, values) = ids.build(PostgresQueryBuilder);
        let sql = sql.replacen(r#"FROM "requests""#, r#"FROM "request_terms" AS "t" CROSS JOIN "requests""#, 1);
        self.found_ids(&sql, values).await
    }

    /// Search driven by the filter: the requests it selects, each checked for every token.
    async fn search_by_filter(&self, mut ids: SelectStatement, keys: &[i64], limit: u32) -> Result<Vec<i64>> {
        if self.backend() == Backend::Postgres {
            return self.search_by_probing(ids, keys, limit).await;
        }
        for key in keys {
            ids.and_where(Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM request_terms o WHERE o.term = $1 AND o.request_id = requests.id)",
                [*key],
            ));
        }
        // `+requests.id` sorts the few rows found rather than walk the table by id.
        ids.order_by_expr(Expr::cust("+requests.id"), Order::Desc).limit(u64::from(limit) + 1);
        let (sql, values) = ids.build(PostgresQueryBuilder);
        self.found_ids(&sql, values).await
    }

    /// The same on PostgreSQL: the ids the filter selects, newest first, a slice at a
    /// time, each slice probed for the tokens until a page is found. Left to itself the
    /// planner, which cannot know how common a token is, walks all of a common word's
    /// postings (77,000 at a million requests) and looks each request up.
    async fn search_by_probing(&self, ids: SelectStatement, keys: &[i64], limit: u32) -> Result<Vec<i64>> {
        let keys: BTreeSet<i64> = keys.iter().copied().collect();
        let wanted = limit as usize + 1;
        let mut found = Vec::with_capacity(wanted);
        let mut older_than = None;
        loop {
            let mut next = ids.clone();
            if let Some(last) = older_than {
                next.and_where(Expr::cust_with_values("requests.id < $1", [last]));
            }
            next.order_by_expr(Expr::cust("requests.id"), Order::Desc).limit(PROBE_SLICE as u64);
            let (sql, values) = next.build(PostgresQueryBuilder);
            let slice = self.found_ids(&sql, values).await?;
            let (Some(&newest), Some(&last)) = (slice.first(), slice.last()) else { break };
            let held = if newest - last <= RANGE_SPAN_PER_ID * slice.len() as i64 {
                self.postings_between(&keys, last, newest).await?
            } else {
                self.postings_of(&keys, &slice).await?
            };
            found.extend(slice.iter().filter(|id| held.contains(id)));
            if found.len() >= wanted || slice.len() < PROBE_SLICE {
                break;
            }
            older_than = Some(last);
        }
        found.truncate(wanted);
        Ok(found)
    }

    /// The requests between two ids (inclusive) that hold every token: a range of each
    /// token's postings, intersected here. Cheap while the range is narrow, as the newest
    /// slices of open work are.
    async fn postings_between(&self, keys: &BTreeSet<i64>, from: i64, to: i64) -> Result<HashSet<i64>> {
        let mut held: Option<HashSet<i64>> = None;
        for key in keys {
            let rows =
                sqlx::query("SELECT request_id FROM request_terms WHERE term = $1 AND request_id BETWEEN $2 AND $3")
                    .bind(*key)
                    .bind(from)
                    .bind(to)
                    .fetch_all(self.pool())
                    .await?;
            let ids: HashSet<i64> = rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?;
            held = Some(match held {
                Some(before) => before.intersection(&ids).copied().collect(),
                None => ids,
            });
        }
        Ok(held.unwrap_or_default())
    }

    /// The requests among `ids` that hold every token, each pair looked up in the
    /// postings' key: for a slice spread over years of ids.
    async fn postings_of(&self, keys: &BTreeSet<i64>, ids: &[i64]) -> Result<HashSet<i64>> {
        // Ids and keys are integers read or computed here: written into the statement,
        // they let the planner probe the postings' key for each pair.
        let terms = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT request_id FROM request_terms WHERE term IN ({terms}) AND request_id IN ({listed}) \
             GROUP BY request_id HAVING COUNT(*) = {}",
            keys.len()
        );
        let rows = sqlx::query(&sql).persistent(false).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// The requests the filter selects among those not indexed yet, read and tokenised
    /// here: a handful, or a few thousand after a burst of intake.
    async fn search_pending(&self, mut ids: SelectStatement, keys: &[i64], limit: u32) -> Result<Vec<i64>> {
        ids.column((Alias::new("requests"), Alias::new("title")))
            .column((Alias::new("requests"), Alias::new("content")))
            .and_where(Expr::cust("requests.id = p.request_id"))
            .order_by_expr(Expr::cust("p.request_id"), Order::Desc);
        let (sql, values) = ids.build(PostgresQueryBuilder);
        // Driven by the pending list (mostly empty), not by a filter's index over the
        // whole table: SQLite keeps a cross join's written order.
        let sql = sql.replacen(r#"FROM "requests""#, r#"FROM "search_pending" AS "p" CROSS JOIN "requests""#, 1);
        let mut found = Vec::new();
        for row in bind(&sql, values).fetch_all(self.pool()).await? {
            let (title, content): (String, String) = (row.try_get(1)?, row.try_get(2)?);
            let held = keys_of(&title, &content);
            if keys.iter().all(|key| held.binary_search(key).is_ok()) {
                found.push(row.try_get(0)?);
                if found.len() > limit as usize {
                    break;
                }
            }
        }
        Ok(found)
    }

    async fn found_ids(&self, sql: &str, values: sea_query::Values) -> Result<Vec<i64>> {
        let rows = bind(sql, values).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
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
