//! End-to-end tests: the real server and CLI, on SQLite and PostgreSQL.

use std::process::Command;

use spotcheck_tests::TestApp;

/// The real `spotcheck` command line against the app's database.
///
/// `SPOTCHECK_E2E_BIN` names another build of it: where several work trees
/// share one target directory, the binary at the cargo path may be another
/// tree's by the time the tests run.
pub fn cli(app: &TestApp) -> Command {
    match std::env::var("SPOTCHECK_E2E_BIN") {
        Ok(path) if !path.is_empty() => app.cli_at(&path),
        _ => app.cli_at(env!("CARGO_BIN_EXE_spotcheck-e2e")),
    }
}

// `cfg(test)` marks every module as test code, where unwrap and expect are allowed.
#[cfg(test)]
mod e2e {
    pub mod accountability;
    pub mod audit;
    pub mod auth;
    pub mod demo;
    pub mod directories;
    pub mod draw_keys;
    pub mod draw_plans;
    pub mod draw_rules;
    pub mod draw_verify;
    pub mod draws;
    pub mod fixtures;
    pub mod health;
    pub mod imports;
    pub mod imports_malformed;
    pub mod incidents;
    pub mod indicator_sets;
    pub mod jobs;
    pub mod openapi;
    pub mod plans;
    pub mod publication;
    pub mod redraws;
    pub mod reports;
    pub mod scope;
    pub mod score_fixture;
    pub mod scores;
    pub mod self_assessments;
    pub mod tasks;
}
