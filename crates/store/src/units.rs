//! The unit tree and the category catalogue: small tables that change rarely.

use gongzhi_domain::catalogue::Category;
use gongzhi_domain::unit::{child_path, Unit, UnitKind};
use sqlx::{any::AnyRow, AnyConnection, Row};

use crate::{Result, Store, StoreError};

pub(crate) fn unit_from_row(row: &AnyRow) -> Result<Unit> {
    let kind: String = row.try_get("kind")?;
    Ok(Unit {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| StoreError::Invalid(format!("unknown unit kind `{kind}`")))?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        path: row.try_get("path")?,
    })
}

fn category_from_row(row: &AnyRow) -> Result<Category> {
    let days: Option<i64> = row.try_get("resolve_days")?;
    Ok(Category {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        level: row.try_get("level")?,
        name: row.try_get("name")?,
        default_unit_id: row.try_get("default_unit_id")?,
        resolve_days: days.map(|d| d.clamp(0, 365) as u32),
    })
}

/// A unit, read on the caller's connection.
pub(crate) async fn unit_in(conn: &mut AnyConnection, id: i64) -> Result<Unit> {
    let row = sqlx::query("SELECT id, parent_id, kind, code, name, path FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::UnknownUnit(id))?;
    unit_from_row(&row)
}

/// Inserts a unit under a parent of the given path, inside the caller's transaction.
pub(crate) async fn insert_unit(
    conn: &mut AnyConnection,
    parent_id: Option<i64>,
    parent_path: Option<&str>,
    kind: UnitKind,
    code: &str,
    name: &str,
) -> Result<Unit> {
    // The path holds the unit's own id, known only after the insert.
    let row =
        sqlx::query("INSERT INTO units (parent_id, kind, code, name, path) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(parent_id)
            .bind(kind.as_str())
            .bind(code)
            .bind(name)
            .bind(format!("pending:{code}"))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| StoreError::from_insert(e, &format!("unit {code}")))?;
    let id: i64 = row.try_get("id")?;
    let path = child_path(parent_path, id);
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(path.as_str()).bind(id).execute(&mut *conn).await?;
    Ok(Unit { id, parent_id, kind, code: code.into(), name: name.into(), path })
}

/// Inserts a category (its `id` is given by the database) at the level it says.
pub(crate) async fn insert_category(conn: &mut AnyConnection, category: Category) -> Result<Category> {
    let row = sqlx::query(
        "INSERT INTO categories (parent_id, level, name, default_unit_id, resolve_days) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(category.parent_id)
    .bind(category.level)
    .bind(category.name.as_str())
    .bind(category.default_unit_id)
    .bind(category.resolve_days.map(i64::from))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::from_insert(e, &format!("category {}", category.name)))?;
    Ok(Category { id: row.try_get("id")?, ..category })
}

impl Store {
    /// Adds a unit under `parent_id` (none for the root).
    pub async fn add_unit(&self, parent_id: Option<i64>, kind: UnitKind, code: &str, name: &str) -> Result<Unit> {
        if code.trim().is_empty() || name.trim().is_empty() {
            return Err(StoreError::Invalid("a unit needs a code and a name".into()));
        }
        let parent_path = match parent_id {
            Some(parent) => Some(self.unit(parent).await.map_err(|_| StoreError::UnknownUnit(parent))?.path),
            None => None,
        };
        let mut tx = self.pool().begin().await?;
        let unit = insert_unit(&mut tx, parent_id, parent_path.as_deref(), kind, code, name).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn unit(&self, id: i64) -> Result<Unit> {
        unit_in(&mut *self.pool().acquire().await?, id).await
    }

    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let row = sqlx::query("SELECT id, parent_id, kind, code, name, path FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(unit_from_row).transpose()
    }

    /// All units, parents before children.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query("SELECT id, parent_id, kind, code, name, path FROM units ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(unit_from_row).collect()
    }

    pub async fn add_category(
        &self,
        parent_id: Option<i64>,
        name: &str,
        default_unit_id: Option<i64>,
        resolve_days: Option<u32>,
    ) -> Result<Category> {
        let level = self.level_under(parent_id).await?;
        let mut conn = self.pool().acquire().await?;
        insert_category(
            &mut conn,
            Category { id: 0, parent_id, level, name: name.into(), default_unit_id, resolve_days },
        )
        .await
    }

    /// The level a new category under `parent_id` would have; the catalogue has three.
    pub(crate) async fn level_under(&self, parent_id: Option<i64>) -> Result<i64> {
        let level = match parent_id {
            Some(parent) => self.category(parent).await?.level + 1,
            None => 1,
        };
        if level > 3 {
            return Err(StoreError::Invalid("the catalogue has three levels".into()));
        }
        Ok(level)
    }

    pub async fn category(&self, id: i64) -> Result<Category> {
        let row = sqlx::query(
            "SELECT id, parent_id, level, name, default_unit_id, resolve_days FROM categories WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::UnknownCategory(id))?;
        category_from_row(&row)
    }

    /// A category's names from the top of the catalogue down, joined by " / "; empty for
    /// an unknown category. One round trip however deep the catalogue.
    pub async fn category_path(&self, id: i64) -> Result<String> {
        // The depth bound only guards against a cycle an edit might leave.
        let rows = sqlx::query(
            "WITH RECURSIVE up (id, parent_id, name, depth) AS (
                 SELECT id, parent_id, name, 0 FROM categories WHERE id = $1
                 UNION ALL
                 SELECT c.id, c.parent_id, c.name, up.depth + 1
                 FROM categories c JOIN up ON c.id = up.parent_id WHERE up.depth < 8)
             SELECT name FROM up ORDER BY depth DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let names = rows.iter().map(|row| row.try_get::<String, _>("name")).collect::<Result<Vec<_>, _>>()?;
        Ok(names.join(" / "))
    }

    pub async fn categories(&self) -> Result<Vec<Category>> {
        let rows =
            sqlx::query("SELECT id, parent_id, level, name, default_unit_id, resolve_days FROM categories ORDER BY id")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(category_from_row).collect()
    }

    /// Loads a `level1,level2,level3` catalogue, adding what is missing; `default_unit`
    /// names the unit that handles a first-level category. Returns how many were added.
    pub async fn load_catalogue(
        &self,
        rows: &[[String; 3]],
        default_unit: impl Fn(&str) -> Option<i64>,
    ) -> Result<usize> {
        let mut known: std::collections::HashMap<(Option<i64>, String), i64> =
            self.categories().await?.into_iter().map(|c| ((c.parent_id, c.name), c.id)).collect();
        let mut added = 0;
        for row in rows {
            let mut parent = None;
            for (level, name) in row.iter().enumerate() {
                let key = (parent, name.clone());
                let id = match known.get(&key) {
                    Some(id) => *id,
                    None => {
                        let unit = if level == 0 { default_unit(name) } else { None };
                        let id = self.add_category(parent, name, unit, None).await?.id;
                        known.insert(key, id);
                        added += 1;
                        id
                    }
                };
                parent = Some(id);
            }
        }
        Ok(added)
    }

    /// Whether anything has been set up yet.
    pub async fn is_empty(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM units").fetch_one(self.pool()).await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
    }
}
