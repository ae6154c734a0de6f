//! Every statement about indicator sets and their indicators.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entities::{
    IndicatorSetStatus, check_plan, finding, indicator, indicator_set, self_assessment,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _, sea_query::Expr,
};

use super::model::{IndicatorInput, SetFilter};
use crate::{
    error::AppResult,
    service::{Page, Paged},
};

/// Every version of a code.
///
/// # Errors
/// When the database fails.
pub async fn versions_of<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> AppResult<Vec<indicator_set::Model>> {
    Ok(indicator_set::Entity::find()
        .filter(indicator_set::Column::Code.eq(code))
        .all(db)
        .await?)
}

/// Stores a set, active.
///
/// # Errors
/// When the database fails.
pub async fn insert_set<C: ConnectionTrait>(
    db: &C,
    code: String,
    version: i32,
    name: String,
    now: DateTime<Utc>,
) -> AppResult<indicator_set::Model> {
    Ok(indicator_set::ActiveModel {
        code: Set(code),
        version: Set(version),
        name: Set(name),
        status: Set(IndicatorSetStatus::Active),
        superseded_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Stores an indicator of a set.
///
/// # Errors
/// When the database fails.
pub async fn insert_indicator<C: ConnectionTrait>(
    db: &C,
    set_id: i64,
    new: IndicatorInput,
) -> AppResult<indicator::Model> {
    Ok(indicator::ActiveModel {
        set_id: Set(set_id),
        code: Set(new.code),
        name: Set(new.name),
        legal_basis: Set(new.legal_basis),
        category: Set(new.category),
        max_points: Set(new.max_points),
        weight: Set(new.weight),
        applies_to: Set(new.applies_to),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Marks these sets superseded by `by`.
///
/// # Errors
/// When the database fails.
pub async fn supersede<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    by: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    indicator_set::Entity::update_many()
        .col_expr(
            indicator_set::Column::Status,
            Expr::value(IndicatorSetStatus::Superseded.as_str()),
        )
        .col_expr(indicator_set::Column::SupersededBy, Expr::value(by))
        .col_expr(indicator_set::Column::UpdatedAt, Expr::value(now))
        .filter(indicator_set::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// The ids among `ids` of sets that a plan, a self-assessment or a finding uses.
///
/// # Errors
/// When the database fails.
pub async fn used_sets<C: ConnectionTrait>(db: &C, ids: &[i64]) -> AppResult<HashSet<i64>> {
    let mut used = HashSet::new();
    if ids.is_empty() {
        return Ok(used);
    }
    let by_assessments: Vec<i64> = self_assessment::Entity::find()
        .select_only()
        .column(self_assessment::Column::IndicatorSetId)
        .filter(self_assessment::Column::IndicatorSetId.is_in(ids.to_vec()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let by_plans: Vec<Option<i64>> = check_plan::Entity::find()
        .select_only()
        .column(check_plan::Column::IndicatorSetId)
        .filter(check_plan::Column::IndicatorSetId.is_in(ids.to_vec()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let found = finding::Entity::find()
        .select_only()
        .column(finding::Column::IndicatorId)
        .into_query();
    let by_findings: Vec<i64> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::SetId)
        .filter(indicator::Column::SetId.is_in(ids.to_vec()))
        .filter(indicator::Column::Id.in_subquery(found))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    used.extend(by_assessments);
    used.extend(by_plans.into_iter().flatten());
    used.extend(by_findings);
    Ok(used)
}

/// The indicators of these sets, by code.
///
/// # Errors
/// When the database fails.
pub async fn indicators_of<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> AppResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::SetId.is_in(ids))
        .order_by_asc(indicator::Column::Code)
        .order_by_asc(indicator::Column::Id)
        .all(db)
        .await?)
}

/// A set.
///
/// # Errors
/// When the database fails.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<indicator_set::Model>> {
    Ok(indicator_set::Entity::find_by_id(id).one(db).await?)
}

/// A page of the sets the filter lets through, newest version first within
/// each code.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &SetFilter,
    page: Page,
) -> AppResult<Paged<indicator_set::Model>> {
    let mut query = indicator_set::Entity::find();
    if let Some(code) = &filter.code {
        query = query.filter(indicator_set::Column::Code.eq(code.trim()));
    }
    if let Some(status) = filter.status {
        query = query.filter(indicator_set::Column::Status.eq(status));
    }
    let total = query.clone().count(db).await?;
    let sets = query
        .order_by_asc(indicator_set::Column::Code)
        .order_by_desc(indicator_set::Column::Version)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(sets, total, page))
}
