//! Adds `job_run.lease_until` and `job_run.taken_over_from`.
//!
//! A claimed fire holds a lease that its instance renews while the body runs. A
//! `running` row whose lease has expired belongs to an instance that died: another
//! instance closes it, or runs the fire in its place, and records whose claim it
//! took over. Rows written before this migration have no lease; they count as
//! expired once they are older than any lease.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the two columns and an index for finding expired claims.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(JobRun::Table)
                    .add_column(timestamp_with_time_zone_null(JobRun::LeaseUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(JobRun::Table)
                    .add_column(string_null(JobRun::TakenOverFrom))
                    .to_owned(),
            )
            .await?;
        // The reaper looks for claims still running, a handful at most.
        manager
            .create_index(
                Index::create()
                    .name("idx_job_run_outcome")
                    .table(JobRun::Table)
                    .col(JobRun::Outcome)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_job_run_outcome")
                    .table(JobRun::Table)
                    .to_owned(),
            )
            .await?;
        for column in [JobRun::TakenOverFrom, JobRun::LeaseUntil] {
            manager
                .alter_table(
                    Table::alter()
                        .table(JobRun::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum JobRun {
    Table,
    Outcome,
    LeaseUntil,
    TakenOverFrom,
}
