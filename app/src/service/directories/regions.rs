//! GB/T 2260 regions: reference data every role reads and only admins change.

use chrono::Utc;
use entities::{RegionLevel, Role, region};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use super::model::{RegionFilter, RegionInput};
use super::{audited, model::RegionRow, store::regions as store};
use crate::{
    domain::{RegionCode, region_code::prefix_of},
    error::{AppError, AppResult},
    service::{Actor, Page, Paged, audit::Entry, validate::Problems},
};

/// Checks an input against the code rules and the existing tree.
async fn validated<C: ConnectionTrait>(db: &C, input: &RegionInput) -> AppResult<RegionRow> {
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
        .filter(|p| !p.is_empty());
    let mut parent = None;
    if let Some(code) = &code {
        match (parent_code, code.level()) {
            (Some(_), RegionLevel::Province) => {
                problems.add("parent_code", "a province has no parent");
            }
            (None, RegionLevel::Province) => {}
            (None, _) => problems.add("parent_code", "a city or county needs its parent region"),
            (Some(wanted), _) => match store::find(db, wanted).await? {
                None => problems.add("parent_code", format!("region {wanted} does not exist")),
                Some(parent_row) => {
                    problems.check(
                        parent_row.code != code.as_str()
                            && code.as_str().starts_with(prefix_of(&parent_row.code)),
                        "parent_code",
                        format!("{} does not lie under {}", code, parent_row.code),
                    );
                    parent = RegionCode::parse(&parent_row.code).ok();
                }
            },
        }
    }
    problems.finish()?;
    let code = code.ok_or_else(|| AppError::invalid("code", "invalid"))?;
    Ok(RegionRow {
        code,
        name,
        parent_code: parent,
    })
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
    let row = validated(db, &input).await?;
    actor.require_region(row.code.as_str())?;
    audited(db, actor, async |txn| {
        if store::find(txn, row.code.as_str()).await?.is_some() {
            return Err(AppError::Conflict(
                format!("region {} already exists", row.code).into(),
            ));
        }
        let model = store::insert(txn, &row, Utc::now()).await?;
        let entry = Entry::ok("region.create", "region", &model.code)
            .with_detail(serde_json::json!({"name": model.name, "parent_code": model.parent_code}));
        Ok((model, entry))
    })
    .await
}

/// One region by code; every role reads regions.
///
/// # Errors
/// 404 when there is none.
pub async fn get<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<region::Model> {
    store::find(db, code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("region {code}").into()))
}

/// The names of the regions with these codes, by code; every role reads regions.
///
/// # Errors
/// When the database fails.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    codes: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    store::names(db, codes).await
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
    store::list(db, filter, page).await
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
    let row = validated(db, &input).await?;
    audited(db, actor, async |txn| {
        let before =
            serde_json::json!({"name": existing.name, "parent_code": existing.parent_code});
        let model = store::update(txn, existing, &row, Utc::now()).await?;
        let after = serde_json::json!({"name": model.name, "parent_code": model.parent_code});
        let entry = Entry::ok("region.update", "region", &model.code)
            .with_detail(serde_json::json!({"before": before, "after": after}));
        Ok((model, entry))
    })
    .await
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
    audited(db, actor, async |txn| {
        let usage = store::usage(txn, code).await?;
        if !usage.is_unused() {
            return Err(AppError::Conflict(
                format!(
                    "region {code} is in use: {} sub-regions, {} departments, \
                 {} enterprises, {} inspectors, {} check tasks",
                    usage.children,
                    usage.departments,
                    usage.enterprises,
                    usage.inspectors,
                    usage.tasks
                )
                .into(),
            ));
        }
        store::delete(txn, code).await?;
        let entry = Entry::ok("region.delete", "region", code)
            .with_detail(serde_json::json!({"name": existing.name}));
        Ok(((), entry))
    })
    .await
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
    } else if store::find(db, code).await?.is_none() {
        problems.add(field, format!("region {code} does not exist"));
    }
    Ok(())
}
