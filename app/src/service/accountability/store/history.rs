//! What callers read with an item: the steps it took (`accountability_entry`),
//! the names of the units held to account, and whether its evidence rests on
//! a report entered afterwards (补录).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityStatus, AccountableKind, accountability_entry, department, enterprise,
    incident_report, inspector,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use crate::error::AppResult;

/// Ids per lookup (SQLite binds at most 32,766 values).
const CHUNK: usize = 1_000;

/// The steps these items took, oldest first within each item.
///
/// # Errors
/// When the database fails.
pub async fn entries_of<C: ConnectionTrait>(
    db: &C,
    items: &[i64],
) -> AppResult<Vec<accountability_entry::Model>> {
    let mut entries = Vec::new();
    for chunk in items.chunks(CHUNK) {
        entries.extend(
            accountability_entry::Entity::find()
                .filter(accountability_entry::Column::ItemId.is_in(chunk.to_vec()))
                .order_by_asc(accountability_entry::Column::ItemId)
                .order_by_asc(accountability_entry::Column::Id)
                .all(db)
                .await?,
        );
    }
    Ok(entries)
}

/// A step to record.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub item_id: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub role: Option<String>,
    pub from_status: AccountabilityStatus,
    pub to_status: AccountabilityStatus,
    pub text: Option<String>,
    pub attachment: Option<String>,
}

/// Records a step.
///
/// # Errors
/// When the database fails.
pub async fn insert_entry<C: ConnectionTrait>(
    db: &C,
    entry: NewEntry,
    at: DateTime<Utc>,
) -> AppResult<accountability_entry::Model> {
    Ok(accountability_entry::ActiveModel {
        item_id: Set(entry.item_id),
        at: Set(at),
        actor_id: Set(entry.actor_id),
        actor: Set(entry.actor),
        role: Set(entry.role),
        from_status: Set(entry.from_status),
        to_status: Set(entry.to_status),
        text: Set(entry.text),
        attachment: Set(entry.attachment),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The names of the units of one kind with these ids, by id; an inspector's
/// with the badge number.
///
/// # Errors
/// When the database fails.
pub async fn unit_names<C: ConnectionTrait>(
    db: &C,
    kind: AccountableKind,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let chunk = chunk.to_vec();
        match kind {
            AccountableKind::Department => {
                let rows: Vec<(i64, String)> = department::Entity::find()
                    .select_only()
                    .columns([department::Column::Id, department::Column::Name])
                    .filter(department::Column::Id.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?;
                names.extend(rows);
            }
            AccountableKind::Enterprise => {
                let rows: Vec<(i64, String)> = enterprise::Entity::find()
                    .select_only()
                    .columns([enterprise::Column::Id, enterprise::Column::Name])
                    .filter(enterprise::Column::Id.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?;
                names.extend(rows);
            }
            AccountableKind::Inspector => {
                let rows: Vec<(i64, String, String)> = inspector::Entity::find()
                    .select_only()
                    .columns([
                        inspector::Column::Id,
                        inspector::Column::Name,
                        inspector::Column::BadgeNo,
                    ])
                    .filter(inspector::Column::Id.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?;
                names.extend(
                    rows.into_iter()
                        .map(|(id, name, badge)| (id, format!("{name}（{badge}）"))),
                );
            }
        }
    }
    Ok(names)
}

/// Reports named as evidence, and incidents with a backfilled report.
#[derive(Debug, Clone, Default)]
pub struct ReportEvidence {
    /// Each report's incident and whether it was backfilled, by report id.
    pub reports: HashMap<i64, (i64, bool)>,
    /// The incidents among those asked about with a backfilled report.
    pub backfilled_incidents: HashSet<i64>,
}

/// What these reports are, and which of these incidents have a backfilled report.
///
/// # Errors
/// When the database fails.
pub async fn report_evidence<C: ConnectionTrait>(
    db: &C,
    incidents: &[i64],
    reports: &[i64],
) -> AppResult<ReportEvidence> {
    let mut evidence = ReportEvidence::default();
    if incidents.is_empty() && reports.is_empty() {
        return Ok(evidence);
    }
    let rows: Vec<(i64, i64, bool)> = incident_report::Entity::find()
        .select_only()
        .columns([
            incident_report::Column::Id,
            incident_report::Column::IncidentId,
            incident_report::Column::Backfilled,
        ])
        .filter(
            Condition::any()
                .add(incident_report::Column::Id.is_in(reports.to_vec()))
                .add(
                    Condition::all()
                        .add(incident_report::Column::IncidentId.is_in(incidents.to_vec()))
                        .add(incident_report::Column::Backfilled.eq(true)),
                ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let asked_reports: HashSet<i64> = reports.iter().copied().collect();
    let asked_incidents: HashSet<i64> = incidents.iter().copied().collect();
    for (id, incident, backfilled) in rows {
        if asked_reports.contains(&id) {
            evidence.reports.insert(id, (incident, backfilled));
        }
        if backfilled && asked_incidents.contains(&incident) {
            evidence.backfilled_incidents.insert(incident);
        }
    }
    Ok(evidence)
}
