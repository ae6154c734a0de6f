//! The stored scores callers list, and their subjects' names.

use std::collections::HashMap;

use entities::{SubjectKind, department, enterprise, score};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait as _, QueryFilter,
    QueryOrder, QuerySelect, Select,
    sea_query::{Expr, ExprTrait as _, Order},
};

use crate::{
    domain::region_code::prefix_of,
    error::AppResult,
    service::{
        Actor, Page, Paged,
        scoring::model::{ScoreFilter, SubjectKey},
    },
};

/// Whose scores a caller sees.
pub enum Visible<'a> {
    /// A department's own row, and its jurisdiction's enterprises.
    Department { id: i64, jurisdiction: &'a Actor },
    /// Every row in the caller's region.
    InScope(&'a Actor),
}

fn visible(which: &Visible<'_>) -> Select<score::Entity> {
    let query = score::Entity::find();
    match which {
        Visible::Department { id, jurisdiction } => query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(score::Column::SubjectKind.eq(SubjectKind::Department))
                        .add(score::Column::SubjectId.eq(*id)),
                )
                .add(
                    Condition::all()
                        .add(score::Column::SubjectKind.eq(SubjectKind::Enterprise))
                        .add(jurisdiction.scope_condition(score::Column::RegionCode)),
                ),
        ),
        Visible::InScope(actor) => query.filter(actor.scope_condition(score::Column::RegionCode)),
    }
}

/// A page of the visible scores the filter lets through, best first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    filter: &ScoreFilter,
    page: Page,
) -> AppResult<Paged<score::Model>> {
    let mut query = visible(which);
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
    Ok(Paged::new(scores, total, page))
}

/// The names of the scores' departments and enterprises.
///
/// # Errors
/// When the database fails.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    scores: &[score::Model],
) -> AppResult<HashMap<SubjectKey, String>> {
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
            .map(|(id, name)| (SubjectKey::department(id), name)),
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
            .map(|(id, name)| (SubjectKey::enterprise(id), name)),
    );
    Ok(names)
}
