//! Creates `self_assessment`: a department's or enterprise's own assessment for a period.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `self_assessment` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SelfAssessment::Table)
                    .col(big_pk_auto(SelfAssessment::Id))
                    .col(string_len(SelfAssessment::SubjectKind, 32))
                    .col(big_integer_null(SelfAssessment::DepartmentId))
                    .col(big_integer_null(SelfAssessment::EnterpriseId))
                    .col(string_len_null(SelfAssessment::RegionCode, 6))
                    .col(string(SelfAssessment::Period))
                    .col(big_integer(SelfAssessment::IndicatorSetId))
                    .col(string_len(SelfAssessment::Status, 32))
                    .col(timestamp_with_time_zone_null(SelfAssessment::SubmittedAt))
                    .col(big_integer_null(SelfAssessment::CreatedBy))
                    .col(timestamp_with_time_zone(SelfAssessment::CreatedAt))
                    .col(timestamp_with_time_zone(SelfAssessment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_department_id")
                            .from(SelfAssessment::Table, SelfAssessment::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_enterprise_id")
                            .from(SelfAssessment::Table, SelfAssessment::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_indicator_set_id")
                            .from(SelfAssessment::Table, SelfAssessment::IndicatorSetId)
                            .to(IndicatorSet::Table, IndicatorSet::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_created_by")
                            .from(SelfAssessment::Table, SelfAssessment::CreatedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SelfAssessment::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SelfAssessment {
    Table,
    Id,
    SubjectKind,
    DepartmentId,
    EnterpriseId,
    RegionCode,
    Period,
    IndicatorSetId,
    Status,
    SubmittedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IndicatorSet {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}
