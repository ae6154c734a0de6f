//! Conflicts of interest (回避): pairs that the draw must never make.

use chrono::Utc;
use entities::{Role, conflict, inspector};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    departments, enterprises, inspectors,
    validate::Problems,
};
use crate::{
    db,
    error::{AppError, AppResult},
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// A conflict to record: one inspector and exactly one enterprise or department.
#[derive(Debug, Clone)]
pub struct ConflictInput {
    /// The inspector who must stand aside.
    pub inspector_id: i64,
    /// The enterprise, or
    pub enterprise_id: Option<i64>,
    /// the department.
    pub department_id: Option<i64>,
    /// Why (relative, former employer, …).
    pub reason: String,
}

/// Records a conflict (admin, supervisor).
///
/// # Errors
/// 403; 422 unless exactly one target is named and everything exists in
/// scope; 409 when the same pair is already recorded.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: ConflictInput,
) -> AppResult<conflict::Model> {
    actor.require(WRITERS, "record conflicts")?;
    let mut problems = Problems::new();
    let reason = problems.text("reason", &input.reason, 500);
    if !crate::error::visible(inspectors::get(db, actor, input.inspector_id).await)? {
        problems.add(
            "inspector_id",
            format!("inspector {} does not exist", input.inspector_id),
        );
    }
    match (input.enterprise_id, input.department_id) {
        (Some(_), Some(_)) | (None, None) => {
            problems.add(
                "enterprise_id",
                "name exactly one of enterprise_id and department_id",
            );
        }
        (Some(id), None) => {
            if !crate::error::visible(enterprises::get(db, actor, id).await)? {
                problems.add("enterprise_id", format!("enterprise {id} does not exist"));
            }
        }
        (None, Some(id)) => {
            if !crate::error::visible(departments::get(db, actor, id).await)? {
                problems.add("department_id", format!("department {id} does not exist"));
            }
        }
    }
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let duplicate = conflict::Entity::find()
        .filter(conflict::Column::InspectorId.eq(input.inspector_id))
        .filter(match input.enterprise_id {
            Some(id) => conflict::Column::EnterpriseId.eq(id),
            None => conflict::Column::EnterpriseId.is_null(),
        })
        .filter(match input.department_id {
            Some(id) => conflict::Column::DepartmentId.eq(id),
            None => conflict::Column::DepartmentId.is_null(),
        })
        .one(&txn)
        .await?;
    if let Some(existing) = duplicate {
        return Err(AppError::Conflict(format!(
            "this conflict is already recorded as {}",
            existing.id
        )));
    }
    let model = conflict::ActiveModel {
        inspector_id: Set(input.inspector_id),
        enterprise_id: Set(input.enterprise_id),
        department_id: Set(input.department_id),
        reason: Set(reason),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("conflict.create", "conflict", model.id).with_detail(serde_json::json!({
            "inspector_id": model.inspector_id,
            "enterprise_id": model.enterprise_id,
            "department_id": model.department_id,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists conflicts of inspectors in the caller's scope.
///
/// # Errors
/// 403 for roles that may not read them.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    inspector_id: Option<i64>,
    page: Page,
) -> AppResult<Paged<conflict::Model>> {
    actor.require(READERS, "list conflicts")?;
    let in_scope = inspector::Entity::find()
        .select_only()
        .column(inspector::Column::Id)
        .filter(actor.scope_condition(inspector::Column::RegionCode))
        .into_query();
    let mut query =
        conflict::Entity::find().filter(conflict::Column::InspectorId.in_subquery(in_scope));
    if let Some(id) = inspector_id {
        query = query.filter(conflict::Column::InspectorId.eq(id));
    }
    page.fetch(db, query.order_by_asc(conflict::Column::Id))
        .await
}

/// Removes a conflict (admin, supervisor).
///
/// # Errors
/// 403; 404 when it is not in scope.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(WRITERS, "remove conflicts")?;
    let found = conflict::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("conflict {id}")))?;
    inspectors::get(db, actor, found.inspector_id)
        .await
        .map_err(|e| e.hidden_as(|| AppError::NotFound(format!("conflict {id}"))))?;
    let txn = db::begin_write(db).await?;
    conflict::Entity::delete_by_id(id).exec(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("conflict.delete", "conflict", id).with_detail(serde_json::json!({
            "inspector_id": found.inspector_id,
            "enterprise_id": found.enterprise_id,
            "department_id": found.department_id,
            "reason": found.reason,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
