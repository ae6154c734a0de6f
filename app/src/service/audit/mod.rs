//! The append-only, hash-chained audit log.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and the row's
//! canonical form, and ids run 1, 2, 3… with no gaps, so an edited, deleted or
//! reordered row breaks the chain at that row. Appends are serialised: SQLite
//! has one writer at a time, and on PostgreSQL a transaction-scoped advisory
//! lock is held from the append to the commit. [`chain`] hashes and checks the
//! chain, [`store`] holds every query and the lock.

mod chain;
mod model;
mod store;

use chrono::{SubsecRound as _, Utc};
use entities::{Role, audit_log};
use sea_orm::ConnectionTrait;

pub use self::{
    chain::{CHECKPOINT_JOB, GENESIS, Verification, checkpoint, row_hash, verify},
    model::AuditFilter,
};
use crate::{
    error::{AppError, AppResult},
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
    };
    row.hash = row_hash(&row);
    store::insert_row(db, row).await?;
    Ok(id)
}

/// The audit log spans every region and is not partitioned by one, so only a
/// national administrator (one without a regional department) reads it.
fn require_national_admin(actor: &Actor, action: &str) -> AppResult<()> {
    actor.require(&[Role::Admin], action)?;
    if actor.scope_prefix().is_some() {
        return Err(AppError::Forbidden(
            format!("only a national administrator may {action}").into(),
        ));
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
    page: Page,
) -> AppResult<Paged<audit_log::Model>> {
    require_national_admin(actor, "read the audit log")?;
    store::entries(db, filter, page).await
}
