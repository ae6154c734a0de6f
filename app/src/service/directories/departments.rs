//! Departments: the ministry, provincial, city and county bodies.

use chrono::Utc;
use entities::{Role, department};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use super::model::{DepartmentFilter, DepartmentInput};
use super::{audited, audited_update, model::DepartmentRow, regions, store::departments as store};
use crate::{
    domain::RegionCode,
    error::{AppError, AppResult},
    service::{Actor, Page, Paged, audit::Entry, validate::Problems},
};

/// One department in the caller's scope (a national one only for national callers).
///
/// # Errors
/// 404 when it does not exist or is out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<department::Model> {
    store::find(db, id)
        .await?
        .filter(|d| actor.covers_opt(d.region_code.as_deref()))
        .ok_or_else(|| AppError::NotFound(format!("department {id}").into()))
}

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &DepartmentInput,
    id: Option<i64>,
) -> AppResult<DepartmentRow> {
    let mut problems = Problems::new();
    let code = problems.text("code", &input.code, 64);
    let name = problems.text("name", &input.name, 200);
    let region_code = input
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(region) = region_code {
        regions::require_exists(db, &mut problems, "region_code", region).await?;
    }
    if let Some(parent) = input.parent_id {
        if Some(parent) == id {
            problems.add("parent_id", "a department cannot be its own parent");
        } else if store::find(db, parent).await?.is_none() {
            problems.add("parent_id", format!("department {parent} does not exist"));
        }
    }
    problems.finish()?;
    if !actor.covers_opt(region_code) {
        return Err(AppError::Forbidden(
            "the department's region is outside your jurisdiction"
                .to_owned()
                .into(),
        ));
    }
    Ok(DepartmentRow {
        code,
        name,
        kind: input.kind,
        region_code: region_code
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| AppError::invalid("region_code", e.to_string()))?,
        parent_id: input.parent_id,
    })
}

fn code_exists(code: &str) -> AppError {
    AppError::Conflict(format!("department code {code} already exists").into())
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
    let row = validated(db, actor, &input, None).await?;
    audited(db, actor, async |txn| {
        if store::code_taken(txn, &row.code, None).await? {
            return Err(code_exists(&row.code));
        }
        let model = store::insert(txn, &row, Utc::now()).await?;
        let entry =
            Entry::ok("department.create", "department", model.id).with_detail(serde_json::json!({
                "code": model.code, "name": model.name, "region_code": model.region_code,
            }));
        Ok((model, entry))
    })
    .await
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
    let row = validated(db, actor, &input, Some(id)).await?;
    audited_update(
        db,
        actor,
        "department",
        id,
        existing,
        async |txn, existing| {
            if store::code_taken(txn, &row.code, Some(id)).await? {
                return Err(code_exists(&row.code));
            }
            store::update(txn, existing, &row, Utc::now()).await
        },
    )
    .await
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
    store::list(db, actor, filter, page).await
}
