//! Adds `check_task.data_security_sum` and `check_task.data_security_weight`:
//! a check's data-security result, fixed when the check is reviewed.
//!
//! A reviewed check's findings can no longer change (findings are recorded only
//! while a check is in progress, and an indicator set in use is frozen), so the
//! sums over them are settled once, at review, next to the check's score. A
//! score recomputation then reads one row per check instead of every finding.
//!
//! - `data_security_sum`: Σ weight·clamp(points, 0, max)/max over the check's
//!   latest findings on data-security indicators with positive maximum and weight;
//! - `data_security_weight`: Σ weight over the same findings.
//!
//! Both are null when the check is not reviewed or has no such finding.
//! Reviewed and published checks are filled from their findings.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds and fills the two columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The findings of one check that count for data security.
macro_rules! counted {
    ($sum:literal) => {
        concat!(
            "(SELECT SUM(",
            $sum,
            ") FROM finding AS f JOIN indicator AS i ON i.id = f.indicator_id \
             WHERE f.task_id = check_task.id AND f.superseded = FALSE \
             AND i.category = 'data_security' AND i.max_points > 0 AND i.weight > 0)"
        )
    };
}

const BACKFILL: &str = concat!(
    "UPDATE check_task SET data_security_sum = ",
    counted!(
        "i.weight * (CASE WHEN f.points > i.max_points THEN i.max_points \
         WHEN f.points < 0 THEN 0.0 ELSE f.points END) / i.max_points"
    ),
    ", data_security_weight = ",
    counted!("i.weight"),
    " WHERE status IN ('reviewed', 'published')"
);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [CheckTask::DataSecuritySum, CheckTask::DataSecurityWeight] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CheckTask::Table)
                        .add_column(double_null(column))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(BACKFILL).await?;
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Every reviewed check was rewritten: plan the next queries on
            // fresh statistics rather than wait for autovacuum.
            db.execute_unprepared("ANALYZE check_task").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [CheckTask::DataSecurityWeight, CheckTask::DataSecuritySum] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CheckTask::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    DataSecuritySum,
    DataSecurityWeight,
}
