//! Creates `conflict`: who must never be drawn for whom (回避).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `conflict` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conflict::Table)
                    .col(big_pk_auto(Conflict::Id))
                    .col(big_integer(Conflict::InspectorId))
                    .col(big_integer_null(Conflict::EnterpriseId))
                    .col(big_integer_null(Conflict::DepartmentId))
                    .col(text(Conflict::Reason))
                    .col(timestamp_with_time_zone(Conflict::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conflict_inspector_id")
                            .from(Conflict::Table, Conflict::InspectorId)
                            .to(Inspector::Table, Inspector::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conflict_enterprise_id")
                            .from(Conflict::Table, Conflict::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conflict_department_id")
                            .from(Conflict::Table, Conflict::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conflict_inspector_id")
                    .table(Conflict::Table)
                    .col(Conflict::InspectorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Conflict::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Conflict {
    Table,
    Id,
    InspectorId,
    EnterpriseId,
    DepartmentId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Inspector {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}
