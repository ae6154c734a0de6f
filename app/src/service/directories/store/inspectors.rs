//! The `inspector` table, and the role of the login an inspector links to.

use chrono::{DateTime, Utc};
use entities::{Industry, Role, inspector, user};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _,
    sea_query::{Expr, ExprTrait as _},
};

use super::{Row, taken};
pub use super::{insert, update};
use crate::{
    error::AppResult,
    service::{
        Actor, Page, Paged,
        directories::model::{InspectorFilter, InspectorRow},
        store_util::{text_contains, text_starts_with},
    },
};

/// The inspector with this id, in scope or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<inspector::Model>> {
    Ok(inspector::Entity::find_by_id(id).one(db).await?)
}

/// Whether an inspector other than `except` has this badge number.
pub async fn badge_taken<C: ConnectionTrait>(
    db: &C,
    badge_no: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    use inspector::Column as C;
    taken::<inspector::Entity, _>(db, C::BadgeNo, badge_no, C::Id, except).await
}

/// The role and department of the user with this id, if there is one.
pub async fn user_role<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Option<(Role, Option<i64>)>> {
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|u| (u.role, u.department_id)))
}

/// The inspector linked to this user, if any.
pub async fn linked_to_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Option<inspector::Model>> {
    Ok(inspector::Entity::find()
        .filter(inspector::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Industries as stored: a JSON array of their names, sorted, each once.
fn industries_json(industries: &[Industry]) -> serde_json::Value {
    let mut names: Vec<&str> = industries.iter().map(|i| i.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    serde_json::json!(names)
}

impl Row for InspectorRow {
    type ActiveModel = inspector::ActiveModel;

    fn set_on(&self, model: &mut inspector::ActiveModel, now: DateTime<Utc>) {
        model.badge_no = Set(self.badge_no.clone());
        model.name = Set(self.name.clone());
        model.department_id = Set(self.department_id);
        model.region_code = Set(self.region_code.to_string());
        model.industries = Set(industries_json(&self.industries));
        model.active = Set(self.active);
        model.user_id = Set(self.user_id);
        model.updated_at = Set(now);
        if model.created_at.is_not_set() {
            model.created_at = Set(now);
        }
    }
}

/// A page of the inspectors in the actor's scope, by id.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &InspectorFilter,
    page: Page,
) -> AppResult<Paged<inspector::Model>> {
    let mut query =
        inspector::Entity::find().filter(actor.scope_condition(inspector::Column::RegionCode));
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(text_starts_with(inspector::Column::RegionCode, prefix));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(inspector::Column::DepartmentId.eq(department));
    }
    if let Some(active) = filter.active {
        query = query.filter(inspector::Column::Active.eq(active));
    }
    if let Some(industry) = filter.industry {
        // Names are stored as a JSON array of quoted words, none a substring of another's quoted form.
        let pattern = format!("%\"{}\"%", industry.as_str());
        query = query.filter(
            Expr::col(inspector::Column::Industries)
                .cast_as("text")
                .like(pattern),
        );
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(text_contains(inspector::Column::Name, q))
                .add(text_contains(inspector::Column::BadgeNo, q)),
        );
    }
    page.fetch(db, query.order_by_asc(inspector::Column::Id))
        .await
}
