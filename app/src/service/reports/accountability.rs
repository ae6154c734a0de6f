//! 问责报告: the period's accountability items in scope, unit by unit.

use std::collections::HashMap;

use entities::{
    AccountabilityStatus, AccountableKind, accountability_item, department, enterprise, inspector,
};
use reports::export::{
    Meta, Sink, Written,
    accountability::{AccountabilityReport, AccountabilityRow, Status},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{Actor, PAGE, blocking, labels};
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
        for (id, name) in names(db, kind, ids).await? {
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
    let scoped = accountability_item::Entity::find()
        .filter(actor.scope_condition(accountability_item::Column::RegionCode))
        .filter(accountability_item::Column::Period.is_in(periods));
    let mut report = blocking(move || AccountabilityReport::new(&meta)).await?;
    // Units together: by kind and id, then in the order raised. Pages follow
    // the last row seen, so items raised meanwhile neither repeat nor shift.
    let mut after: Option<(AccountableKind, i64, i64)> = None;
    loop {
        let mut query = scoped.clone();
        if let Some((kind, subject, id)) = after {
            use accountability_item::Column as C;
            query = query.filter(
                Condition::any()
                    .add(C::SubjectKind.gt(kind))
                    .add(
                        Condition::all()
                            .add(C::SubjectKind.eq(kind))
                            .add(C::SubjectId.gt(subject)),
                    )
                    .add(
                        Condition::all()
                            .add(C::SubjectKind.eq(kind))
                            .add(C::SubjectId.eq(subject))
                            .add(C::Id.gt(id)),
                    ),
            );
        }
        let items = query
            .order_by_asc(accountability_item::Column::SubjectKind)
            .order_by_asc(accountability_item::Column::SubjectId)
            .order_by_asc(accountability_item::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = items.last() else { break };
        after = Some((last.subject_kind, last.subject_id, last.id));
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
