//! Adds `draw.seed_source` and `draw.seed_reason`: how each draw's seed was
//! chosen (`random`, `given` by an operator with a reason, or `public_text`),
//! so that a seed someone typed in can be told apart from a random one.
//!
//! Draws already there get `public_text` when they have a seed text, `random`
//! when a schedule made them (schedules never give a seed), and `unrecorded`
//! otherwise: a manual draw of before could have had either kind of seed.
//!
//! `ck_draw_seed_source` keeps the columns consistent: a given seed has a
//! reason, and a seed text goes with `public_text` and nothing else. SQLite
//! cannot add a check to a table, only with a new column, so there it comes
//! with `seed_reason`, added once `seed_source` is filled in (the check holds
//! for every row then, and SQLite checks the rows already there as it adds
//! the column); PostgreSQL adds the check to the table at the same point.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHECK: &str = "CHECK (seed_source IN ('random', 'given', 'public_text', 'unrecorded') \
     AND (seed_source <> 'given' OR seed_reason IS NOT NULL) \
     AND ((seed_source = 'public_text') = (seed_text IS NOT NULL)))";

const ADD_REASON: &str = "ALTER TABLE draw ADD COLUMN seed_reason text NULL";

const ADD_SOURCE: &str =
    "ALTER TABLE draw ADD COLUMN seed_source varchar(32) NOT NULL DEFAULT 'unrecorded'";

const FILL: &str = "UPDATE draw SET seed_source = CASE \
     WHEN seed_text IS NOT NULL THEN 'public_text' \
     WHEN \"trigger\" = 'cron' THEN 'random' \
     ELSE 'unrecorded' END";

async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, ADD_SOURCE).await?;
        run(manager, FILL).await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            run(
                manager,
                &format!("{ADD_REASON} CONSTRAINT ck_draw_seed_source {CHECK}"),
            )
            .await
        } else {
            run(manager, ADD_REASON).await?;
            let add = format!("ALTER TABLE draw ADD CONSTRAINT ck_draw_seed_source {CHECK}");
            run(manager, &add).await
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            run(
                manager,
                "ALTER TABLE draw DROP CONSTRAINT ck_draw_seed_source",
            )
            .await?;
        }
        // The reason first: SQLite's check, which names the source, goes with it.
        run(manager, "ALTER TABLE draw DROP COLUMN seed_reason").await?;
        run(manager, "ALTER TABLE draw DROP COLUMN seed_source").await
    }
}
