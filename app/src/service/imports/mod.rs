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
mod vocab;

use std::{
    collections::HashMap,
    future::Future,
    io::{Read, Seek, SeekFrom},
    ops::ControlFlow,
};

use entities::Role;
use reports::{
    read::{ReadError, ReadSummary, Row, RowSink},
    template::{ErrorWorkbook, TemplateColumn},
};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tokio::sync::mpsc;

pub use columns::Column;
use columns::{Fields, HeaderMap, HeaderMatch, match_header};

use super::{
    Actor,
    audit::{self, Entry},
};
use crate::{
    config::Limits,
    db,
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

struct Run<'a> {
    db: &'a DatabaseConnection,
    actor: &'a Actor,
    limits: &'a Limits,
    kind: ImportKind,
    options: &'a ImportOptions,
    progress: &'a (dyn Fn(Progress) + Send + Sync),
}

/// Messages from the reading thread.
enum Message {
    Started(String, Option<u32>),
    Rows(Vec<Row>),
}

/// Rows per message from the reading thread.
const CHUNK: usize = 512;
/// Non-empty rows searched for the header.
const HEADER_SEARCH: u32 = 10;

struct ChannelSink {
    tx: mpsc::Sender<Message>,
    rows: Vec<Row>,
}

impl RowSink for ChannelSink {
    fn start(&mut self, sheet: &str, rows_hint: Option<u32>) {
        let _ = self
            .tx
            .blocking_send(Message::Started(sheet.to_owned(), rows_hint));
    }

    fn row(&mut self, row: Row) -> ControlFlow<()> {
        self.rows.push(row);
        if self.rows.len() >= CHUNK {
            let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(CHUNK));
            if self.tx.blocking_send(Message::Rows(rows)).is_err() {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Hashes the source, then reads it, sending rows down the channel.
fn read_source<R: Read + Seek>(
    mut source: R,
    limits: &reports::read::ReadLimits,
    tx: mpsc::Sender<Message>,
) -> Result<(String, ReadSummary), ReadError> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut source, &mut hasher)?;
    source.seek(SeekFrom::Start(0))?;
    let mut sink = ChannelSink {
        tx,
        rows: Vec::with_capacity(CHUNK),
    };
    let summary = reports::read::read_first_sheet(source, limits, &mut sink)?;
    if !sink.rows.is_empty() {
        let _ = sink
            .tx
            .blocking_send(Message::Rows(std::mem::take(&mut sink.rows)));
    }
    Ok((hex::encode(hasher.finalize()), summary))
}

fn read_error(e: ReadError) -> AppError {
    if e.is_too_large() {
        AppError::TooLarge(e.to_string())
    } else {
        AppError::BadRequest(e.to_string())
    }
}

/// The state of one import while rows come in.
struct State<K: Kind> {
    sheet: String,
    header: Option<HeaderMap>,
    rows_searched: u32,
    seen: HashMap<String, u32>,
    staged: Vec<Staged<K::Record>>,
    report: ImportReport,
    errors_listed: usize,
    error_book: Option<ErrorWorkbook>,
    /// Rejected rows of the current batch window, written to the error
    /// workbook in row order when the batch is flushed.
    pending: Vec<(u32, Vec<String>, String)>,
    keep_original: bool,
    fatal: Option<AppError>,
}

impl<K: Kind> State<K> {
    fn header_of(&self, key: &str) -> String {
        let col = K::COLUMNS.iter().position(|c| c.key == key);
        let found = col.and_then(|col| {
            let map = self.header.as_ref()?;
            let at = map.index.get(col).copied().flatten()?;
            map.headers.get(at).cloned()
        });
        found.unwrap_or_else(|| col.map_or(String::new(), |c| K::COLUMNS[c].zh.to_owned()))
    }

    fn reject(
        &mut self,
        row: u32,
        problems: Vec<(String, String)>,
        original: &[String],
    ) -> AppResult<()> {
        self.report.rejected += 1;
        let reason = problems
            .iter()
            .map(|(column, message)| {
                if column.is_empty() {
                    message.clone()
                } else {
                    format!("{column}: {message}")
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        for (column, message) in problems {
            self.report.error_count += 1;
            if self.report.errors.len() < self.errors_listed {
                self.report.errors.push(RowError {
                    sheet: self.sheet.clone(),
                    row,
                    column,
                    message,
                });
            }
        }
        if self.error_book.is_some() {
            self.pending.push((row, original.to_vec(), reason));
        }
        Ok(())
    }

    fn write_pending(&mut self) -> AppResult<()> {
        let Some(book) = &mut self.error_book else {
            return Ok(());
        };
        self.pending.sort_by_key(|(row, _, _)| *row);
        for (row, original, reason) in self.pending.drain(..) {
            book.add(row, &original, &reason).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("Failed to write the error workbook: {e}"))
            })?;
        }
        Ok(())
    }

    fn fail_file(&mut self, row: u32, problems: Vec<(Option<String>, String)>) {
        let errors: Vec<RowError> = problems
            .into_iter()
            .map(|(column, message)| RowError {
                sheet: self.sheet.clone(),
                row,
                column: column.unwrap_or_default(),
                message,
            })
            .collect();
        self.fatal = Some(rejected(
            format!(
                "{}: {}",
                self.sheet,
                errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default()
            ),
            &errors,
            &self.report,
        ));
    }

    /// Handles one row; returns `Break` when the file cannot be imported at all.
    fn row(&mut self, row: Row) -> AppResult<ControlFlow<()>> {
        let Some(header) = &self.header else {
            return Ok(self.find_header(&row));
        };
        let mut fields = Fields::new(K::COLUMNS, header, &row.cells);
        if fields.is_blank() {
            return Ok(ControlFlow::Continue(()));
        }
        if self.report.rows == 0 && self.report.rejected == 0 && fields.is_example() {
            self.report.warnings.push(format!(
                "row {} is the template's example row and was skipped",
                row.number
            ));
            return Ok(ControlFlow::Continue(()));
        }
        self.report.rows += 1;
        let record = K::parse(&mut fields);
        let problems = std::mem::take(&mut fields.problems);
        let original = if self.keep_original {
            row.cells
                .iter()
                .map(|c| c.text().unwrap_or_else(Some).unwrap_or_default())
                .collect()
        } else {
            Vec::new()
        };
        if !problems.is_empty() {
            let problems = problems
                .into_iter()
                .map(|(key, message)| (self.header_of(key), message))
                .collect();
            self.reject(row.number, problems, &original)?;
            return Ok(ControlFlow::Continue(()));
        }
        let key = K::key(&record);
        if let Some(first) = self.seen.get(&key) {
            let problem = (
                self.header_of(K::KEY_COLUMN),
                format!("'{key}' is already on row {first}"),
            );
            self.reject(row.number, vec![problem], &original)?;
            return Ok(ControlFlow::Continue(()));
        }
        self.seen.insert(key, row.number);
        self.staged.push(Staged {
            row: row.number,
            record,
            original,
        });
        Ok(ControlFlow::Continue(()))
    }

    fn find_header(&mut self, row: &Row) -> ControlFlow<()> {
        self.rows_searched += 1;
        match match_header(K::COLUMNS, &row.cells) {
            HeaderMatch::Yes(map, unknown) => {
                for name in unknown {
                    self.report.warnings.push(format!(
                        "column '{name}' is not part of this import and was ignored"
                    ));
                }
                if self.keep_original {
                    match ErrorWorkbook::new(&self.sheet, &map.headers) {
                        Ok(book) => self.error_book = Some(book),
                        Err(e) => {
                            self.fatal = Some(AppError::Internal(anyhow::anyhow!(
                                "Failed to start the error workbook: {e}"
                            )));
                            return ControlFlow::Break(());
                        }
                    }
                }
                self.header = Some(map);
                ControlFlow::Continue(())
            }
            HeaderMatch::Broken(problems) => {
                self.fail_file(row.number, problems);
                ControlFlow::Break(())
            }
            HeaderMatch::No if self.rows_searched >= HEADER_SEARCH => {
                self.fail_file(row.number, vec![(None, no_header::<K>())]);
                ControlFlow::Break(())
            }
            HeaderMatch::No => ControlFlow::Continue(()),
        }
    }

    async fn flush(
        &mut self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        context: &mut K::Context,
        skip_invalid: bool,
    ) -> AppResult<()> {
        if self.staged.is_empty() {
            return self.write_pending();
        }
        let batch = std::mem::take(&mut self.staged);
        // Once a row is rejected an all-or-nothing import will roll back: only check.
        let write = skip_invalid || self.report.rejected == 0;
        let outcome = K::write(txn, actor, context, &batch, write).await?;
        self.report.inserted += outcome.inserted;
        self.report.updated += outcome.updated;
        self.report.unchanged += outcome.unchanged;
        let mut rejected = outcome.rejected;
        rejected.sort_by_key(|(index, _, _)| *index);
        for (index, key, message) in rejected {
            if let Some(staged) = batch.get(index) {
                let problem = (self.header_of(key), message);
                self.reject(staged.row, vec![problem], &staged.original)?;
            }
        }
        self.write_pending()
    }
}

fn no_header<K: Kind>() -> String {
    let names: Vec<String> = K::COLUMNS
        .iter()
        .filter(|c| c.required)
        .map(|c| format!("{} ({})", c.zh, c.key))
        .collect();
    format!(
        "no header row in the first {HEADER_SEARCH} rows; expected the columns {}",
        names.join(", ")
    )
}

/// The 422 of an import that is refused.
fn rejected(message: String, errors: &[RowError], report: &ImportReport) -> AppError {
    let mut detail = serde_json::Map::new();
    detail.insert("errors".into(), serde_json::json!(errors));
    detail.insert("rows".into(), report.rows.into());
    detail.insert("rejected".into(), report.rejected.into());
    detail.insert(
        "error_count".into(),
        report.error_count.max(errors.len() as u64).into(),
    );
    detail.insert("warnings".into(), serde_json::json!(report.warnings));
    detail.insert("sha256".into(), report.sha256.clone().into());
    AppError::Rejected { message, detail }
}

impl Run<'_> {
    async fn go<K: Kind, R: Read + Seek + Send + 'static>(
        self,
        source: R,
    ) -> AppResult<ImportReport> {
        let (tx, mut rx) = mpsc::channel::<Message>(4);
        let read_limits = self.limits.read_limits();
        let reader = tokio::task::spawn_blocking(move || read_source(source, &read_limits, tx));
        let txn = db::begin_write(self.db).await?;
        let mut context = K::context(&txn, self.actor).await?;
        let mut state = State::<K> {
            sheet: String::new(),
            header: None,
            rows_searched: 0,
            seen: HashMap::new(),
            staged: Vec::new(),
            report: ImportReport {
                kind: self.kind.as_str().to_owned(),
                dry_run: self.options.dry_run,
                ..ImportReport::default()
            },
            errors_listed: self.limits.import_errors_listed,
            error_book: None,
            pending: Vec::new(),
            keep_original: self.options.skip_invalid,
            fatal: None,
        };
        let mut handled = 0u64;
        'read: while let Some(message) = rx.recv().await {
            match message {
                Message::Started(sheet, hint) => {
                    state.sheet = sheet;
                    (self.progress)(Progress::Started(hint));
                }
                Message::Rows(rows) => {
                    for row in rows {
                        handled += 1;
                        if state.row(row)?.is_break() {
                            break 'read;
                        }
                        if state.staged.len() >= K::BATCH {
                            state
                                .flush(&txn, self.actor, &mut context, self.options.skip_invalid)
                                .await?;
                        }
                    }
                    (self.progress)(Progress::Rows(handled));
                }
            }
        }
        drop(rx);
        let read = reader
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the reading thread failed: {e}")))?;
        let (sha256, summary) = read.map_err(read_error)?;
        state.report.sha256 = sha256;
        state.report.sheet = summary.sheet;
        if state.sheet.is_empty() {
            state.sheet = state.report.sheet.clone();
        }
        if let Some(fatal) = state.fatal.take() {
            return Err(with_sha(fatal, &state.report.sha256));
        }
        if state.header.is_none() {
            let message = if state.rows_searched == 0 {
                "the sheet is empty".to_owned()
            } else {
                no_header::<K>()
            };
            state.fail_file(1, vec![(None, message)]);
            return Err(with_sha(
                state
                    .fatal
                    .take()
                    .unwrap_or_else(|| AppError::BadRequest("no header".into())),
                &state.report.sha256,
            ));
        }
        state
            .flush(&txn, self.actor, &mut context, self.options.skip_invalid)
            .await?;
        state.report.errors.sort_by_key(|e| e.row);
        self.finish(txn, state).await
    }

    async fn finish<K: Kind>(
        &self,
        txn: DatabaseTransaction,
        mut state: State<K>,
    ) -> AppResult<ImportReport> {
        let report = &mut state.report;
        if report.rejected > 0 && !self.options.skip_invalid {
            txn.rollback().await?;
            let message = format!(
                "{} of {} rows are invalid; nothing was imported",
                report.rejected, report.rows
            );
            let errors = report.errors.clone();
            return Err(rejected(message, &errors, report));
        }
        if let Some(book) = state.error_book.take().filter(|b| b.rows() > 0) {
            report.error_workbook = Some(book.finish().map_err(|e| {
                AppError::Internal(anyhow::anyhow!("Failed to finish the error workbook: {e}"))
            })?);
        }
        if self.options.dry_run {
            txn.rollback().await?;
            return Ok(state.report);
        }
        audit::append(
            &txn,
            self.actor,
            Entry::ok(
                &format!("import.{}", self.kind.as_str()),
                "import",
                self.kind.as_str(),
            )
            .with_detail(serde_json::json!({
                "file_name": self.options.file_name,
                "sha256": report.sha256,
                "sheet": report.sheet,
                "rows": report.rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "skip_invalid": self.options.skip_invalid,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(state.report)
    }
}

fn with_sha(error: AppError, sha256: &str) -> AppError {
    match error {
        AppError::Rejected {
            message,
            mut detail,
        } => {
            detail.insert("sha256".into(), sha256.into());
            AppError::Rejected { message, detail }
        }
        other => other,
    }
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
