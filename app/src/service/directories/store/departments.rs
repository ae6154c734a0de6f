//! The `department` table.

use chrono::{DateTime, Utc};
use entities::department;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _,
};

use super::{Row, taken};
pub use super::{insert, update};
use crate::{
    error::AppResult,
    service::{
        Actor, Page, Paged,
        directories::model::{DepartmentFilter, DepartmentRow},
        store_util::{text_contains, text_starts_with},
    },
};

/// The department with this id, in scope or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<department::Model>> {
    Ok(department::Entity::find_by_id(id).one(db).await?)
}

/// Whether a department other than `except` has this code.
pub async fn code_taken<C: ConnectionTrait>(
    db: &C,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    use department::Column as C;
    taken::<department::Entity, _>(db, C::Code, code, C::Id, except).await
}

impl Row for DepartmentRow {
    type ActiveModel = department::ActiveModel;

    fn set_on(&self, model: &mut department::ActiveModel, now: DateTime<Utc>) {
        model.code = Set(self.code.clone());
        model.name = Set(self.name.clone());
        model.kind = Set(self.kind);
        model.region_code = Set(self.region_code.as_ref().map(ToString::to_string));
        model.parent_id = Set(self.parent_id);
        model.updated_at = Set(now);
        if model.created_at.is_not_set() {
            model.created_at = Set(now);
        }
    }
}

/// A page of the departments in the actor's scope, by id.
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
        query = query.filter(text_starts_with(department::Column::RegionCode, prefix));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(department::Column::Kind.eq(kind));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(text_contains(department::Column::Name, q))
                .add(text_contains(department::Column::Code, q)),
        );
    }
    page.fetch(db, query.order_by_asc(department::Column::Id))
        .await
}
