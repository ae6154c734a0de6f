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
    pub mod health;
}
