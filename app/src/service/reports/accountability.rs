//! 问责报告: the period's accountability items in scope, unit by unit.

use std::collections::HashMap;

use entities::{AccountabilityStatus, AccountableKind, accountability_item};
use reports::export::{
    Meta, Sink, Written,
    accountability::{AccountabilityReport, AccountabilityRow, Status},
};
use sea_orm::ConnectionTrait;

use super::{
    labels,
    store::{self, ItemCursor, PAGE},
    writer::blocking,
};
use crate::{domain::Period, error::AppResult, service::Actor};

/// Names of the units of one kind, by id; an inspector's with the badge number.
async fn names<C: ConnectionTrait>(
    db: &C,
    kind: AccountableKind,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    let units = store::units(db, kind, ids).await?;
    Ok(units
        .into_iter()
        .map(|u| {
            let name = match u.badge_no {
                Some(badge) => format!("{}（{badge}）", u.name),
                None => u.name,
            };
            (u.id, name)
        })
        .collect())
}

fn status_of(status: AccountabilityStatus) -> Status {
    match status {
        AccountabilityStatus::Open => Status::Open,
        AccountabilityStatus::Acknowledged => Status::Acknowledged,
        AccountabilityStatus::Closed => Status::Closed,
    }
}

/// One page of items as rows, with their units' names.
async fn page_rows<C: ConnectionTrait>(
    db: &C,
    items: Vec<accountability_item::Model>,
) -> AppResult<Vec<AccountabilityRow>> {
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
        for (id, name) in names(db, kind, &ids).await? {
            unit_names.insert((kind, id), name);
        }
    }
    Ok(items
        .into_iter()
        .map(|item| AccountabilityRow {
            subject_id: item.subject_id,
            subject_name: unit_names
                .get(&(item.subject_kind, item.subject_id))
                .cloned()
                .unwrap_or_else(|| format!("#{}", item.subject_id)),
            subject_kind: labels::accountable_kind(item.subject_kind).to_owned(),
            region_code: item.region_code,
            period: item.period,
            reason: labels::reason(item.reason).to_owned(),
            evidence: labels::evidence(item.evidence_kind, item.evidence_id),
            status: status_of(item.status),
            note: item.note,
            raised_at: labels::china_time(item.created_at),
        })
        .collect())
}

/// Writes the accountability report of a period (and its quarters and months)
/// in the caller's region, unit by unit, a page at a time.
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
    let mut report = blocking(move || AccountabilityReport::new(&meta)).await?;
    let mut after = None;
    loop {
        let items = store::accountability_items_after(db, actor, &periods, after).await?;
        let Some(last) = items.last() else { break };
        after = Some(ItemCursor::of(last));
        let full = items.len() as u64 == PAGE;
        let rows = page_rows(db, items).await?;
        report = blocking(move || {
            for row in &rows {
                report.push(row)?;
            }
            Ok(report)
        })
        .await?;
        if !full {
            break;
        }
    }
    let count = u64::from(report.rows());
    let written = blocking(move || report.finish_to(sink)).await?;
    Ok((written, count))
}
