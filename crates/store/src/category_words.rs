//! The words people use for each category, and the photos of a public form held while
//! the requester corrects it.

use std::collections::HashMap;

use gongzhi_domain::time::{Millis, DAY};
use sqlx::Row;

use crate::attachments::photo_type;
use crate::{Result, Store, StoreError};

impl Store {
    /// Every category's words, by category id; a category without words is absent.
    pub async fn category_words(&self) -> Result<HashMap<i64, Vec<String>>> {
        let rows = sqlx::query("SELECT category_id, words FROM category_words").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let words: String = row.try_get("words")?;
                Ok((row.try_get("category_id")?, words.split(' ').map(str::to_string).collect()))
            })
            .collect()
    }

    /// Sets a category's words (already split by `catalogue::words`); none removes them.
    pub async fn set_category_words(&self, category_id: i64, words: &[String]) -> Result<()> {
        self.category(category_id).await?;
        let mut tx = self.pool().begin().await?;
        put_words(&mut tx, category_id, words).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives the shipped catalogue's categories the words of `catalogue::default_words`,
    /// where a category has none yet. Returns how many got words.
    pub async fn load_default_words(&self) -> Result<usize> {
        let categories = self.categories().await?;
        let have = self.category_words().await?;
        let by_key: HashMap<(Option<i64>, &str), i64> =
            categories.iter().map(|c| ((c.parent_id, c.name.as_str()), c.id)).collect();
        let mut given = 0;
        for (path, words) in gongzhi_domain::catalogue::default_words() {
            let mut id = None;
            for name in &path {
                id = by_key.get(&(id, name.as_str())).copied();
                if id.is_none() {
                    break;
                }
            }
            if let Some(id) = id.filter(|id| !have.contains_key(id)) {
                self.set_category_words(id, &words).await?;
                given += 1;
            }
        }
        Ok(given)
    }

    /// Keeps the photos of a refused public form under its key, after those it already
    /// holds; photos held longer than a day are let go.
    pub async fn hold_photos(&self, form_key: &str, photos: &[Vec<u8>], now: Millis) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM held_photos WHERE created_at < $1").bind(now - DAY).execute(&mut *tx).await?;
        for bytes in photos {
            let kind = photo_type(bytes).ok_or_else(|| StoreError::Invalid("only photos are held".into()))?;
            sqlx::query("INSERT INTO held_photos (form_key, content_type, bytes, created_at) VALUES ($1, $2, $3, $4)")
                .bind(form_key)
                .bind(kind)
                .bind(bytes.as_slice())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The photos held under a form's key, first held first.
    pub async fn held_photos(&self, form_key: &str) -> Result<Vec<Vec<u8>>> {
        let rows = sqlx::query("SELECT bytes FROM held_photos WHERE form_key = $1 ORDER BY id")
            .bind(form_key)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(row.try_get("bytes")?)).collect()
    }

    /// Lets go of a form's photos once they are kept with its request.
    pub async fn release_photos(&self, form_key: &str) -> Result<()> {
        sqlx::query("DELETE FROM held_photos WHERE form_key = $1").bind(form_key).execute(self.pool()).await?;
        Ok(())
    }
}

async fn put_words(conn: &mut sqlx::AnyConnection, category_id: i64, words: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM category_words WHERE category_id = $1").bind(category_id).execute(&mut *conn).await?;
    if !words.is_empty() {
        sqlx::query("INSERT INTO category_words (category_id, words) VALUES ($1, $2)")
            .bind(category_id)
            .bind(words.join(" "))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// The catalogue admin sets a category's words; recorded like every catalogue change.
    pub async fn set_category_words_as_admin(
        &self,
        admin: &gongzhi_domain::role::Staff,
        category_id: i64,
        words: &[String],
        now: Millis,
    ) -> Result<()> {
        crate::admin::require_root_admin(admin)?;
        let category = self.category(category_id).await?;
        let mut tx = self.pool().begin().await?;
        put_words(&mut tx, category_id, words).await?;
        crate::admin::record(&mut tx, admin, &admin.unit_path, "category.words", &category.name, &words.join(" "), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
