//! 报送及时性: per department, how promptly and directly it reported its
//! disasters and accidents.

use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, Value, Written};

/// The report's title.
pub const TITLE: &str = "灾害事故信息报送及时性统计";

const COLUMNS: &[Column] = &[
    Column::new("部门", 30.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("事故起数", 10.0, Kind::Integer),
    Column::new("初报未到期", 10.0, Kind::Integer),
    Column::new("按时初报", 10.0, Kind::Integer),
    Column::new("按时率", 10.0, Kind::Percent),
    Column::new("迟报起数", 10.0, Kind::Integer),
    Column::new("未初报起数", 10.0, Kind::Integer),
    Column::new("迟报合计（分钟）", 12.0, Kind::Integer),
    Column::new("最长迟报（分钟）", 12.0, Kind::Integer),
    Column::new("补录初报起数", 10.0, Kind::Integer),
    Column::new("补录计为按时", 10.0, Kind::Integer),
    Column::new("应直报起数", 10.0, Kind::Integer),
    Column::new("已直报起数", 10.0, Kind::Integer),
    Column::new("直报率", 10.0, Kind::Percent),
    Column::new("报送得分", 10.0, Kind::Decimal),
];

/// One department's reporting in the period.
#[derive(Debug, Clone, Default)]
pub struct TimelinessRow {
    /// The department's name.
    pub department: String,
    /// Its region; none for a national department.
    pub region_code: Option<String>,
    /// Incidents that occurred in the period.
    pub incidents: i64,
    /// Those with no initial report whose deadline has not come yet.
    pub pending: i64,
    /// Those whose initial report was on time.
    pub on_time: i64,
    /// Those whose initial report was late.
    pub late: i64,
    /// Those with no initial report past its deadline.
    pub missing: i64,
    /// Minutes late, summed over the late initial reports.
    pub minutes_late: i64,
    /// The longest delay, in minutes.
    pub max_minutes_late: i64,
    /// Those whose initial report was entered afterwards (补录).
    pub backfilled: i64,
    /// Of those, the ones counted on time (entered within the grace).
    pub backfilled_on_time: i64,
    /// Incidents that needed a direct report (直报).
    pub direct_required: i64,
    /// Those that got one.
    pub direct_done: i64,
    /// The mean reporting points (报送合规), none without incidents.
    pub points: Option<f64>,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The timeliness report.
///
/// # Errors
/// When the workbook cannot be assembled or written.
pub fn timeliness_report(
    meta: &Meta,
    rows: impl IntoIterator<Item = TimelinessRow>,
    sink: Sink,
) -> Result<Written, XlsxError> {
    let mut report = Report::new(TITLE, meta);
    let sheet = report.table("报送及时性", COLUMNS)?;
    for row in rows {
        // Incidents still within their deadline are neither on time nor late yet.
        let on_time_rate = share(row.on_time, row.incidents - row.pending);
        report.row(
            sheet,
            &[
                Value::Text(&row.department),
                Value::text(row.region_code.as_deref()),
                Value::Int(row.incidents),
                Value::Int(row.pending),
                Value::Int(row.on_time),
                Value::num(on_time_rate),
                Value::Int(row.late),
                Value::Int(row.missing),
                Value::Int(row.minutes_late),
                Value::Int(row.max_minutes_late),
                Value::Int(row.backfilled),
                Value::Int(row.backfilled_on_time),
                Value::Int(row.direct_required),
                Value::Int(row.direct_done),
                Value::num(share(row.direct_done, row.direct_required)),
                Value::num(row.points),
            ],
        )?;
    }
    report.finish_to(sink)
}
