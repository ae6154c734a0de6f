//! Every query of the hazards capability: the hazard list a caller sees, one
//! hazard, its rectification steps, and who inspected the check that found it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    HazardStatus, HazardStep, hazard_item, hazard_step, inspector, task_inspector, user,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait as _, sea_query::SelectStatement,
};

use super::model::{HazardFilter, StepRecord};
use crate::{
    error::AppResult,
    service::{Actor, Page, Paged, store_util::enterprises_below},
};

/// The hazard, if it exists.
pub async fn hazard<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<hazard_item::Model>> {
    Ok(hazard_item::Entity::find_by_id(id).one(db).await?)
}

/// The hazard, its row locked until the transaction ends on PostgreSQL
/// (SQLite's write transaction is exclusive already).
pub async fn lock_hazard<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<hazard_item::Model>> {
    Ok(hazard_item::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// The inspector records linked to the user.
fn inspectors_of(user_id: i64) -> SelectStatement {
    inspector::Entity::find()
        .select_only()
        .column(inspector::Column::Id)
        .filter(inspector::Column::UserId.eq(user_id))
        .into_query()
}

/// The tasks on whose team the user's inspector record is.
fn tasks_inspected_by(user_id: i64) -> SelectStatement {
    task_inspector::Entity::find()
        .select_only()
        .column(task_inspector::Column::TaskId)
        .filter(task_inspector::Column::InspectorId.in_subquery(inspectors_of(user_id)))
        .into_query()
}

/// Whether the user is an inspector on the task.
pub async fn inspects_task<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    task_id: i64,
) -> AppResult<bool> {
    let found = task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.eq(task_id))
        .filter(task_inspector::Column::InspectorId.in_subquery(inspectors_of(user_id)))
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// The hazards the actor sees: of enterprises in their jurisdiction, and
/// those found by checks they inspected.
fn visible(actor: &Actor) -> Condition {
    let Some(prefix) = actor.scope_prefix() else {
        return Condition::all();
    };
    let mut visible = Condition::any()
        .add(hazard_item::Column::EnterpriseId.in_subquery(enterprises_below(prefix)));
    if let Some(user_id) = actor.user_id {
        visible = visible.add(hazard_item::Column::TaskId.in_subquery(tasks_inspected_by(user_id)));
    }
    visible
}

/// The hazards shown with `status` on `today`: `open` and `overdue` split the
/// stored open hazards on the list by their deadline; `withdrawn` are those
/// whose finding was withdrawn, whatever they stored.
fn shown_as(status: HazardStatus, today: NaiveDate) -> Condition {
    let listed = |s: HazardStatus| {
        Condition::all()
            .add(hazard_item::Column::WithdrawnAt.is_null())
            .add(hazard_item::Column::Status.eq(s))
    };
    match status {
        HazardStatus::Open => {
            listed(HazardStatus::Open).add(hazard_item::Column::RectifyBy.gte(today))
        }
        HazardStatus::Overdue => {
            listed(HazardStatus::Open).add(hazard_item::Column::RectifyBy.lt(today))
        }
        HazardStatus::Withdrawn => {
            Condition::all().add(hazard_item::Column::WithdrawnAt.is_not_null())
        }
        other => listed(other),
    }
}

/// The filter's conditions; `region_prefix` is the prefix of its region code.
fn filtered(filter: &HazardFilter, region_prefix: Option<&str>, today: NaiveDate) -> Condition {
    let mut c = Condition::all();
    if filter.statuses.is_empty() {
        c = c.add(hazard_item::Column::WithdrawnAt.is_null());
    } else {
        let any = filter
            .statuses
            .iter()
            .fold(Condition::any(), |any, &s| any.add(shown_as(s, today)));
        c = c.add(any);
    }
    if let Some(overdue) = filter.overdue {
        let condition = shown_as(HazardStatus::Overdue, today);
        c = c.add(if overdue { condition } else { condition.not() });
    }
    if let Some(id) = filter.enterprise_id {
        c = c.add(hazard_item::Column::EnterpriseId.eq(id));
    }
    if let Some(prefix) = region_prefix {
        c = c.add(hazard_item::Column::EnterpriseId.in_subquery(enterprises_below(prefix)));
    }
    if let Some(grade) = filter.grade {
        c = c.add(hazard_item::Column::Grade.eq(grade));
    }
    if let Some(from) = filter.due_from {
        c = c.add(hazard_item::Column::RectifyBy.gte(from));
    }
    if let Some(to) = filter.due_to {
        c = c.add(hazard_item::Column::RectifyBy.lte(to));
    }
    c
}

/// A page of the hazards the actor sees that pass the filter, the nearest
/// deadline first.
pub async fn visible_hazards<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &HazardFilter,
    region_prefix: Option<&str>,
    today: NaiveDate,
    page: Page,
) -> AppResult<Paged<hazard_item::Model>> {
    let query = hazard_item::Entity::find()
        .filter(visible(actor))
        .filter(filtered(filter, region_prefix, today))
        .order_by_asc(hazard_item::Column::RectifyBy)
        .order_by_asc(hazard_item::Column::Id);
    page.fetch(db, query).await
}

/// A hazard's rectification steps, oldest first, with the username of each
/// step's author.
pub async fn steps<C: ConnectionTrait>(
    db: &C,
    hazard_id: i64,
) -> AppResult<Vec<(hazard_step::Model, Option<String>)>> {
    let steps = hazard_step::Entity::find()
        .filter(hazard_step::Column::HazardId.eq(hazard_id))
        .order_by_asc(hazard_step::Column::Id)
        .all(db)
        .await?;
    let user_ids: Vec<i64> = steps.iter().filter_map(|s| s.user_id).collect();
    let names: HashMap<i64, String> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Username])
        .filter(user::Column::Id.is_in(user_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(steps
        .into_iter()
        .map(|s| {
            let name = s.user_id.and_then(|id| names.get(&id).cloned());
            (s, name)
        })
        .collect())
}

/// Writes a step: the hazard's new status and rectification day (and, on
/// verification, when), and the step in its history.
pub async fn record_step<C: ConnectionTrait>(
    db: &C,
    hazard: hazard_item::Model,
    record: &StepRecord,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let verified_at = hazard.verified_at;
    let mut active: hazard_item::ActiveModel = hazard.into();
    active.status = Set(record.status);
    active.rectified_on = Set(record.rectified_on);
    active.verified_at = Set(if record.step == HazardStep::Verify {
        Some(at)
    } else {
        verified_at
    });
    active.updated_at = Set(at);
    active.update(db).await?;
    hazard_step::ActiveModel {
        hazard_id: Set(record.hazard_id),
        step: Set(record.step),
        note: Set(record.note.clone()),
        rectified_on: Set((record.step == HazardStep::Rectify)
            .then_some(record.rectified_on)
            .flatten()),
        user_id: Set(record.user_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The hazards found by these checks (withdrawn ones left out), in the
/// order found.
pub async fn of_tasks<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<Vec<hazard_item::Model>> {
    Ok(hazard_item::Entity::find()
        .filter(hazard_item::Column::TaskId.is_in(task_ids))
        .filter(hazard_item::Column::WithdrawnAt.is_null())
        .order_by_asc(hazard_item::Column::Id)
        .all(db)
        .await?)
}
