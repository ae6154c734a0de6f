//! Self-assessments: a department scores itself, or an enterprise in its
//! jurisdiction, against an indicator set for a period; `draft → submitted`,
//! and a submitted one is read-only.

pub mod model;
mod store;

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{
    AssessmentStatus, IndicatorCategory, IndicatorSetStatus, Role, SubjectKind, indicator,
    indicator_set, self_assessment, self_assessment_item,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use self::model::{AssessmentFilter, AssessmentInput, AssessmentView, ItemInput};
use self::{
    model::{AssessedSubject, NewAssessment},
    store::{ScoredItems, Visible},
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
        Period, RegionCode,
        scoring::{Scored, round2, weighted_percent},
    },
    error::{AppError, AppResult},
    msg,
    service::reports::labels::subject_kind,
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

fn region(code: Option<&str>) -> Option<RegionCode> {
    code.and_then(|c| RegionCode::parse(c).ok())
}

async fn subject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &AssessmentInput,
    problems: &mut Problems,
) -> AppResult<Option<AssessedSubject>> {
    if let Some(id) = input.enterprise_id {
        if input.department_id.is_some() {
            problems.add(
                "enterprise_id",
                "give a department or an enterprise, not both",
            );
            return Ok(None);
        }
        return Ok(match enterprises::get(db, actor, id).await {
            Ok(e) => Some(AssessedSubject {
                kind: SubjectKind::Enterprise,
                department_id: None,
                enterprise_id: Some(e.id),
                region_code: region(Some(&e.region_code)),
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
            "department users assess only their own department"
                .to_owned()
                .into(),
        ));
    }
    Ok(match departments::get(db, actor, id).await {
        Ok(d) => Some(AssessedSubject {
            kind: SubjectKind::Department,
            department_id: Some(d.id),
            enterprise_id: None,
            region_code: region(d.region_code.as_deref()),
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

/// Checks that the set exists and is its code's current version.
fn check_set(problems: &mut Problems, id: i64, set: Option<&indicator_set::Model>) {
    match set {
        None => problems.add(
            "indicator_set_id",
            format!("indicator set {id} does not exist"),
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
}

/// Checks a new self-assessment, listing every problem.
async fn check_new<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &AssessmentInput,
) -> AppResult<NewAssessment> {
    let mut problems = Problems::new();
    let period = Period::parse(&input.period)
        .map_err(|e| problems.add("period", e.to_string()))
        .ok();
    let subject = subject(db, actor, input, &mut problems).await?;
    let set = store::find_set(db, input.indicator_set_id).await?;
    check_set(&mut problems, input.indicator_set_id, set.as_ref());
    if let Some(subject) = &subject {
        let indicators = store::indicators_of(db, input.indicator_set_id).await?;
        if set.is_some() && !indicators.values().any(|i| i.applies_to == subject.kind) {
            let zh = subject_kind(subject.kind);
            let kind = subject.kind;
            problems.add(
                "indicator_set_id",
                msg!(
                    "指标集 {} 没有适用于{zh}的指标，自评请选用适用于{zh}的指标集",
                    "indicator set {} has no indicator that applies to {kind}s; assess against a set for {kind}s",
                    input.indicator_set_id
                ),
            );
        }
        check_items(&mut problems, &input.items, &indicators, subject.kind);
    }
    problems.finish()?;
    let (Some(period), Some(subject)) = (period, subject) else {
        return Err(AppError::invalid("period", "invalid"));
    };
    Ok(NewAssessment {
        subject,
        period,
        indicator_set_id: input.indicator_set_id,
    })
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
    let new = check_new(db, actor, &input).await?;
    let txn = db::begin_write(db).await?;
    if let Some(existing) = store::find_same(&txn, &new).await? {
        return Err(AppError::Conflict(
            format!(
                "self-assessment {} already covers this subject, period and set",
                existing.id
            )
            .into(),
        ));
    }
    let model = store::insert(&txn, new, actor.user_id, Utc::now()).await?;
    store::insert_items(&txn, model.id, &input.items).await?;
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
fn visible(actor: &Actor) -> AppResult<Visible<'_>> {
    actor.require(READERS, "read self-assessments")?;
    Ok(match actor.role {
        Role::Department => Visible::Department {
            id: actor.department_id.unwrap_or(-1),
            jurisdiction: actor,
        },
        _ => Visible::InScope(actor),
    })
}

async fn views<C: ConnectionTrait>(
    db: &C,
    assessments: Vec<self_assessment::Model>,
) -> AppResult<Vec<AssessmentView>> {
    let ids: Vec<i64> = assessments.iter().map(|a| a.id).collect();
    let ScoredItems { items, indicators } = store::items_of(db, ids).await?;
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
    let assessment = store::find(db, &visible(actor)?, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("self-assessment {id}").into()))?;
    views(db, vec![assessment])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("self-assessment {id}").into()))
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
    let assessments = store::list(db, &visible(actor)?, filter, page).await?;
    Ok(Paged::new(
        views(db, assessments.items).await?,
        assessments.total,
        page,
    ))
}

/// Loads a draft the caller may change, under the write lock: its row is
/// locked first, so a concurrent submission and change cannot both pass.
async fn writable_draft<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<AssessmentView> {
    store::lock(db, id).await?;
    let view = get(db, actor, id).await?;
    actor.require(WRITERS, "change self-assessments")?;
    if view.assessment.status != AssessmentStatus::Draft {
        return Err(AppError::Conflict(
            format!(
                "self-assessment {id} is {} and read-only",
                view.assessment.status
            )
            .into(),
        ));
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
    let indicators = store::indicators_of(db, view.assessment.indicator_set_id).await?;
    check_items(
        &mut problems,
        &items,
        &indicators,
        view.assessment.subject_kind,
    );
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let view = writable_draft(&txn, actor, id).await?;
    store::delete_items(&txn, id).await?;
    store::insert_items(&txn, id, &items).await?;
    store::mark_changed(&txn, view.assessment, Utc::now()).await?;
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
    if view.items.is_empty() {
        return Err(AppError::invalid(
            "items",
            msg!(
                "自评没有任何指标得分，不能提交",
                "a self-assessment without any scored indicator cannot be submitted"
            ),
        ));
    }
    let scored: HashSet<i64> = view.items.iter().map(|i| i.indicator_id).collect();
    let mut missing: Vec<String> = store::indicators_of(&txn, view.assessment.indicator_set_id)
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
    store::mark_submitted(&txn, view.assessment, Utc::now()).await?;
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
