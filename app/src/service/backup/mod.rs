//! Backups and restores of an SQLite database, made while the server runs.
//!
//! A backup is SQLite's `VACUUM INTO`: a consistent copy as of one instant,
//! taken without stopping readers or writers, written beside its target and
//! renamed into place once it is on disk and checked. A restore copies a
//! backup into an empty database, brings its schema up to date and verifies
//! its audit chain. PostgreSQL is backed up with its own tools (`pg_dump`,
//! base backups and WAL archiving), as docs/operations.md describes.

mod store;

use std::{
    io::Read as _,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use sea_orm::{Database, DatabaseConnection, DbBackend};
use sha2::{Digest as _, Sha256};

use super::{
    Actor,
    audit::{self, Entry, Tail, Verification, outside, setup::AuditSetup},
};
use crate::db;

/// A backup written.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Audit rows it holds.
    pub audit_rows: i64,
    /// The last audit row it holds.
    pub audit_head: i64,
}

/// What `spotcheck backup` says on PostgreSQL.
pub const POSTGRES_BACKUP: &str = "this database is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=FILE URL) or with base backups and WAL archiving for point-in-time recovery; see docs/operations.md#backups";

/// What `spotcheck restore` says for a PostgreSQL target.
pub const POSTGRES_RESTORE: &str = "the target is PostgreSQL: restore a pg_dump archive with pg_restore (pg_restore --dbname=URL FILE) into an empty database, then run spotcheck migrate and spotcheck audit verify; see docs/operations.md#backups";

/// Writes a consistent copy of the SQLite database to `target` and audits it.
///
/// # Errors
/// When the database is PostgreSQL, `target` exists, or the copy cannot be
/// written or does not check out.
pub async fn backup(db: &DatabaseConnection, target: &Path) -> anyhow::Result<BackupReport> {
    anyhow::ensure!(
        db.get_database_backend() == DbBackend::Sqlite,
        "{POSTGRES_BACKUP}"
    );
    anyhow::ensure!(
        !target.exists(),
        "{} exists; a backup never overwrites a file",
        target.display()
    );
    let partial = Partial::beside(target)?;
    store::vacuum_into(db, &partial.path)
        .await
        .with_context(|| format!("Failed to write the backup to {}", target.display()))?;
    let (bytes, sha256) = sync_and_digest(&partial.path)?;
    let (audit_rows, audit_head) = check_copy(&partial.path).await?;
    partial.persist(target)?;
    let report = BackupReport {
        path: target.to_owned(),
        bytes,
        sha256,
        audit_rows,
        audit_head,
    };
    let txn = db::begin_write(db).await?;
    let file = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let entry = Entry::ok("backup.create", "database", "sqlite").with_detail(serde_json::json!({
        "file": file, "bytes": report.bytes, "sha256": report.sha256,
        "audit_rows": report.audit_rows, "audit_head": report.audit_head,
    }));
    audit::append(&txn, &Actor::system(), entry)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    txn.commit().await?;
    Ok(report)
}

/// A backup restored.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The database file written.
    pub path: PathBuf,
    /// The restored audit chain, verified.
    pub audit: Verification,
}

/// Restores a backup into the empty SQLite database of `target_url`, brings
/// its schema up to date and verifies its audit chain; when the chain holds,
/// audits the restore and records the restored head in the checkpoint file.
///
/// # Errors
/// When the target is PostgreSQL or not empty, or the backup is not an
/// intact spotcheck database.
pub async fn restore(
    source: &Path,
    target_url: &str,
    setup: &AuditSetup,
) -> anyhow::Result<RestoreReport> {
    let target = db::sqlite_path(target_url).context(POSTGRES_RESTORE)?;
    let backup = open_sqlite(source, "ro").await?;
    let check = store::quick_check(&backup).await?;
    anyhow::ensure!(
        check == "ok",
        "{} is not an intact SQLite database: {check}",
        source.display()
    );
    store::audit_extent(&backup)
        .await
        .with_context(|| format!("{} is not a spotcheck backup", source.display()))?;
    make_room(&target).await?;
    store::vacuum_into(&backup, &target)
        .await
        .with_context(|| format!("Failed to write {}", target.display()))?;
    backup.close().await?;
    sync_and_digest(&target)?;
    let db = db::connect(target_url).await?;
    let verification = audit::verify_with(&db, setup, Tail::Restored)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    if verification.ok {
        record_restore(&db, source, setup).await?;
    }
    db.close().await?;
    Ok(RestoreReport {
        path: target,
        audit: verification,
    })
}

/// Writes the restored head to the checkpoint file, so that checkpoints of
/// rows lost after the backup no longer bind, then audits the restore.
async fn record_restore(
    db: &DatabaseConnection,
    source: &Path,
    setup: &AuditSetup,
) -> anyhow::Result<()> {
    let head = audit::head(db).await.map_err(|e| anyhow::anyhow!(e))?;
    let record = outside::Recorded {
        kind: outside::Kind::Restore,
        at: chrono::Utc::now(),
        seq: head.as_ref().map_or(0, |h| h.id),
        hash: head
            .as_ref()
            .map_or_else(|| audit::GENESIS.to_owned(), |h| h.hash.clone()),
        key_id: head.and_then(|h| h.key_id),
    };
    audit::record_outside(setup, &record)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let txn = db::begin_write(db).await?;
    let file = source.file_name().map(|n| n.to_string_lossy().into_owned());
    let entry = Entry::ok("backup.restore", "database", "sqlite")
        .with_detail(serde_json::json!({"file": file, "restored_head": record.seq}));
    audit::append(&txn, &Actor::system(), entry)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    txn.commit().await?;
    Ok(())
}

/// Opens an SQLite file with the given `mode` (`ro`, `rw`, `rwc`).
async fn open_sqlite(path: &Path, mode: &str) -> anyhow::Result<DatabaseConnection> {
    anyhow::ensure!(path.is_file(), "{} is not a file", path.display());
    let url = format!("sqlite://{}?mode={mode}", path.display());
    Database::connect(url.as_str())
        .await
        .with_context(|| format!("Failed to open {}", path.display()))
}

/// Makes sure the target database is empty: absent, an empty file, or a
/// database without tables (removed, with its journal files).
async fn make_room(target: &Path) -> anyhow::Result<()> {
    if !target.exists() || std::fs::metadata(target)?.len() == 0 {
        return Ok(());
    }
    let existing = open_sqlite(target, "ro").await?;
    let tables = store::table_count(&existing).await;
    existing.close().await?;
    anyhow::ensure!(
        tables.is_ok_and(|n| n == 0),
        "{} already holds a database; restore into a new file, or move it away first",
        target.display()
    );
    for suffix in ["", "-wal", "-shm"] {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    Ok(())
}

/// Opens a copy read-only and returns its audit rows and head; fails when
/// SQLite finds it damaged.
async fn check_copy(path: &Path) -> anyhow::Result<(i64, i64)> {
    let copy = open_sqlite(path, "ro").await?;
    let check = store::quick_check(&copy).await?;
    anyhow::ensure!(check == "ok", "the backup does not check out: {check}");
    let extent = store::audit_extent(&copy).await?;
    copy.close().await?;
    Ok(extent)
}

/// Waits until the file is on disk; returns its size and SHA-256.
fn sync_and_digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("Failed to read {}", path.display()))?;
    file.sync_all()
        .with_context(|| format!("Failed to sync {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// A file written beside its target and renamed into place when complete.
struct Partial {
    path: PathBuf,
}

impl Partial {
    fn beside(target: &Path) -> anyhow::Result<Self> {
        let mut name = target
            .file_name()
            .with_context(|| format!("{} is not a file name", target.display()))?
            .to_os_string();
        name.push(format!(".{}.partial", std::process::id()));
        let path = target.with_file_name(name);
        let _ = std::fs::remove_file(&path);
        Ok(Self { path })
    }

    fn persist(self, target: &Path) -> anyhow::Result<()> {
        std::fs::rename(&self.path, target).with_context(|| {
            format!("Failed to put the backup in place at {}", target.display())
        })?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = std::fs::File::open(dir)
        {
            // The rename is durable once the directory is.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
