//! Self-assessments: a department scores itself, or an enterprise in its
//! jurisdiction, against an indicator set for a period; `draft → submitted`,
//! and a submitted one is read-only.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{
    AssessmentStatus, IndicatorCategory, IndicatorSetStatus, Role, SubjectKind, indicator,
    indicator_set, self_assessment, self_assessment_item,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel as _, PaginatorTrait as _, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    directories::{departments, enterprises},
    validate::Problems,
};
use crate::{
    db,
    domain::{
        Period,
        scoring::{Scored, round2, weighted_percent},
    },
    error::{AppError, AppResult},
};

/// Roles that file self-assessments.
const WRITERS: &[Role] = &[Role::Department, Role::Admin];
/// Roles that read them.
const READERS: &[Role] = &[
    Role::Department,
    Role::Admin,
    Role::Supervisor,
    Role::Leader,
];

/// The points given one indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemInput {
    /// An indicator of the assessment's set.
    pub indicator_id: i64,
    /// 0 to the indicator's maximum.
    pub points: f64,
}

/// A new self-assessment.
#[derive(Debug, Clone)]
pub struct AssessmentInput {
    /// `2026`, `2026Q4` or `2026-11`.
    pub period: String,
    /// The indicator set assessed against (its current version).
    pub indicator_set_id: i64,
    /// The department assessed; defaults to the caller's.
    pub department_id: Option<i64>,
    /// An enterprise in the caller's jurisdiction, assessed instead of a department.
    pub enterprise_id: Option<i64>,
    /// Points per indicator.
    pub items: Vec<ItemInput>,
}

/// A self-assessment with its items.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    /// The stored assessment.
    pub assessment: self_assessment::Model,
    /// Its items, by indicator.
    pub items: Vec<self_assessment_item::Model>,
    /// The data-security percentage its items give, if it has any such items.
    pub data_security: Option<f64>,
}

/// Filters for listing self-assessments.
#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    /// Exactly this period.
    pub period: Option<Period>,
    /// Lifecycle state.
    pub status: Option<AssessmentStatus>,
    /// Departments or enterprises.
    pub subject_kind: Option<SubjectKind>,
}

/// Whom an assessment is about.
struct Subject {
    kind: SubjectKind,
    department_id: Option<i64>,
    enterprise_id: Option<i64>,
    region_code: Option<String>,
}

async fn subject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &AssessmentInput,
    problems: &mut Problems,
) -> AppResult<Option<Subject>> {
    if let Some(id) = input.enterprise_id {
        if input.department_id.is_some() {
            problems.add(
                "enterprise_id",
                "give a department or an enterprise, not both",
            );
            return Ok(None);
        }
        return Ok(match enterprises::get(db, actor, id).await {
            Ok(e) => Some(Subject {
                kind: SubjectKind::Enterprise,
                department_id: None,
                enterprise_id: Some(e.id),
                region_code: Some(e.region_code),
            }),
            Err(AppError::NotFound(_)) => {
                problems.add("enterprise_id", format!("enterprise {id} does not exist"));
                None
            }
            Err(e) => return Err(e),
        });
    }
    let Some(id) = input.department_id.or(actor.department_id) else {
        problems.add(
            "department_id",
            "name the department or enterprise assessed",
        );
        return Ok(None);
    };
    if actor.role == Role::Department && Some(id) != actor.department_id {
        return Err(AppError::Forbidden(
            "department users assess only their own department".to_owned(),
        ));
    }
    Ok(match departments::get(db, actor, id).await {
        Ok(d) => Some(Subject {
            kind: SubjectKind::Department,
            department_id: Some(d.id),
            enterprise_id: None,
            region_code: d.region_code,
        }),
        Err(AppError::NotFound(_)) => {
            problems.add("department_id", format!("department {id} does not exist"));
            None
        }
        Err(e) => return Err(e),
    })
}

/// Checks items against the set's indicators for the subject's kind.
fn check_items(
    problems: &mut Problems,
    items: &[ItemInput],
    indicators: &HashMap<i64, indicator::Model>,
    kind: SubjectKind,
) {
    let mut seen = HashSet::new();
    for (n, item) in items.iter().enumerate() {
        let place = format!("items[{n}]");
        let Some(ind) = indicators.get(&item.indicator_id) else {
            problems.add(
                &format!("{place}.indicator_id"),
                format!("indicator {} is not in the set", item.indicator_id),
            );
            continue;
        };
        problems.check(
            ind.applies_to == kind,
            &format!("{place}.indicator_id"),
            format!("indicator {} applies to {}s", ind.code, ind.applies_to),
        );
        problems.check(
            seen.insert(item.indicator_id),
            &format!("{place}.indicator_id"),
            format!("indicator {} appears twice", ind.code),
        );
        problems.check(
            item.points.is_finite() && item.points >= 0.0 && item.points <= ind.max_points,
            &format!("{place}.points"),
            format!("must be between 0 and {} for {}", ind.max_points, ind.code),
        );
    }
}

async fn indicators_of<C: ConnectionTrait>(
    db: &C,
    set_id: i64,
) -> AppResult<HashMap<i64, indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::SetId.eq(set_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

async fn insert_items<C: ConnectionTrait>(db: &C, id: i64, items: &[ItemInput]) -> AppResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let models = items.iter().map(|i| self_assessment_item::ActiveModel {
        assessment_id: Set(id),
        indicator_id: Set(i.indicator_id),
        points: Set(i.points),
        ..Default::default()
    });
    self_assessment_item::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Files a draft self-assessment.
///
/// # Errors
/// 403 for roles that do not file them or another department's assessment;
/// 422 listing every problem; 409 when the subject already has one for the
/// period and set.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: AssessmentInput,
) -> AppResult<AssessmentView> {
    actor.require(WRITERS, "file self-assessments")?;
    let mut problems = Problems::new();
    let period = Period::parse(&input.period)
        .map_err(|e| problems.add("period", e.to_string()))
        .ok();
    let subject = subject(db, actor, &input, &mut problems).await?;
    let set = indicator_set::Entity::find_by_id(input.indicator_set_id)
        .one(db)
        .await?;
    match &set {
        None => problems.add(
            "indicator_set_id",
            format!("indicator set {} does not exist", input.indicator_set_id),
        ),
        Some(s) => problems.check(
            s.status == IndicatorSetStatus::Active,
            "indicator_set_id",
            format!(
                "indicator set {} is {}; use its current version{}",
                s.id,
                s.status,
                s.superseded_by
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        ),
    }
    if let Some(subject) = &subject {
        let indicators = indicators_of(db, input.indicator_set_id).await?;
        check_items(&mut problems, &input.items, &indicators, subject.kind);
    }
    problems.finish()?;
    let (Some(period), Some(subject)) = (period, subject) else {
        return Err(AppError::invalid("period", "invalid"));
    };
    let txn = db::begin_write(db).await?;
    let existing = self_assessment::Entity::find()
        .filter(self_assessment::Column::Period.eq(period.to_string()))
        .filter(self_assessment::Column::IndicatorSetId.eq(input.indicator_set_id))
        .filter(self_assessment::Column::SubjectKind.eq(subject.kind))
        .filter(match subject.enterprise_id {
            Some(e) => self_assessment::Column::EnterpriseId.eq(e),
            None => self_assessment::Column::DepartmentId.eq(subject.department_id),
        })
        .one(&txn)
        .await?;
    if let Some(existing) = existing {
        return Err(AppError::Conflict(format!(
            "self-assessment {} already covers this subject, period and set",
            existing.id
        )));
    }
    let now = Utc::now();
    let model = self_assessment::ActiveModel {
        subject_kind: Set(subject.kind),
        department_id: Set(subject.department_id),
        enterprise_id: Set(subject.enterprise_id),
        region_code: Set(subject.region_code),
        period: Set(period.to_string()),
        indicator_set_id: Set(input.indicator_set_id),
        status: Set(AssessmentStatus::Draft),
        submitted_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    insert_items(&txn, model.id, &input.items).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("self_assessment.create", "self_assessment", model.id).with_detail(
            serde_json::json!({
                "subject_kind": model.subject_kind, "department_id": model.department_id,
                "enterprise_id": model.enterprise_id, "period": model.period,
                "indicator_set_id": model.indicator_set_id, "items": input.items.len(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, model.id).await
}

/// The assessments the caller may see.
fn visible(actor: &Actor) -> AppResult<Select<self_assessment::Entity>> {
    actor.require(READERS, "read self-assessments")?;
    let query = self_assessment::Entity::find();
    Ok(match actor.role {
        Role::Department => query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(self_assessment::Column::SubjectKind.eq(SubjectKind::Department))
                        .add(
                            self_assessment::Column::DepartmentId
                                .eq(actor.department_id.unwrap_or(-1)),
                        ),
                )
                .add(
                    Condition::all()
                        .add(self_assessment::Column::SubjectKind.eq(SubjectKind::Enterprise))
                        .add(actor.scope_condition(self_assessment::Column::RegionCode)),
                ),
        ),
        _ => query.filter(actor.scope_condition(self_assessment::Column::RegionCode)),
    })
}

async fn views<C: ConnectionTrait>(
    db: &C,
    assessments: Vec<self_assessment::Model>,
) -> AppResult<Vec<AssessmentView>> {
    let ids: Vec<i64> = assessments.iter().map(|a| a.id).collect();
    let items = self_assessment_item::Entity::find()
        .filter(self_assessment_item::Column::AssessmentId.is_in(ids))
        .order_by_asc(self_assessment_item::Column::IndicatorId)
        .all(db)
        .await?;
    let indicators: HashMap<i64, indicator::Model> = indicator::Entity::find()
        .filter(indicator::Column::Id.is_in(items.iter().map(|i| i.indicator_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut by_assessment: HashMap<i64, Vec<self_assessment_item::Model>> = HashMap::new();
    for item in items {
        by_assessment
            .entry(item.assessment_id)
            .or_default()
            .push(item);
    }
    Ok(assessments
        .into_iter()
        .map(|assessment| {
            let items = by_assessment.remove(&assessment.id).unwrap_or_default();
            let scored: Vec<Scored> = items
                .iter()
                .filter_map(|item| indicators.get(&item.indicator_id).map(|i| (item, i)))
                .filter(|(_, i)| i.category == IndicatorCategory::DataSecurity)
                .map(|(item, i)| Scored {
                    points: item.points,
                    max: i.max_points,
                    weight: i.weight,
                })
                .collect();
            AssessmentView {
                assessment,
                items,
                data_security: weighted_percent(&scored).map(round2),
            }
        })
        .collect())
}

/// One self-assessment the caller may see.
///
/// # Errors
/// 403 for inspectors; 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<AssessmentView> {
    let assessment = visible(actor)?
        .filter(self_assessment::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("self-assessment {id}")))?;
    views(db, vec![assessment])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("self-assessment {id}")))
}

/// Lists the self-assessments the caller may see.
///
/// # Errors
/// 403 for inspectors.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AssessmentFilter,
    page: Page,
) -> AppResult<Paged<AssessmentView>> {
    let mut query = visible(actor)?;
    if let Some(period) = filter.period {
        query = query.filter(self_assessment::Column::Period.eq(period.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(self_assessment::Column::Status.eq(status));
    }
    if let Some(kind) = filter.subject_kind {
        query = query.filter(self_assessment::Column::SubjectKind.eq(kind));
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(self_assessment::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(views(db, items).await?, total, page))
}

/// Loads a draft the caller may change, under the write lock: on PostgreSQL its
/// row is locked first (SQLite's write transaction is exclusive already), so a
/// concurrent submission and change cannot both pass.
async fn writable_draft<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<AssessmentView> {
    self_assessment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?;
    let view = get(db, actor, id).await?;
    actor.require(WRITERS, "change self-assessments")?;
    if view.assessment.status != AssessmentStatus::Draft {
        return Err(AppError::Conflict(format!(
            "self-assessment {id} is {} and read-only",
            view.assessment.status
        )));
    }
    Ok(view)
}

/// Replaces a draft's items.
///
/// # Errors
/// 404 when not the caller's to see; 403 for roles that do not file them; 409
/// once submitted; 422 for invalid items.
pub async fn replace_items(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    items: Vec<ItemInput>,
) -> AppResult<AssessmentView> {
    let view = get(db, actor, id).await?;
    actor.require(WRITERS, "change self-assessments")?;
    let mut problems = Problems::new();
    let indicators = indicators_of(db, view.assessment.indicator_set_id).await?;
    check_items(
        &mut problems,
        &items,
        &indicators,
        view.assessment.subject_kind,
    );
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let view = writable_draft(&txn, actor, id).await?;
    self_assessment_item::Entity::delete_many()
        .filter(self_assessment_item::Column::AssessmentId.eq(id))
        .exec(&txn)
        .await?;
    insert_items(&txn, id, &items).await?;
    let mut model = view.assessment.into_active_model();
    model.updated_at = Set(Utc::now());
    model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("self_assessment.update", "self_assessment", id)
            .with_detail(serde_json::json!({"items": items.len()})),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, id).await
}

/// Submits a draft: every indicator of the set for the subject's kind must be scored.
///
/// # Errors
/// 404 when not the caller's to see; 403 for roles that do not file them; 409
/// when already submitted; 422 naming the indicators without points.
pub async fn submit(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<AssessmentView> {
    get(db, actor, id).await?;
    let txn = db::begin_write(db).await?;
    let view = writable_draft(&txn, actor, id).await?;
    let scored: HashSet<i64> = view.items.iter().map(|i| i.indicator_id).collect();
    let mut missing: Vec<String> = indicators_of(&txn, view.assessment.indicator_set_id)
        .await?
        .into_values()
        .filter(|i| i.applies_to == view.assessment.subject_kind && !scored.contains(&i.id))
        .map(|i| i.code)
        .collect();
    if !missing.is_empty() {
        missing.sort();
        return Err(AppError::invalid(
            "items",
            format!("no points for {}", missing.join(", ")),
        ));
    }
    let now = Utc::now();
    let mut model = view.assessment.into_active_model();
    model.status = Set(AssessmentStatus::Submitted);
    model.submitted_at = Set(Some(now));
    model.updated_at = Set(now);
    model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("self_assessment.submit", "self_assessment", id)
            .with_detail(serde_json::json!({"data_security": view.data_security})),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, id).await
}
