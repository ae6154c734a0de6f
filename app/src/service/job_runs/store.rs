//! Every query of the job runs capability: the scheduler's run history and
//! the plans and draws the plan draw jobs follow.

use chrono::{DateTime, Utc};
use entities::{DrawTrigger, PlanStatus, check_plan, draw, job_run};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use crate::error::{AppError, AppResult};

fn internal(e: scheduler::SchedulerError) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("Failed to read job runs"))
}

/// How many runs there are, of one job if given.
pub async fn count_runs<C: ConnectionTrait>(db: &C, job_name: Option<&str>) -> AppResult<u64> {
    scheduler::count_runs(db, job_name).await.map_err(internal)
}

/// A page of runs, newest fire first, of one job if given.
pub async fn runs<C: ConnectionTrait>(
    db: &C,
    job_name: Option<&str>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<job_run::Model>> {
    scheduler::list_runs(db, job_name, limit, offset)
        .await
        .map_err(internal)
}

/// The active plans with a cron, by id.
pub async fn active_plans_with_cron<C: ConnectionTrait>(
    db: &C,
) -> AppResult<Vec<check_plan::Model>> {
    Ok(check_plan::Entity::find()
        .filter(check_plan::Column::Status.eq(PlanStatus::Active))
        .filter(check_plan::Column::Cron.is_not_null())
        .order_by_asc(check_plan::Column::Id)
        .all(db)
        .await?)
}

/// The plan, if it exists.
pub async fn plan<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<check_plan::Model>> {
    Ok(check_plan::Entity::find_by_id(id).one(db).await?)
}

/// The first scheduled draw of the plan made at or after `since`.
pub async fn first_cron_draw_since<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    since: DateTime<Utc>,
) -> AppResult<Option<draw::Model>> {
    Ok(draw::Entity::find()
        .filter(draw::Column::PlanId.eq(plan_id))
        .filter(draw::Column::Trigger.eq(DrawTrigger::Cron))
        .filter(draw::Column::CreatedAt.gte(since))
        .order_by_asc(draw::Column::Id)
        .one(db)
        .await?)
}
