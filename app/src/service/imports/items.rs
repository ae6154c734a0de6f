//! What risk and hazard lists share: the enterprise named by credit code.

use std::collections::HashMap;

use entities::enterprise;
use sea_orm::{ColumnTrait as _, DatabaseTransaction, EntityTrait as _, QueryFilter as _};

use super::{Actor, Outcome};
use crate::error::AppResult;

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
    let found = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.is_in(codes.iter().copied()))
        .all(txn)
        .await?;
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
