//! What risk and hazard lists share: the enterprise named by credit code, and
//! the upsert by that enterprise and the item's own code.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait};

use super::{
    model::{Outcome, Staged},
    store::{self, ItemKey, ItemTable},
};
use crate::{error::AppResult, service::Actor};

/// The enterprises of a batch by credit code: id, or why it cannot be used.
#[derive(Debug)]
pub(super) struct Owners(HashMap<String, Result<i64, String>>);

impl Owners {
    /// The ids of the enterprises that can be used.
    pub(super) fn ids(&self) -> Vec<i64> {
        self.0
            .values()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect()
    }

    /// The enterprise of row `index`, or `None` with the row rejected.
    pub(super) fn resolve(
        &self,
        credit_code: &str,
        index: usize,
        outcome: &mut Outcome,
    ) -> Option<i64> {
        match self.0.get(credit_code) {
            Some(Ok(id)) => Some(*id),
            Some(Err(e)) => {
                outcome.reject(index, "credit_code", e.clone());
                None
            }
            None => {
                outcome.reject(index, "credit_code", "unknown enterprise");
                None
            }
        }
    }
}

/// The enterprises of a batch by credit code.
pub(super) async fn enterprises_by_code(
    txn: &DatabaseTransaction,
    actor: &Actor,
    codes: impl Iterator<Item = &str>,
) -> AppResult<Owners> {
    let mut codes: Vec<&str> = codes.collect();
    codes.sort_unstable();
    codes.dedup();
    let found = store::enterprises_with_codes(txn, codes.clone()).await?;
    let mut map: HashMap<String, Result<i64, String>> = codes
        .iter()
        .map(|c| {
            (
                (*c).to_owned(),
                Err(format!("no enterprise has credit code {c}")),
            )
        })
        .collect();
    for e in found {
        let value = if actor.covers(&e.region_code) {
            Ok(e.id)
        } else {
            // As for reads: an enterprise outside scope is as good as absent.
            Err(format!("no enterprise has credit code {}", e.credit_code))
        };
        map.insert(e.credit_code, value);
    }
    Ok(Owners(map))
}

/// A line of an enterprise's risk or hazard list.
pub(super) trait Item: Send + Sync {
    type Row: ActiveModelTrait<Entity = Self::Table> + Send;
    type Table: ItemTable;
    /// The enterprise's credit code.
    fn credit_code(&self) -> &str;
    /// The enterprise's own code for the item.
    fn code(&self) -> &str;
    /// Whether the stored item says the same.
    fn same(&self, stored: &<Self::Table as EntityTrait>::Model) -> bool;
    /// The row to write for the enterprise with id `enterprise_id`, over the
    /// stored item if there is one.
    fn row(
        &self,
        enterprise_id: i64,
        stored: Option<&<Self::Table as EntityTrait>::Model>,
        now: DateTime<Utc>,
    ) -> Self::Row;
}

/// Checks a batch of items against the stored ones and, when `write`,
/// upserts those that are new or changed.
pub(super) async fn write<I: Item>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    batch: &[Staged<I>],
    write: bool,
) -> AppResult<Outcome> {
    let credit_codes = batch.iter().map(|s| s.record.credit_code());
    let owners = enterprises_by_code(txn, actor, credit_codes).await?;
    let codes: Vec<&str> = batch.iter().map(|s| s.record.code()).collect();
    let existing = store::items_by_key::<I::Table, _>(txn, owners.ids(), codes).await?;
    let now = Utc::now();
    let mut outcome = Outcome::default();
    let mut rows = Vec::new();
    for (index, staged) in batch.iter().enumerate() {
        let item = &staged.record;
        let Some(enterprise_id) = owners.resolve(item.credit_code(), index, &mut outcome) else {
            continue;
        };
        let key = ItemKey {
            enterprise_id,
            code: item.code().to_owned(),
        };
        let stored = existing.get(&key);
        if outcome.count(stored, |stored| item.same(stored)) {
            rows.push(item.row(enterprise_id, stored, now));
        }
    }
    if write {
        store::upsert_items(txn, rows).await?;
    }
    Ok(outcome)
}
