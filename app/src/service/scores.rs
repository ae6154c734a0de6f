//! Compliance scores per department and enterprise and period, their
//! recomputation, and the score list leadership reads.
//!
//! A recomputation is one transaction: a handful of aggregate queries over the
//! period (see [`super::score_parts`]), the parts, overall, grade and rank
//! computed in memory by the pure rules of [`crate::domain::scoring`], the rows
//! compared with the stored ones and only those that changed written (in
//! batches), the new accountability items inserted, and one audit entry.
//! Running it again on the same data writes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use entities::{
    AccountabilityReason, AccountableKind, EvidenceKind, Grade, RegionLevel, Role, SubjectKind,
    department, enterprise, score,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait as _, OnConflict, Order},
};

use super::{
    Actor, Page, Paged,
    accountability::{self, NewItem},
    audit::{self, Entry},
    duties,
};
use crate::{
    config::Policy,
    db,
    domain::{
        Period, RegionCode,
        region_code::prefix_of,
        reporting::Deadlines,
        scoring::{Parts, Weights, competition_ranks, grade, overall, round2},
    },
    error::{AppError, AppResult},
};

/// The advisory-lock key that serialises recomputations on PostgreSQL.
const RECOMPUTE_LOCK: i64 = 0x5350_4f54_5343_4f52; // "SPOTSCOR"
/// Rows per upsert: 11 values each stays under SQLite's 32,766 variables.
const BATCH: usize = 2_000;

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

/// One subject's sums while the parts are gathered.
#[derive(Debug, Clone, Default)]
pub struct Acc {
    /// The subject's region; `None` for a national department.
    pub region_code: Option<String>,
    /// Σ weighted share and Σ weight from reviewed checks.
    pub checked: Option<(f64, f64)>,
    /// The same from submitted self-assessments, with the latest one's id.
    pub assessed: Option<(f64, f64, i64)>,
    /// Σ check score and count.
    pub inspection: (f64, f64),
    /// Σ incident points and count.
    pub reporting: (f64, f64),
}

/// A subject: kind and id.
pub type Key = (SubjectKind, i64);

/// A score row ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Who.
    pub key: Key,
    /// Where.
    pub region_code: Option<String>,
    /// The parts, rounded.
    pub parts: Parts,
    /// The overall score, rounded.
    pub overall: Option<f64>,
    /// Its grade.
    pub grade: Option<Grade>,
    /// Rank within the same kind and region level.
    pub rank: Option<i32>,
}

/// The level a region code is at; `None` is national.
#[must_use]
pub fn level_of(region_code: Option<&str>) -> Option<RegionLevel> {
    region_code
        .and_then(|c| RegionCode::parse(c).ok())
        .map(|c| c.level())
}

fn percent(sums: Option<(f64, f64)>) -> Option<f64> {
    sums.filter(|(_, w)| *w > 0.0)
        .map(|(total, w)| round2(100.0 * total / w))
}

fn mean(sums: (f64, f64)) -> Option<f64> {
    (sums.1 > 0.0).then(|| round2(sums.0 / sums.1))
}

/// Turns the sums into rows, ranks them, and lists the inflated self-assessments.
#[must_use]
pub fn build_rows(
    sums: HashMap<Key, Acc>,
    rules: &Rules,
    period: &Period,
) -> (Vec<Row>, Vec<NewItem>) {
    let mut rows = Vec::with_capacity(sums.len());
    let mut inflated = Vec::new();
    for (key, acc) in sums {
        let checked = percent(acc.checked);
        let assessed = percent(acc.assessed.map(|(t, w, _)| (t, w)));
        if let (Some(check), Some(own), Some((_, _, evidence))) = (checked, assessed, acc.assessed)
            && own > check + rules.inflation_threshold
        {
            inflated.push(NewItem {
                period: period.to_string(),
                subject_kind: accountable(key.0),
                subject_id: key.1,
                region_code: acc.region_code.clone(),
                reason: AccountabilityReason::SelfAssessmentInflated,
                evidence_kind: EvidenceKind::SelfAssessment,
                evidence_id: evidence,
            });
        }
        let parts = Parts {
            data_security: checked.or(assessed),
            reporting: mean(acc.reporting),
            inspection: mean(acc.inspection),
        };
        let overall = overall(&parts, &rules.weights).map(round2);
        rows.push(Row {
            key,
            region_code: acc.region_code,
            parts,
            overall,
            grade: overall.map(grade),
            rank: None,
        });
    }
    rows.sort_by_key(|r| r.key);
    rank(&mut rows);
    (rows, inflated)
}

/// Ranks rows with an overall score within the same kind and region level.
fn rank(rows: &mut [Row]) {
    let mut groups: HashMap<(SubjectKind, Option<RegionLevel>), Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.overall.is_some() {
            let level = level_of(row.region_code.as_deref());
            groups.entry((row.key.0, level)).or_default().push(i);
        }
    }
    for members in groups.values() {
        let values: Vec<f64> = members
            .iter()
            .map(|&i| rows[i].overall.unwrap_or_default())
            .collect();
        for (&i, r) in members.iter().zip(competition_ranks(&values)) {
            rows[i].rank = Some(r);
        }
    }
}

/// The accountable kind of a score subject.
#[must_use]
pub fn accountable(kind: SubjectKind) -> AccountableKind {
    match kind {
        SubjectKind::Department => AccountableKind::Department,
        SubjectKind::Enterprise => AccountableKind::Enterprise,
    }
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
        // A batch of large aggregates: compiling them (JIT) costs more than it
        // saves, and hashing a national year's groups needs more than the
        // default 4 MB. Both settings end with the transaction.
        txn.execute_unprepared("SET LOCAL jit = off").await?;
        txn.execute_unprepared("SET LOCAL work_mem = '64MB'")
            .await?;
    }
    let (sums, mut items) = duties::gather(&txn, period, rules, now, &mut laps).await?;
    let (rows, inflated) = build_rows(sums, rules, period);
    items.extend(inflated);
    laps.mark("rows");
    let written = write(&txn, period, &rows, now).await?;
    laps.mark("write");
    items.extend(failing(&txn, period, now).await?);
    items.extend(duties::overdue_tasks(&txn, period, now).await?);
    items.extend(duties::overdue_hazards(&txn, period, now).await?);
    laps.mark("sweep");
    let raised = accountability::raise(&txn, items, now).await?;
    laps.mark("raise");
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
    super::task_flow::raise_publication_overdue(db, now, policy.scoring.publication_working_days)
        .await?;
    Ok(done)
}

/// The stored values of a row, to compare with a computed one.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
struct Stored {
    subject_kind: SubjectKind,
    subject_id: i64,
    id: i64,
    region_code: Option<String>,
    data_security: Option<f64>,
    reporting_compliance: Option<f64>,
    inspection: Option<f64>,
    overall: Option<f64>,
    grade: Option<Grade>,
    rank: Option<i32>,
}

/// Whether a stored row already holds a computed row's values.
fn unchanged(stored: &Stored, row: &Row) -> bool {
    stored.region_code == row.region_code
        && stored.data_security == row.parts.data_security
        && stored.reporting_compliance == row.parts.reporting
        && stored.inspection == row.parts.inspection
        && stored.overall == row.overall
        && stored.grade == row.grade
        && stored.rank == row.rank
}

/// Writes the rows whose values changed (stamped `now`) and removes the rows of
/// subjects no longer scored; returns how many rows were written.
async fn write<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    rows: &[Row],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let period_text = period.to_string();
    let mut stored: HashMap<Key, Stored> = score::Entity::find()
        .select_only()
        .columns([
            score::Column::SubjectKind,
            score::Column::SubjectId,
            score::Column::Id,
            score::Column::RegionCode,
            score::Column::DataSecurity,
            score::Column::ReportingCompliance,
            score::Column::Inspection,
            score::Column::Overall,
            score::Column::Grade,
            score::Column::Rank,
        ])
        .filter(score::Column::Period.eq(period_text.as_str()))
        .into_model::<Stored>()
        .all(db)
        .await?
        .into_iter()
        .map(|stored| ((stored.subject_kind, stored.subject_id), stored))
        .collect();
    let changed: Vec<&Row> = rows
        .iter()
        .filter(|row| match stored.remove(&row.key) {
            Some(old) => !unchanged(&old, row),
            None => true,
        })
        .collect();
    let on_conflict = OnConflict::columns([
        score::Column::Period,
        score::Column::SubjectKind,
        score::Column::SubjectId,
    ])
    .update_columns([
        score::Column::RegionCode,
        score::Column::DataSecurity,
        score::Column::ReportingCompliance,
        score::Column::Inspection,
        score::Column::Overall,
        score::Column::Grade,
        score::Column::Rank,
        score::Column::ComputedAt,
    ])
    .to_owned();
    for chunk in changed.chunks(BATCH) {
        let models = chunk.iter().map(|r| score::ActiveModel {
            period: Set(period_text.clone()),
            subject_kind: Set(r.key.0),
            subject_id: Set(r.key.1),
            region_code: Set(r.region_code.clone()),
            data_security: Set(r.parts.data_security),
            reporting_compliance: Set(r.parts.reporting),
            inspection: Set(r.parts.inspection),
            overall: Set(r.overall),
            grade: Set(r.grade),
            rank: Set(r.rank),
            computed_at: Set(now),
            ..Default::default()
        });
        score::Entity::insert_many(models)
            .on_conflict(on_conflict.clone())
            .exec_without_returning(db)
            .await?;
    }
    // What is left was not computed this time: its subject is gone.
    let gone: Vec<i64> = stored.into_values().map(|s| s.id).collect();
    for chunk in gone.chunks(BATCH) {
        score::Entity::delete_many()
            .filter(score::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(changed.len() as u64)
}

/// `grade_fail` items for the failing rows written by this run (stamped `now`);
/// a row left unchanged had its item raised when it was written.
async fn failing<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let rows: Vec<(i64, SubjectKind, i64, Option<String>)> = score::Entity::find()
        .select_only()
        .columns([
            score::Column::Id,
            score::Column::SubjectKind,
            score::Column::SubjectId,
            score::Column::RegionCode,
        ])
        .filter(score::Column::Period.eq(period.to_string()))
        .filter(score::Column::Grade.eq(Grade::Fail))
        .filter(score::Column::ComputedAt.eq(now))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, subject, region)| NewItem {
            period: period.to_string(),
            subject_kind: accountable(kind),
            subject_id: subject,
            region_code: region,
            reason: AccountabilityReason::GradeFail,
            evidence_kind: EvidenceKind::Score,
            evidence_id: id,
        })
        .collect())
}

/// Filters for listing scores.
#[derive(Debug, Clone, Default)]
pub struct ScoreFilter {
    /// Exactly this period.
    pub period: Option<Period>,
    /// Departments or enterprises.
    pub subject_kind: Option<SubjectKind>,
    /// Region code (its subtree) or prefix.
    pub region_code: Option<String>,
    /// Grade.
    pub grade: Option<Grade>,
}

/// A score with its subject's name.
#[derive(Debug, Clone)]
pub struct ScoreView {
    /// The stored row.
    pub score: score::Model,
    /// The department's or enterprise's name.
    pub name: String,
}

/// Lists scores the caller may see, best first: supervisors, leaders and admins
/// their region; a department its own row and its jurisdiction's enterprises.
///
/// # Errors
/// 403 for inspectors; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ScoreFilter,
    page: Page,
) -> AppResult<Paged<ScoreView>> {
    actor.require(
        &[
            Role::Admin,
            Role::Supervisor,
            Role::Leader,
            Role::Department,
        ],
        "read scores",
    )?;
    let mut query = score::Entity::find();
    query = match actor.role {
        Role::Department => query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(score::Column::SubjectKind.eq(SubjectKind::Department))
                        .add(score::Column::SubjectId.eq(actor.department_id.unwrap_or(-1))),
                )
                .add(
                    Condition::all()
                        .add(score::Column::SubjectKind.eq(SubjectKind::Enterprise))
                        .add(actor.scope_condition(score::Column::RegionCode)),
                ),
        ),
        _ => query.filter(actor.scope_condition(score::Column::RegionCode)),
    };
    if let Some(period) = filter.period {
        query = query.filter(score::Column::Period.eq(period.to_string()));
    }
    if let Some(kind) = filter.subject_kind {
        query = query.filter(score::Column::SubjectKind.eq(kind));
    }
    if let Some(region) = filter.region_code.as_deref().map(str::trim) {
        query = query.filter(score::Column::RegionCode.starts_with(prefix_of(region)));
    }
    if let Some(grade) = filter.grade {
        query = query.filter(score::Column::Grade.eq(grade));
    }
    let total = query.clone().count(db).await?;
    let scores = query
        .order_by(Expr::col(score::Column::Overall).is_null(), Order::Asc)
        .order_by_desc(score::Column::Overall)
        .order_by_asc(score::Column::SubjectKind)
        .order_by_asc(score::Column::SubjectId)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    let names = names(db, &scores).await?;
    let items = scores
        .into_iter()
        .map(|score| ScoreView {
            name: names
                .get(&(score.subject_kind, score.subject_id))
                .cloned()
                .unwrap_or_default(),
            score,
        })
        .collect();
    Ok(Paged::new(items, total, page))
}

async fn names<C: ConnectionTrait>(
    db: &C,
    scores: &[score::Model],
) -> AppResult<HashMap<Key, String>> {
    let ids = |kind| {
        scores
            .iter()
            .filter(move |s| s.subject_kind == kind)
            .map(|s| s.subject_id)
    };
    let mut names = HashMap::new();
    let departments: Vec<(i64, String)> = department::Entity::find()
        .select_only()
        .columns([department::Column::Id, department::Column::Name])
        .filter(department::Column::Id.is_in(ids(SubjectKind::Department)))
        .into_tuple()
        .all(db)
        .await?;
    names.extend(
        departments
            .into_iter()
            .map(|(id, name)| ((SubjectKind::Department, id), name)),
    );
    let enterprises: Vec<(i64, String)> = enterprise::Entity::find()
        .select_only()
        .columns([enterprise::Column::Id, enterprise::Column::Name])
        .filter(enterprise::Column::Id.is_in(ids(SubjectKind::Enterprise)))
        .into_tuple()
        .all(db)
        .await?;
    names.extend(
        enterprises
            .into_iter()
            .map(|(id, name)| ((SubjectKind::Enterprise, id), name)),
    );
    Ok(names)
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

    #[test]
    fn rows_rank_within_kind_and_level_with_shared_ranks() {
        let acc = |region: &str, inspection: f64| Acc {
            region_code: Some(region.to_owned()),
            inspection: (inspection, 1.0),
            ..Acc::default()
        };
        let sums = HashMap::from([
            ((SubjectKind::Department, 1), acc("110000", 80.0)),
            ((SubjectKind::Department, 2), acc("130000", 90.0)),
            ((SubjectKind::Department, 3), acc("310000", 80.0)),
            ((SubjectKind::Department, 4), acc("130100", 10.0)),
            ((SubjectKind::Enterprise, 1), acc("130102", 95.0)),
            ((SubjectKind::Department, 5), Acc::default()),
        ]);
        let rules = Rules {
            weights: Weights::default(),
            inflation_threshold: 10.0,
            deadlines: Deadlines::default(),
        };
        let (rows, _) = build_rows(sums, &rules, &Period::Year(2026));
        let ranks: Vec<(Key, Option<i32>)> = rows.iter().map(|r| (r.key, r.rank)).collect();
        assert_eq!(
            ranks,
            vec![
                ((SubjectKind::Enterprise, 1), Some(1)),
                ((SubjectKind::Department, 1), Some(2)),
                ((SubjectKind::Department, 2), Some(1)),
                ((SubjectKind::Department, 3), Some(2)),
                ((SubjectKind::Department, 4), Some(1)),
                ((SubjectKind::Department, 5), None),
            ]
        );
        assert_eq!(rows[4].grade, Some(Grade::Fail));
    }
}
