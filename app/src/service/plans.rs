//! Check plans: what a draw samples, how, and when.

use std::collections::BTreeMap;

use chrono::Utc;
use entities::{
    Industry, PlanStatus, RiskLevel, Role, SubjectKind, check_plan, department, indicator_set,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait as _,
};
use serde::{Deserialize, Serialize};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    directories::departments,
    validate::Problems,
};
use crate::{
    db,
    domain::region_code::prefix_of,
    error::{AppError, AppResult},
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// Strata of enterprise plans: risk levels.
pub const ENTERPRISE_STRATA: &[&str] = &["major", "high", "moderate", "low"];
/// Strata of department plans: region levels.
pub const DEPARTMENT_STRATA: &[&str] = &["province", "city", "county"];

/// Every setting of a plan, as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// Name, such as 2026年第四季度危险化学品企业双随机抽查.
    pub name: String,
    /// Enterprises or departments.
    pub target_kind: SubjectKind,
    /// Region codes or code prefixes (2, 4 or 6 digits); empty is the owner's whole scope.
    pub region_prefixes: Vec<String>,
    /// Industries drawn from; empty is all (enterprise plans).
    pub industries: Vec<Industry>,
    /// Risk levels drawn from; empty is all (enterprise plans).
    pub risk_levels: Vec<RiskLevel>,
    /// Only key-supervision targets.
    pub key_only: bool,
    /// Sampling ratio per stratum, 0 to 1.
    pub ratios: BTreeMap<String, f64>,
    /// At least this many per stratum (capped at the stratum's size).
    pub min_per_stratum: i32,
    /// Key-supervision targets are all drawn.
    pub key_all: bool,
    /// Share of each stratum's sample drawn uniformly, ignoring weights.
    pub uniform_share: f64,
    /// Participating departments of a joint check (联合抽查).
    pub department_ids: Vec<i64>,
    /// Inspectors per task.
    pub inspectors_per_task: i32,
    /// Only inspectors qualified for the target's industry.
    pub require_qualification: bool,
    /// Targets checked within this many days are skipped.
    pub cooldown_days: i32,
    /// Six-field cron expression (seconds first), in China Standard Time; none for manual draws only.
    pub cron: Option<String>,
    /// Tasks are due this many days after the draw.
    pub due_days: i32,
    /// The indicator set findings are recorded against.
    pub indicator_set_id: Option<i64>,
    /// Lifecycle.
    pub status: PlanStatus,
}

impl Default for PlanSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            target_kind: SubjectKind::Enterprise,
            region_prefixes: Vec::new(),
            industries: Vec::new(),
            risk_levels: Vec::new(),
            key_only: false,
            ratios: BTreeMap::new(),
            min_per_stratum: 0,
            key_all: false,
            uniform_share: 0.2,
            department_ids: Vec::new(),
            inspectors_per_task: 2,
            require_qualification: true,
            cooldown_days: 0,
            cron: None,
            due_days: 30,
            indicator_set_id: None,
            status: PlanStatus::Draft,
        }
    }
}

/// Reads the settings of a stored plan.
#[must_use]
pub fn spec_of(plan: &check_plan::Model) -> PlanSpec {
    fn list<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }
    PlanSpec {
        name: plan.name.clone(),
        target_kind: plan.target_kind,
        region_prefixes: list(&plan.region_prefixes),
        industries: list(&plan.industries),
        risk_levels: list(&plan.risk_levels),
        key_only: plan.key_only,
        ratios: serde_json::from_value(plan.ratios.clone()).unwrap_or_default(),
        min_per_stratum: plan.min_per_stratum,
        key_all: plan.key_all,
        uniform_share: plan.uniform_share,
        department_ids: list(&plan.department_ids),
        inspectors_per_task: plan.inspectors_per_task,
        require_qualification: plan.require_qualification,
        cooldown_days: plan.cooldown_days,
        cron: plan.cron.clone(),
        due_days: plan.due_days,
        indicator_set_id: plan.indicator_set_id,
        status: plan.status,
    }
}

/// Checks a six-field cron expression (seconds first), exactly as the scheduler reads it.
///
/// # Errors
/// A message saying what is wrong.
pub fn check_cron(expression: &str) -> Result<(), String> {
    scheduler::Schedule::parse_at_offset(expression, crate::domain::workdays::CHINA)
        .map(|_| ())
        .map_err(|e| {
            format!("{e}; use six fields: sec min hour day month weekday, e.g. '0 0 9 1 * *'")
        })
}

async fn validate<C: ConnectionTrait>(db: &C, actor: &Actor, spec: &mut PlanSpec) -> AppResult<()> {
    let mut problems = Problems::new();
    spec.name = problems.text("name", &spec.name, 200);
    let strata = match spec.target_kind {
        SubjectKind::Enterprise => ENTERPRISE_STRATA,
        SubjectKind::Department => DEPARTMENT_STRATA,
    };
    for (stratum, ratio) in &spec.ratios {
        problems.check(
            strata.contains(&stratum.as_str()),
            "ratios",
            format!(
                "'{stratum}' is not a stratum of a {} plan; use {}",
                spec.target_kind,
                strata.join(", ")
            ),
        );
        problems.check(
            ratio.is_finite() && (0.0..=1.0).contains(ratio),
            "ratios",
            format!("the ratio of '{stratum}' must be between 0 and 1"),
        );
    }
    problems.check(
        spec.uniform_share.is_finite() && (0.0..=1.0).contains(&spec.uniform_share),
        "uniform_share",
        "must be between 0 and 1",
    );
    problems.check(
        spec.min_per_stratum >= 0,
        "min_per_stratum",
        "must not be negative",
    );
    problems.check(
        spec.cooldown_days >= 0,
        "cooldown_days",
        "must not be negative",
    );
    problems.check(
        (1..=3650).contains(&spec.due_days),
        "due_days",
        "must be between 1 and 3650",
    );
    problems.check(
        (1..=20).contains(&spec.inspectors_per_task),
        "inspectors_per_task",
        "must be between 1 and 20 (at least one inspector per task)",
    );
    spec.department_ids.sort_unstable();
    spec.department_ids.dedup();
    problems.check(
        usize::try_from(spec.inspectors_per_task).unwrap_or(0) >= spec.department_ids.len(),
        "inspectors_per_task",
        "a joint check needs at least one inspector per participating department",
    );
    if spec.target_kind == SubjectKind::Department {
        problems.check(
            spec.industries.is_empty(),
            "industries",
            "only enterprise plans filter by industry",
        );
        problems.check(
            spec.risk_levels.is_empty(),
            "risk_levels",
            "only enterprise plans filter by risk level",
        );
    }
    if let Some(cron) = &spec.cron
        && let Err(message) = check_cron(cron)
    {
        problems.add("cron", message);
    }
    for prefix in &mut spec.region_prefixes {
        let trimmed = prefix.trim().to_owned();
        let prefix_digits = if trimmed.len() == 6 {
            prefix_of(&trimmed).to_owned()
        } else {
            trimmed.clone()
        };
        if !matches!(prefix_digits.len(), 2 | 4 | 6)
            || !prefix_digits.bytes().all(|b| b.is_ascii_digit())
        {
            problems.add(
                "region_prefixes",
                format!("'{trimmed}' is not a region code or a 2-, 4- or 6-digit prefix"),
            );
            continue;
        }
        let exists = entities::region::Entity::find()
            .filter(entities::region::Column::Code.starts_with(prefix_digits.as_str()))
            .count(db)
            .await?
            > 0;
        problems.check(
            exists,
            "region_prefixes",
            format!("no region has the code prefix {prefix_digits}"),
        );
        problems.check(
            actor
                .scope_prefix()
                .is_none_or(|scope| prefix_digits.starts_with(scope)),
            "region_prefixes",
            format!("{trimmed} is outside your jurisdiction"),
        );
        *prefix = prefix_digits;
    }
    for id in &spec.department_ids {
        if !crate::error::visible(departments::get(db, actor, *id).await)? {
            problems.add("department_ids", format!("department {id} does not exist"));
        }
    }
    if let Some(set_id) = spec.indicator_set_id
        && indicator_set::Entity::find_by_id(set_id)
            .one(db)
            .await?
            .is_none()
    {
        problems.add(
            "indicator_set_id",
            format!("indicator set {set_id} does not exist"),
        );
    }
    problems.finish()
}

/// One plan the caller may see: plans are scoped by their owner department's region.
///
/// # Errors
/// 403 for roles without access to plans; 404 when out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<check_plan::Model> {
    actor.require(READERS, "read check plans")?;
    let not_found = || AppError::NotFound(format!("plan {id}"));
    let plan = check_plan::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let owner_region = match plan.owner_department_id {
        Some(owner) => department::Entity::find_by_id(owner)
            .one(db)
            .await?
            .and_then(|d| d.region_code),
        None => None,
    };
    if actor.covers_opt(owner_region.as_deref()) {
        Ok(plan)
    } else {
        Err(not_found())
    }
}

/// Creates a plan owned by the caller's department.
///
/// # Errors
/// 403 for roles other than admin and supervisor; 422 listing every problem.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    mut spec: PlanSpec,
) -> AppResult<check_plan::Model> {
    actor.require(WRITERS, "create check plans")?;
    validate(db, actor, &mut spec).await?;
    let txn = db::begin_write(db).await?;
    let now = Utc::now();
    let mut model = check_plan::ActiveModel {
        owner_department_id: Set(actor.department_id),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut model, &spec);
    let plan = model.insert(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("plan.create", "check_plan", plan.id)
            .with_detail(serde_json::to_value(&spec).unwrap_or_default()),
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

fn apply(model: &mut check_plan::ActiveModel, spec: &PlanSpec) {
    model.name = Set(spec.name.clone());
    model.target_kind = Set(spec.target_kind);
    model.region_prefixes = Set(json(&spec.region_prefixes));
    model.industries = Set(json(&spec.industries));
    model.risk_levels = Set(json(&spec.risk_levels));
    model.key_only = Set(spec.key_only);
    model.ratios = Set(json(&spec.ratios));
    model.min_per_stratum = Set(spec.min_per_stratum);
    model.key_all = Set(spec.key_all);
    model.uniform_share = Set(spec.uniform_share);
    model.department_ids = Set(json(&spec.department_ids));
    model.inspectors_per_task = Set(spec.inspectors_per_task);
    model.require_qualification = Set(spec.require_qualification);
    model.cooldown_days = Set(spec.cooldown_days);
    model.cron = Set(spec.cron.clone());
    model.due_days = Set(spec.due_days);
    model.indicator_set_id = Set(spec.indicator_set_id);
    model.status = Set(spec.status);
    model.updated_at = Set(Utc::now());
}

/// Changes a plan: `change` edits a copy of its settings, which are then
/// validated whole.
///
/// # Errors
/// 403, 404, 422 as for create; 409 for an archived plan.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    change: impl FnOnce(&mut PlanSpec),
) -> AppResult<check_plan::Model> {
    actor.require(WRITERS, "change check plans")?;
    let existing = get(db, actor, id).await?;
    if existing.status == PlanStatus::Archived {
        return Err(AppError::Conflict(format!(
            "plan {id} is archived and cannot change"
        )));
    }
    let before = spec_of(&existing);
    let mut spec = before.clone();
    change(&mut spec);
    validate(db, actor, &mut spec).await?;
    let txn = db::begin_write(db).await?;
    let mut model = existing.into_active_model();
    apply(&mut model, &spec);
    let plan = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("plan.update", "check_plan", plan.id)
            .with_detail(serde_json::json!({"before": before, "after": spec})),
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

/// Filters for listing plans.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Lifecycle state.
    pub status: Option<PlanStatus>,
    /// Enterprises or departments.
    pub target_kind: Option<SubjectKind>,
}

/// Lists the plans the caller may see.
///
/// # Errors
/// 403 for roles without access to plans.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &PlanFilter,
    page: Page,
) -> AppResult<Paged<check_plan::Model>> {
    actor.require(READERS, "read check plans")?;
    let mut query = check_plan::Entity::find();
    if actor.scope_prefix().is_some() {
        let owners = department::Entity::find()
            .select_only()
            .column(department::Column::Id)
            .filter(actor.scope_condition(department::Column::RegionCode))
            .into_query();
        query = query.filter(check_plan::Column::OwnerDepartmentId.in_subquery(owners));
    }
    if let Some(status) = filter.status {
        query = query.filter(check_plan::Column::Status.eq(status));
    }
    if let Some(kind) = filter.target_kind {
        query = query.filter(check_plan::Column::TargetKind.eq(kind));
    }
    page.fetch(db, query.order_by_asc(check_plan::Column::Id))
        .await
}
