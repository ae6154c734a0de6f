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
    pub mod audit;
    pub mod auth;
    pub mod directories;
    pub mod health;
    pub mod openapi;
    pub mod scope;
}
