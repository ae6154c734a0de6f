//! Every query of the plans capability.

use chrono::{DateTime, Utc};
use entities::{SubjectKind, check_plan, department, indicator, indicator_set, region};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait as _,
};
use serde::Serialize;

use super::model::{PlanFilter, PlanSpec};
use crate::{
    error::AppResult,
    service::{Page, Paged, store_util::text_starts_with},
};

/// The plan, if it exists.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<check_plan::Model>> {
    Ok(check_plan::Entity::find_by_id(id).one(db).await?)
}

/// The region of a department, if it exists and has one.
pub async fn department_region<C: ConnectionTrait>(
    db: &C,
    department_id: i64,
) -> AppResult<Option<String>> {
    Ok(department::Entity::find_by_id(department_id)
        .one(db)
        .await?
        .and_then(|d| d.region_code))
}

/// Whether some region's code starts with `prefix`.
pub async fn region_prefix_exists<C: ConnectionTrait>(db: &C, prefix: &str) -> AppResult<bool> {
    Ok(region::Entity::find()
        .filter(region::Column::Code.starts_with(prefix))
        .count(db)
        .await?
        > 0)
}

/// How many of the set's indicators apply to `kind`; `None` when the set
/// does not exist.
pub async fn indicators_for<C: ConnectionTrait>(
    db: &C,
    set_id: i64,
    kind: SubjectKind,
) -> AppResult<Option<u64>> {
    if indicator_set::Entity::find_by_id(set_id)
        .one(db)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let count = indicator::Entity::find()
        .filter(indicator::Column::SetId.eq(set_id))
        .filter(indicator::Column::AppliesTo.eq(kind))
        .count(db)
        .await?;
    Ok(Some(count))
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// The plan's columns set from its settings.
fn apply(model: &mut check_plan::ActiveModel, spec: &PlanSpec) {
    model.name = Set(spec.name.clone());
    model.target_kind = Set(spec.target_kind);
    model.region_prefixes = Set(json(&spec.region_prefixes));
    model.industries = Set(json(&spec.industries));
    model.risk_levels = Set(json(&spec.risk_levels));
    model.key_only = Set(spec.key_only);
    model.ratios = Set(json(&spec.ratios));
    model.min_per_stratum = Set(spec.min_per_stratum);
    model.key_all = Set(spec.key_all);
    model.uniform_share = Set(spec.uniform_share);
    model.department_ids = Set(json(&spec.department_ids));
    model.inspectors_per_task = Set(spec.inspectors_per_task);
    model.require_qualification = Set(spec.require_qualification);
    model.cooldown_days = Set(spec.cooldown_days);
    model.cron = Set(spec.cron.clone());
    model.due_days = Set(spec.due_days);
    model.indicator_set_id = Set(spec.indicator_set_id);
    model.status = Set(spec.status);
    model.updated_at = Set(Utc::now());
}

/// Inserts a plan owned by a department.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    spec: &PlanSpec,
    owner_department_id: Option<i64>,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<check_plan::Model> {
    let mut model = check_plan::ActiveModel {
        owner_department_id: Set(owner_department_id),
        created_by: Set(created_by),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut model, spec);
    Ok(model.insert(db).await?)
}

/// Stores a plan's new settings.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    plan: check_plan::Model,
    spec: &PlanSpec,
) -> AppResult<check_plan::Model> {
    let mut model = plan.into_active_model();
    apply(&mut model, spec);
    Ok(model.update(db).await?)
}

/// A page of the plans whose owner's region is under `scope` (all with `None`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: Option<&str>,
    filter: &PlanFilter,
    page: Page,
) -> AppResult<Paged<check_plan::Model>> {
    let mut query = check_plan::Entity::find();
    if let Some(prefix) = scope {
        let owners = department::Entity::find()
            .select_only()
            .column(department::Column::Id)
            .filter(text_starts_with(department::Column::RegionCode, prefix))
            .into_query();
        query = query.filter(check_plan::Column::OwnerDepartmentId.in_subquery(owners));
    }
    if let Some(status) = filter.status {
        query = query.filter(check_plan::Column::Status.eq(status));
    }
    if let Some(kind) = filter.target_kind {
        query = query.filter(check_plan::Column::TargetKind.eq(kind));
    }
    page.fetch(db, query.order_by_asc(check_plan::Column::Id))
        .await
}
