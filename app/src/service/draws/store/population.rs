//! Reading what a draw chooses from, besides the enterprises: the targets cooling
//! down, each target's previous team, the active inspectors, the conflicts and
//! the departments in scope.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{SubjectKind, check_task, conflict, department, inspector, task_inspector};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{current_draws, prefix_condition};
use crate::{
    domain::draw::{Conflict, Inspector},
    error::AppResult,
    service::{directories::inspectors::industries_of, draws::model::DepartmentSeat},
};

/// Ids per `IN` list (SQLite binds at most 32,766 values).
const BATCH: usize = 1_000;

fn target_column(kind: SubjectKind) -> check_task::Column {
    match kind {
        SubjectKind::Enterprise => check_task::Column::EnterpriseId,
        SubjectKind::Department => check_task::Column::DepartmentId,
    }
}

/// Targets of this kind with a task in a current draw made since `since`,
/// leaving out the draw being superseded.
pub async fn cooled_targets<C: ConnectionTrait>(
    db: &C,
    kind: SubjectKind,
    since: DateTime<Utc>,
    superseding: Option<i64>,
) -> AppResult<HashSet<i64>> {
    Ok(check_task::Entity::find()
        .select_only()
        .column(target_column(kind))
        .filter(check_task::Column::DrawId.in_subquery(current_draws(Some(since), superseding)))
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The inspectors of each target's latest task in a current draw, sorted, by
/// target, leaving out the draw being superseded.
pub async fn previous_teams<C: ConnectionTrait>(
    db: &C,
    kind: SubjectKind,
    superseding: Option<i64>,
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let target_column = target_column(kind);
    let latest: Vec<(Option<i64>, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .column(target_column)
        .column_as(check_task::Column::Id.max(), "latest")
        .filter(check_task::Column::DrawId.in_subquery(current_draws(None, superseding)))
        .filter(target_column.is_not_null())
        .group_by(target_column)
        .into_tuple()
        .all(db)
        .await?;
    let latest_task: HashMap<i64, i64> = latest
        .into_iter()
        .filter_map(|(t, id)| Some((t?, id?)))
        .collect();
    let task_ids: Vec<i64> = latest_task.values().copied().collect();
    let mut by_task: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in task_ids.chunks(BATCH) {
        let members: Vec<(i64, i64)> = task_inspector::Entity::find()
            .select_only()
            .column(task_inspector::Column::TaskId)
            .column(task_inspector::Column::InspectorId)
            .filter(task_inspector::Column::TaskId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for (task, inspector) in members {
            by_task.entry(task).or_default().push(inspector);
        }
    }
    Ok(latest_task
        .into_iter()
        .filter_map(|(target, task)| {
            let mut ids = by_task.remove(&task)?;
            ids.sort_unstable();
            Some((target, ids))
        })
        .collect())
}

/// The active inspectors, by id, their qualifications sorted.
pub async fn active_inspectors<C: ConnectionTrait>(db: &C) -> AppResult<Vec<Inspector>> {
    Ok(inspector::Entity::find()
        .filter(inspector::Column::Active.eq(true))
        .order_by_asc(inspector::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|i| Inspector {
            industries: {
                let mut list = industries_of(&i);
                list.sort_by_key(|x| x.as_str());
                list
            },
            id: i.id,
            department_id: i.department_id,
            region_code: i.region_code,
        })
        .collect())
}

/// Every declared conflict of interest with a target of this kind.
pub async fn conflict_pairs<C: ConnectionTrait>(
    db: &C,
    kind: SubjectKind,
) -> AppResult<Vec<Conflict>> {
    let column = match kind {
        SubjectKind::Enterprise => conflict::Column::EnterpriseId,
        SubjectKind::Department => conflict::Column::DepartmentId,
    };
    Ok(conflict::Entity::find()
        .select_only()
        .column(conflict::Column::InspectorId)
        .column(column)
        .filter(column.is_not_null())
        .into_tuple::<(i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(inspector_id, target)| {
            Some(Conflict {
                inspector_id,
                target_id: target?,
            })
        })
        .collect())
}

/// The departments with a region under one of `prefixes` (all with `[]`), by id.
pub async fn department_seats<C: ConnectionTrait>(
    db: &C,
    prefixes: &[String],
) -> AppResult<Vec<DepartmentSeat>> {
    Ok(department::Entity::find()
        .filter(department::Column::RegionCode.is_not_null())
        .filter(prefix_condition(department::Column::RegionCode, prefixes))
        .order_by_asc(department::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|d| {
            Some(DepartmentSeat {
                id: d.id,
                region_code: d.region_code?,
            })
        })
        .collect())
}
