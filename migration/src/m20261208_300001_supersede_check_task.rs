//! Gives the open tasks of superseded draws the status `superseded`.
//!
//! Until now a redraw marked only the draw; its tasks kept their status and
//! were told apart by their draw. `superseded` is now a state of the task
//! itself, so lists and sweeps can leave such tasks out by status. A draw is
//! superseded only while all its tasks are `assigned`, so `down` puts them back
//! to `assigned`.

use sea_orm_migration::prelude::*;

/// Marks the open tasks of superseded draws.
#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "UPDATE check_task SET status = 'superseded' \
     WHERE status IN ('assigned', 'in_progress', 'submitted', 'returned') \
     AND draw_id IN (SELECT id FROM draw WHERE superseded_by IS NOT NULL)";

const DOWN: &str = "UPDATE check_task SET status = 'assigned' WHERE status = 'superseded'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
