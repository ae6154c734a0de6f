//! Adds `user.must_change_password`: an administrator's reset gives a
//! temporary password that its user must change before doing anything else.
//! Existing users have ordinary passwords.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the column, false for every existing user.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(boolean(User::MustChangePassword).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .drop_column(User::MustChangePassword)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    MustChangePassword,
}
