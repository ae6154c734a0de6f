//! `/plans/{id}/announcements` and `/announcements`: a plan's next draw
//! announced before its seed can be known (commit before reveal).

use entities::SeedSource;
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Path, payload::Json};

use super::{ApiTags, BearerAuth, Created, ListPage};
use crate::{
    domain::china_time::ChinaTime,
    service::draws::{self, AnnouncementRequest, AnnouncementStatus, AnnouncementView, DrawBrief},
    state::AppState,
};

/// What to announce.
#[derive(Object)]
pub struct AnnouncementBody {
    /// What public text will seed the draw, and when and where it becomes known
    /// (e.g. 2026年12月20日中国福利彩票双色球第2026146期开奖号码，按官方公告原文).
    pub seed_rule: String,
}

/// Why an announcement is withdrawn.
#[derive(Object)]
pub struct WithdrawBody {
    /// The reason, kept with the announcement and shown publicly.
    pub reason: String,
}

/// Where an announcement stands.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AnnouncementState {
    /// The plan's next draw will use it.
    Pending,
    /// Its draw was made.
    Drawn,
    /// Withdrawn before any draw.
    Withdrawn,
}

impl From<AnnouncementStatus> for AnnouncementState {
    fn from(status: AnnouncementStatus) -> Self {
        match status {
            AnnouncementStatus::Pending => Self::Pending,
            AnnouncementStatus::Drawn => Self::Drawn,
            AnnouncementStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A draw's public facts: its seed, how the seed was chosen, and its population's hash.
#[derive(Object)]
pub struct PublicDraw {
    /// The draw.
    pub id: i64,
    /// Its seed (u64).
    pub seed: u64,
    /// `random`, `given`, `public_text`, or `unrecorded` (drawn before this was recorded).
    pub seed_source: SeedSource,
    /// The public text the seed came from, exactly as hashed.
    pub seed_text: Option<String>,
    /// The announcement that froze its population beforehand.
    pub announcement_id: Option<i64>,
    /// SHA-256 of the population drawn from (an announced draw's is the announcement's).
    pub population_sha256: String,
    /// When it was drawn.
    pub created_at: ChinaTime,
    /// The draw that replaced it.
    pub superseded_by: Option<i64>,
}

impl From<DrawBrief> for PublicDraw {
    fn from(d: DrawBrief) -> Self {
        Self {
            id: d.id,
            seed: u64::from_ne_bytes(d.seed.to_ne_bytes()),
            seed_source: d.seed_source,
            seed_text: d.seed_text,
            announcement_id: d.announcement_id,
            population_sha256: d.population_sha256,
            created_at: d.created_at.into(),
            superseded_by: d.superseded_by,
        }
    }
}

/// A draw announced beforehand: the frozen population's hash and the seed rule.
#[derive(Object)]
pub struct Announcement {
    /// Id.
    pub id: i64,
    /// The plan whose next draw it announces.
    pub plan_id: i64,
    /// The plan's name.
    pub plan_name: String,
    /// What public text will seed the draw, and when it is known.
    pub seed_rule: String,
    /// Targets in the frozen population.
    pub population_size: i32,
    /// SHA-256 of the frozen population snapshot: the draw must use exactly this population.
    pub population_sha256: String,
    /// When it was announced.
    pub announced_at: ChinaTime,
    /// `pending`, `drawn` or `withdrawn`.
    pub status: AnnouncementState,
    /// When it was withdrawn.
    pub withdrawn_at: Option<ChinaTime>,
    /// Why.
    pub withdraw_reason: Option<String>,
    /// The draw that used it.
    pub draw: Option<PublicDraw>,
}

impl From<AnnouncementView> for Announcement {
    fn from(v: AnnouncementView) -> Self {
        let a = v.announcement;
        Self {
            id: a.id,
            plan_id: a.plan_id,
            plan_name: v.plan_name,
            seed_rule: a.seed_rule,
            population_size: a.population_size,
            population_sha256: a.population_sha256,
            announced_at: a.announced_at.into(),
            status: v.status.into(),
            withdrawn_at: a.withdrawn_at.map(ChinaTime::from),
            withdraw_reason: a.withdraw_reason,
            draw: v.draw.map(PublicDraw::from),
        }
    }
}

/// Announcements of draws.
pub struct AnnouncementsApi;

#[OpenApi(tag = "ApiTags::Draws")]
impl AnnouncementsApi {
    /// Announce a plan's next draw
    ///
    /// Freezes the plan's population and parameters now and publishes the snapshot's
    /// SHA-256 with the rule for the public text that will seed the draw. The plan's
    /// next draw then uses exactly that snapshot, drawn by hand with that text as
    /// `seed_text`. One announcement may wait per plan.
    #[oai(path = "/plans/:id/announcements", method = "post")]
    async fn announce(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<AnnouncementBody>,
    ) -> poem::Result<Created<Announcement>> {
        let request = AnnouncementRequest {
            seed_rule: body.0.seed_rule,
        };
        let view = draws::announce(&state.db, &auth.0.actor, id.0, request).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List a plan's announcements
    #[oai(path = "/plans/:id/announcements", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<ListPage<Announcement>>> {
        let items = draws::plan_announcements(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(ListPage::whole(
            items.into_iter().map(Announcement::from).collect(),
        )))
    }

    /// Get an announcement
    #[oai(path = "/announcements/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Announcement>> {
        let view = draws::announcement(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(view.into()))
    }

    /// Withdraw an announcement
    ///
    /// Only before its draw; it stays listed, withdrawn, with the reason.
    #[oai(path = "/announcements/:id/withdraw", method = "post")]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<WithdrawBody>,
    ) -> poem::Result<Json<Announcement>> {
        let view = draws::withdraw(&state.db, &auth.0.actor, id.0, &body.0.reason).await?;
        Ok(Json(view.into()))
    }
}
