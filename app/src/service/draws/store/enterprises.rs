//! Reading a draw's enterprises: the plan's filters (scope prefixes,
//! industries, risk levels, key supervision), active only, by id.
//!
//! What a row costs is the driver's, not the scan's, so each engine gets its
//! own path: SQLite builds one JSON array of the rows, PostgreSQL streams them
//! on a pooled connection, in a task of their own, decoded by plain sqlx (one
//! statement, bound arrays, column types checked once, no per-row maps).

use std::collections::HashSet;

use entities::{CreditClass, Industry, RiskLevel, enterprise};
use futures_util::TryStreamExt as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait as _,
    sqlx::{Column as _, Postgres, Row as _, Type, postgres::PgRow},
};
use serde::Deserialize;

use super::prefix_condition;
use crate::{
    domain::draw::Target,
    error::{AppError, AppResult},
    service::{draws::model::EnterpriseFilter, in_own_task, store_util::like_escape},
};

/// The plan's enterprises, less those cooling down, as draw targets.
///
/// On PostgreSQL they are read on a connection of `pool` rather than in the
/// draw's transaction: under READ COMMITTED a statement sees what is committed
/// when it starts wherever it runs, and the draw has written nothing yet.
pub async fn enterprise_targets<C: ConnectionTrait>(
    db: &C,
    pool: &DatabaseConnection,
    filter: &EnterpriseFilter,
    cooled: HashSet<i64>,
) -> AppResult<Vec<Target>> {
    match db.get_database_backend() {
        // A task of its own: decoding the rows then runs beside the
        // transaction's other reads instead of taking turns with them. It
        // logs nothing, so it stays out of the draw's span, which it would
        // otherwise enter on every poll.
        DbBackend::Postgres => {
            in_own_task(
                "reading the population's enterprises",
                postgres_targets(pool.clone(), Filters::of(filter), cooled),
            )
            .await
        }
        _ => Ok(sqlite_rows(db, filter)
            .await?
            .into_iter()
            .filter(|row| !cooled.contains(&row.0))
            .map(target)
            .collect()),
    }
}

fn target((id, region_code, risk, credit_class, Flag(key), industry): EnterpriseRow) -> Target {
    Target {
        id,
        region_code,
        stratum: risk.as_str().to_owned(),
        credit_class,
        key,
        industry: Some(industry),
        own_department_id: None,
        previous_inspectors: Vec::new(),
    }
}

/// The enterprises as one JSON array built by SQLite: the driver's cost per
/// returned row, not the scan, dominates reading a million rows there.
async fn sqlite_rows<C: ConnectionTrait>(
    db: &C,
    filter: &EnterpriseFilter,
) -> AppResult<Vec<EnterpriseRow>> {
    let mut query = enterprise::Entity::find()
        .select_only()
        .columns([
            enterprise::Column::Id,
            enterprise::Column::RegionCode,
            enterprise::Column::RiskLevel,
            enterprise::Column::CreditClass,
            enterprise::Column::KeySupervision,
            enterprise::Column::Industry,
        ])
        .filter(enterprise::Column::Status.eq(entities::EnterpriseStatus::Active))
        .filter(prefix_condition(
            enterprise::Column::RegionCode,
            &filter.prefixes,
        ));
    if !filter.industries.is_empty() {
        query = query.filter(enterprise::Column::Industry.is_in(filter.industries.clone()));
    }
    if !filter.risk_levels.is_empty() {
        query = query.filter(enterprise::Column::RiskLevel.is_in(filter.risk_levels.clone()));
    }
    if filter.key_only {
        query = query.filter(enterprise::Column::KeySupervision.eq(true));
    }
    let select = query.order_by_asc(enterprise::Column::Id).into_query();
    let statement = sea_orm::sea_query::Query::select()
        .expr_as(
            sea_orm::sea_query::Expr::cust(
                "COALESCE(json_group_array(json_array(e.id, e.region_code, e.risk_level, \
                 e.credit_class, e.key_supervision, e.industry)), '[]')",
            ),
            sea_orm::sea_query::Alias::new("rows"),
        )
        .from_subquery(select, sea_orm::sea_query::Alias::new("e"))
        .to_owned();
    let json: String = match db.query_one(&statement).await? {
        Some(row) => row.try_get("", "rows")?,
        None => return Ok(Vec::new()),
    };
    serde_json::from_str(&json).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "Failed to read the population's enterprises: {e}"
        ))
    })
}

/// The same filters as [`sqlite_rows`], with every value bound: the arrays
/// empty when the plan does not filter on them.
const POSTGRES_ROWS: &str = "SELECT id, region_code, risk_level, credit_class, \
     key_supervision, industry FROM enterprise \
     WHERE status = $1 \
     AND (cardinality($2::text[]) = 0 OR region_code LIKE ANY ($2::text[])) \
     AND (cardinality($3::text[]) = 0 OR industry = ANY ($3::text[])) \
     AND (cardinality($4::text[]) = 0 OR risk_level = ANY ($4::text[])) \
     AND (NOT $5 OR key_supervision) \
     ORDER BY id";

/// The values bound to [`POSTGRES_ROWS`].
struct Filters {
    patterns: Vec<String>,
    industries: Vec<&'static str>,
    risks: Vec<&'static str>,
    key_only: bool,
}

impl Filters {
    fn of(filter: &EnterpriseFilter) -> Self {
        Self {
            patterns: filter
                .prefixes
                .iter()
                .map(|p| format!("{}%", like_escape(p)))
                .collect(),
            industries: filter.industries.iter().map(|i| i.as_str()).collect(),
            risks: filter.risk_levels.iter().map(|r| r.as_str()).collect(),
            key_only: filter.key_only,
        }
    }
}

/// The enterprises streamed from PostgreSQL, each decoded straight from the
/// row's bytes into a target unless it is cooling down.
async fn postgres_targets(
    pool: DatabaseConnection,
    filters: Filters,
    cooled: HashSet<i64>,
) -> AppResult<Vec<Target>> {
    let failed = |e: sea_orm::sqlx::Error| {
        AppError::Internal(anyhow::anyhow!(
            "Failed to read the population's enterprises: {e}"
        ))
    };
    let mut rows = sea_orm::sqlx::query(POSTGRES_ROWS)
        .bind(entities::EnterpriseStatus::Active.as_str())
        .bind(filters.patterns)
        .bind(filters.industries)
        .bind(filters.risks)
        .bind(filters.key_only)
        .fetch(pool.get_postgres_connection_pool());
    let mut out = Vec::new();
    let mut checked = false;
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        // The statement is fixed, so its column types are checked once, on the
        // first row, rather than on every row.
        if !checked {
            check_columns(&row)?;
            checked = true;
        }
        let word = |i: usize| row.try_get_unchecked::<&str, _>(i).map_err(failed);
        let unknown = |what: &str, value: &str| {
            AppError::Internal(anyhow::anyhow!(
                "enterprise has an unknown {what} {value:?}"
            ))
        };
        let id = row.try_get_unchecked::<i64, _>(0).map_err(failed)?;
        if cooled.contains(&id) {
            continue;
        }
        let (risk, credit, industry) = (word(2)?, word(3)?, word(5)?);
        out.push(target((
            id,
            word(1)?.to_owned(),
            RiskLevel::from_name(risk).ok_or_else(|| unknown("risk level", risk))?,
            CreditClass::from_name(credit).ok_or_else(|| unknown("credit class", credit))?,
            Flag(row.try_get_unchecked::<bool, _>(4).map_err(failed)?),
            Industry::from_name(industry).ok_or_else(|| unknown("industry", industry))?,
        )));
    }
    Ok(out)
}

/// Checks that the columns of [`POSTGRES_ROWS`] decode as the loop reads them:
/// a bigint, text, text, text, a boolean and text.
fn check_columns(row: &PgRow) -> AppResult<()> {
    let columns = row.columns();
    let fits = columns.len() == 6
        && columns.iter().enumerate().all(|(i, column)| {
            let ty = column.type_info();
            match i {
                0 => <i64 as Type<Postgres>>::compatible(ty),
                4 => <bool as Type<Postgres>>::compatible(ty),
                _ => <&str as Type<Postgres>>::compatible(ty),
            }
        });
    if fits {
        Ok(())
    } else {
        Err(AppError::Internal(anyhow::anyhow!(
            "the population's enterprises came back with unexpected column types: {:?}",
            columns
                .iter()
                .map(|c| c.type_info().to_string())
                .collect::<Vec<_>>()
        )))
    }
}

/// An enterprise as the draw reads it: id, region, risk level, credit class,
/// key supervision and industry.
type EnterpriseRow = (i64, String, RiskLevel, CreditClass, Flag, Industry);

/// A boolean as SQLite's JSON gives it (0 or 1) or as JSON proper.
#[derive(Debug, Clone, Copy)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Flag, E> {
                Ok(Flag(v != 0))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Flag, E> {
                Ok(Flag(v != 0))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
