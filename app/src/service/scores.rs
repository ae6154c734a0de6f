//! Compliance scores per department and enterprise and period: their
//! recomputation, and the nightly job's body.
//!
//! A recomputation is one transaction: a handful of aggregate statements over
//! the period ([`super::duties`], [`super::score_parts`]), the parts, overall,
//! grade and rank computed in memory by the pure rules of
//! [`crate::domain::scoring`] ([`super::score_rows`]), the rows compared with the
//! stored ones and only those that changed written, the new accountability items
//! inserted, and one audit entry. Running it again on the same data writes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use entities::{AccountabilityReason, Role, SubjectKind};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait as _,
};

use super::{
    Actor, accountability,
    audit::{self, Entry},
    duties, score_rows,
};
pub use super::{
    score_list::{ScoreFilter, ScoreView, list},
    score_rows::{Acc, Key, Row, accountable, build_rows, level_of},
};
use crate::{
    config::Policy,
    db,
    domain::{Period, reporting::Deadlines, scoring::Weights},
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

/// The advisory-lock key that serialises recomputations on PostgreSQL.
const RECOMPUTE_LOCK: i64 = 0x5350_4f54_5343_4f52; // "SPOTSCOR"
/// The policy numbers a recomputation uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Weights of the overall score.
    pub weights: Weights,
    /// Self-assessment points above the check that count as inflated.
    pub inflation_threshold: f64,
    /// Incident report deadlines.
    pub deadlines: Deadlines,
}

impl Rules {
    /// The rules of a policy.
    #[must_use]
    pub fn of(policy: &Policy) -> Self {
        Self {
            weights: policy.scoring.weights(),
            inflation_threshold: policy.scoring.inflation_threshold,
            deadlines: policy.reporting.deadlines(),
        }
    }
}

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
            "scores are recomputed nationally; ask a national supervisor".to_owned(),
        ));
    }
    let period = Period::parse(period).map_err(|e| AppError::BadRequest(e.to_string()))?;
    recompute_period(db, actor, &period, &Rules::of(policy), Utc::now()).await
}

/// Recomputes one period as of `now`: the body of `spotcheck score` and the
/// nightly job. Idempotent.
///
/// # Errors
/// When the database fails.
pub async fn recompute_period(
    db: &DatabaseConnection,
    actor: &Actor,
    period: &Period,
    rules: &Rules,
    now: DateTime<Utc>,
) -> AppResult<Summary> {
    let now = now.trunc_subsecs(6);
    let mut laps = Laps::start();
    let txn = db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [RECOMPUTE_LOCK.into()],
        ))
        .await?;
        db::tune_bulk(&txn).await?;
    }
    // Everything to read runs at once on pooled connections while this
    // transaction holds the lock: no other recomputation writes meanwhile, and on
    // SQLite no other writer at all.
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
    let ((sums, mut items), stored, tasks, hazards, stored_items) = tokio::try_join!(
        duties::gather(db, &period, rules, now),
        read_apart(db, move |db| async move {
            read(&db, async |t| score_rows::stored(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| duties::overdue_tasks(t, &period, now).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                duties::overdue_hazards(t, &period, now).await
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
    let period = &period;
    laps.mark("read");
    let (rows, inflated) = build_rows(sums, rules, period);
    items.extend(inflated);
    laps.mark("rows");
    let written = score_rows::write(&txn, period, &rows, stored, now).await?;
    laps.mark("write");
    if written > 0 {
        items.extend(score_rows::failing(&txn, period, now).await?);
    }
    items.extend(tasks);
    items.extend(hazards);
    laps.mark("sweep");
    let raised = accountability::raise(&txn, items, &stored_items, now).await?;
    laps.mark("raise");
    refresh_statistics(&txn, written, raised.values().sum()).await?;
    let count = |kind| rows.iter().filter(|r| r.key.0 == kind).count() as u64;
    let summary = Summary {
        period: period.to_string(),
        departments: count(SubjectKind::Department),
        enterprises: count(SubjectKind::Enterprise),
        changed: written,
        raised,
        computed_at: now,
    };
    audit::append(
        &txn,
        actor,
        Entry::ok("score.recompute", "score", &summary.period).with_detail(serde_json::json!({
            "departments": summary.departments, "enterprises": summary.enterprises,
            "changed": summary.changed, "raised": summary.raised,
        })),
    )
    .await?;
    txn.commit().await?;
    laps.mark("commit");
    tracing::info!(
        period = %summary.period,
        departments = summary.departments,
        enterprises = summary.enterprises,
        steps = %laps,
        "scores recomputed"
    );
    Ok(summary)
}

/// Runs `query` in a read-only transaction of its own on a pooled connection,
/// with the settings large aggregates want on PostgreSQL.
///
/// # Errors
/// When the database fails.
pub(crate) async fn read<T>(
    db: &DatabaseConnection,
    query: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<T>,
) -> AppResult<T> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        db::tune_bulk(&txn).await?;
    }
    let out = query(&txn).await?;
    txn.commit().await?;
    Ok(out)
}

/// A recomputation read in a task of its own ([`super::in_own_task`]), on a
/// handle of its own to the pool.
///
/// # Errors
/// When the read fails or its task panics.
pub(crate) async fn read_apart<T, Fut>(
    db: &DatabaseConnection,
    read: impl FnOnce(DatabaseConnection) -> Fut,
) -> AppResult<T>
where
    T: Send + 'static,
    Fut: Future<Output = AppResult<T>> + Send + 'static,
{
    super::in_own_task("a recomputation read", read(db.clone())).await
}

/// How long each step of a recomputation took, for the log.
pub(crate) struct Laps {
    last: std::time::Instant,
    steps: Vec<(&'static str, u128)>,
}

impl Laps {
    pub(crate) fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    pub(crate) fn mark(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.steps.push((step, (now - self.last).as_millis()));
        self.last = now;
    }
}

impl std::fmt::Display for Laps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, (step, ms)) in self.steps.iter().enumerate() {
            let sep = if n == 0 { "" } else { ", " };
            write!(f, "{sep}{step} {ms} ms")?;
        }
        Ok(())
    }
}

/// Rows written at once beyond which PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: u64 = 10_000;

/// Refreshes PostgreSQL's statistics on the tables a recomputation has just
/// filled: planned on an empty table's statistics, the next recomputation's
/// anti-joins would compare every row with every row. (SQLite plans by its
/// indexes and needs nothing.)
async fn refresh_statistics<C: ConnectionTrait>(db: &C, scores: u64, items: u64) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    if scores > ANALYZE_AFTER {
        db.execute_unprepared("ANALYZE score").await?;
    }
    if items > ANALYZE_AFTER {
        db.execute_unprepared("ANALYZE accountability_item").await?;
    }
    Ok(())
}

/// The periods the nightly job recomputes: the month, quarter and year of
/// yesterday (China time), and of today when it begins a new month.
#[must_use]
pub fn nightly_periods(now: DateTime<Utc>) -> Vec<Period> {
    let today = crate::domain::workdays::china_date(now);
    let mut periods = Vec::new();
    for day in [today - Duration::days(1), today] {
        let month = Period::month_of_date(day);
        let Period::Month(year, m) = month else {
            continue;
        };
        for period in [
            month,
            Period::Quarter(year, m.div_ceil(3)),
            Period::Year(year),
        ] {
            if !periods.contains(&period) {
                periods.push(period);
            }
        }
    }
    periods
}

/// The nightly job's body: recomputes [`nightly_periods`], then raises
/// `publication_overdue` items (which has its own transaction).
///
/// # Errors
/// When the database fails.
pub async fn nightly(
    db: &DatabaseConnection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> AppResult<Vec<Summary>> {
    let rules = Rules::of(policy);
    let mut done = Vec::new();
    for period in nightly_periods(now) {
        done.push(recompute_period(db, &Actor::system(), &period, &rules, now).await?);
    }
    super::tasks::raise_publication_overdue(db, now, policy.scoring.publication_working_days)
        .await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nightly_job_covers_yesterday_and_a_new_month() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        // 02:00 on 15 November China time: yesterday is in the same month.
        assert_eq!(
            nightly_periods(at("2026-11-14T18:00:00Z")),
            vec![
                Period::Month(2026, 11),
                Period::Quarter(2026, 4),
                Period::Year(2026)
            ]
        );
        // 02:00 on 1 January China time: last year's December, Q4 and year, and the new ones.
        assert_eq!(
            nightly_periods(at("2026-12-31T18:00:00Z")),
            vec![
                Period::Month(2026, 12),
                Period::Quarter(2026, 4),
                Period::Year(2026),
                Period::Month(2027, 1),
                Period::Quarter(2027, 1),
                Period::Year(2027)
            ]
        );
    }
}
