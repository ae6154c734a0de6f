//! What the import driver and the import kinds share: the options, the report,
//! a staged row, a batch's outcome and the [`Kind`] every importer implements.

use std::{collections::HashSet, future::Future};

use sea_orm::DatabaseTransaction;
use serde::Serialize;

use super::columns::{Column, Fields};
pub(super) use crate::service::directories::model::EnterpriseRow;
use crate::{error::AppResult, service::Actor};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import the valid rows and return the others in an error workbook.
    pub skip_invalid: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// The file's name, for the audit log.
    pub file_name: Option<String>,
}

/// One rejected row's problem, as Excel shows the place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub sheet: String,
    /// Row number as Excel shows it.
    pub row: u32,
    /// The column's header as the file has it (empty for the whole row).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// The kind imported.
    pub kind: String,
    /// The sheet read.
    pub sheet: String,
    /// Data rows read (blank rows and the header not counted).
    pub rows: u64,
    /// Rows added.
    pub inserted: u64,
    /// Rows that changed existing objects.
    pub updated: u64,
    /// Rows equal to what is stored.
    pub unchanged: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Things worth knowing that did not stop the import (unknown columns).
    pub warnings: Vec<String>,
    /// The problems of the rejected rows, by row (at most `limits.import_errors_listed`).
    pub errors: Vec<RowError>,
    /// How many problems there were in all.
    pub error_count: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Whether nothing was written because it was a dry run.
    pub dry_run: bool,
    /// The rejected rows with a reason column, when `skip_invalid` rejected any.
    #[serde(skip)]
    pub error_workbook: Option<Vec<u8>>,
}

/// How far the import has got, for progress bars and log lines.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Reading began; the sheet claims about this many rows.
    Started(Option<u32>),
    /// This many rows have been handled.
    Rows(u64),
}

/// A parsed row waiting for its batch.
pub(super) struct Staged<T> {
    /// Sheet row number.
    pub row: u32,
    pub record: T,
    /// The row's cells as text, for the error workbook (empty unless kept).
    pub original: Vec<String>,
}

/// A row of a batch that the database check rejected.
#[derive(Debug)]
pub(super) struct Rejection {
    /// Its place in the batch.
    pub index: usize,
    /// The key of the column at fault.
    pub column: &'static str,
    pub message: String,
}

/// What a batch did.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<Rejection>,
}

impl Outcome {
    pub fn reject(&mut self, index: usize, column: &'static str, message: impl Into<String>) {
        self.rejected.push(Rejection {
            index,
            column,
            message: message.into(),
        });
    }

    /// Counts a row against what is stored under its key: unchanged when
    /// `same` holds, else updated or inserted. Returns whether it must be written.
    pub fn count<M>(&mut self, stored: Option<&M>, same: impl FnOnce(&M) -> bool) -> bool {
        match stored {
            Some(m) if same(m) => {
                self.unchanged += 1;
                false
            }
            Some(_) => {
                self.updated += 1;
                true
            }
            None => {
                self.inserted += 1;
                true
            }
        }
    }
}

/// One import kind: its columns, how a row parses, its natural key, and how a
/// batch is checked against the database and written.
pub(super) trait Kind {
    /// A parsed row.
    type Record: Send + Sync;
    /// Reference data loaded once per import.
    type Context: Send + Sync;
    /// Rows per batch; `usize::MAX` keeps the whole file for one batch (kinds
    /// whose rows refer to each other).
    const BATCH: usize;
    const COLUMNS: &'static [Column];
    /// The column that names a duplicate key.
    const KEY_COLUMN: &'static str;
    /// Parses a row; problems go to `fields`. `None` only with a problem.
    fn parse(fields: &mut Fields<'_>) -> Option<Self::Record>;
    /// The natural key within the file.
    fn key(record: &Self::Record) -> String;
    /// Loads reference data.
    fn context(
        txn: &DatabaseTransaction,
        actor: &Actor,
    ) -> impl Future<Output = AppResult<Self::Context>> + Send;
    /// Checks a batch against the database and, when `write`, writes it.
    fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        context: &mut Self::Context,
        batch: &[Staged<Self::Record>],
        write: bool,
    ) -> impl Future<Output = AppResult<Outcome>> + Send;
}

/// Every region code there is (a few thousand at most).
#[derive(Debug, Default)]
pub(super) struct KnownRegions(pub HashSet<String>);

impl KnownRegions {
    /// Checks that a region exists and lies in the actor's scope.
    pub fn check(&self, actor: &Actor, code: &str) -> Result<(), String> {
        if !self.0.contains(code) {
            Err(format!("region {code} does not exist"))
        } else if !actor.covers(code) {
            Err(format!("region {code} is outside your jurisdiction"))
        } else {
            Ok(())
        }
    }
}
