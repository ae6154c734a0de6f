//! Creates `incident`: disasters and accidents reported by departments (灾害事故信息报送).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `incident` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incident::Table)
                    .col(big_pk_auto(Incident::Id))
                    .col(big_integer(Incident::DepartmentId))
                    .col(string_len(Incident::RegionCode, 6))
                    .col(timestamp_with_time_zone(Incident::OccurredAt))
                    .col(string_len(Incident::Kind, 32))
                    .col(integer(Incident::Deaths))
                    .col(integer(Incident::SeriousInjuries))
                    .col(big_integer(Incident::EconomicLossYuan))
                    .col(string_len_null(Incident::StatedSeverity, 32))
                    .col(string_len(Incident::DerivedSeverity, 32))
                    .col(text(Incident::Summary))
                    .col(big_integer_null(Incident::CreatedBy))
                    .col(timestamp_with_time_zone(Incident::CreatedAt))
                    .col(timestamp_with_time_zone(Incident::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_department_id")
                            .from(Incident::Table, Incident::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_region_code")
                            .from(Incident::Table, Incident::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_created_by")
                            .from(Incident::Table, Incident::CreatedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_incident_department_id", Incident::DepartmentId),
            ("idx_incident_region_code", Incident::RegionCode),
            ("idx_incident_occurred_at", Incident::OccurredAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Incident::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Incident::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
    DepartmentId,
    RegionCode,
    OccurredAt,
    Kind,
    Deaths,
    SeriousInjuries,
    EconomicLossYuan,
    StatedSeverity,
    DerivedSeverity,
    Summary,
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
enum Region {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}
