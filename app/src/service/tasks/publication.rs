//! The public record of checks (一公开): written on publishing, read by anyone.

use chrono::{DateTime, Utc};
use entities::check_task;
use sea_orm::ConnectionTrait;

use super::{
    model::{NewPublication, PublishedResult},
    store, view,
};
use crate::{
    domain::{region_code::prefix_of, task_state::publication_result, workdays::china_date},
    error::{AppError, AppResult},
    service::{Page, Paged, draws, hazards},
};

/// Writes the public record of a task: public fields only. Returns its id.
pub(super) async fn publish<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let view = view::views(db, vec![task.clone()], 0)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("task {}", task.id).into()))?;
    let hazards: Vec<serde_json::Value> = store::hazards_of_task(db, task.id)
        .await?
        .into_iter()
        .map(|h| serde_json::json!({"id": h.id, "description": h.description, "grade": h.grade, "rectify_by": h.rectify_by}))
        .collect();
    let record = NewPublication {
        task_id: task.id,
        region_code: view.target.region_code,
        target_name: view.target.name,
        credit_code: view.target.credit_code,
        check_date: china_date(task.submitted_at.or(task.started_at).unwrap_or(now)),
        inspector_badges: view.inspectors.into_iter().map(|i| i.badge_no).collect(),
        result: publication_result(task.score, !hazards.is_empty()),
        score: task.score,
        hazards,
        published_at: now,
    };
    store::insert_publication(db, record).await
}

/// The public results list: published checks only, public fields only, each
/// with its draw's seed and the seed's provenance, and the hazards its check
/// found as their rectification stands today.
///
/// # Errors
/// When the database fails.
pub async fn public_results<C: ConnectionTrait>(
    db: &C,
    region_prefix: Option<&str>,
    page: Page,
) -> AppResult<Paged<PublishedResult>> {
    let paged = store::publications(db, region_prefix.map(prefix_of), page).await?;
    let task_ids: Vec<i64> = paged.items.iter().map(|p| p.task_id).collect();
    let mut draws = draws::briefs_of_tasks(db, task_ids.clone()).await?;
    let mut hazards = hazards::found_by_checks(db, task_ids).await?;
    Ok(paged.map(|publication| PublishedResult {
        draw: draws.remove(&publication.task_id),
        hazards: hazards.remove(&publication.task_id).unwrap_or_default(),
        publication,
    }))
}
