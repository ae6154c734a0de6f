//! The score list leadership reads, in the caller's scope.

use std::collections::HashMap;

use entities::{Grade, Role, SubjectKind, department, enterprise, score};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait as _, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait as _, Order},
};

use super::{Actor, Page, Paged, score_rows::Key};
use crate::{
    domain::{Period, region_code::prefix_of},
    error::AppResult,
};

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
