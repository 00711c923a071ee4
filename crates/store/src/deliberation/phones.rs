//! Residents' numbers confirmed by a code (`phone_codes`): one row per browser, known by
//! the digest of the token in its cookie. The code is kept only as a digest; the text
//! that carries it goes through the outbox in the same transaction, so that a code is
//! stored exactly when it is sent.

use gongzhi_domain::deliberation::code;
use gongzhi_domain::notify::{Medium, Topic};
use gongzhi_domain::time::Millis;
use serde_json::json;
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// What a typed code met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right and in time: the number is confirmed for this browser.
    Confirmed { phone: String },
    /// Wrong; this many tries remain.
    Wrong { tries_left: i64 },
    /// Its ten minutes are over, or its tries are used up: a new code is needed.
    Spent,
    /// No code was sent to this browser.
    NoCode,
}

fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The digest a browser's token is kept as.
fn token_hash(token: &str) -> String {
    digest(&format!("gongzhi-phone-token:{token}"))
}

/// The digest a code is kept as: salted with the browser's token, so that equal codes
/// sent to two browsers are not equal rows.
fn code_hash(token_hash: &str, code: &str) -> String {
    digest(&format!("gongzhi-phone-code:{token_hash}:{}", code.trim()))
}

impl Store {
    /// Keeps a code sent to `phone` for the browser holding `token`, replacing any code
    /// it was sent before, and writes the text that carries it to the outbox, both in one
    /// transaction. The caller has checked the number and the send limits.
    pub async fn send_phone_code(&self, token: &str, phone: &str, code: &str, at: Millis) -> Result<()> {
        let token_hash = token_hash(token);
        let phone = gongzhi_domain::phone::normalize(phone);
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO phone_codes (token_hash, phone, code_hash, created_at, expires_at, tries) \
             VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (token_hash) DO UPDATE SET phone = $2, code_hash = $3, \
             created_at = $4, expires_at = $5, tries = 0, confirmed_at = NULL",
        )
        .bind(&token_hash)
        .bind(&phone)
        .bind(code_hash(&token_hash, code))
        .bind(at)
        .bind(at + code::LIFETIME)
        .execute(&mut *tx)
        .await?;
        // What the delivery worker reads for any text to a person (`worker::Stored`).
        let payload = json!({
            "topic": Topic::PhoneCode,
            "request_id": 0,
            "number": "",
            "tracking_code": "",
            "title": "",
            "note": code,
        });
        sqlx::query(
            "INSERT INTO outbox (key, medium, topic, request_id, recipient, to_resident, payload, created_at, \
             next_at, status, attempts, lease_until) VALUES ($1, $2, $3, NULL, $4, 1, $5, $6, $6, 'pending', 0, 0)",
        )
        .bind(format!("phone-code:{}:{at}", &token_hash[..16]))
        .bind(Medium::Sms.as_str())
        .bind(Topic::PhoneCode.as_str())
        .bind(&phone)
        .bind(payload.to_string())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a typed code against the one sent to this browser; every check counts as
    /// one of its tries, so that guessing stops after five.
    pub async fn check_phone_code(&self, token: &str, code: &str, at: Millis) -> Result<CodeCheck> {
        let token_hash = token_hash(token);
        let row = sqlx::query(
            "UPDATE phone_codes SET tries = tries + 1 WHERE token_hash = $1 AND confirmed_at IS NULL \
             RETURNING phone, code_hash, expires_at, tries",
        )
        .bind(&token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(CodeCheck::NoCode) };
        let (expires_at, tries): (Millis, i64) = (row.try_get("expires_at")?, row.try_get("tries")?);
        if expires_at <= at || tries > code::TRIES {
            return Ok(CodeCheck::Spent);
        }
        let stored: String = row.try_get("code_hash")?;
        if stored != code_hash(&token_hash, code) {
            return Ok(CodeCheck::Wrong { tries_left: code::TRIES - tries });
        }
        let confirmed = sqlx::query(
            "UPDATE phone_codes SET confirmed_at = $1, expires_at = $2 WHERE token_hash = $3 AND confirmed_at IS NULL",
        )
        .bind(at)
        .bind(at + code::CONFIRMED_FOR)
        .bind(&token_hash)
        .execute(self.pool())
        .await?;
        if confirmed.rows_affected() != 1 {
            return Ok(CodeCheck::Spent);
        }
        Ok(CodeCheck::Confirmed { phone: row.try_get("phone")? })
    }

    /// The number confirmed for the browser holding `token`, while its confirmation lasts.
    pub async fn confirmed_phone(&self, token: &str, at: Millis) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT phone FROM phone_codes WHERE token_hash = $1 AND confirmed_at IS NOT NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(at)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(phone,)| phone))
    }

    /// Records that a staff member saw a waiting proposal's number in full.
    pub async fn saw_proposal_phone(&self, user_id: i64, proposal_id: i64, at: Millis) -> Result<()> {
        sqlx::query("INSERT INTO proposal_phone_views (user_id, proposal_id, at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(proposal_id)
            .bind(at)
            .execute(self.pool())
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }
}
