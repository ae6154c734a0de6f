//! End-to-end tests: the real server and CLI, on SQLite and PostgreSQL.

use std::process::Command;

use spotcheck_tests::TestApp;

/// The real `spotcheck` command line against the app's database.
pub fn cli(app: &TestApp) -> Command {
    app.cli_at(env!("CARGO_BIN_EXE_spotcheck-e2e"))
}

// `cfg(test)` marks every module as test code, where unwrap and expect are allowed.
#[cfg(test)]
mod e2e {
    pub mod accountability;
    pub mod audit;
    pub mod auth;
    pub mod directories;
    pub mod draw_rules;
    pub mod draw_verify;
    pub mod draws;
    pub mod fixtures;
    pub mod health;
    pub mod incidents;
    pub mod indicator_sets;
    pub mod jobs;
    pub mod openapi;
    pub mod plans;
    pub mod publication;
    pub mod redraws;
    pub mod scope;
    pub mod score_fixture;
    pub mod scores;
    pub mod self_assessments;
    pub mod tasks;
}
