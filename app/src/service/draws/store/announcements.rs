//! Announcements of draws: their rows, the one a plan's next draw must use,
//! and the draws that used them.

use chrono::{DateTime, Utc};
use entities::{check_plan, draw, draw_announcement};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _, sea_query::Expr,
};

use crate::{
    error::AppResult,
    service::{
        Page, Paged,
        draws::model::{AnnouncementRow, DrawBrief, PopulationSnapshot},
    },
};

/// An announcement to insert.
#[derive(Debug, Clone)]
pub struct NewAnnouncement {
    /// The plan.
    pub plan_id: i64,
    /// The rule for the public text that will seed the draw.
    pub seed_rule: String,
    /// The parameters the draw will use, with the plan as it is.
    pub params: serde_json::Value,
    /// Targets in the population.
    pub population_size: i32,
    /// Who announces, unless the system does.
    pub actor_user_id: Option<i64>,
    /// When.
    pub announced_at: DateTime<Utc>,
}

/// Every column but the snapshot, as [`AnnouncementRow`] reads them.
const ROW_COLUMNS: [draw_announcement::Column; 9] = [
    draw_announcement::Column::Id,
    draw_announcement::Column::PlanId,
    draw_announcement::Column::SeedRule,
    draw_announcement::Column::PopulationSize,
    draw_announcement::Column::PopulationSha256,
    draw_announcement::Column::ActorUserId,
    draw_announcement::Column::AnnouncedAt,
    draw_announcement::Column::WithdrawnAt,
    draw_announcement::Column::WithdrawReason,
];

fn rows() -> sea_orm::Select<draw_announcement::Entity> {
    draw_announcement::Entity::find()
        .select_only()
        .columns(ROW_COLUMNS)
}

/// Ids of the announcements a draw has used.
fn drawn_ids() -> sea_orm::sea_query::SelectStatement {
    draw::Entity::find()
        .select_only()
        .column(draw::Column::AnnouncementId)
        .filter(draw::Column::AnnouncementId.is_not_null())
        .into_query()
}

/// Stores an announcement with its frozen snapshot.
pub async fn insert_announcement<C: ConnectionTrait>(
    db: &C,
    new: NewAnnouncement,
    snapshot: PopulationSnapshot,
) -> AppResult<draw_announcement::Model> {
    Ok(draw_announcement::ActiveModel {
        plan_id: Set(new.plan_id),
        seed_rule: Set(new.seed_rule),
        params: Set(new.params),
        population_size: Set(new.population_size),
        population_sha256: Set(snapshot.sha256),
        population_snapshot: Set(snapshot.compressed),
        actor_user_id: Set(new.actor_user_id),
        announced_at: Set(new.announced_at),
        withdrawn_at: Set(None),
        withdraw_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The plan's announcement waiting for its draw (neither drawn nor withdrawn),
/// snapshot included; its row is locked until the transaction ends on PostgreSQL,
/// so that a withdrawal and a draw cannot both take it.
pub async fn pending_announcement<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
) -> AppResult<Option<draw_announcement::Model>> {
    Ok(draw_announcement::Entity::find()
        .filter(draw_announcement::Column::PlanId.eq(plan_id))
        .filter(draw_announcement::Column::WithdrawnAt.is_null())
        .filter(draw_announcement::Column::Id.not_in_subquery(drawn_ids()))
        .order_by_desc(draw_announcement::Column::Id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// An announcement without its snapshot.
pub async fn find_announcement<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<AnnouncementRow>> {
    Ok(rows()
        .filter(draw_announcement::Column::Id.eq(id))
        .into_model::<AnnouncementRow>()
        .one(db)
        .await?)
}

/// The population hash an announcement committed to.
pub async fn announcement_sha256<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<String>> {
    Ok(draw_announcement::Entity::find()
        .select_only()
        .column(draw_announcement::Column::PopulationSha256)
        .filter(draw_announcement::Column::Id.eq(id))
        .into_tuple()
        .one(db)
        .await?)
}

/// A plan's announcements, newest first.
pub async fn plan_announcements<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
) -> AppResult<Vec<AnnouncementRow>> {
    Ok(rows()
        .filter(draw_announcement::Column::PlanId.eq(plan_id))
        .order_by_desc(draw_announcement::Column::Id)
        .into_model::<AnnouncementRow>()
        .all(db)
        .await?)
}

/// One page of every plan's announcements, newest first.
pub async fn all_announcements<C: ConnectionTrait>(
    db: &C,
    page: Page,
) -> AppResult<Paged<AnnouncementRow>> {
    let total = draw_announcement::Entity::find().count(db).await?;
    let items = rows()
        .order_by_desc(draw_announcement::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .into_model::<AnnouncementRow>()
        .all(db)
        .await?;
    Ok(Paged::new(items, total, page))
}

/// The names of these plans, by id.
pub async fn plan_names<C: ConnectionTrait>(
    db: &C,
    plan_ids: Vec<i64>,
) -> AppResult<Vec<(i64, String)>> {
    Ok(check_plan::Entity::find()
        .select_only()
        .columns([check_plan::Column::Id, check_plan::Column::Name])
        .filter(check_plan::Column::Id.is_in(plan_ids))
        .into_tuple()
        .all(db)
        .await?)
}

/// The draws that used these announcements.
pub async fn announced_draws<C: ConnectionTrait>(
    db: &C,
    announcement_ids: Vec<i64>,
) -> AppResult<Vec<DrawBrief>> {
    Ok(super::briefs()
        .filter(draw::Column::AnnouncementId.is_in(announcement_ids))
        .into_model::<DrawBrief>()
        .all(db)
        .await?)
}

/// Withdraws an announcement that is neither drawn nor withdrawn; whether it was.
pub async fn withdraw_announcement<C: ConnectionTrait>(
    db: &C,
    id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let done = draw_announcement::Entity::update_many()
        .col_expr(draw_announcement::Column::WithdrawnAt, Expr::value(at))
        .col_expr(
            draw_announcement::Column::WithdrawReason,
            Expr::value(reason.to_owned()),
        )
        .filter(draw_announcement::Column::Id.eq(id))
        .filter(draw_announcement::Column::WithdrawnAt.is_null())
        .filter(draw_announcement::Column::Id.not_in_subquery(drawn_ids()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Locks an announcement's row until the transaction ends (PostgreSQL); whether it exists.
pub async fn lock_announcement<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<bool> {
    let found: Option<i64> = draw_announcement::Entity::find()
        .select_only()
        .column(draw_announcement::Column::Id)
        .filter(draw_announcement::Column::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Locks a plan's row until the transaction ends (PostgreSQL), so that two
/// announcements of one plan queue.
pub async fn lock_plan<C: ConnectionTrait>(db: &C, plan_id: i64) -> AppResult<()> {
    let _: Option<i64> = check_plan::Entity::find()
        .select_only()
        .column(check_plan::Column::Id)
        .filter(check_plan::Column::Id.eq(plan_id))
        .lock_exclusive()
        .into_tuple()
        .one(db)
        .await?;
    Ok(())
}

/// The draw that used an announcement, if any.
pub async fn draw_of_announcement<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<i64>> {
    Ok(draw::Entity::find()
        .select_only()
        .column(draw::Column::Id)
        .filter(draw::Column::AnnouncementId.eq(id))
        .into_tuple()
        .one(db)
        .await?)
}
