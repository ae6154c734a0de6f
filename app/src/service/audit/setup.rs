//! What this process knows about the audit chain's protection outside the
//! database: the key rows are signed with, and where checkpoints go.
//!
//! It is set once, when the command starts, from the `[audit]` configuration,
//! because every change in every capability appends through
//! [`super::append`]; a process that sets nothing writes plain SHA-256 rows.

use std::{path::PathBuf, sync::OnceLock};

use super::keys::{AuditKey, Keyring};
use crate::{config::AuditPolicy, error::AppError};

/// The key file as this process found it.
#[derive(Debug, Clone, Default)]
pub enum Keys {
    /// None configured: rows get plain SHA-256 hashes.
    #[default]
    None,
    /// Read from the configured file.
    Loaded {
        /// The file.
        path: PathBuf,
        /// Its keys.
        ring: Keyring,
    },
    /// Configured but unreadable: nothing may be appended, and rows written
    /// with a key cannot be checked.
    Broken {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        error: String,
    },
}

/// The audit chain's protection outside the database.
#[derive(Debug, Clone, Default)]
pub struct AuditSetup {
    /// The keys.
    pub keys: Keys,
    /// The append-only checkpoint file, if configured.
    pub checkpoint_file: Option<PathBuf>,
    /// The URL checkpoints are POSTed to, if configured.
    pub checkpoint_url: Option<String>,
}

impl AuditSetup {
    /// The setup the configuration describes; a key file that cannot be read
    /// is recorded as [`Keys::Broken`], for the caller to refuse or report.
    #[must_use]
    pub fn from_policy(policy: &AuditPolicy) -> Self {
        let keys = match &policy.key_file {
            None => Keys::None,
            Some(path) => match Keyring::load(path) {
                Ok(ring) => Keys::Loaded {
                    path: path.clone(),
                    ring,
                },
                Err(e) => Keys::Broken {
                    path: path.clone(),
                    error: format!("{e:#}"),
                },
            },
        };
        Self {
            keys,
            checkpoint_file: policy.checkpoint_file.clone(),
            checkpoint_url: policy.checkpoint_url.clone(),
        }
    }

    /// The key new rows are signed with, if any.
    ///
    /// # Errors
    /// 500 when a key file is configured but could not be read: appending
    /// plain rows then would weaken the chain unnoticed.
    pub fn signing_key(&self) -> Result<Option<&AuditKey>, AppError> {
        match &self.keys {
            Keys::None => Ok(None),
            Keys::Loaded { ring, .. } => Ok(ring.current()),
            Keys::Broken { path, error } => Err(AppError::Internal(anyhow::anyhow!(
                "the audit key file {} cannot be read: {error}",
                path.display()
            ))),
        }
    }

    /// The keyring to verify with, if one was read.
    #[must_use]
    pub fn keyring(&self) -> Option<&Keyring> {
        match &self.keys {
            Keys::Loaded { ring, .. } => Some(ring),
            _ => None,
        }
    }

    /// Fails when a key file is configured but unreadable, for commands that
    /// write: they would otherwise fail at their first audit row.
    ///
    /// # Errors
    /// The reason the key file cannot be read.
    pub fn require_keys(&self) -> anyhow::Result<()> {
        self.signing_key()
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

static SETUP: OnceLock<AuditSetup> = OnceLock::new();

/// Sets this process's audit setup; the first call wins.
pub fn install(setup: AuditSetup) {
    let _ = SETUP.set(setup);
}

/// This process's audit setup: the installed one, or none at all.
#[must_use]
pub fn current() -> &'static AuditSetup {
    static NONE: OnceLock<AuditSetup> = OnceLock::new();
    SETUP
        .get()
        .unwrap_or_else(|| NONE.get_or_init(AuditSetup::default))
}
