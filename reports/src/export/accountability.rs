//! 问责报告: accountability items grouped by the unit held to account.

use chrono::NaiveDateTime;
use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, TableId, Tone, Value, Written};

/// The report's title.
pub const TITLE: &str = "问责报告";

const ITEMS: &[Column] = &[
    Column::new("被问责单位", 30.0, Kind::Text),
    Column::new("单位类型", 10.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("期间", 10.0, Kind::Text),
    Column::new("问责事由", 26.0, Kind::Text),
    Column::new("证据", 24.0, Kind::Text),
    Column::new("状态", 10.0, Kind::Text),
    Column::new("处理经过", 48.0, Kind::Text),
    Column::new("提出时间", 17.0, Kind::DateTime),
];

const UNITS: &[Column] = &[
    Column::new("被问责单位", 30.0, Kind::Text),
    Column::new("单位类型", 10.0, Kind::Text),
    Column::new("问责事项", 10.0, Kind::Integer),
    Column::new("待处理", 10.0, Kind::Integer),
    Column::new("已确认", 10.0, Kind::Integer),
    Column::new("已申辩待裁定", 12.0, Kind::Integer),
    Column::new("已关闭", 10.0, Kind::Integer),
];

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// 待处理.
    #[default]
    Open,
    /// 已确认.
    Acknowledged,
    /// 已申辩, awaiting a decision.
    Answered,
    /// 已关闭.
    Closed,
}

impl Status {
    fn label(self) -> (&'static str, Tone) {
        match self {
            Self::Open => ("待处理", Tone::Bad),
            Self::Acknowledged => ("已确认", Tone::Warn),
            Self::Answered => ("已申辩待裁定", Tone::Warn),
            Self::Closed => ("已关闭", Tone::Good),
        }
    }
}

/// One accountability item.
#[derive(Debug, Clone, Default)]
pub struct AccountabilityRow {
    /// The unit's id among units of its kind: items of one unit go together.
    pub subject_id: i64,
    /// The unit's name.
    pub subject_name: String,
    /// 部门, 企业 or 检查人员.
    pub subject_kind: String,
    /// Where it arose.
    pub region_code: Option<String>,
    /// The period it counts in.
    pub period: String,
    /// Why, in words.
    pub reason: String,
    /// The evidence, as a reference people can look up (`事故 #12`).
    pub evidence: String,
    /// Where it stands.
    pub status: Status,
    /// What happened to it, one line per step.
    pub history: Option<String>,
    /// When it was raised, China time.
    pub raised_at: NaiveDateTime,
}

/// One unit's counts by status, for the summary sheet.
#[derive(Debug)]
struct Unit {
    kind: String,
    id: i64,
    name: String,
    counts: [i64; 4],
}

/// The report, written as items arrive: every item, units together (items must
/// arrive grouped by unit), then a sheet of counts per unit.
#[derive(Debug)]
pub struct AccountabilityReport {
    report: Report,
    items: TableId,
    summary: TableId,
    units: Vec<Unit>,
}

impl AccountabilityReport {
    /// Starts the report.
    ///
    /// # Errors
    /// When the workbook cannot be started.
    pub fn new(meta: &Meta) -> Result<Self, XlsxError> {
        let mut report = Report::new(TITLE, meta);
        Ok(Self {
            items: report.table("问责事项", ITEMS)?,
            summary: report.table("按单位汇总", UNITS)?,
            report,
            units: Vec::new(),
        })
    }

    /// Appends one item.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push(&mut self, row: &AccountabilityRow) -> Result<(), XlsxError> {
        let (label, tone) = row.status.label();
        self.report.row(
            self.items,
            &[
                Value::Text(&row.subject_name),
                Value::Text(&row.subject_kind),
                Value::text(row.region_code.as_deref()),
                Value::Text(&row.period),
                Value::Text(&row.reason),
                Value::Text(&row.evidence),
                Value::Toned(label, tone),
                Value::text(row.history.as_deref()),
                Value::DateTime(row.raised_at),
            ],
        )?;
        let same_unit = self
            .units
            .last()
            .is_some_and(|u| u.kind == row.subject_kind && u.id == row.subject_id);
        if !same_unit {
            self.units.push(Unit {
                kind: row.subject_kind.clone(),
                id: row.subject_id,
                name: row.subject_name.clone(),
                counts: [0; 4],
            });
        }
        if let Some(unit) = self.units.last_mut() {
            let slot = match row.status {
                Status::Open => 0,
                Status::Acknowledged => 1,
                Status::Answered => 2,
                Status::Closed => 3,
            };
            unit.counts[slot] += 1;
        }
        Ok(())
    }

    /// How many items were written.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.report.rows(self.items)
    }

    /// Writes the counts per unit and assembles the workbook into `sink`.
    ///
    /// # Errors
    /// When it cannot be assembled or written.
    pub fn finish_to(mut self, sink: Sink) -> Result<Written, XlsxError> {
        for unit in &self.units {
            let [open, acknowledged, answered, closed] = unit.counts;
            self.report.row(
                self.summary,
                &[
                    Value::Text(&unit.name),
                    Value::Text(&unit.kind),
                    Value::Int(open + acknowledged + answered + closed),
                    Value::Int(open),
                    Value::Int(acknowledged),
                    Value::Int(answered),
                    Value::Int(closed),
                ],
            )?;
        }
        self.report.finish_to(sink)
    }
}

/// The whole report from items grouped by unit.
///
/// # Errors
/// When the workbook cannot be assembled or written.
pub fn accountability_report(
    meta: &Meta,
    items: impl IntoIterator<Item = AccountabilityRow>,
    sink: Sink,
) -> Result<Written, XlsxError> {
    let mut report = AccountabilityReport::new(meta)?;
    for row in items {
        report.push(&row)?;
    }
    report.finish_to(sink)
}
