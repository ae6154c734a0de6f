//! Copies of the chain's head kept outside the database: an append-only file
//! of JSON lines, and optionally a URL each one is POSTed to.
//!
//! A line is a `checkpoint` (the head when it was taken) or a `restore` (the
//! head of a backup restored after it): a restore says that rows past its head
//! were lost with the database and written anew, so earlier checkpoints
//! beyond it no longer bind.

use std::{io::Write as _, path::Path};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The head when a checkpoint was taken.
    Checkpoint,
    /// The head of a backup restored into the database.
    Restore,
}

/// One line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Checkpoint or restore.
    pub kind: Kind,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The head row's id (0 for an empty log).
    pub seq: i64,
    /// The head row's hash.
    pub hash: String,
    /// The audit key of the head row, if it has one.
    pub key_id: Option<String>,
}

/// Appends a line to the file and waits until it is on disk.
///
/// # Errors
/// When the file cannot be opened or written.
pub fn append(path: &Path, record: &Recorded) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(record)?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("Failed to open the checkpoint file {}", path.display()))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .with_context(|| format!("Failed to write the checkpoint file {}", path.display()))
}

/// The lines of the file that still bind: every checkpoint, except those
/// beyond the head of a restore written after them.
///
/// # Errors
/// When the file cannot be read or a line is not a record.
pub fn binding(path: &Path) -> anyhow::Result<Vec<Recorded>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read the checkpoint file {}", path.display()))?;
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: Recorded = serde_json::from_str(line)
            .with_context(|| format!("{} line {} is not a checkpoint", path.display(), n + 1))?;
        records.push(record);
    }
    Ok(still_binding(records))
}

fn still_binding(records: Vec<Recorded>) -> Vec<Recorded> {
    let mut kept: Vec<Recorded> = Vec::with_capacity(records.len());
    for record in records {
        if record.kind == Kind::Restore {
            kept.retain(|earlier| earlier.seq <= record.seq);
        }
        kept.push(record);
    }
    kept
}

/// POSTs a record to an `http://` URL as JSON.
///
/// # Errors
/// When the URL does not answer 2xx within ten seconds.
pub async fn post(url: &str, record: &Recorded) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let response = client
        .post(url)
        .json(record)
        .send()
        .await
        .with_context(|| format!("Failed to send the checkpoint to {url}"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: Kind, seq: i64) -> Recorded {
        Recorded {
            kind,
            at: DateTime::from_timestamp(1_800_000_000 + seq, 0).unwrap_or_default(),
            seq,
            hash: format!("{seq:064}"),
            key_id: None,
        }
    }

    #[test]
    fn a_restore_releases_only_the_checkpoints_beyond_its_head() {
        let lines = vec![
            record(Kind::Checkpoint, 10),
            record(Kind::Checkpoint, 20),
            record(Kind::Checkpoint, 30),
            record(Kind::Restore, 20),
            record(Kind::Checkpoint, 25),
        ];
        let seqs: Vec<(Kind, i64)> = still_binding(lines)
            .iter()
            .map(|r| (r.kind, r.seq))
            .collect();
        assert_eq!(
            seqs,
            [
                (Kind::Checkpoint, 10),
                (Kind::Checkpoint, 20),
                (Kind::Restore, 20),
                (Kind::Checkpoint, 25)
            ]
        );
    }

    #[test]
    fn lines_read_back_as_written() {
        let dir = std::env::temp_dir().join(format!("spotcheck-cp-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("checkpoints.jsonl");
        let _ = std::fs::remove_file(&path);
        let written = [record(Kind::Checkpoint, 3), record(Kind::Checkpoint, 7)];
        for r in &written {
            assert!(append(&path, r).is_ok());
        }
        let read = binding(&path).map_err(|e| e.to_string());
        assert_eq!(read, Ok(written.to_vec()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
