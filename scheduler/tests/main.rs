//! The scheduler against real databases: SQLite always, PostgreSQL when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set, each test on a fresh database.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure is a test failure"
)]

mod it {
    pub mod catch_up;
    pub mod claims;
    pub mod common;
    pub mod lifecycle;
    pub mod schedule;
    pub mod two_instances;
}
