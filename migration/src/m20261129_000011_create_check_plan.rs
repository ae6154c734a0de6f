//! Creates `check_plan`: plans for double-random spot checks.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `check_plan` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckPlan::Table)
                    .col(big_pk_auto(CheckPlan::Id))
                    .col(string(CheckPlan::Name))
                    .col(string_len(CheckPlan::TargetKind, 32))
                    .col(json_binary(CheckPlan::RegionPrefixes))
                    .col(json_binary(CheckPlan::Industries))
                    .col(json_binary(CheckPlan::RiskLevels))
                    .col(boolean(CheckPlan::KeyOnly))
                    .col(json_binary(CheckPlan::Ratios))
                    .col(integer(CheckPlan::MinPerStratum))
                    .col(boolean(CheckPlan::KeyAll))
                    .col(double(CheckPlan::UniformShare))
                    .col(json_binary(CheckPlan::DepartmentIds))
                    .col(integer(CheckPlan::InspectorsPerTask))
                    .col(boolean(CheckPlan::RequireQualification))
                    .col(integer(CheckPlan::CooldownDays))
                    .col(string_null(CheckPlan::Cron))
                    .col(integer(CheckPlan::DueDays))
                    .col(big_integer_null(CheckPlan::IndicatorSetId))
                    .col(string_len(CheckPlan::Status, 32))
                    .col(big_integer_null(CheckPlan::OwnerDepartmentId))
                    .col(big_integer_null(CheckPlan::CreatedBy))
                    .col(timestamp_with_time_zone(CheckPlan::CreatedAt))
                    .col(timestamp_with_time_zone(CheckPlan::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_plan_indicator_set_id")
                            .from(CheckPlan::Table, CheckPlan::IndicatorSetId)
                            .to(IndicatorSet::Table, IndicatorSet::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_plan_owner_department_id")
                            .from(CheckPlan::Table, CheckPlan::OwnerDepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_plan_created_by")
                            .from(CheckPlan::Table, CheckPlan::CreatedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckPlan::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CheckPlan {
    Table,
    Id,
    Name,
    TargetKind,
    RegionPrefixes,
    Industries,
    RiskLevels,
    KeyOnly,
    Ratios,
    MinPerStratum,
    KeyAll,
    UniformShare,
    DepartmentIds,
    InspectorsPerTask,
    RequireQualification,
    CooldownDays,
    Cron,
    DueDays,
    IndicatorSetId,
    Status,
    OwnerDepartmentId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IndicatorSet {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}
