//! Importing directories and lists from workbooks (regions, departments,
//! enterprises, inspectors, conflicts, risks, hazards, holidays).
//!
//! The workbook is read on a blocking thread (`reports::read`, streaming) and
//! its rows arrive here in chunks. The header row is found (Chinese or English
//! names, any order, below a title if need be), each row is parsed and checked,
//! and rows are written in batches inside one transaction. A file is imported
//! whole or not at all: any rejected row rolls everything back and answers 422
//! with every error, unless `skip_invalid` keeps the good rows and returns the
//! rejected ones in an error workbook. Upserts go by natural key, so importing
//! the same file again changes nothing. The import appends one audit entry with
//! the counts and the file's SHA-256.

mod columns;
mod conflicts;
mod departments;
mod enterprises;
mod hazards;
mod holidays;
mod inspectors;
mod items;
mod regions;
mod risks;
mod run;
pub(crate) mod vocab;

use std::{
    future::Future,
    io::{Read, Seek},
};

use entities::Role;
use reports::template::TemplateColumn;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Serialize;

pub use columns::Column;
use columns::Fields;
use run::Run;

use super::Actor;
use crate::{
    config::Limits,
    error::{AppError, AppResult},
};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// GB/T 2260 regions.
    Regions,
    /// Departments.
    Departments,
    /// Enterprises.
    Enterprises,
    /// Inspectors.
    Inspectors,
    /// Conflicts of interest.
    Conflicts,
    /// Risk lists (风险清单).
    Risks,
    /// Hidden-hazard lists (隐患排查治理清单).
    Hazards,
    /// Holidays and adjusted workdays.
    Holidays,
}

impl ImportKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::Regions,
        Self::Departments,
        Self::Enterprises,
        Self::Inspectors,
        Self::Conflicts,
        Self::Risks,
        Self::Hazards,
        Self::Holidays,
    ];

    /// The kind's name in URLs and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regions => "regions",
            Self::Departments => "departments",
            Self::Enterprises => "enterprises",
            Self::Inspectors => "inspectors",
            Self::Conflicts => "conflicts",
            Self::Risks => "risks",
            Self::Hazards => "hazards",
            Self::Holidays => "holidays",
        }
    }

    /// Parses a kind's name.
    ///
    /// # Errors
    /// 404 naming the kinds there are.
    pub fn parse(name: &str) -> AppResult<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                AppError::NotFound(format!(
                    "import kind '{name}' (use one of {})",
                    names.join(", ")
                ))
            })
    }

    fn writers(self) -> &'static [Role] {
        match self {
            Self::Regions | Self::Departments | Self::Holidays => &[Role::Admin],
            Self::Inspectors | Self::Conflicts => &[Role::Admin, Role::Supervisor],
            Self::Enterprises | Self::Risks | Self::Hazards => {
                &[Role::Admin, Role::Supervisor, Role::Department]
            }
        }
    }

    /// The kind's columns.
    #[must_use]
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Regions => regions::COLUMNS,
            Self::Departments => departments::COLUMNS,
            Self::Enterprises => enterprises::COLUMNS,
            Self::Inspectors => inspectors::COLUMNS,
            Self::Conflicts => conflicts::COLUMNS,
            Self::Risks => risks::COLUMNS,
            Self::Hazards => hazards::COLUMNS,
            Self::Holidays => holidays::COLUMNS,
        }
    }

    /// The template's sheet name.
    fn sheet(self) -> &'static str {
        match self {
            Self::Regions => "行政区划",
            Self::Departments => "部门",
            Self::Enterprises => "企业",
            Self::Inspectors => "执法检查人员",
            Self::Conflicts => "回避关系",
            Self::Risks => "风险清单",
            Self::Hazards => "隐患排查治理清单",
            Self::Holidays => "节假日",
        }
    }
}

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
    /// Sheet name.
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

/// A template for a kind: Chinese headers with English notes, an example row,
/// drop-downs, widths and a frozen header.
///
/// # Errors
/// 500 if the workbook cannot be assembled.
pub fn template(kind: ImportKind) -> AppResult<Vec<u8>> {
    let columns: Vec<TemplateColumn> = kind
        .columns()
        .iter()
        .map(|c| TemplateColumn {
            header: c.zh.to_owned(),
            note: format!(
                "{} ({}){}",
                c.key,
                if c.required { "required" } else { "optional" },
                if c.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.note)
                }
            ),
            example: c.example.to_owned(),
            choices: c.choices.iter().map(|s| (*s).to_owned()).collect(),
            width: c.width,
            required: c.required,
            date: c.date,
        })
        .collect();
    reports::template::template(kind.sheet(), &columns)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to build the template: {e}")))
}

/// Imports a workbook of `kind`.
///
/// # Errors
/// 403 for a role that may not import the kind; 400 for a file that is not a
/// readable workbook and 413 for one beyond the limits; 422 (`Rejected`, with
/// every row error) when a row is invalid and `skip_invalid` is off.
#[tracing::instrument(skip_all, fields(import.kind = kind.as_str(), actor.id = ?actor.user_id))]
pub async fn import<R>(
    db: &DatabaseConnection,
    actor: &Actor,
    limits: &Limits,
    kind: ImportKind,
    source: R,
    options: &ImportOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> AppResult<ImportReport>
where
    R: Read + Seek + Send + 'static,
{
    actor.require(kind.writers(), &format!("import {}", kind.as_str()))?;
    let run = Run {
        db,
        actor,
        limits,
        kind,
        options,
        progress,
    };
    match kind {
        ImportKind::Regions => run.go::<regions::Regions, R>(source).await,
        ImportKind::Departments => run.go::<departments::Departments, R>(source).await,
        ImportKind::Enterprises => run.go::<enterprises::Enterprises, R>(source).await,
        ImportKind::Inspectors => run.go::<inspectors::Inspectors, R>(source).await,
        ImportKind::Conflicts => run.go::<conflicts::Conflicts, R>(source).await,
        ImportKind::Risks => run.go::<risks::Risks, R>(source).await,
        ImportKind::Hazards => run.go::<hazards::Hazards, R>(source).await,
        ImportKind::Holidays => run.go::<holidays::Holidays, R>(source).await,
    }
}

/// A parsed row waiting for its batch.
pub(super) struct Staged<T> {
    /// Sheet row number.
    pub row: u32,
    /// The parsed values.
    pub record: T,
    /// The row's cells as text, for the error workbook (empty unless kept).
    pub original: Vec<String>,
}

/// What a batch did.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// (index in the batch, column key, message)
    pub rejected: Vec<(usize, &'static str, String)>,
}

impl Outcome {
    pub fn reject(&mut self, index: usize, column: &'static str, message: impl Into<String>) {
        self.rejected.push((index, column, message.into()));
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
    /// The columns.
    const COLUMNS: &'static [Column];
    /// The column that names a duplicate key.
    const KEY_COLUMN: &'static str;
    /// Parses a row; problems go to `fields`.
    fn parse(fields: &mut Fields<'_>) -> Self::Record;
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

/// A six-digit region code from a column.
pub(super) fn region_code(fields: &mut Fields<'_>, key: &str, required: bool) -> Option<String> {
    let code = if required {
        Some(fields.required_code(key)).filter(|c| !c.is_empty())
    } else {
        fields.code(key)
    }?;
    match crate::domain::RegionCode::parse(&code) {
        Ok(code) => Some(code.to_string()),
        Err(e) => {
            fields.problem(key, e.to_string());
            None
        }
    }
}

/// Every region code there is (a few thousand at most).
pub(super) async fn region_codes(
    txn: &DatabaseTransaction,
) -> AppResult<std::collections::HashSet<String>> {
    use sea_orm::{EntityTrait as _, QuerySelect as _};
    let codes: Vec<String> = entities::region::Entity::find()
        .select_only()
        .column(entities::region::Column::Code)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(codes.into_iter().collect())
}

/// Checks that a region exists and lies in the actor's scope.
pub(super) fn check_region(
    regions: &std::collections::HashSet<String>,
    actor: &Actor,
    code: &str,
) -> Result<(), String> {
    if !regions.contains(code) {
        Err(format!("region {code} does not exist"))
    } else if !actor.covers(code) {
        Err(format!("region {code} is outside your jurisdiction"))
    } else {
        Ok(())
    }
}
