//! Reports for people to read and take to meetings: workbooks from rows.
//!
//! Every sheet of a report is a [`Table`]: a title row naming the report, its
//! period and scope; a frozen header row with an autofilter; typed columns with
//! their widths and number, date and percent formats; print setup for A4
//! landscape, one page wide, the title and header repeated on every page; and a
//! footer with the exporter, the export time and the page number. Data sheets
//! stream in constant memory, so a report of a million rows stays flat in memory.
//! User text is always a string, with the quote prefix where Excel would
//! otherwise read it as a formula.

mod sheet;

pub mod accountability;
pub mod draw_list;
pub mod publication;
pub mod scorecard;
pub mod timeliness;

pub use rust_xlsxwriter::XlsxError;
pub use sheet::{Column, Kind, Report, TableId, Tone, Value};

use chrono::NaiveDateTime;

/// What every report says about itself.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The period covered, as people say it (`2026年第4季度`); none for a draw.
    pub period: Option<String>,
    /// The jurisdiction the rows are limited to (`浙江省` or `全国`).
    pub scope: String,
    /// Who exported it.
    pub exporter: String,
    /// When, in China Standard Time.
    pub exported_at: NaiveDateTime,
    /// What the rows rest on, said in the title where there is something to
    /// say (`得分计算于 2026-12-07 02:00，计算人 system（定时任务）`).
    pub basis: Option<String>,
}

/// Where a finished workbook goes.
#[derive(Debug)]
pub enum Sink {
    /// Into memory: the bytes come back.
    Memory,
    /// Straight into a file, which comes back written; nothing is held in memory.
    File(std::fs::File),
}

/// A finished workbook.
#[derive(Debug)]
pub enum Written {
    /// The bytes.
    Memory(Vec<u8>),
    /// The file it was written to.
    File(std::fs::File),
}

/// The zip compression level of every report: the level Excel itself uses,
/// much faster than the default for about the same size.
pub const COMPRESSION_LEVEL: u8 = 3;

#[cfg(test)]
mod tests;
