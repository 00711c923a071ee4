//! Photos of a request: sent with it by the requester, or with a progress note or reply
//! by staff. Only JPEG, PNG and WebP are kept, recognised by their first bytes — never by
//! a file name or a declared type, which the sender chooses.

use gongzhi_domain::time::Millis;
use sha2::{Digest, Sha256};
use sqlx::{any::AnyRow, AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// The image type these bytes begin like, if it is one we keep.
pub fn photo_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A stored photo without its bytes, for lists and thumbnails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub request_id: i64,
    pub event_id: Option<i64>,
    /// 1 for the request's first photo, in the order they were stored: the number in
    /// `/work/requests/{id}/photos/{n}`.
    pub n: i64,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

const COLUMNS: &str = "id, request_id, event_id, content_type, size, sha256, created_at";

fn info_from_row(row: &AnyRow, n: i64) -> Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: row.try_get("id")?,
        request_id: row.try_get("request_id")?,
        event_id: row.try_get("event_id")?,
        n,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Photos as they arrive with a submission or an action: each recognised by its first
/// bytes before anything is written, so that a job refuses them before it writes.
pub(crate) struct Photos<'a>(Vec<(&'a [u8], &'static str)>);

impl<'a> Photos<'a> {
    pub(crate) fn check(photos: &'a [Vec<u8>]) -> Result<Photos<'a>> {
        photos
            .iter()
            .map(|bytes| photo_type(bytes).map(|kind| (bytes.as_slice(), kind)))
            .collect::<Option<_>>()
            .map(Photos)
            .ok_or_else(|| StoreError::Invalid("only JPEG, PNG and WebP photos are kept".into()))
    }

    /// Each photo's bytes with the type its first bytes show.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a [u8], &'static str)> + '_ {
        self.0.iter().copied()
    }

    /// Keeps the photos with the event they came with, inside the caller's transaction;
    /// a photo the request already has is kept once. Returns how many were new.
    pub(crate) async fn insert(
        &self,
        conn: &mut AnyConnection,
        request_id: i64,
        event_id: Option<i64>,
        now: Millis,
    ) -> Result<usize> {
        let sql = "INSERT INTO attachments (request_id, event_id, content_type, bytes, size, sha256, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id, sha256) DO NOTHING";
        self.insert_as(conn, sql, (request_id, event_id), now).await
    }

    /// Keeps a meeting's photos with who added them, inside the caller's transaction; a
    /// photo the meeting already has is kept once. Returns how many were new.
    pub(crate) async fn insert_for_meeting(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
        added_by: Option<i64>,
        now: Millis,
    ) -> Result<usize> {
        let sql = "INSERT INTO meeting_photos (meeting_id, added_by, content_type, bytes, size, sha256, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (meeting_id, sha256) DO NOTHING";
        self.insert_as(conn, sql, (meeting_id, added_by), now).await
    }

    /// Runs `sql` once a photo: its owner and the owner's second column first, then the
    /// photo's type, bytes, size, digest and time.
    async fn insert_as(
        &self,
        conn: &mut AnyConnection,
        sql: &str,
        (owner, with): (i64, Option<i64>),
        now: Millis,
    ) -> Result<usize> {
        let mut added = 0;
        for (bytes, kind) in &self.0 {
            let done = sqlx::query(sql)
                .bind(owner)
                .bind(with)
                .bind(*kind)
                .bind(*bytes)
                .bind(bytes.len() as i64)
                .bind(hex::encode(Sha256::digest(bytes)))
                .bind(now)
                .execute(&mut *conn)
                .await?;
            added += done.rows_affected() as usize;
        }
        Ok(added)
    }
}

impl Store {
    /// Keeps photos of a request (and of the event they came with) on their own, as
    /// an import of records from elsewhere does. Every photo is checked first and none
    /// is kept if one is not a photo; a photo the request already has is kept once.
    /// Returns how many were new. Photos sent with a submission or an action go with
    /// it instead, in its own transaction (`create_with`, `act_with`).
    pub async fn add_photos(
        &self,
        request_id: i64,
        event_id: Option<i64>,
        photos: &[Vec<u8>],
        now: Millis,
    ) -> Result<usize> {
        let photos = Photos::check(photos)?;
        let mut tx = self.pool().begin().await?;
        let added = photos.insert(&mut tx, request_id, event_id, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// A request's photos, first stored first. Callers check that the viewer may see the
    /// request.
    pub async fn photos_of(&self, request_id: i64) -> Result<Vec<AttachmentInfo>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM attachments WHERE request_id = $1 ORDER BY id"))
            .bind(request_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().zip(1..).map(|(row, n)| info_from_row(row, n)).collect()
    }

    /// The request's `n`th photo (from 1), with its bytes.
    pub async fn photo(&self, request_id: i64, n: i64) -> Result<Attachment> {
        if n < 1 {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, bytes FROM attachments WHERE request_id = $1 ORDER BY id LIMIT 1 OFFSET $2"
        ))
        .bind(request_id)
        .bind(n - 1)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Attachment { info: info_from_row(&row, n)?, bytes: row.try_get("bytes")? })
    }

    /// How many photos a meeting has.
    pub async fn meeting_photo_count(&self, meeting_id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) AS n FROM meeting_photos WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// A meeting's `n`th photo (from 1): its type and bytes.
    pub async fn meeting_photo(&self, meeting_id: i64, n: i64) -> Result<(String, Vec<u8>)> {
        if n < 1 {
            return Err(StoreError::NotFound);
        }
        let row: Option<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT content_type, bytes FROM meeting_photos WHERE meeting_id = $1 ORDER BY id LIMIT 1 OFFSET $2",
        )
        .bind(meeting_id)
        .bind(n - 1)
        .fetch_optional(self.pool())
        .await?;
        row.ok_or(StoreError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::photo_type;

    #[test]
    fn photos_are_known_by_their_first_bytes() {
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(photo_type(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        // A GIF, an SVG, a PDF or a script named photo.jpg is not a photo we keep.
        assert_eq!(photo_type(b"GIF89a"), None);
        assert_eq!(photo_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"), None);
        assert_eq!(photo_type(b"%PDF-1.7"), None);
        assert_eq!(photo_type(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(photo_type(b""), None);
    }
}
