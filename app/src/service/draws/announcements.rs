//! Announcing a plan's next draw before its seed can be known (commit before
//! reveal, 事先公告).
//!
//! An announcement freezes the population snapshot and the parameters now and
//! publishes the snapshot's SHA-256 with the rule for the public text that will
//! seed the draw (a lottery result on a stated date, say). The plan's next draw
//! then uses exactly that snapshot and those parameters, with a seed from
//! public text, so that nobody can choose the population once the seed is
//! known. The public results list every announcement and its draw.

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use entities::{DrawTrigger, draw_announcement};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    READERS, RUNNERS, ensure_drawable, finished, make_snapshot,
    model::{
        AnnouncementRow, AnnouncementStatus, AnnouncementView, DrawBrief, DrawInputs,
        PopulationSnapshot,
    },
    params_of, population, store, stored_params, supersedable,
};
use crate::{
    db,
    domain::draw::{
        Params, Population,
        request::{MAX_TEXT_CHARS, SeedChoice, SeedRequest},
        snapshot,
    },
    error::{AppError, AppResult},
    service::{
        Actor, Page, Paged,
        audit::{self, Entry},
        plans::{self, spec_of},
        validate::Problems,
    },
};

/// What an announcement says about the draw to come.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementRequest {
    /// What public text will seed the draw, and when and where it becomes known.
    pub seed_rule: String,
}

/// Announces a plan's next draw: freezes its population and parameters now
/// and publishes their hash with the rule for the seed.
///
/// # Errors
/// 403/404 as for a draw; 409 for a plan that cannot be drawn, whose current
/// draw cannot be superseded, or that has announced a draw not yet made;
/// 422 for an empty or overlong seed rule or unusable plan parameters.
#[tracing::instrument(skip_all, fields(plan.id = plan_id))]
pub async fn announce(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: i64,
    request: AnnouncementRequest,
) -> AppResult<AnnouncementView> {
    actor.require(RUNNERS, "announce draws")?;
    let plan = plans::get(db, actor, plan_id).await?;
    let spec = spec_of(&plan);
    ensure_drawable(plan_id, &spec, DrawTrigger::Manual)?;
    let mut problems = Problems::new();
    let seed_rule = problems.text("seed_rule", &request.seed_rule, MAX_TEXT_CHARS);
    problems.finish()?;
    let params = params_of(&spec);
    params
        .check()
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    let txn = db::begin_write(db).await?;
    store::tune(&txn).await?;
    store::lock_plan(&txn, plan_id).await?;
    if let Some(pending) = store::pending_announcement(&txn, plan_id).await? {
        return Err(AppError::Conflict(format!(
            "plan {plan_id} has announced its next draw already (announcement {}); draw it or withdraw it first",
            pending.id
        ).into()));
    }
    // The population as the draw would read it now: a round still open will
    // be superseded by it, and its tasks count neither for cooldown nor as
    // previous checks.
    let superseding = match store::current_draw(&txn, plan_id).await? {
        Some(current) => {
            let statuses = store::task_statuses(&txn, current.id).await?;
            supersedable(current, &statuses)?.map(|d| d.id)
        }
        None => None,
    };
    let now = Utc::now();
    let population = population::read(&txn, db, &plan, &spec, superseding, now).await?;
    let population_size = i32::try_from(population.targets.len()).unwrap_or(i32::MAX);
    let snapshot = finished(make_snapshot(Arc::new(population))).await?;
    let new = store::NewAnnouncement {
        plan_id,
        seed_rule,
        params: stored_params(&params, &spec),
        population_size,
        actor_user_id: actor.user_id,
        announced_at: now,
    };
    let stored = store::insert_announcement(&txn, new, snapshot).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("draw.announce", "draw_announcement", stored.id).with_detail(serde_json::json!({
            "plan_id": plan_id,
            "seed_rule": stored.seed_rule,
            "population_size": stored.population_size,
            "population_sha256": stored.population_sha256,
            "supersedes": superseding,
        })),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        announcement.id = stored.id,
        population = stored.population_size,
        "draw announced"
    );
    Ok(AnnouncementView {
        announcement: row_of(stored),
        plan_name: plan.name,
        status: AnnouncementStatus::Pending,
        draw: None,
    })
}

fn row_of(stored: draw_announcement::Model) -> AnnouncementRow {
    AnnouncementRow {
        id: stored.id,
        plan_id: stored.plan_id,
        seed_rule: stored.seed_rule,
        population_size: stored.population_size,
        population_sha256: stored.population_sha256,
        actor_user_id: stored.actor_user_id,
        announced_at: stored.announced_at,
        withdrawn_at: stored.withdrawn_at,
        withdraw_reason: stored.withdraw_reason,
    }
}

/// Refuses a draw request that an announcement does not allow: the announced
/// draw is made by hand, seeded from public text.
///
/// # Errors
/// 409 for a scheduled draw; 422 for a random or given seed.
pub(super) fn require_announced_seed(
    announcement: &draw_announcement::Model,
    request: &SeedRequest,
    trigger: DrawTrigger,
) -> AppResult<()> {
    let (plan, id) = (announcement.plan_id, announcement.id);
    if trigger == DrawTrigger::Cron {
        return Err(AppError::Conflict(format!(
            "plan {plan} has announced its next draw (announcement {id}): it is drawn by hand with the public text its seed rule names, not on schedule"
        ).into()));
    }
    let field = match request.seed {
        SeedChoice::PublicText(_) => return Ok(()),
        SeedChoice::Given(_) => "seed",
        SeedChoice::Random => "seed_text",
    };
    Err(AppError::invalid(
        field,
        format!(
            "plan {plan} has announced its next draw (announcement {id}); give as seed_text the public text its seed rule names: {}",
            announcement.seed_rule
        ),
    ))
}

/// The draw inputs an announcement froze: its snapshot, checked against its
/// published hash, and its parameters.
///
/// # Errors
/// 500 when the stored announcement is damaged.
pub(super) async fn frozen_inputs(announcement: draw_announcement::Model) -> AppResult<DrawInputs> {
    let id = announcement.id;
    let damaged = move |e: String| {
        AppError::Internal(anyhow::anyhow!("announcement {id} cannot be drawn: {e}"))
    };
    let params: Params = serde_json::from_value(announcement.params.clone())
        .map_err(|e| damaged(format!("its parameters are unreadable: {e}")))?;
    let compressed = announcement.population_snapshot;
    let sha256 = announcement.population_sha256;
    let (population, compressed) = {
        let published = sha256.clone();
        tokio::task::spawn_blocking(move || -> Result<(Population, Vec<u8>), String> {
            let bytes =
                snapshot::decompress(&compressed, snapshot::MAX_LEN).map_err(|e| e.to_string())?;
            if snapshot::sha256_hex(&bytes) != published {
                return Err("its snapshot does not hash to its published SHA-256".to_owned());
            }
            let population = snapshot::decode(&bytes).map_err(|e| e.to_string())?;
            Ok((population, compressed))
        })
        .await
        .map_err(|e| damaged(e.to_string()))?
        .map_err(damaged)?
    };
    Ok(DrawInputs {
        population: Arc::new(population),
        params,
        stored_params: announcement.params,
        frozen: Some(PopulationSnapshot {
            sha256,
            compressed,
            made_in_ms: 0.0,
        }),
        announcement_id: Some(id),
    })
}

/// The announcements of these rows, with their plans' names and their draws.
async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<AnnouncementRow>,
) -> AppResult<Vec<AnnouncementView>> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let mut plan_ids: Vec<i64> = rows.iter().map(|a| a.plan_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let names: HashMap<i64, String> = store::plan_names(db, plan_ids).await?.into_iter().collect();
    let mut draws: HashMap<i64, DrawBrief> = store::announced_draws(db, ids)
        .await?
        .into_iter()
        .filter_map(|d| Some((d.announcement_id?, d)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|announcement| {
            let draw = draws.remove(&announcement.id);
            let status = match (&draw, announcement.withdrawn_at) {
                (Some(_), _) => AnnouncementStatus::Drawn,
                (None, Some(_)) => AnnouncementStatus::Withdrawn,
                (None, None) => AnnouncementStatus::Pending,
            };
            AnnouncementView {
                plan_name: names
                    .get(&announcement.plan_id)
                    .cloned()
                    .unwrap_or_default(),
                announcement,
                status,
                draw,
            }
        })
        .collect())
}

/// A plan's announcements, newest first.
///
/// # Errors
/// 403 for roles without access to draws, 404 when the plan is out of scope.
pub async fn plan_announcements<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan_id: i64,
) -> AppResult<Vec<AnnouncementView>> {
    actor.require(READERS, "read draws")?;
    plans::get(db, actor, plan_id).await?;
    views(db, store::plan_announcements(db, plan_id).await?).await
}

/// One announcement the caller may see: its plan must be in their scope.
///
/// # Errors
/// 403 for roles without access to draws, 404 when out of scope.
pub async fn announcement<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<AnnouncementView> {
    actor.require(READERS, "read draws")?;
    let not_found = || AppError::NotFound(format!("announcement {id}").into());
    let row = store::find_announcement(db, id)
        .await?
        .ok_or_else(not_found)?;
    plans::get(db, actor, row.plan_id)
        .await
        .map_err(|e| e.hidden_as(not_found))?;
    let mut found = views(db, vec![row]).await?;
    found.pop().ok_or_else(not_found)
}

/// Every announcement, newest first, for the public results (no login): the
/// population hash each committed to, and the draw that used it.
///
/// # Errors
/// When the database fails.
pub async fn public_announcements<C: ConnectionTrait>(
    db: &C,
    page: Page,
) -> AppResult<Paged<AnnouncementView>> {
    let paged = store::all_announcements(db, page).await?;
    let items = views(db, paged.items).await?;
    Ok(Paged::new(items, paged.total, paged.page))
}

/// Withdraws an announcement whose draw was not made, saying why; it stays
/// listed, withdrawn, and the plan may announce again.
///
/// # Errors
/// 403/404 as for [`announcement`] (and only runners of draws withdraw);
/// 409 once drawn or withdrawn; 422 without a reason.
#[tracing::instrument(skip_all, fields(announcement.id = id))]
pub async fn withdraw(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> AppResult<AnnouncementView> {
    actor.require(RUNNERS, "withdraw announcements")?;
    announcement(db, actor, id).await?;
    let mut problems = Problems::new();
    let reason = problems.text("reason", reason, MAX_TEXT_CHARS);
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    // Locked first, so that a draw taking the announcement meanwhile is seen.
    store::lock_announcement(&txn, id).await?;
    if let Some(draw_id) = store::draw_of_announcement(&txn, id).await? {
        return Err(AppError::Conflict(
            format!("announcement {id} was drawn (draw {draw_id}) and cannot be withdrawn").into(),
        ));
    }
    if !store::withdraw_announcement(&txn, id, &reason, Utc::now()).await? {
        return Err(AppError::Conflict(
            format!("announcement {id} is withdrawn already").into(),
        ));
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("draw.withdraw_announcement", "draw_announcement", id)
            .with_detail(serde_json::json!({"reason": reason})),
    )
    .await?;
    txn.commit().await?;
    announcement(db, actor, id).await
}
