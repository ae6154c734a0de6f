//! `POST /auth/login`, `POST /auth/logout`, `GET /me`.

use entities::Role;
use poem::{Request, web::Data};
use poem_openapi::{Object, OpenApi, payload::Json};

use super::{ApiTags, BearerAuth, NoContent, source_addr};
use crate::{domain::china_time::ChinaTime, service, state::AppState};

/// Username and password.
#[derive(Object)]
pub struct LoginBody {
    /// Login name.
    pub username: String,
    /// Password.
    #[oai(write_only)]
    pub password: String,
}

/// A new session.
#[derive(Object)]
pub struct LoginAnswer {
    /// Bearer token for the `Authorization` header; shown only here.
    pub token: String,
    /// When the session ends at the latest (it also ends after idling).
    pub expires_at: ChinaTime,
    /// The user's role.
    pub role: Role,
    /// The password is temporary (set by an administrator): every call but
    /// `POST /api/v1/me/password`, `GET /api/v1/me` and logging out answers 403
    /// `password_change_required` until it is changed.
    pub password_change_required: bool,
}

/// The caller.
#[derive(Object)]
pub struct Me {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Department, if any.
    pub department_id: Option<i64>,
    /// The region of the caller's scope; none is national.
    pub region_code: Option<String>,
    /// The password is temporary and must be changed before anything else.
    pub password_change_required: bool,
}

/// Logging in and out.
pub struct AuthApi;

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in
    ///
    /// Five wrong passwords for an account from one address lock that account
    /// for that address for 15 minutes (429 with `Retry-After`); twenty from
    /// all addresses together lock the account everywhere. Unknown usernames
    /// are answered exactly like known ones. A temporary password logs in with
    /// `password_change_required`.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LoginBody>,
    ) -> poem::Result<Json<LoginAnswer>> {
        let outcome = service::accounts::login(
            &state.db,
            &state.hasher,
            &state.policy.security,
            body.username.trim(),
            &body.password,
            source_addr(req),
        )
        .await?;
        Ok(Json(LoginAnswer {
            token: outcome.token,
            expires_at: outcome.expires_at.into(),
            role: outcome.role,
            password_change_required: outcome.password_change_required,
        }))
    }

    /// Log out
    ///
    /// Ends this session at once.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<NoContent> {
        service::accounts::logout(&state.db, &auth.0.actor, &auth.0.token).await?;
        Ok(NoContent::NoContent)
    }

    /// Who am I
    #[oai(path = "/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Json<Me> {
        let password_change_required = auth.0.password_change_required;
        let actor = auth.0.actor;
        Json(Me {
            password_change_required,
            id: actor.user_id.unwrap_or_default(),
            username: actor.username,
            role: actor.role,
            department_id: actor.department_id,
            region_code: actor.region_code,
        })
    }
}
