//! `spotcheck backup FILE` and `spotcheck restore FILE`.

use std::{path::Path, process::ExitCode};

use crate::{
    db,
    service::{self, audit::setup},
};

/// `spotcheck backup FILE`: a consistent copy of the SQLite database, made
/// while the server runs.
///
/// # Errors
/// On PostgreSQL (pointing to pg_dump), when FILE exists, or when the copy fails.
pub async fn backup(database_url: &str, file: &Path) -> anyhow::Result<ExitCode> {
    let db = db::connect(database_url).await?;
    let report = service::backup::backup(&db, file).await?;
    println!(
        "backup written to {}: {} bytes, sha256 {}, {} audit rows (head {})",
        report.path.display(),
        report.bytes,
        report.sha256,
        report.audit_rows,
        report.audit_head
    );
    Ok(ExitCode::SUCCESS)
}

/// `spotcheck restore FILE`: the backup into the empty database of
/// `--database-url`, then `audit verify`. Exit 2 when the restored chain is broken.
///
/// # Errors
/// When the target is PostgreSQL (pointing to pg_restore) or not empty, or FILE
/// is not a backup.
pub async fn restore(database_url: &str, file: &Path) -> anyhow::Result<ExitCode> {
    let report = service::backup::restore(file, database_url, setup::current()).await?;
    println!("restored {} into {}", file.display(), report.path.display());
    Ok(super::audit::report(&report.audit))
}
