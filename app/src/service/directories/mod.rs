//! The directories the checks draw on: regions, departments, enterprises,
//! inspectors and the conflicts of interest between them. Every change is
//! validated, scoped to the caller's region and audited in its own transaction.

pub mod conflicts;
pub mod departments;
pub mod enterprises;
pub mod inspectors;
pub mod model;
pub mod regions;
mod store;

use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::{
    Actor,
    audit::{self, Entry},
};
use crate::{db, error::AppResult};

/// Writes one change to a directory together with the audit entry that
/// records it: `change` returns what it wrote and that entry, and either both
/// are committed or neither.
async fn audited<T>(
    db: &DatabaseConnection,
    actor: &Actor,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<(T, Entry)>,
) -> AppResult<T> {
    let txn = db::begin_write(db).await?;
    let (written, entry) = change(&txn).await?;
    audit::append(&txn, actor, entry).await?;
    txn.commit().await?;
    Ok(written)
}

/// Updates one directory row with `write` and records it in the audit log
/// as it was before and after.
async fn audited_update<M: serde::Serialize>(
    db: &DatabaseConnection,
    actor: &Actor,
    object_kind: &str,
    object_id: impl ToString,
    existing: M,
    write: impl AsyncFnOnce(&DatabaseTransaction, M) -> AppResult<M>,
) -> AppResult<M> {
    audited(db, actor, async |txn| {
        let before = serde_json::to_value(&existing).unwrap_or_default();
        let model = write(txn, existing).await?;
        let entry = Entry::ok(&format!("{object_kind}.update"), object_kind, object_id)
            .with_detail(serde_json::json!({"before": before, "after": model}));
        Ok((model, entry))
    })
    .await
}
