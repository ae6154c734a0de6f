//! `/me/password` and `/me/sessions`: what every user does with their own account.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};

use super::{ApiTags, BearerAuth, ListPage, NoContent};
use crate::{
    domain::china_time::ChinaTime,
    service::accounts::own::{self, OwnSession, PasswordChange},
    state::AppState,
};

/// The current password and a new one.
#[derive(Object)]
pub struct PasswordBody {
    /// The password in use now (or the temporary one an administrator set).
    #[oai(write_only)]
    pub current_password: String,
    /// 10 to 128 characters mixing three of lower, upper, digit, symbol.
    #[oai(write_only)]
    pub new_password: String,
}

/// One of the caller's sessions.
#[derive(Object)]
pub struct Session {
    /// Id, for ending it.
    pub id: i64,
    /// When it was opened (the login).
    pub created_at: ChinaTime,
    /// When it was last used (to within a tenth of the idle time).
    pub last_seen_at: ChinaTime,
    /// When it ends at the latest; it ends sooner when left idle.
    pub expires_at: ChinaTime,
    /// The address it was opened from.
    pub source_addr: Option<String>,
    /// Whether this is the session asking.
    pub current: bool,
}

impl From<OwnSession> for Session {
    fn from(s: OwnSession) -> Self {
        Self {
            id: s.id,
            created_at: s.created_at.into(),
            last_seen_at: s.last_seen_at.into(),
            expires_at: s.expires_at.into(),
            source_addr: s.source_addr,
            current: s.current,
        }
    }
}

/// The caller's own account.
pub struct MeApi;

#[OpenApi(tag = "ApiTags::Auth")]
impl MeApi {
    /// Change my password
    ///
    /// Ends the caller's other sessions. A wrong current password counts as a
    /// failed login from the caller's address (422, then 429 once locked).
    #[oai(path = "/me/password", method = "post")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<PasswordBody>,
    ) -> poem::Result<NoContent> {
        let body = body.0;
        let change = PasswordChange {
            current_password: body.current_password,
            new_password: body.new_password,
        };
        own::change_password(
            &state.db,
            &state.hasher,
            &state.policy.security,
            &auth.0.actor,
            auth.0.session_id,
            change,
        )
        .await?;
        Ok(NoContent::NoContent)
    }

    /// List my sessions
    ///
    /// The caller's live sessions, newest first; `current` marks the one asking.
    #[oai(path = "/me/sessions", method = "get")]
    async fn sessions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> poem::Result<Json<ListPage<Session>>> {
        let sessions = own::sessions(
            &state.db,
            &auth.0.actor,
            auth.0.session_id,
            &state.policy.security,
        )
        .await?;
        Ok(Json(ListPage::whole(
            sessions.into_iter().map(Session::from).collect(),
        )))
    }

    /// End one of my sessions
    ///
    /// Ending the current session is logging out. Another user's session is 404.
    #[oai(path = "/me/sessions/:id", method = "delete")]
    async fn end_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        own::end_session(&state.db, &auth.0.actor, id.0).await?;
        Ok(NoContent::NoContent)
    }
}
