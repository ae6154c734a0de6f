//! Every query of the imports: the reference data and stored rows a batch is
//! checked against, and the upserts that write it, with PostgreSQL's own
//! statements where they are faster.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    conflict, department, enterprise, hazard_item, holiday, inspector, region, risk_item,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait as _, ConnectionTrait, DbBackend, EntityTrait, IdenStatic as _, IntoActiveModel,
    QueryFilter as _, QuerySelect as _, Statement,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;

use super::model::EnterpriseRow;
use crate::error::{AppError, AppResult};

/// Rows per INSERT statement, well within both engines' parameter limits.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Settings for the import's one transaction.
pub async fn tune<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        // The planner's statistics describe the tables before this import; as
        // they fill up inside the one transaction, its per-batch key lookups
        // would turn into sequential scans and the import quadratic.
        db.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await?;
    }
    Ok(())
}

/// Inserts rows, in statements of at most [`ROWS_PER_STATEMENT`]; where a row's
/// `key` is already stored, its `update` columns are overwritten instead.
async fn upsert<A, C: ConnectionTrait>(
    db: &C,
    rows: Vec<A>,
    key: &[<A::Entity as EntityTrait>::Column],
    update: &[<A::Entity as EntityTrait>::Column],
) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut insert = A::Entity::insert_many(chunk);
        if !key.is_empty() {
            insert = insert.on_conflict(
                OnConflict::columns(key.iter().copied())
                    .update_columns(update.iter().copied())
                    .to_owned(),
            );
        }
        insert.exec_without_returning(db).await?;
    }
    Ok(())
}

/// Every region code there is.
pub async fn region_codes<C: ConnectionTrait>(db: &C) -> AppResult<HashSet<String>> {
    let codes: Vec<String> = region::Entity::find()
        .select_only()
        .column(region::Column::Code)
        .into_tuple()
        .all(db)
        .await?;
    Ok(codes.into_iter().collect())
}

/// Every region, by code.
pub async fn regions_by_code<C: ConnectionTrait>(
    db: &C,
) -> AppResult<HashMap<String, region::Model>> {
    let all = region::Entity::find().all(db).await?;
    Ok(all.into_iter().map(|m| (m.code.clone(), m)).collect())
}

/// Adds regions or renames and moves them, by code.
pub async fn upsert_regions<C: ConnectionTrait>(
    db: &C,
    rows: Vec<region::ActiveModel>,
) -> AppResult<()> {
    use region::Column as C;
    upsert(
        db,
        rows,
        &[C::Code],
        &[C::Name, C::Level, C::ParentCode, C::UpdatedAt],
    )
    .await
}

/// Every department, by code.
pub async fn departments_by_code<C: ConnectionTrait>(
    db: &C,
) -> AppResult<HashMap<String, department::Model>> {
    let all = department::Entity::find().all(db).await?;
    Ok(all.into_iter().map(|m| (m.code.clone(), m)).collect())
}

/// The departments with these codes.
pub async fn departments_with_codes<C: ConnectionTrait>(
    db: &C,
    codes: Vec<&str>,
) -> AppResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::Code.is_in(codes))
        .all(db)
        .await?)
}

/// Inserts a row and returns it as stored, with its id.
pub async fn insert<A, C: ConnectionTrait>(
    db: &C,
    row: A,
) -> AppResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    Ok(row.insert(db).await?)
}

/// Writes a changed row.
pub async fn update<A, C: ConnectionTrait>(db: &C, row: A) -> AppResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    row.update(db).await?;
    Ok(())
}

/// The enterprises with these credit codes.
pub async fn enterprises_with_codes<C: ConnectionTrait>(
    db: &C,
    codes: Vec<&str>,
) -> AppResult<Vec<enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.is_in(codes))
        .all(db)
        .await?)
}

/// The enterprises of an import batch, by credit code.
pub async fn enterprises_by_code<C: ConnectionTrait>(
    db: &C,
    codes: Vec<&str>,
) -> AppResult<HashMap<String, enterprise::Model>> {
    let found = if db.get_database_backend() == DbBackend::Postgres {
        // One JSON parameter instead of a thousand: much less for the server to parse.
        enterprise::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT * FROM enterprise WHERE credit_code IN \
                 (SELECT jsonb_array_elements_text($1::jsonb))",
                [json(&codes)?.into()],
            ))
            .all(db)
            .await?
    } else {
        enterprises_with_codes(db, codes).await?
    };
    Ok(found
        .into_iter()
        .map(|m| (m.credit_code.clone(), m))
        .collect())
}

/// The columns an enterprise import writes, the natural key first, with their
/// types as PostgreSQL reads them from JSON.
const ENTERPRISE_COLUMNS: [(enterprise::Column, &str); 8] = [
    (enterprise::Column::CreditCode, "text"),
    (enterprise::Column::Name, "text"),
    (enterprise::Column::Industry, "text"),
    (enterprise::Column::RegionCode, "text"),
    (enterprise::Column::RiskLevel, "text"),
    (enterprise::Column::CreditClass, "text"),
    (enterprise::Column::KeySupervision, "boolean"),
    (enterprise::Column::Status, "text"),
];

/// The PostgreSQL upsert of [`ENTERPRISE_COLUMNS`]: the rows come as one JSON
/// parameter (`$1`), the time as `$2`.
static ENTERPRISE_UPSERT: LazyLock<String> = LazyLock::new(|| {
    let names: Vec<&str> = ENTERPRISE_COLUMNS.iter().map(|(c, _)| c.as_str()).collect();
    let key = names[0];
    let selected: Vec<String> = names.iter().map(|n| format!("x.{n}")).collect();
    let typed: Vec<String> = ENTERPRISE_COLUMNS
        .iter()
        .map(|(c, ty)| format!("{} {ty}", c.as_str()))
        .collect();
    let updated: Vec<String> = names[1..]
        .iter()
        .chain(["updated_at"].iter())
        .map(|n| format!("{n} = EXCLUDED.{n}"))
        .collect();
    format!(
        "INSERT INTO enterprise ({}, created_at, updated_at) SELECT {}, $2, $2 \
         FROM jsonb_to_recordset($1::jsonb) AS x({}) ON CONFLICT ({key}) DO UPDATE SET {}",
        names.join(", "),
        selected.join(", "),
        typed.join(", "),
        updated.join(", "),
    )
});

/// An enterprise as `jsonb_to_recordset` reads it: the fields of [`ENTERPRISE_COLUMNS`].
#[derive(Serialize)]
struct EnterpriseJson<'a> {
    credit_code: &'a str,
    name: &'a str,
    industry: &'static str,
    region_code: &'a str,
    risk_level: &'static str,
    credit_class: &'static str,
    key_supervision: bool,
    status: &'static str,
}

impl<'a> From<&'a EnterpriseRow> for EnterpriseJson<'a> {
    fn from(r: &'a EnterpriseRow) -> Self {
        Self {
            credit_code: r.credit_code.as_str(),
            name: &r.name,
            industry: r.industry.as_str(),
            region_code: r.region_code.as_str(),
            risk_level: r.risk_level.as_str(),
            credit_class: r.credit_class.as_str(),
            key_supervision: r.key_supervision,
            status: r.status.as_str(),
        }
    }
}

fn enterprise_row(r: &EnterpriseRow, now: DateTime<Utc>) -> enterprise::ActiveModel {
    enterprise::ActiveModel {
        credit_code: Set(r.credit_code.to_string()),
        name: Set(r.name.clone()),
        industry: Set(r.industry),
        region_code: Set(r.region_code.to_string()),
        risk_level: Set(r.risk_level),
        credit_class: Set(r.credit_class),
        key_supervision: Set(r.key_supervision),
        status: Set(r.status),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Adds enterprises or overwrites them, by credit code: on PostgreSQL the
/// batch goes as one JSON parameter in one statement.
pub async fn upsert_enterprises<C: ConnectionTrait>(
    db: &C,
    records: &[&EnterpriseRow],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let rows: Vec<EnterpriseJson<'_>> = records.iter().map(|r| (*r).into()).collect();
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            ENTERPRISE_UPSERT.as_str(),
            [json(&rows)?.into(), now.into()],
        ))
        .await?;
        return Ok(());
    }
    let rows = records.iter().map(|r| enterprise_row(r, now)).collect();
    let update: Vec<enterprise::Column> = ENTERPRISE_COLUMNS[1..]
        .iter()
        .map(|(c, _)| *c)
        .chain([enterprise::Column::UpdatedAt])
        .collect();
    upsert(db, rows, &[ENTERPRISE_COLUMNS[0].0], &update).await
}

/// The inspectors with these badge numbers.
pub async fn inspectors_with_badges<C: ConnectionTrait>(
    db: &C,
    badges: Vec<&str>,
) -> AppResult<Vec<inspector::Model>> {
    Ok(inspector::Entity::find()
        .filter(inspector::Column::BadgeNo.is_in(badges))
        .all(db)
        .await?)
}

/// Adds inspectors or overwrites them, by badge number; their logins stay.
pub async fn upsert_inspectors<C: ConnectionTrait>(
    db: &C,
    rows: Vec<inspector::ActiveModel>,
) -> AppResult<()> {
    use inspector::Column as C;
    let update = [
        C::Name,
        C::DepartmentId,
        C::RegionCode,
        C::Industries,
        C::Active,
        C::UpdatedAt,
    ];
    upsert(db, rows, &[C::BadgeNo], &update).await
}

/// The conflicts of these inspectors.
pub async fn conflicts_of<C: ConnectionTrait>(
    db: &C,
    inspector_ids: Vec<i64>,
) -> AppResult<Vec<conflict::Model>> {
    Ok(conflict::Entity::find()
        .filter(conflict::Column::InspectorId.is_in(inspector_ids))
        .all(db)
        .await?)
}

/// Changes the reason of a recorded conflict.
pub async fn set_conflict_reason<C: ConnectionTrait>(
    db: &C,
    id: i64,
    reason: &str,
) -> AppResult<()> {
    conflict::Entity::update_many()
        .col_expr(conflict::Column::Reason, Expr::value(reason.to_owned()))
        .filter(conflict::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records new conflicts.
pub async fn insert_conflicts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<conflict::ActiveModel>,
) -> AppResult<()> {
    upsert(db, rows, &[], &[]).await
}

/// An enterprise list item's natural key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub enterprise_id: i64,
    /// The enterprise's own code for the item.
    pub code: String,
}

/// A table of enterprise list items (risks, hazards), keyed by [`ItemKey`].
pub trait ItemTable: EntityTrait {
    const ENTERPRISE_ID: Self::Column;
    const CODE: Self::Column;
    /// The columns an import overwrites.
    const UPDATED: &'static [Self::Column];
    fn key(model: &Self::Model) -> ItemKey;
}

impl ItemTable for risk_item::Entity {
    const ENTERPRISE_ID: risk_item::Column = risk_item::Column::EnterpriseId;
    const CODE: risk_item::Column = risk_item::Column::Code;
    const UPDATED: &'static [risk_item::Column] = &[
        risk_item::Column::Name,
        risk_item::Column::Level,
        risk_item::Column::Measures,
        risk_item::Column::IdentifiedOn,
        risk_item::Column::UpdatedAt,
    ];
    fn key(model: &risk_item::Model) -> ItemKey {
        ItemKey {
            enterprise_id: model.enterprise_id,
            code: model.code.clone(),
        }
    }
}

impl ItemTable for hazard_item::Entity {
    const ENTERPRISE_ID: hazard_item::Column = hazard_item::Column::EnterpriseId;
    const CODE: hazard_item::Column = hazard_item::Column::Code;
    const UPDATED: &'static [hazard_item::Column] = &[
        hazard_item::Column::Description,
        hazard_item::Column::Grade,
        hazard_item::Column::FoundOn,
        hazard_item::Column::RectifyBy,
        hazard_item::Column::RectifiedOn,
        hazard_item::Column::Status,
        hazard_item::Column::UpdatedAt,
    ];
    fn key(model: &hazard_item::Model) -> ItemKey {
        ItemKey {
            enterprise_id: model.enterprise_id,
            code: model.code.clone(),
        }
    }
}

/// The stored items of these enterprises with these codes, by key.
pub async fn items_by_key<T: ItemTable, C: ConnectionTrait>(
    db: &C,
    enterprise_ids: Vec<i64>,
    codes: Vec<&str>,
) -> AppResult<HashMap<ItemKey, T::Model>> {
    let found = T::find()
        .filter(T::ENTERPRISE_ID.is_in(enterprise_ids))
        .filter(T::CODE.is_in(codes))
        .all(db)
        .await?;
    Ok(found.into_iter().map(|m| (T::key(&m), m)).collect())
}

/// Adds items or overwrites them, by enterprise and code.
pub async fn upsert_items<A, C: ConnectionTrait>(db: &C, rows: Vec<A>) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
    A::Entity: ItemTable,
{
    let key = [
        <A::Entity as ItemTable>::ENTERPRISE_ID,
        <A::Entity as ItemTable>::CODE,
    ];
    upsert(db, rows, &key, <A::Entity as ItemTable>::UPDATED).await
}

/// The holidays stored for these dates, by date.
pub async fn holidays_on<C: ConnectionTrait>(
    db: &C,
    dates: Vec<NaiveDate>,
) -> AppResult<HashMap<NaiveDate, holiday::Model>> {
    let found = holiday::Entity::find()
        .filter(holiday::Column::Date.is_in(dates))
        .all(db)
        .await?;
    Ok(found.into_iter().map(|m| (m.date, m)).collect())
}

/// Adds holidays or overwrites them, by date.
pub async fn upsert_holidays<C: ConnectionTrait>(
    db: &C,
    rows: Vec<holiday::ActiveModel>,
) -> AppResult<()> {
    use holiday::Column as C;
    upsert(db, rows, &[C::Date], &[C::Name, C::Kind]).await
}

fn json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to encode a batch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgresql_reads_every_written_column_from_the_json_rows() {
        let record = EnterpriseRow {
            credit_code: crate::domain::CreditCode::parse("91350100M000100Y43")
                .expect("a credit code"),
            name: "示例".to_owned(),
            industry: entities::Industry::Other,
            region_code: crate::domain::RegionCode::parse("350102").expect("a region code"),
            risk_level: entities::RiskLevel::Low,
            credit_class: entities::CreditClass::B,
            key_supervision: false,
            status: entities::EnterpriseStatus::Active,
        };
        let row = serde_json::to_value(EnterpriseJson::from(&record)).expect("a JSON row");
        let mut keys: Vec<&str> = row
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut columns: Vec<&str> = ENTERPRISE_COLUMNS.iter().map(|(c, _)| c.as_str()).collect();
        keys.sort_unstable();
        columns.sort_unstable();
        assert_eq!(keys, columns);
        assert!(
            ENTERPRISE_UPSERT
                .contains("ON CONFLICT (credit_code) DO UPDATE SET name = EXCLUDED.name"),
            "{}",
            *ENTERPRISE_UPSERT
        );
    }
}
