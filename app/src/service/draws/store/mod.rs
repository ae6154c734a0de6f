//! Every query of the draws capability: the draw rows here, the population
//! reads in [`population`] and [`enterprises`], the task writes in [`tasks`].

mod announcements;
mod cancellations;
mod enterprises;
mod population;
mod tasks;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{TaskStatus, check_task, draw, task_inspector, user};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _, sea_query::Expr,
};

pub use announcements::{
    NewAnnouncement, all_announcements, announced_draws, announcement_sha256, draw_of_announcement,
    find_announcement, insert_announcement, lock_announcement, lock_plan, pending_announcement,
    plan_announcements, plan_names, withdraw_announcement,
};
pub use cancellations::{NewCancellation, draw_cancellations, insert_cancellation};
pub use enterprises::enterprise_targets;
pub use population::{
    active_inspectors, conflict_pairs, cooled_targets, department_seats, previous_teams,
};
pub use tasks::write_tasks;

use super::model::{DrawBrief, DrawnTaskView, NewDraw, PopulationSnapshot, StatusCount};
use crate::{
    db,
    domain::task_state::SUPERSEDABLE,
    error::{AppError, AppResult},
};

/// Prepares the draw's transaction for its bulk reads and writes (PostgreSQL).
///
/// # Errors
/// When the database refuses the settings.
pub async fn tune<C: ConnectionTrait>(txn: &C) -> AppResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        db::tune_bulk(txn).await?;
    }
    Ok(())
}

/// Whether the database writes on cores of its own while this process works:
/// PostgreSQL's server does, so the snapshot is made while it writes the tasks;
/// SQLite writes on this process's threads, so there it is made first.
pub fn writes_beside_us<C: ConnectionTrait>(db: &C) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// `column LIKE 'prefix%'` for any of `prefixes`; everything for none.
fn prefix_condition(column: impl ColumnTrait + Copy, prefixes: &[String]) -> Condition {
    if prefixes.is_empty() {
        return Condition::all();
    }
    prefixes.iter().fold(Condition::any(), |cond, p| {
        cond.add(column.starts_with(p.as_str()))
    })
}

/// Ids of the current (not superseded) draws, optionally since a time and leaving one out.
fn current_draws(
    since: Option<DateTime<Utc>>,
    except: Option<i64>,
) -> sea_orm::sea_query::SelectStatement {
    let mut query = draw::Entity::find()
        .select_only()
        .column(draw::Column::Id)
        .filter(draw::Column::SupersededBy.is_null());
    if let Some(since) = since {
        query = query.filter(draw::Column::CreatedAt.gte(since));
    }
    if let Some(except) = except {
        query = query.filter(draw::Column::Id.ne(except));
    }
    query.into_query()
}

/// The draw, if it exists.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<draw::Model>> {
    Ok(draw::Entity::find_by_id(id).one(db).await?)
}

/// A plan's draws, newest first.
pub async fn plan_draws<C: ConnectionTrait>(db: &C, plan_id: i64) -> AppResult<Vec<draw::Model>> {
    Ok(draw::Entity::find()
        .filter(draw::Column::PlanId.eq(plan_id))
        .order_by_desc(draw::Column::Id)
        .all(db)
        .await?)
}

/// The plan's newest draw that nothing superseded.
pub async fn current_draw<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
) -> AppResult<Option<draw::Model>> {
    Ok(draw::Entity::find()
        .filter(draw::Column::PlanId.eq(plan_id))
        .filter(draw::Column::SupersededBy.is_null())
        .order_by_desc(draw::Column::Id)
        .one(db)
        .await?)
}

/// Each status the draw's tasks are in, with its first task.
pub async fn task_statuses<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
) -> AppResult<Vec<StatusCount>> {
    let rows: Vec<(TaskStatus, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .column(check_task::Column::Status)
        .column_as(check_task::Column::Id.min(), "first")
        .filter(check_task::Column::DrawId.eq(draw_id))
        .group_by(check_task::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(status, first)| {
            Some(StatusCount {
                status,
                first_task: first?,
            })
        })
        .collect())
}

/// Inserts a draw with its snapshot; a draw whose snapshot is still being made
/// gets an empty one, which [`fill_snapshot`] replaces in the same transaction.
pub async fn insert_draw<C: ConnectionTrait>(
    db: &C,
    new: NewDraw,
    snapshot: PopulationSnapshot,
) -> AppResult<draw::Model> {
    Ok(draw::ActiveModel {
        plan_id: Set(new.plan_id),
        seed: Set(i64::from_ne_bytes(new.seed.value.to_ne_bytes())),
        seed_text: Set(new.seed.text),
        seed_source: Set(new.seed.source),
        seed_reason: Set(new.seed.reason),
        announcement_id: Set(new.announcement_id),
        algorithm: Set(crate::domain::draw::ALGORITHM.to_owned()),
        params: Set(new.params),
        population_size: Set(new.population_size),
        population_sha256: Set(snapshot.sha256),
        population_snapshot: Set(snapshot.compressed),
        unassigned: Set(new.unassigned),
        trigger: Set(new.trigger),
        actor_user_id: Set(new.actor_user_id),
        created_at: Set(new.created_at),
        superseded_by: Set(None),
        supersede_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Stores the population snapshot of a draw inserted without one.
///
/// # Errors
/// When the draw is not there.
pub async fn fill_snapshot<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
    snapshot: &PopulationSnapshot,
) -> AppResult<()> {
    let filled = draw::Entity::update_many()
        .col_expr(
            draw::Column::PopulationSha256,
            Expr::value(snapshot.sha256.clone()),
        )
        .col_expr(
            draw::Column::PopulationSnapshot,
            Expr::value(snapshot.compressed.clone()),
        )
        .filter(draw::Column::Id.eq(draw_id))
        .exec(db)
        .await?;
    if filled.rows_affected != 1 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "draw {draw_id} was not there to receive its snapshot"
        )));
    }
    Ok(())
}

/// Marks draw `old` as superseded by `new`, for `reason`, and its open tasks
/// `superseded`; returns how many tasks it ended.
pub async fn supersede<C: ConnectionTrait>(
    db: &C,
    old: i64,
    new: i64,
    reason: Option<String>,
    at: DateTime<Utc>,
) -> AppResult<u64> {
    draw::Entity::update_many()
        .col_expr(draw::Column::SupersededBy, Expr::value(new))
        .col_expr(draw::Column::SupersedeReason, Expr::value(reason))
        .filter(draw::Column::Id.eq(old))
        .exec(db)
        .await?;
    let ended = check_task::Entity::update_many()
        .col_expr(
            check_task::Column::Status,
            Expr::value(TaskStatus::Superseded.as_str()),
        )
        .col_expr(check_task::Column::UpdatedAt, Expr::value(at))
        .filter(check_task::Column::DrawId.eq(old))
        .filter(check_task::Column::Status.is_in(SUPERSEDABLE))
        .exec(db)
        .await?;
    Ok(ended.rows_affected)
}

/// A draw's tasks as stored now, in draw order (task id order), teams lead first.
pub async fn stored_tasks<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
) -> AppResult<Vec<DrawnTaskView>> {
    let tasks: Vec<(i64, Option<i64>, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .columns([
            check_task::Column::Id,
            check_task::Column::EnterpriseId,
            check_task::Column::DepartmentId,
        ])
        .filter(check_task::Column::DrawId.eq(draw_id))
        .order_by_asc(check_task::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let draw_tasks = check_task::Entity::find()
        .select_only()
        .column(check_task::Column::Id)
        .filter(check_task::Column::DrawId.eq(draw_id))
        .into_query();
    let members: Vec<(i64, i16, i64)> = task_inspector::Entity::find()
        .select_only()
        .columns([
            task_inspector::Column::TaskId,
            task_inspector::Column::Position,
            task_inspector::Column::InspectorId,
        ])
        .filter(task_inspector::Column::TaskId.in_subquery(draw_tasks))
        .into_tuple()
        .all(db)
        .await?;
    let mut teams: HashMap<i64, Vec<(i16, i64)>> = HashMap::with_capacity(tasks.len());
    for (task_id, position, inspector_id) in members {
        teams
            .entry(task_id)
            .or_default()
            .push((position, inspector_id));
    }
    Ok(tasks
        .into_iter()
        .map(|(id, enterprise_id, department_id)| {
            let mut team = teams.remove(&id).unwrap_or_default();
            team.sort_unstable();
            DrawnTaskView {
                task_id: id,
                target_id: enterprise_id.or(department_id).unwrap_or_default(),
                inspector_ids: team.into_iter().map(|(_, id)| id).collect(),
            }
        })
        .collect())
}

/// A user's name.
pub async fn username<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<Option<String>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(user::Column::Id.eq(user_id))
        .into_tuple()
        .one(db)
        .await?)
}

/// Draws as [`DrawBrief`] reads them: without parameters, snapshot or result.
fn briefs() -> sea_orm::Select<draw::Entity> {
    draw::Entity::find().select_only().columns([
        draw::Column::Id,
        draw::Column::PlanId,
        draw::Column::Seed,
        draw::Column::SeedSource,
        draw::Column::SeedText,
        draw::Column::PopulationSha256,
        draw::Column::AnnouncementId,
        draw::Column::CreatedAt,
        draw::Column::SupersededBy,
    ])
}

/// The draw of each of these tasks, by task.
pub async fn briefs_of_tasks<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<HashMap<i64, DrawBrief>> {
    let tasks: Vec<(i64, i64)> = check_task::Entity::find()
        .select_only()
        .columns([check_task::Column::Id, check_task::Column::DrawId])
        .filter(check_task::Column::Id.is_in(task_ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut draw_ids: Vec<i64> = tasks.iter().map(|(_, draw)| *draw).collect();
    draw_ids.sort_unstable();
    draw_ids.dedup();
    let draws: HashMap<i64, DrawBrief> = briefs()
        .filter(draw::Column::Id.is_in(draw_ids))
        .into_model::<DrawBrief>()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(tasks
        .into_iter()
        .filter_map(|(task, draw)| Some((task, draws.get(&draw)?.clone())))
        .collect())
}

/// How many days a plan's checks have (a replacement task gets as many).
///
/// # Errors
/// When the database fails.
pub async fn plan_due_days<C: ConnectionTrait>(db: &C, plan_id: i64) -> AppResult<i32> {
    let days: Option<i32> = entities::check_plan::Entity::find()
        .select_only()
        .column(entities::check_plan::Column::DueDays)
        .filter(entities::check_plan::Column::Id.eq(plan_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(days.unwrap_or(0))
}

/// Locks a draw's row until the transaction ends (PostgreSQL; SQLite's write
/// transaction is exclusive already), so that its cancellations are made, and
/// numbered, one after another.
///
/// # Errors
/// When the database fails.
pub async fn lock_draw<C: ConnectionTrait>(db: &C, draw_id: i64) -> AppResult<()> {
    let _: Option<i64> = draw::Entity::find()
        .select_only()
        .column(draw::Column::Id)
        .filter(draw::Column::Id.eq(draw_id))
        .lock_exclusive()
        .into_tuple()
        .one(db)
        .await?;
    Ok(())
}
