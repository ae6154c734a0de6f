//! 问责报告: accountability items grouped by the unit held to account.

use chrono::NaiveDateTime;
use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, Tone, Value, Written};

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
    Column::new("处理说明", 36.0, Kind::Text),
    Column::new("提出时间", 17.0, Kind::DateTime),
];

const UNITS: &[Column] = &[
    Column::new("被问责单位", 30.0, Kind::Text),
    Column::new("单位类型", 10.0, Kind::Text),
    Column::new("问责事项", 10.0, Kind::Integer),
    Column::new("待处理", 10.0, Kind::Integer),
    Column::new("已确认", 10.0, Kind::Integer),
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
    /// 已关闭.
    Closed,
}

impl Status {
    fn label(self) -> (&'static str, Tone) {
        match self {
            Self::Open => ("待处理", Tone::Bad),
            Self::Acknowledged => ("已确认", Tone::Warn),
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
    /// The handler's note.
    pub note: Option<String>,
    /// When it was raised, China time.
    pub raised_at: NaiveDateTime,
}

/// The report: every item, units together (rows must arrive grouped by unit),
/// and a sheet of counts per unit.
///
/// # Errors
/// When the workbook cannot be assembled or written.
pub fn accountability_report(
    meta: &Meta,
    items: impl IntoIterator<Item = AccountabilityRow>,
    sink: Sink,
) -> Result<Written, XlsxError> {
    let mut report = Report::new(TITLE, meta);
    let sheet = report.table("问责事项", ITEMS)?;
    let mut units: Vec<(AccountabilityRow, [i64; 3])> = Vec::new();
    for row in items {
        let (label, tone) = row.status.label();
        report.row(
            sheet,
            &[
                Value::Text(&row.subject_name),
                Value::Text(&row.subject_kind),
                Value::text(row.region_code.as_deref()),
                Value::Text(&row.period),
                Value::Text(&row.reason),
                Value::Text(&row.evidence),
                Value::Toned(label, tone),
                Value::text(row.note.as_deref()),
                Value::DateTime(row.raised_at),
            ],
        )?;
        let slot = match row.status {
            Status::Open => 0,
            Status::Acknowledged => 1,
            Status::Closed => 2,
        };
        let same_unit = units.last().is_some_and(|(unit, _)| {
            unit.subject_kind == row.subject_kind && unit.subject_id == row.subject_id
        });
        if !same_unit {
            units.push((row, [0; 3]));
        }
        if let Some((_, counts)) = units.last_mut() {
            counts[slot] += 1;
        }
    }
    let summary = report.table("按单位汇总", UNITS)?;
    for (unit, [open, acknowledged, closed]) in &units {
        report.row(
            summary,
            &[
                Value::Text(&unit.subject_name),
                Value::Text(&unit.subject_kind),
                Value::Int(open + acknowledged + closed),
                Value::Int(*open),
                Value::Int(*acknowledged),
                Value::Int(*closed),
            ],
        )?;
    }
    report.finish_to(sink)
}
