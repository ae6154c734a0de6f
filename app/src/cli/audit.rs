//! `spotcheck audit verify | checkpoint | new-key`.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::Subcommand;

use crate::{
    config::Policy,
    db,
    service::{
        self,
        audit::{Verification, keys},
    },
};

/// `spotcheck audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain and compare it with the checkpoints; exits 2
    /// naming the first bad row, and names what it could not check.
    Verify,
    /// Verify the chain and record its head now, as the daily checkpoint job
    /// does: in the database, the log, the checkpoint file and the checkpoint URL.
    Checkpoint,
    /// Add a new random key to the audit key file (created if missing); rows
    /// are signed with it once every instance has been restarted.
    NewKey {
        /// The key file (default: `audit.key_file` of the configuration).
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },
}

/// Runs an audit command.
///
/// # Errors
/// When the database cannot be reached or a file cannot be written.
pub async fn run(
    database_url: &str,
    policy: &Policy,
    command: AuditCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Checkpoint => {
            let db = db::connect(database_url).await?;
            let head = service::job_runs::checkpoint_now(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            println!("audit chain head recorded: {head}");
            if let Some(path) = &policy.audit.checkpoint_file {
                println!("  also in {}", path.display());
            }
        }
        AuditCommand::Verify => {
            let db = db::connect(database_url).await?;
            let result = service::audit::verify(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            return Ok(report(&result));
        }
        AuditCommand::NewKey { key_file } => {
            let path = key_file.or_else(|| policy.audit.key_file.clone()).context(
                "no key file: pass --key-file FILE or set audit.key_file in the configuration",
            )?;
            let id = keys::add_key(&path)?;
            println!(
                "added audit key {id} to {}; restart every spotcheck process to sign new rows with it, and keep the earlier lines",
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a verification: one line on success (standard output) or failure
/// (standard error), then what could not be checked. Exit 2 when broken.
#[must_use]
pub fn report(result: &Verification) -> ExitCode {
    let code = if result.ok {
        let keyed = result
            .keyed_from
            .map(|first| format!(", signed with audit keys from row {first} on"))
            .unwrap_or_default();
        println!(
            "audit chain intact: {} rows{keyed}; {} checkpoints outside the database agree",
            result.checked, result.outside_checkpoints
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: audit chain broken at row {}: {} ({} rows intact before it)",
            result.first_bad_id.unwrap_or_default(),
            result.problem.as_ref().map(|p| p.en()).unwrap_or_default(),
            result.checked
        );
        ExitCode::from(2)
    };
    for note in &result.not_checked {
        println!("not checked: {}", note.en());
    }
    code
}
