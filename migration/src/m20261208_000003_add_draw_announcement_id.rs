//! Adds `draw.announcement_id`: the announcement whose frozen population and
//! parameters a draw used. A native foreign key to `draw_announcement`, unique
//! (one draw per announcement), and only on a draw seeded from public text
//! (`ck_draw_announced_text`).
//!
//! Both engines take the key with the new column (`ADD COLUMN … REFERENCES`);
//! SQLite takes the check there too, PostgreSQL adds it to the table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ADD: &str = "ALTER TABLE draw ADD COLUMN announcement_id bigint NULL \
     CONSTRAINT fk_draw_announcement_id REFERENCES draw_announcement (id)";

const CHECK: &str = "CHECK (announcement_id IS NULL OR seed_source = 'public_text')";

const INDEX: &str = "CREATE UNIQUE INDEX uq_draw_announcement_id ON draw (announcement_id)";

async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            run(
                manager,
                &format!("{ADD} CONSTRAINT ck_draw_announced_text {CHECK}"),
            )
            .await?;
        } else {
            run(manager, ADD).await?;
            let add = format!("ALTER TABLE draw ADD CONSTRAINT ck_draw_announced_text {CHECK}");
            run(manager, &add).await?;
        }
        run(manager, INDEX).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, "DROP INDEX uq_draw_announcement_id").await?;
        if manager.get_database_backend() != DbBackend::Sqlite {
            run(
                manager,
                "ALTER TABLE draw DROP CONSTRAINT ck_draw_announced_text",
            )
            .await?;
        }
        run(manager, "ALTER TABLE draw DROP COLUMN announcement_id").await
    }
}
