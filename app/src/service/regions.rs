//! GB/T 2260 regions: reference data every role reads and only admins change.

use chrono::Utc;
use entities::{Role, check_task, department, enterprise, inspector, region};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    validate::Problems,
};
use crate::{
    db,
    domain::RegionCode,
    error::{AppError, AppResult},
};

/// A region to create or replace.
#[derive(Debug, Clone)]
pub struct RegionInput {
    /// Six-digit code.
    pub code: String,
    /// Name, such as 河北省.
    pub name: String,
    /// Parent's code; none for a province.
    pub parent_code: Option<String>,
}

/// Filters for listing regions.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    /// Direct children of this region.
    pub parent_code: Option<String>,
    /// Regions whose code starts with this.
    pub prefix: Option<String>,
    /// Only this level.
    pub level: Option<entities::RegionLevel>,
    /// Name contains this.
    pub q: Option<String>,
}

/// Checks an input against the code rules and the existing tree.
async fn validated<C: ConnectionTrait>(
    db: &C,
    input: &RegionInput,
) -> AppResult<(RegionCode, String, Option<String>)> {
    let mut problems = Problems::new();
    let name = problems.text("name", &input.name, 100);
    let code = match RegionCode::parse(&input.code) {
        Ok(code) => Some(code),
        Err(e) => {
            problems.add("code", e.to_string());
            None
        }
    };
    let parent_code = input
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if let Some(code) = &code {
        match (&parent_code, code.level()) {
            (Some(_), entities::RegionLevel::Province) => {
                problems.add("parent_code", "a province has no parent");
            }
            (None, entities::RegionLevel::Province) => {}
            (None, _) => problems.add("parent_code", "a city or county needs its parent region"),
            (Some(parent), _) => match region::Entity::find_by_id(parent.clone()).one(db).await? {
                None => problems.add("parent_code", format!("region {parent} does not exist")),
                Some(parent_row) => {
                    let parent_prefix = crate::domain::region_code::prefix_of(&parent_row.code);
                    problems.check(
                        parent_row.code != code.as_str()
                            && code.as_str().starts_with(parent_prefix),
                        "parent_code",
                        format!("{} does not lie under {}", code, parent_row.code),
                    );
                }
            },
        }
    }
    problems.finish()?;
    let code = code.ok_or_else(|| AppError::invalid("code", "invalid"))?;
    Ok((code, name, parent_code))
}

/// Creates a region (admin).
///
/// # Errors
/// 403 for other roles, 422 for invalid input, 409 when the code exists.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: RegionInput,
) -> AppResult<region::Model> {
    actor.require(&[Role::Admin], "change regions")?;
    let (code, name, parent_code) = validated(db, &input).await?;
    actor.require_region(code.as_str())?;
    let txn = db::begin_write(db).await?;
    if region::Entity::find_by_id(code.to_string())
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!("region {code} already exists")));
    }
    let now = Utc::now();
    let model = region::ActiveModel {
        code: Set(code.to_string()),
        name: Set(name),
        level: Set(code.level()),
        parent_code: Set(parent_code),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("region.create", "region", &model.code)
            .with_detail(serde_json::json!({"name": model.name, "parent_code": model.parent_code})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// One region by code; every role reads regions.
///
/// # Errors
/// 404 when there is none.
pub async fn get<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<region::Model> {
    region::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("region {code}")))
}

/// Lists regions by code.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RegionFilter,
    page: Page,
) -> AppResult<Paged<region::Model>> {
    let mut query = region::Entity::find();
    if let Some(parent) = &filter.parent_code {
        query = query.filter(region::Column::ParentCode.eq(parent.as_str()));
    }
    if let Some(prefix) = &filter.prefix {
        query = query.filter(super::text_starts_with(region::Column::Code, prefix));
    }
    if let Some(level) = filter.level {
        query = query.filter(region::Column::Level.eq(level));
    }
    if let Some(q) = &filter.q {
        query = query.filter(super::text_contains(region::Column::Name, q));
    }
    page.fetch(db, query.order_by_asc(region::Column::Code))
        .await
}

/// Renames a region or moves it under another parent (admin).
///
/// # Errors
/// 403, 404, 422 as for create; the code itself cannot change.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    code: &str,
    input: RegionInput,
) -> AppResult<region::Model> {
    actor.require(&[Role::Admin], "change regions")?;
    let existing = get(db, code).await?;
    actor.require_region(&existing.code)?;
    if input.code.trim() != existing.code {
        return Err(AppError::invalid(
            "code",
            "a region's code cannot change; create a new region",
        ));
    }
    let (_, name, parent_code) = validated(db, &input).await?;
    let txn = db::begin_write(db).await?;
    let before = serde_json::json!({"name": existing.name, "parent_code": existing.parent_code});
    let mut model = existing.into_active_model();
    model.name = Set(name);
    model.parent_code = Set(parent_code);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("region.update", "region", &model.code).with_detail(serde_json::json!({
            "before": before,
            "after": {"name": model.name, "parent_code": model.parent_code},
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Deletes a region nothing refers to (admin).
///
/// # Errors
/// 403, 404; 409 while sub-regions, departments, enterprises, inspectors or
/// check tasks use it.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, code: &str) -> AppResult<()> {
    actor.require(&[Role::Admin], "change regions")?;
    let existing = get(db, code).await?;
    actor.require_region(&existing.code)?;
    let txn = db::begin_write(db).await?;
    let children = region::Entity::find()
        .filter(region::Column::ParentCode.eq(code))
        .count(&txn)
        .await?;
    let departments = department::Entity::find()
        .filter(department::Column::RegionCode.eq(code))
        .count(&txn)
        .await?;
    let enterprises = enterprise::Entity::find()
        .filter(enterprise::Column::RegionCode.eq(code))
        .count(&txn)
        .await?;
    let inspectors = inspector::Entity::find()
        .filter(inspector::Column::RegionCode.eq(code))
        .count(&txn)
        .await?;
    let tasks = check_task::Entity::find()
        .filter(check_task::Column::RegionCode.eq(code))
        .count(&txn)
        .await?;
    if children + departments + enterprises + inspectors + tasks > 0 {
        return Err(AppError::Conflict(format!(
            "region {code} is in use: {children} sub-regions, {departments} departments, \
             {enterprises} enterprises, {inspectors} inspectors, {tasks} check tasks"
        )));
    }
    region::Entity::delete_by_id(code.to_owned())
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("region.delete", "region", code)
            .with_detail(serde_json::json!({"name": existing.name})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Fails with 422 on `field` unless the region exists.
///
/// # Errors
/// 422 naming the unknown code.
pub async fn require_exists<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    field: &str,
    code: &str,
) -> AppResult<()> {
    if RegionCode::parse(code).is_err() {
        problems.add(field, format!("'{code}' is not a six-digit region code"));
    } else if region::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        problems.add(field, format!("region {code} does not exist"));
    }
    Ok(())
}
