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
//! takes the check with the new column (it cannot add one to a table), so
//! there checks are suspended while the column is added and filled in, which
//! makes every row pass; PostgreSQL adds the check to the table once the rows
//! are filled in.

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
        run(manager, ADD_REASON).await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            let add = format!("{ADD_SOURCE} CONSTRAINT ck_draw_seed_source {CHECK}");
            // The default would fail the check on rows with a seed text until filled in.
            run(manager, "PRAGMA ignore_check_constraints = ON").await?;
            let added = async {
                run(manager, &add).await?;
                run(manager, FILL).await
            }
            .await;
            run(manager, "PRAGMA ignore_check_constraints = OFF").await?;
            added
        } else {
            run(manager, ADD_SOURCE).await?;
            run(manager, FILL).await?;
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
        // The source first: SQLite's check on it names the reason.
        run(manager, "ALTER TABLE draw DROP COLUMN seed_source").await?;
        run(manager, "ALTER TABLE draw DROP COLUMN seed_reason").await
    }
}
