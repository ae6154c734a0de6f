//! Departments: the ministry, provincial, city and county bodies.

use chrono::Utc;
use entities::{DepartmentKind, Role, department};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, QueryFilter, QueryOrder,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    regions,
    validate::Problems,
};
use crate::{
    db,
    error::{AppError, AppResult},
};

/// A department to create or replace.
#[derive(Debug, Clone)]
pub struct DepartmentInput {
    /// Unique code.
    pub code: String,
    /// Name, such as 河北省应急管理厅.
    pub name: String,
    /// Kind of body.
    pub kind: DepartmentKind,
    /// Region; none for a national department.
    pub region_code: Option<String>,
    /// Parent department.
    pub parent_id: Option<i64>,
}

/// Filters for listing departments.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// Region code prefix.
    pub region_prefix: Option<String>,
    /// Kind of body.
    pub kind: Option<DepartmentKind>,
    /// Name or code contains this.
    pub q: Option<String>,
}

/// One department in the caller's scope (a national one only for national callers).
///
/// # Errors
/// 404 when it does not exist or is out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<department::Model> {
    department::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| actor.covers_opt(d.region_code.as_deref()))
        .ok_or_else(|| AppError::NotFound(format!("department {id}")))
}

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &DepartmentInput,
    id: Option<i64>,
) -> AppResult<(String, String, Option<String>)> {
    let mut problems = Problems::new();
    let code = problems.text("code", &input.code, 64);
    let name = problems.text("name", &input.name, 200);
    let region_code = input
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if let Some(region) = &region_code {
        regions::require_exists(db, &mut problems, "region_code", region).await?;
    }
    if let Some(parent) = input.parent_id {
        if Some(parent) == id {
            problems.add("parent_id", "a department cannot be its own parent");
        } else if department::Entity::find_by_id(parent)
            .one(db)
            .await?
            .is_none()
        {
            problems.add("parent_id", format!("department {parent} does not exist"));
        }
    }
    problems.finish()?;
    if !actor.covers_opt(region_code.as_deref()) {
        return Err(AppError::Forbidden(
            "the department's region is outside your jurisdiction".to_owned(),
        ));
    }
    Ok((code, name, region_code))
}

/// Creates a department (admin).
///
/// # Errors
/// 403, 422, and 409 when the code exists.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: DepartmentInput,
) -> AppResult<department::Model> {
    actor.require(&[Role::Admin], "change departments")?;
    let (code, name, region_code) = validated(db, actor, &input, None).await?;
    let txn = db::begin_write(db).await?;
    if department::Entity::find()
        .filter(department::Column::Code.eq(code.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "department code {code} already exists"
        )));
    }
    let now = Utc::now();
    let model = department::ActiveModel {
        code: Set(code),
        name: Set(name),
        kind: Set(input.kind),
        region_code: Set(region_code),
        parent_id: Set(input.parent_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("department.create", "department", model.id).with_detail(serde_json::json!({
            "code": model.code, "name": model.name, "region_code": model.region_code,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Replaces a department's fields (admin).
///
/// # Errors
/// As for create; 404 when out of scope.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: DepartmentInput,
) -> AppResult<department::Model> {
    actor.require(&[Role::Admin], "change departments")?;
    let existing = get(db, actor, id).await?;
    let (code, name, region_code) = validated(db, actor, &input, Some(id)).await?;
    let txn = db::begin_write(db).await?;
    if department::Entity::find()
        .filter(department::Column::Code.eq(code.as_str()))
        .filter(department::Column::Id.ne(id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "department code {code} already exists"
        )));
    }
    let before = serde_json::to_value(&existing).unwrap_or_default();
    let mut model = existing.into_active_model();
    model.code = Set(code);
    model.name = Set(name);
    model.kind = Set(input.kind);
    model.region_code = Set(region_code);
    model.parent_id = Set(input.parent_id);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("department.update", "department", model.id)
            .with_detail(serde_json::json!({"before": before, "after": model})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists departments in the caller's scope.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &DepartmentFilter,
    page: Page,
) -> AppResult<Paged<department::Model>> {
    let mut query = department::Entity::find();
    if actor.scope_prefix().is_some() {
        query = query.filter(actor.scope_condition(department::Column::RegionCode));
    }
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(super::text_starts_with(
            department::Column::RegionCode,
            prefix,
        ));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(department::Column::Kind.eq(kind));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(super::text_contains(department::Column::Name, q))
                .add(super::text_contains(department::Column::Code, q)),
        );
    }
    page.fetch(db, query.order_by_asc(department::Column::Id))
        .await
}
