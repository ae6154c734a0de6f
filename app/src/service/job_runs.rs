//! The history of scheduled job runs.

use entities::{Role, job_run};
use sea_orm::ConnectionTrait;

use super::{Actor, Page, Paged};
use crate::error::{AppError, AppResult};

/// Lists job runs, newest fire first (admins and supervisors).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    job_name: Option<&str>,
    page: Page,
) -> AppResult<Paged<job_run::Model>> {
    actor.require(&[Role::Admin, Role::Supervisor], "read job runs")?;
    let internal = |e: scheduler::SchedulerError| {
        AppError::Internal(anyhow::Error::new(e).context("Failed to read job runs"))
    };
    let total = scheduler::count_runs(db, job_name)
        .await
        .map_err(internal)?;
    let items = scheduler::list_runs(db, job_name, page.size, page.offset())
        .await
        .map_err(internal)?;
    Ok(Paged::new(items, total, page))
}
