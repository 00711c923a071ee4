//! Anchors: the chain head written down outside the database, so that someone who can
//! write to the database cannot cut events off the end of the chain (moving the head
//! back) or hash the whole chain again without it showing.
//!
//! A checkpoint is the head's sequence number and hash at a moment, appended as one line
//! to a file that only grows, and signed with HMAC-SHA256 under a key kept outside the
//! database: a line that does not carry the key's signature is not an anchor, so whoever
//! can write the file still cannot make it agree with a rewritten chain. Every published
//! bulletin carries the head of its moment too, printed for anyone to keep.
//!
//! HMAC rather than a public-key signature: the key never leaves the district's own
//! machines, the crate is already in the build, and whoever checks the file is the
//! district's own administration. Signing answers forgery only; what keeps a line from
//! being deleted is a copy kept elsewhere (operations.md says where).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use gongzhi_domain::time::{self, Millis};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use sqlx::Row;

use crate::{Result, Store};

/// The chain's length and last hash at a moment, and where that was written down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub seq: i64,
    /// The event's hash, or the first characters of it (a printed bulletin shows
    /// `SHOWN` of them).
    pub hash: String,
    pub at: Millis,
    /// `checkpoint`, `bulletin <id>`, or what an operator typed.
    pub source: String,
}

/// Hex characters of the hash a bulletin prints: 64 bits, more than anyone can match by
/// trying chains.
pub const SHOWN: usize = 16;

impl Anchor {
    /// Whether an event's hash is the one anchored.
    pub fn matches(&self, hash: &str) -> bool {
        self.hash.len() >= SHOWN && hash.starts_with(&self.hash)
    }

    /// The hash as a bulletin prints it.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..SHOWN).unwrap_or(&self.hash)
    }

    fn message(&self) -> String {
        format!("gongzhi-anchor/1\n{}\n{}\n{}", self.seq, self.hash, self.at)
    }

    fn line(&self, key: &AnchorKey) -> String {
        format!(
            "{} {} {} {}\n",
            self.seq,
            self.hash,
            self.at,
            hex::encode(key.mac(&self.message()).finalize().into_bytes())
        )
    }
}

/// The secret that signs checkpoints.
pub struct AnchorKey(Vec<u8>);

/// Bytes of a key the command makes; a key file must hold at least this many.
const KEY_BYTES: usize = 32;

impl AnchorKey {
    /// Reads a key file: hex text, at least 32 bytes of key.
    pub fn load(path: &Path) -> io::Result<AnchorKey> {
        let text = fs::read_to_string(path)?;
        match hex::decode(text.trim()) {
            Ok(bytes) if bytes.len() >= KEY_BYTES => Ok(AnchorKey(bytes)),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} does not hold a key of at least {KEY_BYTES} bytes in hex", path.display()),
            )),
        }
    }

    /// Reads the key file, or makes a new key there, readable by its owner only, when
    /// there is none.
    pub fn load_or_create(path: &Path) -> io::Result<AnchorKey> {
        if path.exists() {
            return AnchorKey::load(path);
        }
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        let mut bytes = vec![0; KEY_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(hex::encode(&bytes).as_bytes())?;
                file.write_all(b"\n")?;
                file.sync_all()?;
                Ok(AnchorKey(bytes))
            }
            // Another instance made it first: use theirs.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => AnchorKey::load(path),
            Err(error) => Err(error),
        }
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(message.as_bytes());
        mac
    }
}

/// Appends a signed checkpoint to the file, and waits until it is on disk.
pub fn append(path: &Path, anchor: &Anchor, key: &AnchorKey) -> io::Result<()> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder)?;
    }
    let mut file = OpenOptions::new().append(true).create(true).open(path)?;
    file.write_all(anchor.line(key).as_bytes())?;
    file.sync_data()
}

/// The checkpoints of a file, and the lines that are not checkpoints.
#[derive(Debug, Clone, Default)]
pub struct AnchorFile {
    pub path: PathBuf,
    pub anchors: Vec<Anchor>,
    /// (line number from 1, why).
    pub bad_lines: Vec<(usize, String)>,
    /// False when no key was given: the lines were read but not checked.
    pub signatures_checked: bool,
}

/// Reads a checkpoint file; with the key, only lines it signed count as anchors.
pub fn read(path: &Path, key: Option<&AnchorKey>) -> io::Result<AnchorFile> {
    let text = fs::read_to_string(path)?;
    let mut file = AnchorFile { path: path.to_path_buf(), signatures_checked: key.is_some(), ..Default::default() };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse(line, key) {
            Ok(anchor) => file.anchors.push(anchor),
            Err(why) => file.bad_lines.push((index + 1, why.to_string())),
        }
    }
    Ok(file)
}

fn parse(line: &str, key: Option<&AnchorKey>) -> std::result::Result<Anchor, &'static str> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [seq, hash, at, mac] = fields[..] else { return Err("not a checkpoint line") };
    let anchor = Anchor {
        seq: seq.parse().map_err(|_| "not a checkpoint line")?,
        hash: hash.to_string(),
        at: at.parse().map_err(|_| "not a checkpoint line")?,
        source: "checkpoint".into(),
    };
    if let Some(key) = key {
        let mac = hex::decode(mac).map_err(|_| "the signature is not hex")?;
        key.mac(&anchor.message()).verify_slice(&mac).map_err(|_| "the signature does not match the key")?;
    }
    Ok(anchor)
}

impl Store {
    /// The chain head now, to be written down as a checkpoint.
    pub async fn checkpoint(&self) -> Result<Anchor> {
        let row = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(self.pool()).await?;
        Ok(Anchor {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            at: time::now(),
            source: "checkpoint".into(),
        })
    }

    /// Records the chain head on a draft bulletin about to be published. Written before
    /// the bulletin turns published, so that none is published without it.
    pub(crate) async fn anchor_bulletin(&self, id: i64, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO bulletin_anchors (bulletin_id, seq, hash, at) \
             SELECT b.id, h.seq, h.hash, $2 FROM bulletins b, chain_head h WHERE b.id = $1 AND b.status = 'draft' \
             ON CONFLICT (bulletin_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The chain head a published bulletin carries.
    pub async fn bulletin_anchor(&self, id: i64) -> Result<Option<Anchor>> {
        let row = sqlx::query(
            "SELECT a.bulletin_id, a.seq, a.hash, a.at FROM bulletin_anchors a JOIN bulletins b ON b.id = a.bulletin_id \
             WHERE a.bulletin_id = $1 AND b.status = 'published'",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(bulletin_anchor).transpose()
    }

    /// The chain heads of every published bulletin, for the audit.
    pub async fn bulletin_anchors(&self) -> Result<Vec<Anchor>> {
        let rows = sqlx::query(
            "SELECT a.bulletin_id, a.seq, a.hash, a.at FROM bulletin_anchors a JOIN bulletins b ON b.id = a.bulletin_id \
             WHERE b.status = 'published' ORDER BY a.seq",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(bulletin_anchor).collect()
    }
}

fn bulletin_anchor(row: &sqlx::any::AnyRow) -> Result<Anchor> {
    Ok(Anchor {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        at: row.try_get("at")?,
        source: format!("bulletin {}", row.try_get::<i64, _>("bulletin_id")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_only_under_its_key() {
        let key = AnchorKey(vec![7; KEY_BYTES]);
        let other = AnchorKey(vec![8; KEY_BYTES]);
        let anchor = Anchor { seq: 42, hash: "ab".repeat(32), at: 1_700_000_000_000, source: "checkpoint".into() };
        let line = anchor.line(&key);
        assert_eq!(parse(line.trim(), Some(&key)), Ok(anchor.clone()));
        assert_eq!(parse(line.trim(), Some(&other)), Err("the signature does not match the key"));
        let moved = line.replacen("42", "41", 1);
        assert_eq!(parse(moved.trim(), Some(&key)), Err("the signature does not match the key"));
        assert_eq!(parse("42 abc", Some(&key)), Err("not a checkpoint line"));
    }
}
