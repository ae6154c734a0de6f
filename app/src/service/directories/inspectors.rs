//! The directory of law-enforcement inspectors (执法检查人员).

use chrono::Utc;
use entities::{Industry, Role, inspector};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use super::model::{InspectorFilter, InspectorInput};
use super::{
    audited, audited_update, departments, model::InspectorRow, regions, store::inspectors as store,
};
use crate::{
    domain::RegionCode,
    error::{AppError, AppResult},
    msg,
    service::{Actor, Page, Paged, audit::Entry, validate::Problems},
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// The industries stored on an inspector.
#[must_use]
pub fn industries_of(model: &inspector::Model) -> Vec<Industry> {
    model
        .industries
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().and_then(Industry::from_name))
                .collect()
        })
        .unwrap_or_default()
}

/// One inspector in the caller's scope; an inspector may read their own record.
///
/// # Errors
/// 403 for departments, 404 when out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<inspector::Model> {
    let visible = store::find(db, id).await?.filter(|i| {
        (READERS.contains(&actor.role) && actor.covers(&i.region_code))
            || (actor.role == Role::Inspector && i.user_id.is_some() && i.user_id == actor.user_id)
    });
    visible.ok_or_else(|| AppError::NotFound(format!("inspector {id}").into()))
}

/// Checks that the login exists, has the inspector role, belongs to the
/// inspector's department, and is not linked to another inspector than `id`.
async fn check_user<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    user_id: i64,
    department_id: i64,
    id: Option<i64>,
) -> AppResult<()> {
    match store::user_role(db, user_id).await? {
        None => problems.add("user_id", format!("user {user_id} does not exist")),
        Some((role, _)) if role != Role::Inspector => {
            problems.add(
                "user_id",
                format!("user {user_id} does not have the inspector role"),
            );
        }
        Some((_, user_department)) if user_department != Some(department_id) => {
            problems.add(
                "user_id",
                msg!(
                    "用户 {user_id} 与该检查人员不属于同一部门（{department_id}），不能关联",
                    "user {user_id} does not belong to the inspector's department ({department_id}) and cannot be linked"
                ),
            );
        }
        Some(_) => {
            let taken = store::linked_to_user(db, user_id)
                .await?
                .filter(|other| Some(other.id) != id);
            if let Some(other) = taken {
                problems.add(
                    "user_id",
                    format!("user {user_id} is already inspector {}", other.id),
                );
            }
        }
    }
    Ok(())
}

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &InspectorInput,
    id: Option<i64>,
) -> AppResult<InspectorRow> {
    let mut problems = Problems::new();
    let badge_no = problems.text("badge_no", &input.badge_no, 64);
    let name = problems.text("name", &input.name, 100);
    regions::require_exists(db, &mut problems, "region_code", input.region_code.trim()).await?;
    if !crate::error::visible(departments::get(db, actor, input.department_id).await)? {
        problems.add(
            "department_id",
            format!("department {} does not exist", input.department_id),
        );
    }
    if let Some(user_id) = input.user_id {
        check_user(db, &mut problems, user_id, input.department_id, id).await?;
    }
    problems.finish()?;
    actor.require_region(input.region_code.trim())?;
    let region_code = RegionCode::parse(&input.region_code)
        .map_err(|e| AppError::invalid("region_code", e.to_string()))?;
    Ok(InspectorRow {
        badge_no,
        name,
        department_id: input.department_id,
        region_code,
        industries: input.industries.clone(),
        active: input.active,
        user_id: input.user_id,
    })
}

fn badge_exists(badge_no: &str) -> AppError {
    AppError::Conflict(format!("badge number {badge_no} already exists").into())
}

/// Creates an inspector (admin, supervisor).
///
/// # Errors
/// 403, 422, and 409 when the badge number is taken.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: InspectorInput,
) -> AppResult<inspector::Model> {
    actor.require(WRITERS, "change inspectors")?;
    let row = validated(db, actor, &input, None).await?;
    audited(db, actor, async |txn| {
        if store::badge_taken(txn, &row.badge_no, None).await? {
            return Err(badge_exists(&row.badge_no));
        }
        let model = store::insert(txn, &row, Utc::now()).await?;
        let entry = Entry::ok("inspector.create", "inspector", model.id).with_detail(
            serde_json::json!({"badge_no": model.badge_no, "region_code": model.region_code}),
        );
        Ok((model, entry))
    })
    .await
}

/// Replaces an inspector's fields (admin, supervisor).
///
/// # Errors
/// As for create; 404 when out of scope.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: InspectorInput,
) -> AppResult<inspector::Model> {
    actor.require(WRITERS, "change inspectors")?;
    let existing = get(db, actor, id).await?;
    let row = validated(db, actor, &input, Some(id)).await?;
    audited_update(
        db,
        actor,
        "inspector",
        id,
        existing,
        async |txn, existing| {
            if store::badge_taken(txn, &row.badge_no, Some(id)).await? {
                return Err(badge_exists(&row.badge_no));
            }
            store::update(txn, existing, &row, Utc::now()).await
        },
    )
    .await
}

/// Lists inspectors in the caller's scope (admin, supervisor, leader).
///
/// # Errors
/// 403 for other roles.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &InspectorFilter,
    page: Page,
) -> AppResult<Paged<inspector::Model>> {
    actor.require(READERS, "list inspectors")?;
    store::list(db, actor, filter, page).await
}
