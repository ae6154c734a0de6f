//! Correcting findings: the one that counts, edits, withdrawals, and the
//! hazards a finding put on the hazard list.

use chrono::{DateTime, Utc};
use entities::{finding, hazard_item};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, QueryFilter, QueryOrder,
};

use crate::{error::AppResult, service::tasks::model::FindingInput};

/// The hazard-list code of the hazard a finding found: unique per enterprise,
/// and how a finding finds its hazard again.
#[must_use]
pub fn hazard_code(task_id: i64, finding_id: i64) -> String {
    format!("T{task_id}-F{finding_id}")
}

/// The finding, if it exists.
pub async fn finding<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<finding::Model>> {
    Ok(finding::Entity::find_by_id(id).one(db).await?)
}

/// The task's findings that count (neither replaced nor withdrawn), in the
/// order recorded.
pub async fn counting_findings<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> AppResult<Vec<finding::Model>> {
    Ok(finding::Entity::find()
        .filter(finding::Column::TaskId.eq(task_id))
        .filter(finding::Column::Superseded.eq(false))
        .filter(finding::Column::WithdrawnAt.is_null())
        .order_by_asc(finding::Column::Id)
        .all(db)
        .await?)
}

/// The finding that counts for the task's indicator, if one does.
pub async fn counting_finding<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    indicator_id: i64,
) -> AppResult<Option<finding::Model>> {
    Ok(counting_findings(db, task_id)
        .await?
        .into_iter()
        .find(|f| f.indicator_id == indicator_id))
}

/// Writes a corrected finding, its description already checked.
pub async fn update_finding<C: ConnectionTrait>(
    db: &C,
    existing: finding::Model,
    input: &FindingInput,
    description: &str,
    at: DateTime<Utc>,
) -> AppResult<finding::Model> {
    let mut model = existing.into_active_model();
    model.points = Set(input.points);
    model.compliant = Set(input.compliant);
    model.description = Set(description.to_owned());
    model.hazard_grade = Set(input.hazard_grade);
    model.rectify_by = Set(input.rectify_by);
    model.updated_at = Set(Some(at));
    Ok(model.update(db).await?)
}

/// Marks a finding withdrawn.
pub async fn withdraw_finding<C: ConnectionTrait>(
    db: &C,
    existing: finding::Model,
    at: DateTime<Utc>,
) -> AppResult<finding::Model> {
    let mut model = existing.into_active_model();
    model.withdrawn_at = Set(Some(at));
    Ok(model.update(db).await?)
}

/// The hazard a finding put on the hazard list, withdrawn or not.
pub async fn hazard_of_finding<C: ConnectionTrait>(
    db: &C,
    found: &finding::Model,
) -> AppResult<Option<hazard_item::Model>> {
    Ok(hazard_item::Entity::find()
        .filter(hazard_item::Column::TaskId.eq(found.task_id))
        .filter(hazard_item::Column::Code.eq(hazard_code(found.task_id, found.id)))
        .one(db)
        .await?)
}

/// Takes a hazard off the list, keeping its row; returns whether it was on it.
pub async fn withdraw_hazard<C: ConnectionTrait>(
    db: &C,
    hazard: hazard_item::Model,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    if hazard.withdrawn_at.is_some() {
        return Ok(false);
    }
    let mut model = hazard.into_active_model();
    model.withdrawn_at = Set(Some(at));
    model.updated_at = Set(at);
    model.update(db).await?;
    Ok(true)
}

/// Writes a corrected finding's hazard back to the list: the finding's
/// description, grade and deadline, on the list again if it was withdrawn.
pub async fn restate_hazard<C: ConnectionTrait>(
    db: &C,
    hazard: hazard_item::Model,
    found: &finding::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let (Some(grade), Some(rectify_by)) = (found.hazard_grade, found.rectify_by) else {
        return Ok(());
    };
    let mut model = hazard.into_active_model();
    model.description = Set(found.description.clone());
    model.grade = Set(grade);
    model.rectify_by = Set(rectify_by);
    model.withdrawn_at = Set(None);
    model.updated_at = Set(at);
    model.update(db).await?;
    Ok(())
}
