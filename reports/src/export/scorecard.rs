//! 考核评分表: the ranked scores of a period, each indicator behind them, and a
//! chart of the mean overall score by region.

use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, TableId, Tone, Value, Written};

/// The report's title.
pub const TITLE: &str = "考核评分表";

const SUMMARY: &[Column] = &[
    Column::new("排名", 7.0, Kind::Integer),
    Column::new("对象类型", 10.0, Kind::Text),
    Column::new("名称", 32.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("层级", 8.0, Kind::Text),
    Column::new("数据安全", 10.0, Kind::Decimal),
    Column::new("报送合规", 10.0, Kind::Decimal),
    Column::new("执法检查", 10.0, Kind::Decimal),
    Column::new("综合得分", 10.0, Kind::Decimal),
    Column::new("等级", 9.0, Kind::Text),
];

const INDICATORS: &[Column] = &[
    Column::new("名称", 32.0, Kind::Text),
    Column::new("对象类型", 10.0, Kind::Text),
    Column::new("指标代码", 12.0, Kind::Text),
    Column::new("指标名称", 36.0, Kind::Text),
    Column::new("法律依据", 30.0, Kind::Text),
    Column::new("满分", 8.0, Kind::Decimal),
    Column::new("权重", 8.0, Kind::Decimal),
    Column::new("自评得分", 10.0, Kind::Decimal),
    Column::new("检查得分", 10.0, Kind::Decimal),
    Column::new("计分依据", 18.0, Kind::Text),
];

const REGIONS: &[Column] = &[
    Column::new("地区", 16.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("参评对象数", 11.0, Kind::Integer),
    Column::new("平均综合得分", 13.0, Kind::Decimal),
];

/// 优秀, 良好, 合格, 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// ≥ 90.
    Excellent,
    /// ≥ 75.
    Good,
    /// ≥ 60.
    Pass,
    /// Below 60.
    Fail,
}

impl Grade {
    /// The grade in words, and its colour.
    #[must_use]
    pub fn label(self) -> (&'static str, Tone) {
        match self {
            Self::Excellent => ("优秀", Tone::Good),
            Self::Good => ("良好", Tone::Fair),
            Self::Pass => ("合格", Tone::Warn),
            Self::Fail => ("不合格", Tone::Bad),
        }
    }
}

/// One subject's scores.
#[derive(Debug, Clone, Default)]
pub struct ScoreRow {
    /// Rank within its kind and region level.
    pub rank: Option<i32>,
    /// 部门 or 企业.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Region code; none for a national department.
    pub region_code: Option<String>,
    /// 国家, 省, 市 or 县.
    pub level: String,
    /// The parts; none where there was nothing to score.
    pub data_security: Option<f64>,
    /// 报送合规.
    pub reporting_compliance: Option<f64>,
    /// 执法检查.
    pub inspection: Option<f64>,
    /// 综合.
    pub overall: Option<f64>,
    /// 等级.
    pub grade: Option<Grade>,
}

/// Which points of an indicator the subject's score counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// The reviewed checks' points.
    Checked,
    /// The self-assessment's points (no reviewed check of the subject).
    SelfAssessed,
    /// None: the subject was checked, and the check did not cover this indicator.
    #[default]
    NotCounted,
}

impl Basis {
    fn label(self) -> &'static str {
        match self {
            Self::Checked => "检查",
            Self::SelfAssessed => "自评",
            Self::NotCounted => "未计分（以检查为准）",
        }
    }
}

/// One indicator of one subject.
#[derive(Debug, Clone, Default)]
pub struct IndicatorRow {
    /// The subject's name.
    pub subject_name: String,
    /// 部门 or 企业.
    pub kind: String,
    /// Indicator code.
    pub code: String,
    /// Indicator name.
    pub name: String,
    /// Its legal basis.
    pub legal_basis: String,
    /// Most points.
    pub max_points: f64,
    /// Weight.
    pub weight: f64,
    /// Points the subject gave itself (submitted self-assessments).
    pub self_points: Option<f64>,
    /// Points from reviewed checks.
    pub checked_points: Option<f64>,
    /// Which of them the score counts.
    pub basis: Basis,
}

/// The mean overall score of one region's subjects.
#[derive(Debug, Clone, Default)]
pub struct RegionScore {
    /// The region's name.
    pub name: String,
    /// Its code.
    pub code: String,
    /// How many subjects have an overall score.
    pub subjects: i64,
    /// Their mean overall score.
    pub mean_overall: f64,
}

/// The scorecard: ranked departments, ranked enterprises, the indicators behind
/// the departments' scores, and the mean overall score by region with a chart.
/// Rows of each sheet arrive in the order they are shown.
#[derive(Debug)]
pub struct Scorecard {
    report: Report,
    departments: TableId,
    enterprises: TableId,
    indicators: TableId,
    regions: TableId,
}

impl Scorecard {
    /// Starts the scorecard.
    ///
    /// # Errors
    /// When the workbook cannot be started.
    pub fn new(meta: &Meta) -> Result<Self, XlsxError> {
        let mut report = Report::new(TITLE, meta);
        Ok(Self {
            departments: report.table("部门考核", SUMMARY)?,
            enterprises: report.table("企业得分", SUMMARY)?,
            indicators: report.table("指标明细", INDICATORS)?,
            regions: report.table("地区得分", REGIONS)?,
            report,
        })
    }

    /// Appends a department's scores.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push_department(&mut self, row: &ScoreRow) -> Result<(), XlsxError> {
        let table = self.departments;
        self.push_score(table, row)
    }

    /// Appends an enterprise's scores.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push_enterprise(&mut self, row: &ScoreRow) -> Result<(), XlsxError> {
        let table = self.enterprises;
        self.push_score(table, row)
    }

    fn push_score(&mut self, table: TableId, row: &ScoreRow) -> Result<(), XlsxError> {
        let grade = row.grade.map(Grade::label);
        self.report.row(
            table,
            &[
                row.rank.map_or(Value::Empty, |r| Value::Int(r.into())),
                Value::Text(&row.kind),
                Value::Text(&row.name),
                Value::text(row.region_code.as_deref()),
                Value::Text(&row.level),
                Value::num(row.data_security),
                Value::num(row.reporting_compliance),
                Value::num(row.inspection),
                Value::num(row.overall),
                grade.map_or(Value::Empty, |(label, tone)| Value::Toned(label, tone)),
            ],
        )
    }

    /// Appends one indicator of one department.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push_indicator(&mut self, row: &IndicatorRow) -> Result<(), XlsxError> {
        self.report.row(
            self.indicators,
            &[
                Value::Text(&row.subject_name),
                Value::Text(&row.kind),
                Value::Text(&row.code),
                Value::Text(&row.name),
                Value::Text(&row.legal_basis),
                Value::Num(row.max_points),
                Value::Num(row.weight),
                Value::num(row.self_points),
                Value::num(row.checked_points),
                Value::Text(row.basis.label()),
            ],
        )
    }

    /// How many departments and enterprises were written.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.report.rows(self.departments) + self.report.rows(self.enterprises)
    }

    /// Writes the regions and their chart, and assembles the workbook.
    ///
    /// # Errors
    /// When it cannot be assembled.
    pub fn finish(self, regions: &[RegionScore]) -> Result<Vec<u8>, XlsxError> {
        match self.finish_to(regions, Sink::Memory)? {
            Written::Memory(bytes) => Ok(bytes),
            Written::File(_) => Err(XlsxError::ParameterError("written to a file".into())),
        }
    }

    /// Writes the regions and their chart, and assembles the workbook into `sink`.
    ///
    /// # Errors
    /// When it cannot be assembled or written.
    pub fn finish_to(mut self, regions: &[RegionScore], sink: Sink) -> Result<Written, XlsxError> {
        for region in regions {
            self.report.row(
                self.regions,
                &[
                    Value::Text(&region.name),
                    Value::Text(&region.code),
                    Value::Int(region.subjects),
                    Value::Num(region.mean_overall),
                ],
            )?;
        }
        self.report
            .column_chart(self.regions, "各地区平均综合得分", 0, 3)?;
        self.report.finish_to(sink)
    }
}
