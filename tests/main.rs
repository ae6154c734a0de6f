//! End-to-end tests: the real server and CLI, on SQLite and PostgreSQL.

#![expect(clippy::expect_used, reason = "tests: a failure is a test failure")]

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

mod e2e {
    pub mod health;
    pub mod imports;
    pub mod imports_malformed;
}
