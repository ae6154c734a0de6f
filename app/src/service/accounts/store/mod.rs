//! Every query of the accounts capability: users here, their sessions in
//! [`sessions`] and the failed logins in [`failures`].

pub mod failures;
pub mod sessions;

use chrono::{DateTime, Utc};
use entities::{Role, department, user};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _,
};

use crate::{
    error::AppResult,
    service::{Actor, Page, Paged},
};

/// The user, if it exists.
pub async fn user<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// The user with this login name, if any.
pub async fn user_by_name<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// The user, its row locked until the transaction ends on PostgreSQL
/// (SQLite's write transaction is exclusive already).
pub async fn lock_user<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// A user to store, the password already hashed.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Login name, checked.
    pub username: String,
    /// PHC string of the password.
    pub password_hash: String,
    pub role: Role,
    pub department_id: Option<i64>,
    /// When the user is created.
    pub at: DateTime<Utc>,
}

/// Creates an active user with no failed logins.
pub async fn insert_user<C: ConnectionTrait>(db: &C, row: UserRow) -> AppResult<user::Model> {
    Ok(user::ActiveModel {
        username: Set(row.username),
        password_hash: Set(row.password_hash),
        role: Set(row.role),
        department_id: Set(row.department_id),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(row.at),
        updated_at: Set(row.at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A password to store.
#[derive(Debug, Clone)]
pub struct NewPassword {
    /// Its PHC string.
    pub hash: String,
    /// Whether its user must change it at the next login.
    pub temporary: bool,
}

/// Stores a user's new password.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    existing: &user::Model,
    password: NewPassword,
    at: DateTime<Utc>,
) -> AppResult<user::Model> {
    let mut model = existing.clone().into_active_model();
    model.password_hash = Set(password.hash);
    model.must_change_password = Set(password.temporary);
    model.updated_at = Set(at);
    Ok(model.update(db).await?)
}

/// What changes on a user; role and department are always written.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub role: Role,
    pub department_id: Option<i64>,
    /// Enabled or disabled, when that changes.
    pub active: Option<bool>,
    /// A new password's PHC string, and whether it is temporary (to be
    /// changed at the next login).
    pub password: Option<NewPassword>,
    /// When it changes.
    pub at: DateTime<Utc>,
}

/// Writes a change to a user; returns the user as stored.
pub async fn update_user<C: ConnectionTrait>(
    db: &C,
    existing: &user::Model,
    change: UserUpdate,
) -> AppResult<user::Model> {
    let mut model = existing.clone().into_active_model();
    model.role = Set(change.role);
    model.department_id = Set(change.department_id);
    if let Some(active) = change.active {
        model.active = Set(active);
    }
    if let Some(password) = change.password {
        model.password_hash = Set(password.hash);
        model.must_change_password = Set(password.temporary);
    }
    model.updated_at = Set(change.at);
    Ok(model.update(db).await?)
}

/// A page of users by id, of one role if given, and within the actor's
/// jurisdiction (by the user's department) if given.
pub async fn users<C: ConnectionTrait>(
    db: &C,
    within: Option<&Actor>,
    role: Option<Role>,
    page: Page,
) -> AppResult<Paged<user::Model>> {
    let mut query = user::Entity::find();
    if let Some(actor) = within {
        let departments_in_scope = department::Entity::find()
            .select_only()
            .column(department::Column::Id)
            .filter(actor.scope_condition(department::Column::RegionCode))
            .into_query();
        query = query.filter(user::Column::DepartmentId.in_subquery(departments_in_scope));
    }
    if let Some(role) = role {
        query = query.filter(user::Column::Role.eq(role));
    }
    page.fetch(db, query.order_by_asc(user::Column::Id)).await
}

/// The department, if it exists.
pub async fn department<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<department::Model>> {
    Ok(department::Entity::find_by_id(id).one(db).await?)
}
