//! spotcheck's schema: one sea-orm migration per change, run on `serve` and `migrate`.
//!
//! Each of the first migrations creates one table together with its keys and
//! indexes, and its `down` drops that table; later ones make one change each.
//! [`Migrator`] lists them so that a referenced table is always created before
//! the tables that point at it. The same migrations run on SQLite and PostgreSQL.
//!
//! The migrations never import the `entities` crate: a migration is a record of a
//! change at one point in time and must not move when the entities later do. Each
//! file names its own columns instead, spelled as the entities' snake_case fields.
//!
//! ```no_run
//! use migration::{Migrator, MigratorTrait};
//! use sea_orm_migration::sea_orm::Database;
//!
//! # async fn run() -> Result<(), sea_orm_migration::sea_orm::DbErr> {
//! let db = Database::connect("sqlite://spotcheck.db?mode=rwc").await?;
//! Migrator::up(&db, None).await?;
//! # Ok(())
//! # }
//! ```

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

pub mod holiday_calendar;
mod m20261129_000001_create_region;
mod m20261129_000002_create_department;
mod m20261129_000003_create_user;
mod m20261129_000004_create_session;
mod m20261129_000005_create_enterprise;
mod m20261129_000006_create_inspector;
mod m20261129_000007_create_conflict;
mod m20261129_000008_create_risk_item;
mod m20261129_000009_create_indicator_set;
mod m20261129_000010_create_indicator;
mod m20261129_000011_create_check_plan;
mod m20261129_000012_create_draw;
mod m20261129_000013_create_check_task;
mod m20261129_000014_create_task_inspector;
mod m20261129_000015_create_hazard_item;
mod m20261129_000016_create_finding;
mod m20261129_000017_create_self_assessment;
mod m20261129_000018_create_self_assessment_item;
mod m20261129_000019_create_incident;
mod m20261129_000020_create_incident_report;
mod m20261129_000021_create_publication;
mod m20261129_000022_create_score;
mod m20261129_000023_create_accountability_item;
mod m20261129_000024_create_holiday;
mod m20261129_000025_create_audit_log;
mod m20261129_000026_create_job_run;
mod m20261129_100001_constrain_self_assessment;
mod m20261129_100002_alter_finding;
mod m20261129_100003_index_accountability_item;
mod m20261130_000001_check_draw_keys_per_statement;
mod m20261207_000001_task_inspector_natural_key;
mod m20261207_000002_key_checks_read_keys_once;
mod m20261207_000003_check_task_data_security;
mod m20261207_100001_add_job_run_lease;
mod m20261207_200001_restore_draw_foreign_keys;
mod m20261207_200002_constrain_check_task_target;
mod m20261208_000001_add_draw_seed_source;
mod m20261208_000002_create_draw_announcement;
mod m20261208_000003_add_draw_announcement_id;
mod m20261208_300001_supersede_check_task;
mod m20261208_300002_create_task_return;
mod m20261208_300003_alter_finding;
mod m20261208_300004_alter_hazard_item;
mod m20261208_400001_add_hazard_item_status;
mod m20261208_400002_create_hazard_step;
mod m20261208_400003_seed_holiday;
mod m20261208_450001_add_incident_report_backfill;
mod m20261208_450002_add_statement_severities;
mod m20261208_450003_create_accountability_entry;
mod m20261208_450004_move_accountability_notes;
mod m20261208_450005_drop_accountability_item_note;
mod m20261208_450006_create_score_computation;
mod m20261208_500001_create_login_failure;
mod m20261208_500002_drop_user_lockout;
mod m20261208_500003_add_user_must_change_password;
mod m20261208_500004_add_session_source_addr;
mod m20261208_500005_add_audit_log_key_id;
mod m20261209_100001_create_task_cancellation;

/// Every migration of the schema, in the order they apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_region::Migration),
            Box::new(m20261129_000002_create_department::Migration),
            Box::new(m20261129_000003_create_user::Migration),
            Box::new(m20261129_000004_create_session::Migration),
            Box::new(m20261129_000005_create_enterprise::Migration),
            Box::new(m20261129_000006_create_inspector::Migration),
            Box::new(m20261129_000007_create_conflict::Migration),
            Box::new(m20261129_000008_create_risk_item::Migration),
            Box::new(m20261129_000009_create_indicator_set::Migration),
            Box::new(m20261129_000010_create_indicator::Migration),
            Box::new(m20261129_000011_create_check_plan::Migration),
            Box::new(m20261129_000012_create_draw::Migration),
            Box::new(m20261129_000013_create_check_task::Migration),
            Box::new(m20261129_000014_create_task_inspector::Migration),
            Box::new(m20261129_000015_create_hazard_item::Migration),
            Box::new(m20261129_000016_create_finding::Migration),
            Box::new(m20261129_000017_create_self_assessment::Migration),
            Box::new(m20261129_000018_create_self_assessment_item::Migration),
            Box::new(m20261129_000019_create_incident::Migration),
            Box::new(m20261129_000020_create_incident_report::Migration),
            Box::new(m20261129_000021_create_publication::Migration),
            Box::new(m20261129_000022_create_score::Migration),
            Box::new(m20261129_000023_create_accountability_item::Migration),
            Box::new(m20261129_000024_create_holiday::Migration),
            Box::new(m20261129_000025_create_audit_log::Migration),
            Box::new(m20261129_000026_create_job_run::Migration),
            Box::new(m20261129_100001_constrain_self_assessment::Migration),
            Box::new(m20261129_100002_alter_finding::Migration),
            Box::new(m20261129_100003_index_accountability_item::Migration),
            Box::new(m20261130_000001_check_draw_keys_per_statement::Migration),
            Box::new(m20261207_000001_task_inspector_natural_key::Migration),
            Box::new(m20261207_000002_key_checks_read_keys_once::Migration),
            Box::new(m20261207_000003_check_task_data_security::Migration),
            Box::new(m20261207_100001_add_job_run_lease::Migration),
            Box::new(m20261207_200001_restore_draw_foreign_keys::Migration),
            Box::new(m20261207_200002_constrain_check_task_target::Migration),
            Box::new(m20261208_000001_add_draw_seed_source::Migration),
            Box::new(m20261208_000002_create_draw_announcement::Migration),
            Box::new(m20261208_000003_add_draw_announcement_id::Migration),
            Box::new(m20261208_300001_supersede_check_task::Migration),
            Box::new(m20261208_300002_create_task_return::Migration),
            Box::new(m20261208_300003_alter_finding::Migration),
            Box::new(m20261208_300004_alter_hazard_item::Migration),
            Box::new(m20261208_400001_add_hazard_item_status::Migration),
            Box::new(m20261208_400002_create_hazard_step::Migration),
            Box::new(m20261208_400003_seed_holiday::Migration),
            Box::new(m20261208_450001_add_incident_report_backfill::Migration),
            Box::new(m20261208_450002_add_statement_severities::Migration),
            Box::new(m20261208_450003_create_accountability_entry::Migration),
            Box::new(m20261208_450004_move_accountability_notes::Migration),
            Box::new(m20261208_450005_drop_accountability_item_note::Migration),
            Box::new(m20261208_450006_create_score_computation::Migration),
            Box::new(m20261208_500001_create_login_failure::Migration),
            Box::new(m20261208_500002_drop_user_lockout::Migration),
            Box::new(m20261208_500003_add_user_must_change_password::Migration),
            Box::new(m20261208_500004_add_session_source_addr::Migration),
            Box::new(m20261208_500005_add_audit_log_key_id::Migration),
            Box::new(m20261209_100001_create_task_cancellation::Migration),
        ]
    }
}
