//! Creates `user`: the people who log in.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `user` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(User::Table)
                    .col(big_pk_auto(User::Id))
                    .col(string_uniq(User::Username))
                    .col(string(User::PasswordHash))
                    .col(string_len(User::Role, 32))
                    // None: national scope.
                    .col(big_integer_null(User::DepartmentId))
                    .col(boolean(User::Active))
                    .col(integer(User::FailedLogins))
                    .col(timestamp_with_time_zone_null(User::LockedUntil))
                    .col(timestamp_with_time_zone(User::CreatedAt))
                    .col(timestamp_with_time_zone(User::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_department_id")
                            .from(User::Table, User::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(User::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    DepartmentId,
    Active,
    FailedLogins,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}
