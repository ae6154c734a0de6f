//! What the database benchmarks share: multi-row inserts of generated rows,
//! raw statements, and a tree of regions with one emergency-management
//! department each.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, Statement,
    sea_query::{Alias, InsertStatement, Query, SimpleExpr},
};

/// Rows per INSERT statement (SQLite binds at most 32,766 values).
const ROWS_PER_STATEMENT: usize = 1_000;

/// A value for [`insert`].
pub fn v<T: Into<sea_orm::Value>>(value: T) -> SimpleExpr {
    SimpleExpr::Value(value.into())
}

/// Inserts rows in multi-row statements; returns how many.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<SimpleExpr>>,
) -> u64 {
    let mut count = 0;
    let mut batch: Vec<Vec<SimpleExpr>> = Vec::with_capacity(ROWS_PER_STATEMENT);
    let statement = |batch: &mut Vec<Vec<SimpleExpr>>| -> InsertStatement {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(columns.iter().map(|c| Alias::new(*c)));
        for row in batch.drain(..) {
            insert.values(row).unwrap();
        }
        insert
    };
    for row in rows {
        batch.push(row);
        count += 1;
        if batch.len() == ROWS_PER_STATEMENT {
            db.execute(&statement(&mut batch)).await.unwrap();
        }
    }
    if !batch.is_empty() {
        db.execute(&statement(&mut batch)).await.unwrap();
    }
    count
}

/// Runs one fixed statement.
pub async fn execute<C: ConnectionTrait>(db: &C, sql: &str) {
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap();
}

/// Code, level and parent of each region: the given provinces, each with
/// `cities` cities of `counties` counties, parents first.
pub fn region_codes(
    provinces: impl IntoIterator<Item = i64>,
    cities: i64,
    counties: i64,
) -> Vec<(String, &'static str, Option<String>)> {
    let mut codes = Vec::new();
    for p in provinces {
        let province = format!("{p}0000");
        codes.push((province.clone(), "province", None));
        for c in 1..=cities {
            let city = format!("{p}{c:02}00");
            codes.push((city.clone(), "city", Some(province.clone())));
            for k in 1..=counties {
                codes.push((format!("{p}{c:02}{k:02}"), "county", Some(city.clone())));
            }
        }
    }
    codes
}

/// Inserts the regions and one emergency-management department per region,
/// ids 1..=regions.len() in region order.
pub async fn regions_and_departments<C: ConnectionTrait>(
    db: &C,
    regions: &[(String, &'static str, Option<String>)],
    now: DateTime<Utc>,
) {
    insert(
        db,
        "region",
        &[
            "code",
            "name",
            "level",
            "parent_code",
            "created_at",
            "updated_at",
        ],
        regions.iter().map(|(code, level, parent)| {
            vec![
                v(code.clone()),
                v(code.clone()),
                v(*level),
                v(parent.clone()),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        db,
        "department",
        &[
            "id",
            "code",
            "name",
            "kind",
            "region_code",
            "created_at",
            "updated_at",
        ],
        regions.iter().enumerate().map(|(i, (code, _, _))| {
            vec![
                v(i as i64 + 1),
                v(format!("EM-{code}")),
                v(format!("{code}应急管理局")),
                v("emergency_management"),
                v(code.clone()),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
}
