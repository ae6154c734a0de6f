//! End-to-end tests: the real server and CLI, on SQLite and PostgreSQL.

use std::process::Command;

use spotcheck_tests::TestApp;

/// The real `spotcheck` command line against the app's database.
pub fn cli(app: &TestApp) -> Command {
    app.cli_at(&spotcheck_tests::binary().to_string_lossy())
}

// `cfg(test)` marks every module as test code, where unwrap and expect are allowed.
#[cfg(test)]
mod e2e {
    pub mod accountability;
    pub mod accounts;
    pub mod audit;
    pub mod audit_outside;
    pub mod auth;
    pub mod backfill;
    pub mod backup;
    pub mod cancellations;
    pub mod china_time;
    pub mod demo;
    pub mod demo_check;
    pub mod directories;
    pub mod docs;
    pub mod draw_announcements;
    pub mod draw_evidence;
    pub mod draw_keys;
    pub mod draw_plans;
    pub mod draw_rules;
    pub mod draw_seeds;
    pub mod draw_verify;
    pub mod draws;
    pub mod findings;
    pub mod fixtures;
    pub mod hardening;
    pub mod hazards;
    pub mod health;
    pub mod holidays;
    pub mod imports;
    pub mod imports_malformed;
    pub mod incidents;
    pub mod indicator_fit;
    pub mod indicator_sets;
    pub mod jobs;
    pub mod lockout;
    pub mod openapi;
    pub mod plans;
    pub mod publication;
    pub mod redraws;
    pub mod reports;
    pub mod scope;
    pub mod score_fixture;
    pub mod score_state;
    pub mod scores;
    pub mod self_assessments;
    pub mod serve_jobs;
    pub mod severity;
    pub mod task_lists;
    pub mod tasks;
}
