//! Hidden hazards (隐患排查治理清单) as a list people work from, and their
//! rectification (整改): the enterprise's department reports a hazard
//! rectified, and a supervisor or the inspectors of the check that found it
//! verify it (销号) or send it back.
//!
//! The rule of a step is here: load the hazard the caller may act on, ask
//! [`crate::domain::hazard_state`] where the step leads, check what the step
//! records, store the hazard and its history and audit it, in one transaction.
//! An open hazard past its deadline is shown `overdue`; the nightly score
//! recomputation raises `hazard_overdue` for the major ones
//! ([`crate::service::accountability::missed_duties`]).

mod model;
mod store;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entities::{HazardStatus, HazardStep, enterprise, hazard_item};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::model::StepRecord;
pub use self::model::{HazardDetail, HazardFilter, HazardView, StepInput, StepView};
use crate::{
    db,
    domain::{
        RegionCode,
        hazard_state::{self, Access, Caller, shown_status, step_zh},
        workdays::china_date,
    },
    error::{AppError, AppResult},
    msg,
    service::{
        Actor, Page, Paged,
        audit::{self, Entry},
        store_util::enterprises_by_id,
        validate::{Problems, region_filter},
    },
};

/// The longest note a step takes, in characters.
const NOTE_CHARS: usize = 2_000;

fn not_found(id: i64) -> AppError {
    AppError::NotFound(msg!("隐患{id}", "hazard {id}"))
}

/// The status a hazard is shown with today: `withdrawn`, `overdue` or the stored one.
fn shown(hazard: &hazard_item::Model, today: NaiveDate) -> HazardStatus {
    shown_status(
        hazard.status,
        hazard.rectify_by,
        hazard.withdrawn_at.is_some(),
        today,
    )
}

fn view(hazard: hazard_item::Model, enterprise: enterprise::Model, today: NaiveDate) -> HazardView {
    HazardView {
        status: shown(&hazard, today),
        hazard,
        enterprise,
    }
}

/// Lists the hazards the caller sees: of enterprises in their jurisdiction,
/// and those found by checks they inspected; the nearest deadline first.
///
/// # Errors
/// 400 for a malformed `region_code` or a due window that ends before it begins.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &HazardFilter,
    page: Page,
) -> AppResult<Paged<HazardView>> {
    let region = region_filter(filter.region_code.as_deref())?;
    if let (Some(from), Some(to)) = (filter.due_from, filter.due_to)
        && to < from
    {
        return Err(AppError::BadRequest(msg!(
            "整改期限区间 {from} 至 {to} 的终点早于起点",
            "the due window {from} to {to} ends before it begins"
        )));
    }
    let today = china_date(Utc::now());
    let prefix = region.as_ref().map(RegionCode::prefix);
    let paged = store::visible_hazards(db, actor, filter, prefix, today, page).await?;
    let ids = paged.items.iter().map(|h| h.enterprise_id).collect();
    let enterprises = enterprises_by_id(db, ids).await?;
    // A hazard's enterprise always exists: the foreign key keeps it.
    let items = paged
        .items
        .into_iter()
        .filter_map(|h| {
            let enterprise = enterprises.get(&h.enterprise_id).cloned()?;
            Some(view(h, enterprise, today))
        })
        .collect();
    Ok(Paged::new(items, paged.total, paged.page))
}

/// A hazard the caller sees, its enterprise, and what the caller is to it.
async fn reach<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<(hazard_item::Model, enterprise::Model, Caller)> {
    let hazard = store::hazard(db, id).await?.ok_or_else(|| not_found(id))?;
    let enterprise = enterprises_by_id(db, vec![hazard.enterprise_id])
        .await?
        .remove(&hazard.enterprise_id)
        .ok_or_else(|| not_found(id))?;
    let on_task = match (actor.user_id, hazard.task_id) {
        (Some(user_id), Some(task_id)) => store::inspects_task(db, user_id, task_id).await?,
        _ => false,
    };
    let caller = Caller {
        role: actor.role,
        covers: actor.covers(&enterprise.region_code),
        on_task,
    };
    if caller.sees() {
        Ok((hazard, enterprise, caller))
    } else {
        Err(not_found(id))
    }
}

/// One hazard the caller sees, with its rectification history.
///
/// # Errors
/// 404 when it does not exist or the caller may not see it.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<HazardDetail> {
    let (hazard, enterprise, _) = reach(db, actor, id).await?;
    detail(db, hazard, enterprise).await
}

async fn detail<C: ConnectionTrait>(
    db: &C,
    hazard: hazard_item::Model,
    enterprise: enterprise::Model,
) -> AppResult<HazardDetail> {
    let history = store::steps(db, hazard.id)
        .await?
        .into_iter()
        .map(|(step, username)| StepView { step, username })
        .collect();
    Ok(HazardDetail {
        view: view(hazard, enterprise, china_date(Utc::now())),
        history,
    })
}

/// Checks what a step records: a rectification needs a note and a day
/// between the day found and today; sending back needs a note saying why.
fn checked(
    step: HazardStep,
    input: StepInput,
    hazard: &hazard_item::Model,
    today: NaiveDate,
) -> AppResult<(Option<String>, Option<NaiveDate>)> {
    let mut problems = Problems::new();
    let note = match (step, input.note.as_deref().map(str::trim)) {
        (HazardStep::Verify, None | Some("")) => None,
        (_, note) => Some(problems.text("note", note.unwrap_or_default(), NOTE_CHARS)),
    };
    let rectified_on = match step {
        HazardStep::Rectify => {
            let day = input.rectified_on.unwrap_or(today);
            problems.check(
                day <= today,
                "rectified_on",
                msg!(
                    "整改日期 {day} 不能晚于今天 {today}",
                    "the day rectified, {day}, is after today, {today}"
                ),
            );
            problems.check(
                day >= hazard.found_on,
                "rectified_on",
                msg!(
                    "整改日期 {day} 早于发现日期 {}",
                    "the day rectified, {day}, is before the day found, {}",
                    hazard.found_on
                ),
            );
            Some(day)
        }
        HazardStep::Verify => hazard.rectified_on,
        HazardStep::Reopen => None,
    };
    if step != HazardStep::Rectify && input.rectified_on.is_some() {
        problems.add(
            "rectified_on",
            msg!(
                "只有报告整改时才填写整改日期",
                "a day rectified is given only when reporting the rectification"
            ),
        );
    }
    problems.finish()?;
    Ok((note, rectified_on))
}

/// Takes one rectification step on a hazard: `rectify` (the enterprise's
/// department), `verify` (销号) or `reopen` (a supervisor in scope or the
/// check's inspectors).
///
/// # Errors
/// 404 when the caller may not see the hazard; 403 when they may see it but
/// not take the step; 422 for a missing note or a day rectified in the future
/// or before the hazard was found; 409 when the hazard's status does not allow
/// the step, or its finding was withdrawn.
#[tracing::instrument(skip_all, fields(hazard.id = id, step = %step))]
pub async fn step(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    step: HazardStep,
    input: StepInput,
) -> AppResult<HazardDetail> {
    let (hazard, enterprise, caller) = reach(db, actor, id).await?;
    match hazard_state::access(step, caller) {
        Access::Allowed => {}
        Access::Hidden => return Err(not_found(id)),
        Access::Forbidden => {
            let (role, verb) = (actor.role, step_zh(step));
            return Err(AppError::Forbidden(msg!(
                "角色“{role}”不能对此隐患{verb}",
                "role '{role}' may not {step} this hazard"
            )));
        }
    }
    let now = Utc::now();
    let (note, rectified_on) = checked(step, input, &hazard, china_date(now))?;
    let txn = db::begin_write(db).await?;
    // Re-read under the write lock, so that two steps cannot both pass.
    let hazard = store::lock_hazard(&txn, id).await?.unwrap_or(hazard);
    // A withdrawn hazard is refused by name; an overdue one steps as open.
    let from = shown(&hazard, china_date(now));
    let to = hazard_state::apply(step, from).map_err(AppError::Conflict)?;
    let record = StepRecord {
        hazard_id: id,
        step,
        status: to,
        note,
        rectified_on,
        user_id: actor.user_id,
    };
    let audited = serde_json::json!({
        "from": from, "to": to, "note": record.note, "rectified_on": record.rectified_on,
        "enterprise_id": hazard.enterprise_id,
    });
    store::record_step(&txn, hazard, &record, now).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok(&format!("hazard.{step}"), "hazard_item", id).with_detail(audited),
    )
    .await?;
    txn.commit().await?;
    let (hazard, _, _) = reach(db, &Actor::system(), id).await?;
    detail(db, hazard, enterprise).await
}

/// The hazards each published check found, withdrawn ones left out, shown
/// with their status today: for the public results.
///
/// # Errors
/// When the database fails.
pub async fn found_by_checks<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<HashMap<i64, Vec<(hazard_item::Model, entities::HazardStatus)>>> {
    let today = china_date(Utc::now());
    let mut by_task: HashMap<i64, Vec<_>> = HashMap::new();
    for hazard in store::of_tasks(db, task_ids).await? {
        if let Some(task_id) = hazard.task_id {
            let status = shown(&hazard, today);
            by_task.entry(task_id).or_default().push((hazard, status));
        }
    }
    Ok(by_task)
}
