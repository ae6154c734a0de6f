//! Compliance scores per department and enterprise and period: their
//! recomputation, the nightly job's body, and the list leadership reads.
//!
//! A recomputation is one transaction: a handful of aggregate statements over
//! the period ([`sums`]), the parts, overall, grade and rank computed in memory
//! by the pure rules of [`crate::domain::scoring`] ([`rows`]), the rows
//! compared with the stored ones and only those that changed written, the new
//! accountability items inserted, the period's computation recorded (when, by
//! whom, how), and one audit entry. Running it again on the same data writes
//! no score and raises no item.

mod list;
pub mod model;
pub mod rows;
pub mod store;
mod sums;
mod timer;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SubsecRound as _, Utc};
use entities::{AccountabilityReason, ComputeTrigger, Role, SubjectKind};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

pub use self::{
    list::{computation, list},
    model::{
        Computation, ScoreFilter, ScoreList, ScoreRow, ScoreView, ScoringRules, SubjectKey,
        SubjectSums,
    },
    rows::{Rows, build_rows},
};
use self::{
    store::{computation::Done, read, read_apart, rows::StoredScore},
    sums::Gathered,
    timer::StepTimer,
};
use super::{
    Actor,
    accountability::{self, ItemKey, NewItem, missed_duties},
    audit::{self, Entry},
};
use crate::{
    config::Policy,
    domain::{Period, scoring::nightly_periods},
    error::{AppError, AppResult},
};

/// Reasons whose items a recomputation finds by queries that leave out what is
/// already raised (overdue tasks and hazards, failing grades), or never raises
/// (publication overdue, a job of its own). Only the stored items of the other
/// reasons, worked out in memory from incidents and self-assessments, are read
/// to compare with.
const NOT_COMPARED: [AccountabilityReason; 4] = [
    AccountabilityReason::GradeFail,
    AccountabilityReason::TaskOverdue,
    AccountabilityReason::HazardOverdue,
    AccountabilityReason::PublicationOverdue,
];

/// What a recomputation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The period, in canonical form.
    pub period: String,
    /// Department rows computed.
    pub departments: u64,
    /// Enterprise rows computed.
    pub enterprises: u64,
    /// Rows whose values changed and were written.
    pub changed: u64,
    /// New accountability items by reason.
    pub raised: BTreeMap<String, u64>,
    /// The time stamped on the rows that changed.
    pub computed_at: DateTime<Utc>,
}

/// Recomputes a period on behalf of a caller: national admins and supervisors,
/// since a recomputation rewrites every subject's row and rank.
///
/// # Errors
/// 403 for other callers; 400 for a malformed period; when the database fails.
#[tracing::instrument(skip_all, fields(period = %period))]
pub async fn recompute(
    db: &DatabaseConnection,
    actor: &Actor,
    period: &str,
    policy: &Policy,
) -> AppResult<Summary> {
    actor.require(&[Role::Admin, Role::Supervisor], "recompute scores")?;
    if actor.scope_prefix().is_some() {
        return Err(AppError::Forbidden(
            "scores are recomputed nationally; ask a national supervisor"
                .to_owned()
                .into(),
        ));
    }
    let period = Period::parse(period).map_err(|e| AppError::BadRequest(e.to_string().into()))?;
    let rules = ScoringRules::of(policy);
    recompute_period(
        db,
        actor,
        &period,
        &rules,
        Utc::now(),
        ComputeTrigger::Request,
    )
    .await
}

/// Recomputes one period as of `now`, and records when, by whom and how: the
/// body of the API call, `spotcheck score` and the nightly job. Idempotent.
///
/// # Errors
/// When the database fails.
pub async fn recompute_period(
    db: &DatabaseConnection,
    actor: &Actor,
    period: &Period,
    rules: &ScoringRules,
    now: DateTime<Utc>,
    trigger: ComputeTrigger,
) -> AppResult<Summary> {
    let now = now.trunc_subsecs(6);
    let mut timer = StepTimer::start();
    let txn = store::begin_recompute(db).await?;
    let read = read_period(db, period, rules, now).await?;
    timer.done("read");
    let Rows { rows, inflated } = build_rows(read.gathered.sums, rules, period);
    let mut items = read.gathered.reporting_items;
    items.extend(inflated);
    timer.done("rows");
    let written = store::rows::write(&txn, period, &rows, read.stored_scores, now).await?;
    timer.done("write");
    if written > 0 {
        items.extend(missed_duties::failed_grades(&txn, period, now).await?);
    }
    items.extend(read.overdue_tasks);
    items.extend(read.overdue_hazards);
    timer.done("sweep");
    let raised = accountability::raise(&txn, items, &read.stored_items, now).await?;
    timer.done("raise");
    store::refresh_statistics(&txn, written, raised.values().sum()).await?;
    let count = |kind| rows.iter().filter(|r| r.subject.kind == kind).count() as u64;
    let summary = Summary {
        period: period.to_string(),
        departments: count(SubjectKind::Department),
        enterprises: count(SubjectKind::Enterprise),
        changed: written,
        raised,
        computed_at: now,
    };
    let done = Done {
        departments: summary.departments,
        enterprises: summary.enterprises,
        changed: summary.changed,
    };
    store::computation::record(&txn, &summary.period, actor, trigger, done, now).await?;
    audit_recompute(&txn, actor, &summary).await?;
    txn.commit().await?;
    timer.done("commit");
    tracing::info!(
        period = %summary.period,
        departments = summary.departments,
        enterprises = summary.enterprises,
        steps = %timer,
        "scores recomputed"
    );
    Ok(summary)
}

/// Everything a recomputation reads.
struct PeriodReads {
    /// Each subject's sums, and the reporting duties missed.
    gathered: Gathered,
    /// The period's rows as stored.
    stored_scores: HashMap<SubjectKey, StoredScore>,
    overdue_tasks: Vec<NewItem>,
    overdue_hazards: Vec<NewItem>,
    /// The keys of the items already raised that the new ones are compared with.
    stored_items: HashSet<ItemKey>,
}

/// Reads everything at once on pooled connections while the recomputation's
/// transaction holds the lock: no other recomputation writes meanwhile, and on
/// SQLite no other writer at all.
async fn read_period(
    db: &DatabaseConnection,
    period: &Period,
    rules: &ScoringRules,
    now: DateTime<Utc>,
) -> AppResult<PeriodReads> {
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let compared: Vec<AccountabilityReason> = AccountabilityReason::ALL
        .iter()
        .copied()
        .filter(|r| !NOT_COMPARED.contains(r))
        .collect();
    let period = *period;
    let (gathered, stored_scores, overdue_tasks, overdue_hazards, stored_items) = tokio::try_join!(
        sums::gather(db, &period, rules, now),
        read_apart(db, move |db| async move {
            read(&db, async |t| store::rows::stored(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                missed_duties::overdue_tasks(t, &period, now).await
            })
            .await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                missed_duties::overdue_hazards(t, &period, now).await
            })
            .await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                accountability::stored_keys(t, &periods, &compared).await
            })
            .await
        }),
    )?;
    Ok(PeriodReads {
        gathered,
        stored_scores,
        overdue_tasks,
        overdue_hazards,
        stored_items,
    })
}

/// The recomputation's audit entry, in its transaction.
async fn audit_recompute(
    txn: &DatabaseTransaction,
    actor: &Actor,
    summary: &Summary,
) -> AppResult<()> {
    audit::append(
        txn,
        actor,
        Entry::ok("score.recompute", "score", &summary.period).with_detail(serde_json::json!({
            "departments": summary.departments, "enterprises": summary.enterprises,
            "changed": summary.changed, "raised": summary.raised,
        })),
    )
    .await?;
    Ok(())
}

/// The nightly recomputation: the periods of [`nightly_periods`], each in a
/// transaction of its own.
///
/// # Errors
/// When the database fails.
pub async fn nightly(
    db: &DatabaseConnection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> AppResult<Vec<Summary>> {
    let rules = ScoringRules::of(policy);
    let mut done = Vec::new();
    for period in nightly_periods(now) {
        let actor = Actor::system();
        let trigger = ComputeTrigger::Schedule;
        done.push(recompute_period(db, &actor, &period, &rules, now, trigger).await?);
    }
    Ok(done)
}
