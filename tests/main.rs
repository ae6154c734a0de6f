//! End-to-end tests: the real server and CLI, on SQLite and PostgreSQL.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure is a test failure"
)]

use std::process::Command;

use spotcheck_tests::TestApp;

/// The real `spotcheck` command line against the app's database.
pub fn cli(app: &TestApp) -> Command {
    app.cli_at(env!("CARGO_BIN_EXE_spotcheck-e2e"))
}

mod e2e {
    pub mod accountability;
    pub mod health;
    pub mod incidents;
    pub mod indicator_sets;
    pub mod score_fixture;
    pub mod scores;
    pub mod self_assessments;
}
