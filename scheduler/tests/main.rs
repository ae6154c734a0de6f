//! The scheduler against real databases: SQLite always, PostgreSQL when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set, each test on a fresh database.

// `cfg(test)` marks every module as test code, where unwrap and expect are allowed.
#[cfg(test)]
mod it {
    pub mod catch_up;
    pub mod claims;
    pub mod common;
    pub mod leases;
    pub mod lifecycle;
    pub mod schedule;
    pub mod two_instances;
}
