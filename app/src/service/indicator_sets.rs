//! Indicator sets (抽查事项清单): versioned lists of what is checked and self-assessed.
//!
//! A set is never edited once in use (by a plan, a self-assessment or a finding):
//! a new version with the same code supersedes it instead, and everything that
//! used the old version keeps pointing at it.

use std::collections::HashSet;

use chrono::Utc;
use entities::{
    IndicatorCategory, IndicatorSetStatus, Role, SubjectKind, check_plan, finding, indicator,
    indicator_set, self_assessment,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    validate::Problems,
};
use crate::{
    db,
    error::{AppError, AppResult},
};

/// Roles that maintain indicator sets.
const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];

/// One indicator to add.
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    /// Code within the set, such as `DS-01`.
    pub code: String,
    /// What is checked.
    pub name: String,
    /// The laws and standards that require it.
    pub legal_basis: String,
    /// What it measures.
    pub category: IndicatorCategory,
    /// Points available.
    pub max_points: f64,
    /// Weight in the weighted percentage.
    pub weight: f64,
    /// Enterprises or departments.
    pub applies_to: SubjectKind,
}

/// A new set, or a new version of an existing code.
#[derive(Debug, Clone)]
pub struct IndicatorSetInput {
    /// The set's code; a code already used makes a new version of it.
    pub code: String,
    /// Name, such as 数据安全检查指标（2026版）.
    pub name: String,
    /// Its indicators.
    pub indicators: Vec<IndicatorInput>,
}

/// A set with its indicators.
#[derive(Debug, Clone)]
pub struct SetView {
    /// The stored set.
    pub set: indicator_set::Model,
    /// Its indicators, by code.
    pub indicators: Vec<indicator::Model>,
    /// Whether a plan, self-assessment or finding uses it (then it cannot change).
    pub in_use: bool,
}

/// Filters for listing sets.
#[derive(Debug, Clone, Default)]
pub struct SetFilter {
    /// All versions of one code.
    pub code: Option<String>,
    /// Lifecycle state.
    pub status: Option<IndicatorSetStatus>,
}

/// Checks one indicator, naming fields `indicators[n].field` when `place` is given.
fn check_indicator(
    problems: &mut Problems,
    place: &str,
    input: &IndicatorInput,
) -> (String, String, String) {
    let field = |name: &str| format!("{place}{name}");
    let code = problems.text(&field("code"), &input.code, 64);
    let name = problems.text(&field("name"), &input.name, 500);
    let legal_basis = problems.text(&field("legal_basis"), &input.legal_basis, 2000);
    problems.check(
        input.max_points.is_finite() && input.max_points > 0.0,
        &field("max_points"),
        "must be a positive number",
    );
    problems.check(
        input.weight.is_finite() && input.weight > 0.0,
        &field("weight"),
        "must be a positive number",
    );
    (code, name, legal_basis)
}

fn active_model(
    set_id: i64,
    input: &IndicatorInput,
    texts: (String, String, String),
) -> indicator::ActiveModel {
    let (code, name, legal_basis) = texts;
    indicator::ActiveModel {
        set_id: Set(set_id),
        code: Set(code),
        name: Set(name),
        legal_basis: Set(legal_basis),
        category: Set(input.category),
        max_points: Set(input.max_points),
        weight: Set(input.weight),
        applies_to: Set(input.applies_to),
        ..Default::default()
    }
}

/// Creates a set, or the next version of its code, superseding the earlier ones.
///
/// # Errors
/// 403 for roles other than admin and supervisor; 422 listing every problem.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: IndicatorSetInput,
) -> AppResult<SetView> {
    actor.require(WRITERS, "change indicator sets")?;
    let mut problems = Problems::new();
    let code = problems.text("code", &input.code, 64);
    let name = problems.text("name", &input.name, 200);
    let mut seen = HashSet::new();
    let mut texts = Vec::new();
    for (n, item) in input.indicators.iter().enumerate() {
        let place = format!("indicators[{n}].");
        let checked = check_indicator(&mut problems, &place, item);
        problems.check(
            seen.insert(checked.0.clone()),
            &format!("{place}code"),
            format!("code {} appears twice", checked.0),
        );
        texts.push(checked);
    }
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let earlier = indicator_set::Entity::find()
        .filter(indicator_set::Column::Code.eq(code.as_str()))
        .all(&txn)
        .await?;
    let version = earlier.iter().map(|s| s.version).max().unwrap_or(0) + 1;
    let now = Utc::now();
    let set = indicator_set::ActiveModel {
        code: Set(code),
        version: Set(version),
        name: Set(name),
        status: Set(IndicatorSetStatus::Active),
        superseded_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (item, texts) in input.indicators.iter().zip(texts) {
        active_model(set.id, item, texts).insert(&txn).await?;
    }
    let superseded: Vec<i64> = earlier
        .iter()
        .filter(|s| s.status != IndicatorSetStatus::Superseded)
        .map(|s| s.id)
        .collect();
    if !superseded.is_empty() {
        indicator_set::Entity::update_many()
            .col_expr(
                indicator_set::Column::Status,
                sea_orm::sea_query::Expr::value(IndicatorSetStatus::Superseded.as_str()),
            )
            .col_expr(
                indicator_set::Column::SupersededBy,
                sea_orm::sea_query::Expr::value(set.id),
            )
            .col_expr(
                indicator_set::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(indicator_set::Column::Id.is_in(superseded.clone()))
            .exec(&txn)
            .await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("indicator_set.create", "indicator_set", set.id).with_detail(serde_json::json!({
            "code": set.code, "version": set.version,
            "indicators": input.indicators.len(), "superseded": superseded,
        })),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, set.id).await
}

/// The ids among `ids` of sets that something uses.
async fn used_sets<C: ConnectionTrait>(db: &C, ids: &[i64]) -> AppResult<HashSet<i64>> {
    let mut used = HashSet::new();
    if ids.is_empty() {
        return Ok(used);
    }
    let by_assessments: Vec<i64> = self_assessment::Entity::find()
        .select_only()
        .column(self_assessment::Column::IndicatorSetId)
        .filter(self_assessment::Column::IndicatorSetId.is_in(ids.to_vec()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let by_plans: Vec<Option<i64>> = check_plan::Entity::find()
        .select_only()
        .column(check_plan::Column::IndicatorSetId)
        .filter(check_plan::Column::IndicatorSetId.is_in(ids.to_vec()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let found = finding::Entity::find()
        .select_only()
        .column(finding::Column::IndicatorId)
        .into_query();
    let by_findings: Vec<i64> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::SetId)
        .filter(indicator::Column::SetId.is_in(ids.to_vec()))
        .filter(indicator::Column::Id.in_subquery(found))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    used.extend(by_assessments);
    used.extend(by_plans.into_iter().flatten());
    used.extend(by_findings);
    Ok(used)
}

async fn views<C: ConnectionTrait>(
    db: &C,
    sets: Vec<indicator_set::Model>,
) -> AppResult<Vec<SetView>> {
    let ids: Vec<i64> = sets.iter().map(|s| s.id).collect();
    let used = used_sets(db, &ids).await?;
    let mut indicators = indicator::Entity::find()
        .filter(indicator::Column::SetId.is_in(ids))
        .order_by_asc(indicator::Column::Code)
        .order_by_asc(indicator::Column::Id)
        .all(db)
        .await?;
    Ok(sets
        .into_iter()
        .map(|set| {
            let (mine, rest) = indicators.drain(..).partition(|i| i.set_id == set.id);
            indicators = rest;
            SetView {
                in_use: used.contains(&set.id),
                set,
                indicators: mine,
            }
        })
        .collect())
}

/// One set with its indicators; every role may read sets.
///
/// # Errors
/// 404 when it does not exist.
pub async fn get<C: ConnectionTrait>(db: &C, _actor: &Actor, id: i64) -> AppResult<SetView> {
    let set = indicator_set::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("indicator set {id}")))?;
    views(db, vec![set])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("indicator set {id}")))
}

/// Lists sets, newest version first within each code.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    _actor: &Actor,
    filter: &SetFilter,
    page: Page,
) -> AppResult<Paged<SetView>> {
    let mut query = indicator_set::Entity::find();
    if let Some(code) = &filter.code {
        query = query.filter(indicator_set::Column::Code.eq(code.trim()));
    }
    if let Some(status) = filter.status {
        query = query.filter(indicator_set::Column::Status.eq(status));
    }
    let total = query.clone().count(db).await?;
    let sets = query
        .order_by_asc(indicator_set::Column::Code)
        .order_by_desc(indicator_set::Column::Version)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(views(db, sets).await?, total, page))
}

/// Adds an indicator to a set that nothing uses yet.
///
/// # Errors
/// 403 for other roles; 404 when the set does not exist; 409 when it is
/// superseded or in use; 422 for invalid input or a code already in the set.
pub async fn add_indicator(
    db: &DatabaseConnection,
    actor: &Actor,
    set_id: i64,
    input: IndicatorInput,
) -> AppResult<indicator::Model> {
    actor.require(WRITERS, "change indicator sets")?;
    let mut problems = Problems::new();
    let texts = check_indicator(&mut problems, "", &input);
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let view = get(&txn, actor, set_id).await?;
    if view.set.status == IndicatorSetStatus::Superseded {
        return Err(AppError::Conflict(format!(
            "indicator set {set_id} is superseded; change its newest version instead"
        )));
    }
    if view.in_use {
        return Err(AppError::Conflict(format!(
            "indicator set {set_id} is in use and cannot change; create a new version with the same code"
        )));
    }
    if view.indicators.iter().any(|i| i.code == texts.0) {
        return Err(AppError::invalid(
            "code",
            format!("the set already has an indicator {}", texts.0),
        ));
    }
    let model = active_model(set_id, &input, texts).insert(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("indicator.create", "indicator", model.id)
            .with_detail(serde_json::json!({"set_id": set_id, "code": model.code})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
