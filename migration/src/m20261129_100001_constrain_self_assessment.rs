//! Allows one self-assessment per subject, period and indicator set.
//!
//! The subject is a department or an enterprise, each in its own nullable
//! column; NULLs never collide in a unique index, so the index is on the
//! columns with NULL read as 0 (ids start at 1). sea-query cannot write an
//! expression index for SQLite, so the statement is written out; its text is
//! the same on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

/// Adds the unique index on `self_assessment`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const CREATE: &str = "CREATE UNIQUE INDEX uq_self_assessment_subject_period_set ON self_assessment \
     (period, indicator_set_id, subject_kind, COALESCE(department_id, 0), COALESCE(enterprise_id, 0))";
const DROP: &str = "DROP INDEX uq_self_assessment_subject_period_set";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(CREATE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DROP).await?;
        Ok(())
    }
}
