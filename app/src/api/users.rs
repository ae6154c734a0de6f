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
    domain::china_time::ChinaTime,
    error::AppError,
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
    /// Locked, for logins from every address, after failed logins until this time.
    pub locked_until: Option<ChinaTime>,
    /// The password is temporary (set by an administrator) and must be changed at the next login.
    pub must_change_password: bool,
    /// Created.
    pub created_at: ChinaTime,
}

impl User {
    fn new(m: user::Model, locked_until: Option<DateTime<Utc>>) -> Self {
        Self {
            id: m.id,
            username: m.username,
            role: m.role,
            department_id: m.department_id,
            active: m.active,
            locked_until: locked_until.map(ChinaTime),
            must_change_password: m.must_change_password,
            created_at: m.created_at.into(),
        }
    }

    /// Users with their account-wide locks.
    async fn with_locks(state: &AppState, models: Vec<user::Model>) -> poem::Result<Vec<Self>> {
        let locks = users::account_locks(&state.db, &models).await?;
        Ok(models
            .into_iter()
            .map(|m| {
                let until = locks.iter().find(|(id, _)| *id == m.id).map(|(_, t)| *t);
                Self::new(m, until)
            })
            .collect())
    }

    async fn with_lock(state: &AppState, model: user::Model) -> poem::Result<Self> {
        let mut one = Self::with_locks(state, vec![model]).await?;
        one.pop()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")).into())
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
    /// New password; ends the user's sessions and unlocks the account. Set
    /// for another user, it is temporary: they must change it at their next login.
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
        Ok(Created::Created(Json(
            User::with_lock(&state, model).await?,
        )))
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
        let page = paged.page;
        let total = paged.total;
        Ok(Json(ListPage {
            items: User::with_locks(&state, paged.items).await?,
            total,
            page: page.number,
            page_size: page.size,
        }))
    }

    /// Get a user
    #[oai(path = "/users/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<User>> {
        let model = users::get(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(User::with_lock(&state, model).await?))
    }

    /// Change a user
    ///
    /// Disabling a user or changing their password or role ends their sessions
    /// at once. A password set for another user is temporary: they must change
    /// it at their next login.
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
        Ok(Json(User::with_lock(&state, model).await?))
    }
}
