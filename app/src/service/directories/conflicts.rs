//! Conflicts of interest (回避): pairs that the draw must never make.

use chrono::Utc;
use entities::{Role, conflict};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use super::model::ConflictInput;
use super::{
    audited, departments, enterprises, inspectors, model::ConflictPair, store::conflicts as store,
};
use crate::{
    error::{AppError, AppResult},
    service::{Actor, Page, Paged, audit::Entry, validate::Problems},
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// Checks that the inspector and exactly one target exist in the caller's
/// scope; returns the pair and the reason.
async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &ConflictInput,
) -> AppResult<(ConflictPair, String)> {
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
    let pair = ConflictPair {
        inspector_id: input.inspector_id,
        enterprise_id: input.enterprise_id,
        department_id: input.department_id,
    };
    Ok((pair, reason))
}

/// The audit detail of a conflict: the pair it keeps apart.
fn pair_detail(model: &conflict::Model) -> serde_json::Map<String, serde_json::Value> {
    let mut detail = serde_json::Map::new();
    detail.insert("inspector_id".into(), model.inspector_id.into());
    detail.insert("enterprise_id".into(), model.enterprise_id.into());
    detail.insert("department_id".into(), model.department_id.into());
    detail
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
    let (pair, reason) = validated(db, actor, &input).await?;
    audited(db, actor, async |txn| {
        if let Some(existing) = store::find_pair(txn, &pair).await? {
            return Err(AppError::Conflict(
                format!("this conflict is already recorded as {}", existing.id).into(),
            ));
        }
        let model = store::insert(txn, &pair, reason, Utc::now()).await?;
        let entry = Entry::ok("conflict.create", "conflict", model.id)
            .with_detail(pair_detail(&model).into());
        Ok((model, entry))
    })
    .await
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
    store::list(db, actor, inspector_id, page).await
}

/// Removes a conflict (admin, supervisor).
///
/// # Errors
/// 403; 404 when it is not in scope.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(WRITERS, "remove conflicts")?;
    let found = store::find(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("conflict {id}").into()))?;
    inspectors::get(db, actor, found.inspector_id)
        .await
        .map_err(|e| e.hidden_as(|| AppError::NotFound(format!("conflict {id}").into())))?;
    audited(db, actor, async |txn| {
        store::delete(txn, id).await?;
        let mut detail = pair_detail(&found);
        detail.insert("reason".into(), found.reason.clone().into());
        let entry = Entry::ok("conflict.delete", "conflict", id).with_detail(detail.into());
        Ok(((), entry))
    })
    .await
}
