//! Creates `department`: the bodies whose region is their users' scope.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `department` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Department::Table)
                    .col(big_pk_auto(Department::Id))
                    .col(string_uniq(Department::Code))
                    .col(string(Department::Name))
                    .col(string_len(Department::Kind, 32))
                    // None: a national department (the ministry).
                    .col(string_len_null(Department::RegionCode, 6))
                    .col(big_integer_null(Department::ParentId))
                    .col(timestamp_with_time_zone(Department::CreatedAt))
                    .col(timestamp_with_time_zone(Department::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_department_region_code")
                            .from(Department::Table, Department::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_department_parent_id")
                            .from(Department::Table, Department::ParentId)
                            .to(Department::Table, Department::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_department_region_code")
                    .table(Department::Table)
                    .col(Department::RegionCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Department::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
    Code,
    Name,
    Kind,
    RegionCode,
    ParentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Code,
}
