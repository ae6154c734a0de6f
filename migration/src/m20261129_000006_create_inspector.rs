//! Creates `inspector`: the law-enforcement inspectors (执法检查人员) the draw picks from.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `inspector` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Inspector::Table)
                    .col(big_pk_auto(Inspector::Id))
                    .col(string_uniq(Inspector::BadgeNo))
                    .col(string(Inspector::Name))
                    .col(big_integer(Inspector::DepartmentId))
                    .col(string_len(Inspector::RegionCode, 6))
                    .col(json_binary(Inspector::Industries))
                    .col(boolean(Inspector::Active))
                    // At most one inspector per user; NULLs do not collide.
                    .col(big_integer_null(Inspector::UserId).unique_key())
                    .col(timestamp_with_time_zone(Inspector::CreatedAt))
                    .col(timestamp_with_time_zone(Inspector::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspector_department_id")
                            .from(Inspector::Table, Inspector::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspector_region_code")
                            .from(Inspector::Table, Inspector::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspector_user_id")
                            .from(Inspector::Table, Inspector::UserId)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_inspector_region_code", Inspector::RegionCode),
            ("idx_inspector_department_id", Inspector::DepartmentId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Inspector::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Inspector::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Inspector {
    Table,
    Id,
    BadgeNo,
    Name,
    DepartmentId,
    RegionCode,
    Industries,
    Active,
    UserId,
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
