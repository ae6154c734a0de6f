//! Creates `job_run`: the run history that makes each scheduled fire happen once.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `job_run` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobRun::Table)
                    .col(big_pk_auto(JobRun::Id))
                    .col(string(JobRun::JobName))
                    .col(timestamp_with_time_zone(JobRun::FireTime))
                    .col(string(JobRun::Instance))
                    .col(timestamp_with_time_zone(JobRun::StartedAt))
                    .col(timestamp_with_time_zone_null(JobRun::FinishedAt))
                    .col(string(JobRun::Outcome))
                    .col(text_null(JobRun::Message))
                    .to_owned(),
            )
            .await?;
        // Instances race to insert the same (job, fire time); the loser skips the fire.
        manager
            .create_index(
                Index::create()
                    .name("uq_job_run_job_name_fire_time")
                    .table(JobRun::Table)
                    .col(JobRun::JobName)
                    .col(JobRun::FireTime)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobRun::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum JobRun {
    Table,
    Id,
    JobName,
    FireTime,
    Instance,
    StartedAt,
    FinishedAt,
    Outcome,
    Message,
}
