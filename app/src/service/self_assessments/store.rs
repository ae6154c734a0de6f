//! Every statement about self-assessments and their items.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{
    AssessmentStatus, SubjectKind, indicator, indicator_set, self_assessment, self_assessment_item,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::model::{AssessmentFilter, ItemInput, NewAssessment};
use crate::{
    error::AppResult,
    service::{Actor, Page, Paged},
};

/// An indicator set.
///
/// # Errors
/// When the database fails.
pub async fn find_set<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<indicator_set::Model>> {
    Ok(indicator_set::Entity::find_by_id(id).one(db).await?)
}

/// The indicators of a set, by id.
///
/// # Errors
/// When the database fails.
pub async fn indicators_of<C: ConnectionTrait>(
    db: &C,
    set_id: i64,
) -> AppResult<HashMap<i64, indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::SetId.eq(set_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

/// The assessment already covering the new one's subject, period and set.
///
/// # Errors
/// When the database fails.
pub async fn find_same<C: ConnectionTrait>(
    db: &C,
    new: &NewAssessment,
) -> AppResult<Option<self_assessment::Model>> {
    let subject = &new.subject;
    Ok(self_assessment::Entity::find()
        .filter(self_assessment::Column::Period.eq(new.period.to_string()))
        .filter(self_assessment::Column::IndicatorSetId.eq(new.indicator_set_id))
        .filter(self_assessment::Column::SubjectKind.eq(subject.kind))
        .filter(match subject.enterprise_id {
            Some(e) => self_assessment::Column::EnterpriseId.eq(e),
            None => self_assessment::Column::DepartmentId.eq(subject.department_id),
        })
        .one(db)
        .await?)
}

/// Stores a draft.
///
/// # Errors
/// When the database fails.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewAssessment,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<self_assessment::Model> {
    let subject = new.subject;
    Ok(self_assessment::ActiveModel {
        subject_kind: Set(subject.kind),
        department_id: Set(subject.department_id),
        enterprise_id: Set(subject.enterprise_id),
        region_code: Set(subject.region_code.map(|c| c.to_string())),
        period: Set(new.period.to_string()),
        indicator_set_id: Set(new.indicator_set_id),
        status: Set(AssessmentStatus::Draft),
        submitted_at: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Stores an assessment's items.
///
/// # Errors
/// When the database fails.
pub async fn insert_items<C: ConnectionTrait>(
    db: &C,
    id: i64,
    items: &[ItemInput],
) -> AppResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let models = items.iter().map(|i| self_assessment_item::ActiveModel {
        assessment_id: Set(id),
        indicator_id: Set(i.indicator_id),
        points: Set(i.points),
        ..Default::default()
    });
    self_assessment_item::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes an assessment's items.
///
/// # Errors
/// When the database fails.
pub async fn delete_items<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    self_assessment_item::Entity::delete_many()
        .filter(self_assessment_item::Column::AssessmentId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whose assessments a caller sees.
pub enum Visible<'a> {
    /// A department's own, and its jurisdiction's enterprises'.
    Department { id: i64, jurisdiction: &'a Actor },
    /// Those in the caller's region.
    InScope(&'a Actor),
}

fn visible(which: &Visible<'_>) -> Select<self_assessment::Entity> {
    let query = self_assessment::Entity::find();
    match which {
        Visible::Department { id, jurisdiction } => query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(self_assessment::Column::SubjectKind.eq(SubjectKind::Department))
                        .add(self_assessment::Column::DepartmentId.eq(*id)),
                )
                .add(
                    Condition::all()
                        .add(self_assessment::Column::SubjectKind.eq(SubjectKind::Enterprise))
                        .add(jurisdiction.scope_condition(self_assessment::Column::RegionCode)),
                ),
        ),
        Visible::InScope(actor) => {
            query.filter(actor.scope_condition(self_assessment::Column::RegionCode))
        }
    }
}

/// One assessment among those visible.
///
/// # Errors
/// When the database fails.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    id: i64,
) -> AppResult<Option<self_assessment::Model>> {
    Ok(visible(which)
        .filter(self_assessment::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A page of the visible assessments the filter lets through, newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    filter: &AssessmentFilter,
    page: Page,
) -> AppResult<Paged<self_assessment::Model>> {
    let mut query = visible(which);
    if let Some(period) = filter.period {
        query = query.filter(self_assessment::Column::Period.eq(period.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(self_assessment::Column::Status.eq(status));
    }
    if let Some(kind) = filter.subject_kind {
        query = query.filter(self_assessment::Column::SubjectKind.eq(kind));
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(self_assessment::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(items, total, page))
}

/// The items of some assessments, and the indicators they score.
pub struct ScoredItems {
    /// In indicator order.
    pub items: Vec<self_assessment_item::Model>,
    /// By id.
    pub indicators: HashMap<i64, indicator::Model>,
}

/// The items of these assessments, with their indicators.
///
/// # Errors
/// When the database fails.
pub async fn items_of<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> AppResult<ScoredItems> {
    let items = self_assessment_item::Entity::find()
        .filter(self_assessment_item::Column::AssessmentId.is_in(ids))
        .order_by_asc(self_assessment_item::Column::IndicatorId)
        .all(db)
        .await?;
    let indicators = indicator::Entity::find()
        .filter(indicator::Column::Id.is_in(items.iter().map(|i| i.indicator_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok(ScoredItems { items, indicators })
}

/// Locks an assessment's row until the transaction ends (on PostgreSQL;
/// SQLite's write transaction is exclusive already).
///
/// # Errors
/// When the database fails.
pub async fn lock<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    self_assessment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?;
    Ok(())
}

/// Stamps a draft as changed now.
///
/// # Errors
/// When the database fails.
pub async fn mark_changed<C: ConnectionTrait>(
    db: &C,
    assessment: self_assessment::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut model = assessment.into_active_model();
    model.updated_at = Set(now);
    model.update(db).await?;
    Ok(())
}

/// Marks a draft submitted now.
///
/// # Errors
/// When the database fails.
pub async fn mark_submitted<C: ConnectionTrait>(
    db: &C,
    assessment: self_assessment::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut model = assessment.into_active_model();
    model.status = Set(AssessmentStatus::Submitted);
    model.submitted_at = Set(Some(now));
    model.updated_at = Set(now);
    model.update(db).await?;
    Ok(())
}
