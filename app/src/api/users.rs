//! `/users`: accounts, for administrators.

use chrono::{DateTime, Utc};
use entities::{Role, user};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    service::accounts::users::{self, NewUser, UserChanges},
    state::AppState,
};

/// A user account; the password hash is never shown.
#[derive(Object)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Department; none is national.
    pub department_id: Option<i64>,
    /// Whether the user may log in.
    pub active: bool,
    /// Locked after failed logins until this time.
    pub locked_until: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            username: m.username,
            role: m.role,
            department_id: m.department_id,
            active: m.active,
            locked_until: m.locked_until,
            created_at: m.created_at,
        }
    }
}

/// A new user.
#[derive(Object)]
pub struct UserBody {
    /// 3 to 64 letters, digits, `.`, `_`, `-`.
    pub username: String,
    /// 10 to 128 characters mixing three of lower, upper, digit, symbol.
    #[oai(write_only)]
    pub password: String,
    /// Role.
    pub role: Role,
    /// Department; required for department and inspector users.
    pub department_id: Option<i64>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Object)]
pub struct UserPatch {
    /// New role.
    pub role: Option<Role>,
    /// New department.
    pub department_id: Option<i64>,
    /// `false` disables the user and ends their sessions at once.
    pub active: Option<bool>,
    /// New password; ends the user's sessions.
    #[oai(write_only)]
    pub password: Option<String>,
}

/// User accounts.
pub struct UsersApi;

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// Create a user
    #[oai(path = "/users", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<UserBody>,
    ) -> poem::Result<Created<User>> {
        let body = body.0;
        let input = NewUser {
            username: body.username,
            password: body.password,
            role: body.role,
            department_id: body.department_id,
        };
        let model = users::create(
            &state.db,
            &state.hasher,
            &state.policy.security,
            &auth.0.actor,
            input,
        )
        .await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List users
    #[oai(path = "/users", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        role: Query<Option<Role>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<User>>> {
        let paged = users::list(
            &state.db,
            &auth.0.actor,
            role.0,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, User::from))
    }

    /// Get a user
    #[oai(path = "/users/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<User>> {
        Ok(Json(
            users::get(&state.db, &auth.0.actor, id.0).await?.into(),
        ))
    }

    /// Change a user
    ///
    /// Disabling a user or changing their password or role ends their sessions at once.
    #[oai(path = "/users/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<UserPatch>,
    ) -> poem::Result<Json<User>> {
        let body = body.0;
        let changes = UserChanges {
            role: body.role,
            department_id: body.department_id.map(Some),
            active: body.active,
            password: body.password,
        };
        let model = users::update(
            &state.db,
            &state.hasher,
            &state.policy.security,
            &auth.0.actor,
            id.0,
            changes,
        )
        .await?;
        Ok(Json(model.into()))
    }
}
