//! 问责报告: the period's accountability items in scope, unit by unit.

use std::collections::HashMap;

use entities::{
    AccountabilityStatus, AccountableKind, accountability_item, department, enterprise, inspector,
};
use reports::export::{
    Meta, Sink, Written,
    accountability::{AccountabilityRow, Status, accountability_report},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Actor, blocking, labels};
use crate::{domain::Period, error::AppResult};

/// Names of the units of one kind, by id.
async fn names<C: ConnectionTrait>(
    db: &C,
    kind: AccountableKind,
    ids: Vec<i64>,
) -> AppResult<HashMap<i64, String>> {
    let mut names = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let chunk = chunk.to_vec();
        let found: Vec<(i64, String)> = match kind {
            AccountableKind::Department => department::Entity::find()
                .filter(department::Column::Id.is_in(chunk))
                .all(db)
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            AccountableKind::Enterprise => enterprise::Entity::find()
                .filter(enterprise::Column::Id.is_in(chunk))
                .all(db)
                .await?
                .into_iter()
                .map(|e| (e.id, e.name))
                .collect(),
            AccountableKind::Inspector => inspector::Entity::find()
                .filter(inspector::Column::Id.is_in(chunk))
                .all(db)
                .await?
                .into_iter()
                .map(|i| (i.id, format!("{}（{}）", i.name, i.badge_no)))
                .collect(),
        };
        names.extend(found);
    }
    Ok(names)
}

fn status_of(status: AccountabilityStatus) -> Status {
    match status {
        AccountabilityStatus::Open => Status::Open,
        AccountabilityStatus::Acknowledged => Status::Acknowledged,
        AccountabilityStatus::Closed => Status::Closed,
    }
}

/// Writes the accountability report of a period (and its quarters and months)
/// in the caller's region.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    meta: Meta,
    period: &Period,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let items = accountability_item::Entity::find()
        .filter(actor.scope_condition(accountability_item::Column::RegionCode))
        .filter(accountability_item::Column::Period.is_in(periods))
        .order_by_asc(accountability_item::Column::Id)
        .all(db)
        .await?;
    let mut by_kind: HashMap<AccountableKind, Vec<i64>> = HashMap::new();
    for item in &items {
        by_kind
            .entry(item.subject_kind)
            .or_default()
            .push(item.subject_id);
    }
    let mut unit_names: HashMap<(AccountableKind, i64), String> = HashMap::new();
    for (kind, mut ids) in by_kind {
        ids.sort_unstable();
        ids.dedup();
        for (id, name) in names(db, kind, ids).await? {
            unit_names.insert((kind, id), name);
        }
    }
    let mut rows: Vec<(String, AccountabilityRow)> = items
        .into_iter()
        .map(|item| {
            let name = unit_names
                .get(&(item.subject_kind, item.subject_id))
                .cloned()
                .unwrap_or_else(|| format!("#{}", item.subject_id));
            // Units sort by kind, name and id, so namesakes stay apart.
            let key = format!(
                "{}\u{1}{name}\u{1}{:020}\u{1}{}",
                item.subject_kind, item.subject_id, item.reason
            );
            let row = AccountabilityRow {
                subject_id: item.subject_id,
                subject_name: name,
                subject_kind: labels::accountable_kind(item.subject_kind).to_owned(),
                region_code: item.region_code,
                period: item.period,
                reason: labels::reason(item.reason).to_owned(),
                evidence: labels::evidence(item.evidence_kind, item.evidence_id),
                status: status_of(item.status),
                note: item.note,
                raised_at: labels::china_time(item.created_at),
            };
            (key, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let count = rows.len() as u64;
    let written =
        blocking(move || accountability_report(&meta, rows.into_iter().map(|(_, row)| row), sink))
            .await?;
    Ok((written, count))
}
