//! 公示: published check results, the same public fields as `/public/v1/results`.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, TableId, Value, Written};

/// The report's title.
pub const TITLE: &str = "双随机抽查结果公示";

const COLUMNS: &[Column] = &[
    Column::new("序号", 8.0, Kind::Integer),
    Column::new("检查对象", 32.0, Kind::Text),
    Column::new("统一社会信用代码", 22.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("检查日期", 12.0, Kind::Date),
    Column::new("检查人员执法证号", 26.0, Kind::Text),
    Column::new("检查结果", 28.0, Kind::Text),
    Column::new("得分", 8.0, Kind::Decimal),
    Column::new("发现隐患数", 10.0, Kind::Integer),
    Column::new("隐患整改期限", 30.0, Kind::Text),
    Column::new("公示时间", 17.0, Kind::DateTime),
];

/// One published result.
#[derive(Debug, Clone, Default)]
pub struct PublicationRow {
    /// The enterprise's or department's name.
    pub target_name: String,
    /// 统一社会信用代码, for an enterprise.
    pub credit_code: Option<String>,
    /// Where.
    pub region_code: String,
    /// When it was checked.
    pub check_date: NaiveDate,
    /// The inspectors' badge numbers, joined.
    pub badges: String,
    /// The published result.
    pub result: String,
    /// The check's score.
    pub score: Option<f64>,
    /// How many hazards were found.
    pub hazards: i64,
    /// The hazards' rectification deadlines, joined.
    pub deadlines: String,
    /// When it was published, China time.
    pub published_at: NaiveDateTime,
}

/// The publication list, written as rows arrive.
#[derive(Debug)]
pub struct PublicationList {
    report: Report,
    table: TableId,
}

impl PublicationList {
    /// Starts the list.
    ///
    /// # Errors
    /// When the workbook cannot be started.
    pub fn new(meta: &Meta) -> Result<Self, XlsxError> {
        let mut report = Report::new(TITLE, meta);
        let table = report.table("公示名单", COLUMNS)?;
        Ok(Self { report, table })
    }

    /// Appends one result.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push(&mut self, row: &PublicationRow) -> Result<(), XlsxError> {
        let number = i64::from(self.report.rows(self.table)) + 1;
        self.report.row(
            self.table,
            &[
                Value::Int(number),
                Value::Text(&row.target_name),
                Value::text(row.credit_code.as_deref()),
                Value::Text(&row.region_code),
                Value::Date(row.check_date),
                Value::Text(&row.badges),
                Value::Text(&row.result),
                Value::num(row.score),
                Value::Int(row.hazards),
                Value::Text(&row.deadlines),
                Value::DateTime(row.published_at),
            ],
        )
    }

    /// How many results were written.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.report.rows(self.table)
    }

    /// The workbook.
    ///
    /// # Errors
    /// When it cannot be assembled.
    pub fn finish(self) -> Result<Vec<u8>, XlsxError> {
        self.report.finish()
    }

    /// The workbook, into `sink`.
    ///
    /// # Errors
    /// When it cannot be assembled or written.
    pub fn finish_to(self, sink: Sink) -> Result<Written, XlsxError> {
        self.report.finish_to(sink)
    }
}
