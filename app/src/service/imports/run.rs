//! The import driver: the reading thread, the header search, per-row parsing,
//! batches, the error workbook, and the one transaction with its audit entry.

use std::{
    collections::HashMap,
    io::{Read, Seek, SeekFrom},
    ops::ControlFlow,
};

use reports::{
    read::{ReadError, ReadSummary, Row, RowSink},
    template::ErrorWorkbook,
};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use sha2::{Digest as _, Sha256};
use tokio::sync::mpsc;

use super::{
    columns::{Fields, HeaderMap, HeaderMatch, match_header},
    model::{ImportOptions, ImportReport, Kind, Progress, RowError, Staged},
    store,
};
use crate::{
    config::Limits,
    db,
    error::{AppError, AppResult},
    service::{
        Actor,
        audit::{self, Entry},
    },
};

/// One import of a file of one kind.
pub(super) struct Importer<'a> {
    pub db: &'a DatabaseConnection,
    pub actor: &'a Actor,
    pub limits: &'a Limits,
    /// The kind's name.
    pub kind: &'static str,
    pub options: &'a ImportOptions,
    pub progress: &'a (dyn Fn(Progress) + Send + Sync),
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
        AppError::TooLarge(e.to_string().into())
    } else {
        AppError::BadRequest(e.to_string().into())
    }
}

/// The state of one import while rows come in.
struct State<K: Kind> {
    sheet: String,
    header: Option<HeaderMap>,
    rows_searched: u32,
    /// Keyed 64-bit hashes of the natural keys seen, with their rows: 16 bytes
    /// a row rather than the key itself (a false duplicate needs a collision
    /// of a randomly keyed SipHash, below 1e-7 at a million rows).
    seen: HashMap<u64, u32>,
    hasher: std::hash::RandomState,
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
    fn new(importer: &Importer<'_>) -> Self {
        Self {
            sheet: String::new(),
            header: None,
            rows_searched: 0,
            seen: HashMap::new(),
            hasher: std::hash::RandomState::new(),
            staged: Vec::new(),
            report: ImportReport {
                kind: importer.kind.to_owned(),
                dry_run: importer.options.dry_run,
                ..ImportReport::default()
            },
            errors_listed: importer.limits.import_errors_listed,
            error_book: None,
            pending: Vec::new(),
            keep_original: importer.options.skip_invalid,
            fatal: None,
        }
    }

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
        let mut problems = std::mem::take(&mut fields.problems);
        if record.is_none() && problems.is_empty() {
            problems.push(("", "the row could not be read".to_owned()));
        }
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
        let Some(record) = record else {
            return Ok(ControlFlow::Continue(()));
        };
        let key = K::key(&record);
        let hash = std::hash::BuildHasher::hash_one(&self.hasher, &key);
        if let Some(first) = self.seen.get(&hash) {
            let problem = (
                self.header_of(K::KEY_COLUMN),
                format!("'{key}' is already on row {first}"),
            );
            self.reject(row.number, vec![problem], &original)?;
            return Ok(ControlFlow::Continue(()));
        }
        self.seen.insert(hash, row.number);
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
        rejected.sort_by_key(|r| r.index);
        for r in rejected {
            if let Some(staged) = batch.get(r.index) {
                let problem = (self.header_of(r.column), r.message);
                self.reject(staged.row, vec![problem], &staged.original)?;
            }
        }
        self.write_pending()
    }

    /// Takes the file's hash and sheet once it has been read; fails when the
    /// file could not be imported at all.
    fn end_of_file(&mut self, sha256: String, summary: ReadSummary) -> AppResult<()> {
        self.report.sha256 = sha256;
        self.report.sheet = summary.sheet;
        if self.sheet.is_empty() {
            self.sheet = self.report.sheet.clone();
        }
        if let Some(fatal) = self.fatal.take() {
            return Err(with_sha(fatal, &self.report.sha256));
        }
        if self.header.is_none() {
            let message = if self.rows_searched == 0 {
                "the sheet is empty".to_owned()
            } else {
                no_header::<K>()
            };
            self.fail_file(1, vec![(None, message)]);
            let fatal = self
                .fatal
                .take()
                .unwrap_or_else(|| AppError::BadRequest("no header".into()));
            return Err(with_sha(fatal, &self.report.sha256));
        }
        Ok(())
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
    AppError::Rejected {
        message: message.into(),
        detail,
    }
}

impl Importer<'_> {
    /// Reads the source on a thread of its own and checks and writes its rows
    /// in batches, all in one transaction.
    pub(super) async fn import<K: Kind, R: Read + Seek + Send + 'static>(
        self,
        source: R,
    ) -> AppResult<ImportReport> {
        // Room for the reader to run ahead (64 × 512 rows) while a batch is written.
        let (tx, rx) = mpsc::channel::<Message>(64);
        let read_limits = self.limits.read_limits();
        let reader = tokio::task::spawn_blocking(move || read_source(source, &read_limits, tx));
        let txn = db::begin_write(self.db).await?;
        store::tune(&txn).await?;
        let mut context = K::context(&txn, self.actor).await?;
        let mut state = State::<K>::new(&self);
        self.take_rows(&txn, &mut context, &mut state, rx).await?;
        let read = reader
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the reading thread failed: {e}")))?;
        let (sha256, summary) = read.map_err(read_error)?;
        state.end_of_file(sha256, summary)?;
        state
            .flush(&txn, self.actor, &mut context, self.options.skip_invalid)
            .await?;
        state.report.errors.sort_by_key(|e| e.row);
        self.finish(txn, state).await
    }

    /// Handles the rows as they come from the reading thread, writing a batch
    /// whenever one is full, until the file ends or cannot be imported.
    async fn take_rows<K: Kind>(
        &self,
        txn: &DatabaseTransaction,
        context: &mut K::Context,
        state: &mut State<K>,
        mut rx: mpsc::Receiver<Message>,
    ) -> AppResult<()> {
        let mut handled = 0u64;
        while let Some(message) = rx.recv().await {
            match message {
                Message::Started(sheet, hint) => {
                    state.sheet = sheet;
                    (self.progress)(Progress::Started(hint));
                }
                Message::Rows(rows) => {
                    for row in rows {
                        handled += 1;
                        if state.row(row)?.is_break() {
                            return Ok(());
                        }
                        if state.staged.len() >= K::BATCH {
                            let skip_invalid = self.options.skip_invalid;
                            state.flush(txn, self.actor, context, skip_invalid).await?;
                        }
                    }
                    (self.progress)(Progress::Rows(handled));
                }
            }
        }
        Ok(())
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
            Entry::ok(&format!("import.{}", self.kind), "import", self.kind).with_detail(
                serde_json::json!({
                    "file_name": self.options.file_name,
                    "sha256": report.sha256,
                    "sheet": report.sheet,
                    "rows": report.rows,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                    "skip_invalid": self.options.skip_invalid,
                }),
            ),
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
