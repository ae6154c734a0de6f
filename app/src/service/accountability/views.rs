//! Items as callers read them: with their unit's and region's names, their
//! history, and what their evidence is — looked up for a page at once.

use std::collections::HashMap;

use entities::{AccountableKind, EvidenceKind, accountability_entry, accountability_item};
use sea_orm::ConnectionTrait;

use super::{
    model::{EvidenceView, ItemView},
    store::history,
};
use crate::{error::AppResult, service::directories::regions};

/// The items with their names, history and evidence, in the order given.
///
/// # Errors
/// When the database fails.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    items: Vec<accountability_item::Model>,
) -> AppResult<Vec<ItemView>> {
    let mut by_kind: HashMap<AccountableKind, Vec<i64>> = HashMap::new();
    let mut codes = Vec::new();
    let (mut incidents, mut reports) = (Vec::new(), Vec::new());
    for item in &items {
        by_kind
            .entry(item.subject_kind)
            .or_default()
            .push(item.subject_id);
        codes.extend(item.region_code.clone());
        match item.evidence_kind {
            EvidenceKind::Incident => incidents.push(item.evidence_id),
            EvidenceKind::IncidentReport => reports.push(item.evidence_id),
            _ => {}
        }
    }
    let mut names: HashMap<(AccountableKind, i64), String> = HashMap::new();
    for (kind, mut ids) in by_kind {
        ids.sort_unstable();
        ids.dedup();
        for (id, name) in history::unit_names(db, kind, &ids).await? {
            names.insert((kind, id), name);
        }
    }
    codes.sort_unstable();
    codes.dedup();
    let region_names = regions::names(db, codes).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut entries: HashMap<i64, Vec<accountability_entry::Model>> = HashMap::new();
    for entry in history::entries_of(db, &ids).await? {
        entries.entry(entry.item_id).or_default().push(entry);
    }
    let evidence = history::report_evidence(db, &incidents, &reports).await?;
    Ok(items
        .into_iter()
        .map(|item| {
            let (incident_id, backfilled) = match item.evidence_kind {
                EvidenceKind::Incident => (
                    Some(item.evidence_id),
                    evidence.backfilled_incidents.contains(&item.evidence_id),
                ),
                EvidenceKind::IncidentReport => evidence
                    .reports
                    .get(&item.evidence_id)
                    .map_or((None, false), |(incident, backfilled)| {
                        (Some(*incident), *backfilled)
                    }),
                _ => (None, false),
            };
            ItemView {
                subject_name: names.get(&(item.subject_kind, item.subject_id)).cloned(),
                region_name: item
                    .region_code
                    .as_ref()
                    .and_then(|c| region_names.get(c))
                    .cloned(),
                history: entries.remove(&item.id).unwrap_or_default(),
                evidence: EvidenceView {
                    kind: item.evidence_kind,
                    id: item.evidence_id,
                    incident_id,
                    backfilled,
                },
                item,
            }
        })
        .collect())
}
