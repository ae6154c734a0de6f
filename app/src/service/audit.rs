//! The append-only, hash-chained audit log.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and the row's
//! canonical form, and ids run 1, 2, 3… with no gaps, so an edited, deleted or
//! reordered row breaks the chain at that row. Appends are serialised: SQLite
//! has one writer at a time, and on PostgreSQL a transaction-scoped advisory
//! lock is held from the append to the commit.

use chrono::{DateTime, SubsecRound as _, Utc};
use entities::{Role, audit_log};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::actor::Actor;
use crate::error::AppResult;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The advisory-lock key that serialises appends on PostgreSQL.
const APPEND_LOCK: i64 = 0x5350_4f54_4155_4449; // "SPOTAUDI"

/// What happened, to be appended.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A dotted verb such as `enterprise.create` or `auth.login`.
    pub action: String,
    /// The kind of object acted on, such as `enterprise`.
    pub object_kind: String,
    /// The object's id or natural key.
    pub object_id: Option<String>,
    /// `ok`, `denied` or `failed`.
    pub result: &'static str,
    /// Free detail as JSON text: what changed, counts, reasons. Never secrets.
    pub detail: serde_json::Value,
}

impl Entry {
    /// A successful action on an object.
    pub fn ok(action: &str, object_kind: &str, object_id: impl ToString) -> Self {
        Self {
            action: action.to_owned(),
            object_kind: object_kind.to_owned(),
            object_id: Some(object_id.to_string()),
            result: "ok",
            detail: serde_json::Value::Null,
        }
    }

    /// Adds detail.
    #[must_use]
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// Marks the outcome.
    #[must_use]
    pub fn with_result(mut self, result: &'static str) -> Self {
        self.result = result;
        self
    }
}

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

/// Appends one entry; call it inside the transaction that makes the change,
/// as late as possible, since it holds the append lock until commit.
///
/// # Errors
/// When the database fails.
pub async fn append<C: ConnectionTrait>(db: &C, actor: &Actor, entry: Entry) -> AppResult<i64> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [APPEND_LOCK.into()],
        ))
        .await?;
    }
    let last = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(db)
        .await?;
    let (id, prev_hash) = match last {
        Some(row) => (row.id + 1, row.hash),
        None => (1, GENESIS.to_owned()),
    };
    let detail = match entry.detail {
        serde_json::Value::Null => String::new(),
        value => value.to_string(),
    };
    let mut row = audit_log::Model {
        id,
        at: Utc::now().trunc_subsecs(6),
        actor_user_id: actor.user_id,
        actor: actor.username.clone(),
        role: actor.audited_role(),
        action: entry.action,
        object_kind: entry.object_kind,
        object_id: entry.object_id,
        result: entry.result.to_owned(),
        source_addr: actor.source_addr.clone(),
        detail,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    let active = audit_log::ActiveModel {
        id: Set(row.id),
        at: Set(row.at),
        actor_user_id: Set(row.actor_user_id),
        actor: Set(row.actor),
        role: Set(row.role),
        action: Set(row.action),
        object_kind: Set(row.object_kind),
        object_id: Set(row.object_id),
        result: Set(row.result),
        source_addr: Set(row.source_addr),
        detail: Set(row.detail),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
    };
    audit_log::Entity::insert(active)
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether every row is intact and in place.
    pub ok: bool,
    /// Rows checked.
    pub checked: u64,
    /// The first row found edited, out of place, or following a deleted one.
    pub first_bad_id: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<String>,
}

/// Re-computes the chain from the first row and names the first bad one.
///
/// # Errors
/// When the database fails.
pub async fn verify<C: ConnectionTrait>(db: &C) -> AppResult<Verification> {
    const PAGE: u64 = 2_000;
    let mut expected_id = 1i64;
    let mut prev_hash = GENESIS.to_owned();
    let mut checked = 0u64;
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gte(expected_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            let problem = if row.id != expected_id {
                Some(format!("row {} is missing or out of order", expected_id))
            } else if row.prev_hash != prev_hash {
                Some("does not follow the row before it (deleted or reordered rows)".to_owned())
            } else if row_hash(&row) != row.hash {
                Some("its content does not match its hash (edited)".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verification {
                    ok: false,
                    checked,
                    first_bad_id: Some(row.id),
                    problem: Some(problem),
                });
            }
            checked += 1;
            expected_id += 1;
            prev_hash = row.hash;
        }
        if done {
            break;
        }
    }
    if let Some(head) = latest_checkpoint(db).await? {
        let problem = if head.seq > checked as i64 {
            Some((
                i64::try_from(checked).unwrap_or(i64::MAX).saturating_add(1),
                format!(
                    "the log ends at row {checked}, but the checkpoint of {} recorded row {} (rows removed from the end)",
                    head.at, head.seq
                ),
            ))
        } else if head.seq > 0
            && prev_hash_at(db, head.seq).await?.as_deref() != Some(head.hash.as_str())
        {
            Some((
                head.seq,
                format!(
                    "row {} differs from the checkpoint of {}",
                    head.seq, head.at
                ),
            ))
        } else {
            None
        };
        if let Some((id, problem)) = problem {
            return Ok(Verification {
                ok: false,
                checked,
                first_bad_id: Some(id),
                problem: Some(problem),
            });
        }
    }
    Ok(Verification {
        ok: true,
        checked,
        first_bad_id: None,
        problem: None,
    })
}

/// A chain head recorded by the daily checkpoint job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last row's id when the checkpoint ran.
    pub seq: i64,
    /// That row's hash.
    pub hash: String,
    /// When the checkpoint ran.
    pub at: String,
}

const CHECKPOINT_JOB: &str = super::job_runs::AUDIT_CHECKPOINT;

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
    let run = entities::job_run::Entity::find()
        .filter(entities::job_run::Column::JobName.eq(CHECKPOINT_JOB))
        .filter(entities::job_run::Column::Outcome.eq("ok"))
        .order_by_desc(entities::job_run::Column::FireTime)
        .one(db)
        .await?;
    Ok(run.and_then(|r| {
        let (seq, hash) = parse_head(r.message.as_deref().unwrap_or_default())?;
        Some(Head {
            seq,
            hash,
            at: r.fire_time.to_rfc3339(),
        })
    }))
}

async fn prev_hash_at<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<String>> {
    Ok(audit_log::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|r| r.hash))
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
    let head = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .one(db)
        .await
        .map_err(|e| e.to_string())?;
    let (seq, hash) = head.map_or((0, GENESIS.to_owned()), |h| (h.id, h.hash));
    tracing::info!(target: "audit_checkpoint", seq, hash = %hash, "audit chain head");
    Ok(format!("seq={seq} hash={hash}"))
}

/// Filters for listing audit entries.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose action starts with this, such as `auth.`.
    pub action: Option<String>,
    /// Entries by this username.
    pub actor: Option<String>,
    /// Entries about this kind of object.
    pub object_kind: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
}

/// The audit log spans every region and is not partitioned by one, so only a
/// national administrator (one without a regional department) reads it.
fn require_national_admin(actor: &Actor, action: &str) -> AppResult<()> {
    actor.require(&[Role::Admin], action)?;
    if actor.scope_prefix().is_some() {
        return Err(crate::error::AppError::Forbidden(format!(
            "only a national administrator may {action}"
        )));
    }
    Ok(())
}

/// Verifies the chain on behalf of a caller (national admin only).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn verify_as<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Verification> {
    require_national_admin(actor, "verify the audit log")?;
    verify(db).await
}

/// Lists entries, newest first (national admin only).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AuditFilter,
    page: super::Page,
) -> AppResult<super::Paged<audit_log::Model>> {
    require_national_admin(actor, "read the audit log")?;
    let mut query = audit_log::Entity::find();
    if let Some(action) = &filter.action {
        query = query.filter(super::store_util::text_starts_with(
            audit_log::Column::Action,
            action,
        ));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor.as_str()));
    }
    if let Some(kind) = &filter.object_kind {
        query = query.filter(audit_log::Column::ObjectKind.eq(kind.as_str()));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    page.fetch(db, query.order_by_desc(audit_log::Column::Id))
        .await
}
