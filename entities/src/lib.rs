//! spotcheck's data model: one sea-orm entity per table, and the enums they use.
//!
//! Nothing here has behaviour; the domain logic lives in the `spotcheck` crate.

pub mod accountability_entry;
pub mod accountability_item;
pub mod audit_log;
pub mod check_plan;
pub mod check_task;
pub mod conflict;
pub mod department;
pub mod draw;
pub mod draw_announcement;
pub mod enterprise;
pub mod enums;
pub mod finding;
pub mod hazard_item;
pub mod hazard_step;
pub mod holiday;
pub mod incident;
pub mod incident_report;
pub mod indicator;
pub mod indicator_set;
pub mod inspector;
pub mod job_run;
pub mod login_failure;
pub mod publication;
pub mod region;
pub mod risk_item;
pub mod score;
pub mod score_computation;
pub mod self_assessment;
pub mod self_assessment_item;
pub mod session;
pub mod task_cancellation;
pub mod task_inspector;
pub mod task_return;
pub mod user;

pub use enums::*;
