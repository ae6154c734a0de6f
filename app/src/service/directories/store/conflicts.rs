//! The `conflict` table.

use chrono::{DateTime, Utc};
use entities::{conflict, inspector};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, QueryTrait as _,
};

use crate::{
    error::AppResult,
    service::{Actor, Page, Paged, directories::model::ConflictPair},
};

/// The conflict with this id, in scope or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<conflict::Model>> {
    Ok(conflict::Entity::find_by_id(id).one(db).await?)
}

/// The conflict already recorded for this pair, if any.
pub async fn find_pair<C: ConnectionTrait>(
    db: &C,
    pair: &ConflictPair,
) -> AppResult<Option<conflict::Model>> {
    Ok(conflict::Entity::find()
        .filter(conflict::Column::InspectorId.eq(pair.inspector_id))
        .filter(match pair.enterprise_id {
            Some(id) => conflict::Column::EnterpriseId.eq(id),
            None => conflict::Column::EnterpriseId.is_null(),
        })
        .filter(match pair.department_id {
            Some(id) => conflict::Column::DepartmentId.eq(id),
            None => conflict::Column::DepartmentId.is_null(),
        })
        .one(db)
        .await?)
}

/// Records a conflict.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    pair: &ConflictPair,
    reason: String,
    now: DateTime<Utc>,
) -> AppResult<conflict::Model> {
    let model = conflict::ActiveModel {
        inspector_id: Set(pair.inspector_id),
        enterprise_id: Set(pair.enterprise_id),
        department_id: Set(pair.department_id),
        reason: Set(reason),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

/// Deletes a conflict.
pub async fn delete<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    conflict::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// A page of the conflicts of inspectors in the actor's scope, by id.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    inspector_id: Option<i64>,
    page: Page,
) -> AppResult<Paged<conflict::Model>> {
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
