//! The hash chain: each row's hash, and checking the whole chain against
//! itself and against the latest checkpoint of its head.

use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::store;
use crate::error::AppResult;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The job that records the chain's head; `verify` reads its runs.
pub const CHECKPOINT_JOB: &str = "audit.checkpoint";

/// The hashed fields of a row, in their fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    id: i64,
    at: String,
    actor_user_id: Option<i64>,
    actor: &'a str,
    role: Option<&'a str>,
    action: &'a str,
    object_kind: &'a str,
    object_id: Option<&'a str>,
    result: &'a str,
    source_addr: Option<&'a str>,
    detail: &'a str,
}

/// The timestamp as it is hashed: UTC, microseconds, as both databases keep it.
fn canonical_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `hash = SHA-256(prev_hash ‖ canonical row)`, hex.
#[must_use]
pub fn row_hash(row: &audit_log::Model) -> String {
    let canonical = Canonical {
        id: row.id,
        at: canonical_time(row.at),
        actor_user_id: row.actor_user_id,
        actor: &row.actor,
        role: row.role.as_deref(),
        action: &row.action,
        object_kind: &row.object_kind,
        object_id: row.object_id.as_deref(),
        result: &row.result,
        source_addr: row.source_addr.as_deref(),
        detail: &row.detail,
    };
    let json = serde_json::to_string(&canonical).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(row.prev_hash.as_bytes());
    hasher.update(json.as_bytes());
    hex::encode(hasher.finalize())
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether every row is intact and in place.
    pub ok: bool,
    /// Rows found intact, from the first on.
    pub checked: u64,
    /// The first row found edited, out of place, or following a deleted one.
    pub first_bad_id: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<String>,
}

/// A row found wrong, and what is wrong with it.
struct BadRow {
    id: i64,
    problem: String,
}

/// Re-computes the chain from the first row and names the first bad one.
///
/// # Errors
/// When the database fails.
pub async fn verify<C: ConnectionTrait>(db: &C) -> AppResult<Verification> {
    let (checked, bad) = walk(db).await?;
    let bad = match bad {
        Some(bad) => Some(bad),
        None => against_checkpoint(db, checked).await?,
    };
    Ok(Verification {
        ok: bad.is_none(),
        checked,
        first_bad_id: bad.as_ref().map(|b| b.id),
        problem: bad.map(|b| b.problem),
    })
}

/// Walks the chain from the first row; returns how many rows held, and the
/// first that did not.
async fn walk<C: ConnectionTrait>(db: &C) -> AppResult<(u64, Option<BadRow>)> {
    const PAGE: u64 = 2_000;
    let mut expected_id = 1i64;
    let mut prev_hash = GENESIS.to_owned();
    let mut checked = 0u64;
    loop {
        let rows = store::rows_from(db, expected_id, PAGE).await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            if let Some(problem) = row_problem(&row, expected_id, &prev_hash) {
                return Ok((
                    checked,
                    Some(BadRow {
                        id: row.id,
                        problem,
                    }),
                ));
            }
            checked += 1;
            expected_id += 1;
            prev_hash = row.hash;
        }
        if done {
            return Ok((checked, None));
        }
    }
}

/// What is wrong with a row found where row `expected_id` should be.
fn row_problem(row: &audit_log::Model, expected_id: i64, prev_hash: &str) -> Option<String> {
    if row.id != expected_id {
        Some(format!("row {expected_id} is missing or out of order"))
    } else if row.prev_hash != prev_hash {
        Some("does not follow the row before it (deleted or reordered rows)".to_owned())
    } else if row_hash(row) != row.hash {
        Some("its content does not match its hash (edited)".to_owned())
    } else {
        None
    }
}

/// A chain head recorded by the daily checkpoint job.
struct Head {
    /// The last row's id when the checkpoint ran.
    seq: i64,
    /// That row's hash.
    hash: String,
    /// When the checkpoint ran.
    at: String,
}

/// The chain head in a checkpoint message: `seq=N hash=H`.
fn parse_head(message: &str) -> Option<(i64, String)> {
    let mut seq = None;
    let mut hash = None;
    for part in message.split_whitespace() {
        if let Some(v) = part.strip_prefix("seq=") {
            seq = v.parse().ok();
        } else if let Some(v) = part.strip_prefix("hash=") {
            hash = Some(v.to_owned());
        }
    }
    Some((seq?, hash?))
}

async fn latest_checkpoint<C: ConnectionTrait>(db: &C) -> AppResult<Option<Head>> {
    let run = store::latest_ok_run(db, CHECKPOINT_JOB).await?;
    Ok(run.and_then(|r| {
        let (seq, hash) = parse_head(r.message.as_deref().unwrap_or_default())?;
        Some(Head {
            seq,
            hash,
            at: r.fire_time.to_rfc3339(),
        })
    }))
}

/// Checks an intact chain of `checked` rows against the latest checkpoint:
/// rows removed from the end, or a recorded head that differs.
async fn against_checkpoint<C: ConnectionTrait>(db: &C, checked: u64) -> AppResult<Option<BadRow>> {
    let Some(head) = latest_checkpoint(db).await? else {
        return Ok(None);
    };
    if head.seq > checked as i64 {
        return Ok(Some(BadRow {
            id: i64::try_from(checked).unwrap_or(i64::MAX).saturating_add(1),
            problem: format!(
                "the log ends at row {checked}, but the checkpoint of {} recorded row {} (rows removed from the end)",
                head.at, head.seq
            ),
        }));
    }
    if head.seq > 0
        && store::hash_of_row(db, head.seq).await?.as_deref() != Some(head.hash.as_str())
    {
        return Ok(Some(BadRow {
            id: head.seq,
            problem: format!(
                "row {} differs from the checkpoint of {}",
                head.seq, head.at
            ),
        }));
    }
    Ok(None)
}

/// Verifies the chain and reports its head, for the daily checkpoint job; the
/// head also goes to the application log, outside the database, so a
/// truncated tail can be proven against it.
///
/// # Errors
/// A message naming the first bad row when the chain is broken.
pub async fn checkpoint<C: ConnectionTrait>(db: &C) -> Result<String, String> {
    let result = verify(db).await.map_err(|e| e.to_string())?;
    if !result.ok {
        let message = format!(
            "audit chain broken at row {}: {}",
            result.first_bad_id.unwrap_or_default(),
            result.problem.unwrap_or_default()
        );
        tracing::error!(target: "audit_checkpoint", "{message}");
        return Err(message);
    }
    let head = store::last_row(db).await.map_err(|e| e.to_string())?;
    let (seq, hash) = head.map_or((0, GENESIS.to_owned()), |h| (h.id, h.hash));
    tracing::info!(target: "audit_checkpoint", seq, hash = %hash, "audit chain head");
    Ok(format!("seq={seq} hash={hash}"))
}
