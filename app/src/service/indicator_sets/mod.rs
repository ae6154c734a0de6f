//! Indicator sets (抽查事项清单): versioned lists of what is checked and self-assessed.
//!
//! A set is never edited once in use (by a plan, a self-assessment or a finding):
//! a new version with the same code supersedes it instead, and everything that
//! used the old version keeps pointing at it.

pub mod model;
mod store;

use std::collections::HashSet;

use chrono::Utc;
use entities::{IndicatorSetStatus, Role, indicator, indicator_set};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use self::model::{IndicatorInput, IndicatorSetInput, SetFilter, SetView};
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

/// Checks one indicator, naming fields `{place}field` (`indicators[n].field`
/// within a set); returns it with its texts trimmed.
fn check_indicator(problems: &mut Problems, place: &str, input: &IndicatorInput) -> IndicatorInput {
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
    IndicatorInput {
        code,
        name,
        legal_basis,
        ..input.clone()
    }
}

/// Checks a new set, listing every problem; returns it with its texts trimmed.
fn check_set(input: &IndicatorSetInput) -> AppResult<IndicatorSetInput> {
    let mut problems = Problems::new();
    let code = problems.text("code", &input.code, 64);
    let name = problems.text("name", &input.name, 200);
    let mut seen = HashSet::new();
    let mut indicators = Vec::new();
    for (n, item) in input.indicators.iter().enumerate() {
        let place = format!("indicators[{n}].");
        let checked = check_indicator(&mut problems, &place, item);
        problems.check(
            seen.insert(checked.code.clone()),
            &format!("{place}code"),
            format!("code {} appears twice", checked.code),
        );
        indicators.push(checked);
    }
    problems.finish()?;
    Ok(IndicatorSetInput {
        code,
        name,
        indicators,
    })
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
    let new = check_set(&input)?;
    let indicators = new.indicators.len();
    let txn = db::begin_write(db).await?;
    let earlier = store::versions_of(&txn, &new.code).await?;
    let version = earlier.iter().map(|s| s.version).max().unwrap_or(0) + 1;
    let now = Utc::now();
    let set = store::insert_set(&txn, new.code, version, new.name, now).await?;
    for indicator in new.indicators {
        store::insert_indicator(&txn, set.id, indicator).await?;
    }
    let superseded: Vec<i64> = earlier
        .iter()
        .filter(|s| s.status != IndicatorSetStatus::Superseded)
        .map(|s| s.id)
        .collect();
    if !superseded.is_empty() {
        store::supersede(&txn, &superseded, set.id, now).await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("indicator_set.create", "indicator_set", set.id).with_detail(serde_json::json!({
            "code": set.code, "version": set.version,
            "indicators": indicators, "superseded": superseded,
        })),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, set.id).await
}

async fn views<C: ConnectionTrait>(
    db: &C,
    sets: Vec<indicator_set::Model>,
) -> AppResult<Vec<SetView>> {
    let ids: Vec<i64> = sets.iter().map(|s| s.id).collect();
    let used = store::used_sets(db, &ids).await?;
    let mut indicators = store::indicators_of(db, ids).await?;
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
    let set = store::find(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("indicator set {id}").into()))?;
    views(db, vec![set])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("indicator set {id}").into()))
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
    let sets = store::list(db, filter, page).await?;
    Ok(Paged::new(views(db, sets.items).await?, sets.total, page))
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
    let new = check_indicator(&mut problems, "", &input);
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let view = get(&txn, actor, set_id).await?;
    if view.set.status == IndicatorSetStatus::Superseded {
        return Err(AppError::Conflict(
            format!("indicator set {set_id} is superseded; change its newest version instead")
                .into(),
        ));
    }
    if view.in_use {
        return Err(AppError::Conflict(format!(
            "indicator set {set_id} is in use and cannot change; create a new version with the same code"
        ).into()));
    }
    if view.indicators.iter().any(|i| i.code == new.code) {
        return Err(AppError::invalid(
            "code",
            format!("the set already has an indicator {}", new.code),
        ));
    }
    let model = store::insert_indicator(&txn, set_id, new).await?;
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
