//! The append-only, hash-chained audit log.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and the row's
//! canonical form, an HMAC under the audit key when one is configured, and ids
//! run 1, 2, 3… with no gaps, so an edited, deleted or reordered row breaks the
//! chain at that row. Appends are serialised: SQLite has one writer at a time,
//! and on PostgreSQL a transaction-scoped advisory lock is held from the
//! append to the commit. [`chain`] hashes and checks the chain, [`keys`] reads
//! the audit keys, [`outside`] keeps copies of the chain's head outside the
//! database, [`setup`] is what this process was configured with, and [`store`]
//! holds every query and the lock.

mod chain;
pub mod keys;
mod model;
pub mod outside;
pub mod setup;
mod store;

use chrono::{SubsecRound as _, Utc};
use entities::{Role, audit_log};
use sea_orm::ConnectionTrait;

pub use self::{
    chain::{
        CHECKPOINT_JOB, GENESIS, Tail, Verification, checkpoint, record_outside, row_hash, verify,
        verify_with,
    },
    model::AuditFilter,
};
use crate::{
    error::{AppError, AppResult},
    msg,
    service::{Actor, Page, Paged},
};

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

/// Appends one entry; call it inside the transaction that makes the change,
/// as late as possible, since it holds the append lock until commit.
///
/// # Errors
/// When the database fails.
pub async fn append<C: ConnectionTrait>(db: &C, actor: &Actor, entry: Entry) -> AppResult<i64> {
    let key = setup::current().signing_key()?;
    store::lock_appends(db).await?;
    let (id, prev_hash) = match store::last_row(db).await? {
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
        key_id: key.map(|k| k.id.clone()),
    };
    row.hash = row_hash(&row, key);
    store::insert_row(db, row).await?;
    Ok(id)
}

/// The last row of the chain, if any.
///
/// # Errors
/// When the database fails.
pub async fn head<C: ConnectionTrait>(db: &C) -> AppResult<Option<audit_log::Model>> {
    Ok(store::last_row(db).await?)
}

/// The audit log spans every region and is not partitioned by one, so only a
/// national administrator (one without a regional department) reads it.
fn require_national_admin(actor: &Actor, (zh, en): (&str, &str)) -> AppResult<()> {
    actor.require(&[Role::Admin], en)?;
    if actor.scope_prefix().is_some() {
        return Err(AppError::Forbidden(msg!(
            "只有全国管理员可以{zh}",
            "only a national administrator may {en}"
        )));
    }
    Ok(())
}

/// Verifies the chain on behalf of a caller (national admin only).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn verify_as<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Verification> {
    require_national_admin(actor, ("核验审计日志", "verify the audit log"))?;
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
    page: Page,
) -> AppResult<Paged<audit_log::Model>> {
    require_national_admin(actor, ("查阅审计日志", "read the audit log"))?;
    store::entries(db, filter, page).await
}
