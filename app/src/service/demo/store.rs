//! Every query of the demo load: which natural keys are present, and the
//! inserts of what is missing, in statements of at most [`BATCH`] rows.

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use entities::{
    check_plan, conflict, department, enterprise, indicator_set, inspector, region, user,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, TryGetableMany,
    sea_query::{Expr, IntoCondition},
};

/// Rows per INSERT statement, well within SQLite's and PostgreSQL's parameter limits.
const BATCH: usize = 500;

/// Inserts rows in statements of at most [`BATCH`] rows; returns how many.
pub async fn insert_batches<A, C: ConnectionTrait>(
    db: &C,
    rows: Vec<A>,
    what: &str,
) -> anyhow::Result<u64>
where
    A: ActiveModelTrait + Send,
{
    let mut added = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        added += A::Entity::insert_many(batch)
            .exec_without_returning(db)
            .await
            .with_context(|| format!("Failed to insert demo {what}"))?;
    }
    Ok(added)
}

/// The given columns of the rows of `E` that `filter` selects, as tuples:
/// the one query per table that finds which natural keys are present.
async fn select<E, T, R, C>(
    db: &C,
    columns: impl IntoIterator<Item = E::Column>,
    filter: impl IntoCondition,
    what: &str,
) -> anyhow::Result<R>
where
    E: EntityTrait,
    T: TryGetableMany,
    R: FromIterator<T>,
    C: ConnectionTrait,
{
    let rows = E::find()
        .select_only()
        .columns(columns)
        .filter(filter)
        .into_tuple::<T>()
        .all(db)
        .await
        .with_context(|| format!("Failed to read {what}"))?;
    Ok(rows.into_iter().collect())
}

/// Which of these region codes are stored.
pub async fn present_regions<C: ConnectionTrait>(
    db: &C,
    codes: impl IntoIterator<Item = &str>,
) -> anyhow::Result<HashSet<String>> {
    let filter = region::Column::Code.is_in(codes);
    select::<region::Entity, _, _, _>(db, [region::Column::Code], filter, "regions").await
}

/// Ids of the stored departments with these codes, by code.
pub async fn department_ids<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
) -> anyhow::Result<HashMap<String, i64>> {
    let columns = [department::Column::Code, department::Column::Id];
    let filter = department::Column::Code.is_in(codes.iter().cloned());
    select::<department::Entity, (String, i64), _, _>(db, columns, filter, "departments").await
}

/// The stored credit codes that start with 91 and one of these counties.
pub async fn present_credit_codes<C: ConnectionTrait>(
    db: &C,
    counties: impl IntoIterator<Item = &str>,
) -> anyhow::Result<HashSet<String>> {
    let filter = counties.into_iter().fold(Condition::any(), |any, code| {
        any.add(enterprise::Column::CreditCode.starts_with(format!("91{code}")))
    });
    let columns = [enterprise::Column::CreditCode];
    select::<enterprise::Entity, _, _, _>(db, columns, filter, "enterprises").await
}

/// Ids of the stored enterprises with these credit codes, by code.
pub async fn enterprise_ids<C: ConnectionTrait>(
    db: &C,
    codes: impl IntoIterator<Item = String>,
) -> anyhow::Result<HashMap<String, i64>> {
    let columns = [enterprise::Column::CreditCode, enterprise::Column::Id];
    let filter = enterprise::Column::CreditCode.is_in(codes);
    select::<enterprise::Entity, _, _, _>(db, columns, filter, "enterprises").await
}

/// Ids of the stored inspectors with these badge numbers, by badge number.
pub async fn inspector_ids<C: ConnectionTrait>(
    db: &C,
    badges: impl IntoIterator<Item = String>,
) -> anyhow::Result<HashMap<String, i64>> {
    let columns = [inspector::Column::BadgeNo, inspector::Column::Id];
    let filter = inspector::Column::BadgeNo.is_in(badges);
    select::<inspector::Entity, (String, i64), _, _>(db, columns, filter, "inspectors").await
}

/// Which of these usernames are taken.
pub async fn present_users<C: ConnectionTrait>(
    db: &C,
    usernames: impl IntoIterator<Item = &str>,
) -> anyhow::Result<HashSet<String>> {
    let filter = user::Column::Username.is_in(usernames);
    select::<user::Entity, _, _, _>(db, [user::Column::Username], filter, "users").await
}

/// Creates a user.
pub async fn insert_user<C: ConnectionTrait>(
    db: &C,
    row: user::ActiveModel,
    username: &str,
) -> anyhow::Result<user::Model> {
    row.insert(db)
        .await
        .with_context(|| format!("Failed to create user {username}"))
}

/// Links the inspector with this badge number to a user, unless it has one.
pub async fn link_inspector_user<C: ConnectionTrait>(
    db: &C,
    badge_no: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    inspector::Entity::update_many()
        .col_expr(inspector::Column::UserId, Expr::value(user_id))
        .col_expr(inspector::Column::UpdatedAt, Expr::value(now))
        .filter(inspector::Column::BadgeNo.eq(badge_no))
        .filter(inspector::Column::UserId.is_null())
        .exec(db)
        .await
        .context("Failed to link the inspector user")?;
    Ok(())
}

/// An inspector and the enterprise a conflict keeps them apart from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConflictKey {
    pub inspector_id: i64,
    pub enterprise_id: Option<i64>,
}

/// The conflicts stored for these inspectors.
pub async fn present_conflicts<C: ConnectionTrait>(
    db: &C,
    inspector_ids: impl IntoIterator<Item = i64>,
) -> anyhow::Result<HashSet<ConflictKey>> {
    let columns = [
        conflict::Column::InspectorId,
        conflict::Column::EnterpriseId,
    ];
    let filter = conflict::Column::InspectorId.is_in(inspector_ids);
    let pairs: Vec<(i64, Option<i64>)> =
        select::<conflict::Entity, _, _, _>(db, columns, filter, "conflicts").await?;
    Ok(pairs
        .into_iter()
        .map(|(inspector_id, enterprise_id)| ConflictKey {
            inspector_id,
            enterprise_id,
        })
        .collect())
}

/// The id of the indicator set `code` version `version`, if it is stored.
pub async fn indicator_set_id<C: ConnectionTrait>(
    db: &C,
    code: &str,
    version: i32,
) -> anyhow::Result<Option<i64>> {
    let filter = Condition::all()
        .add(indicator_set::Column::Code.eq(code))
        .add(indicator_set::Column::Version.eq(version));
    let present: Vec<i64> = select::<indicator_set::Entity, _, _, _>(
        db,
        [indicator_set::Column::Id],
        filter,
        "indicator sets",
    )
    .await?;
    Ok(present.first().copied())
}

/// Creates an indicator set.
pub async fn insert_indicator_set<C: ConnectionTrait>(
    db: &C,
    row: indicator_set::ActiveModel,
) -> anyhow::Result<indicator_set::Model> {
    row.insert(db)
        .await
        .context("Failed to create the demo indicator set")
}

/// The names of the plans a department owns, among `names`.
pub async fn present_plans<C: ConnectionTrait>(
    db: &C,
    owner_id: i64,
    names: impl IntoIterator<Item = &str>,
) -> anyhow::Result<HashSet<String>> {
    let filter = Condition::all()
        .add(check_plan::Column::OwnerDepartmentId.eq(owner_id))
        .add(check_plan::Column::Name.is_in(names));
    select::<check_plan::Entity, _, _, _>(db, [check_plan::Column::Name], filter, "plans").await
}
