//! Creates `score`: each subject's scores for a period.
//!
//! The subject is a department or an enterprise by `subject_kind`, so there is no
//! foreign key on `subject_id`; scores are recomputed wholesale, not edited.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `score` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Score::Table)
                    .col(big_pk_auto(Score::Id))
                    .col(string(Score::Period))
                    .col(string_len(Score::SubjectKind, 32))
                    .col(big_integer(Score::SubjectId))
                    .col(string_len_null(Score::RegionCode, 6))
                    // Null where the subject had no obligation in the period, not 0.
                    .col(double_null(Score::DataSecurity))
                    .col(double_null(Score::ReportingCompliance))
                    .col(double_null(Score::Inspection))
                    .col(double_null(Score::Overall))
                    .col(string_len_null(Score::Grade, 32))
                    .col(integer_null(Score::Rank))
                    .col(timestamp_with_time_zone(Score::ComputedAt))
                    .to_owned(),
            )
            .await?;
        // Led by `period`, so it also serves the per-period listing.
        manager
            .create_index(
                Index::create()
                    .name("uq_score_period_subject_kind_subject_id")
                    .table(Score::Table)
                    .col(Score::Period)
                    .col(Score::SubjectKind)
                    .col(Score::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Score::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Score {
    Table,
    Id,
    Period,
    SubjectKind,
    SubjectId,
    RegionCode,
    DataSecurity,
    ReportingCompliance,
    Inspection,
    Overall,
    Grade,
    Rank,
    ComputedAt,
}
