//! 抽查名单: a draw's tasks, with a cover sheet that lets anyone re-run the draw.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::XlsxError;

use super::{Column, Kind, Meta, Report, Sink, TableId, Tone, Value, Written};

/// The report's title.
pub const TITLE: &str = "双随机抽查名单";

const COVER: &[Column] = &[
    Column::new("项目", 22.0, Kind::Text),
    Column::new("内容", 80.0, Kind::Text),
];

const TASKS: &[Column] = &[
    Column::new("序号", 8.0, Kind::Integer),
    Column::new("任务编号", 10.0, Kind::Integer),
    Column::new("检查对象", 32.0, Kind::Text),
    Column::new("统一社会信用代码/部门代码", 24.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("行业", 14.0, Kind::Text),
    Column::new("风险等级", 10.0, Kind::Text),
    Column::new("信用等级", 10.0, Kind::Text),
    Column::new("重点监管", 10.0, Kind::Text),
    Column::new("检查人员", 24.0, Kind::Text),
    Column::new("执法证号", 28.0, Kind::Text),
    Column::new("完成期限", 12.0, Kind::Date),
    Column::new("状态", 10.0, Kind::Text),
];

const UNASSIGNED: &[Column] = &[
    Column::new("序号", 8.0, Kind::Integer),
    Column::new("检查对象", 32.0, Kind::Text),
    Column::new("统一社会信用代码/部门代码", 24.0, Kind::Text),
    Column::new("行政区划代码", 12.0, Kind::Text),
    Column::new("未能分配的原因", 60.0, Kind::Text),
];

/// What the cover sheet says: enough to re-run and verify the draw.
#[derive(Debug, Clone, Default)]
pub struct DrawCover {
    /// The plan's name.
    pub plan_name: String,
    /// The draw's id.
    pub draw_id: i64,
    /// When it was drawn, China time.
    pub drawn_at: NaiveDateTime,
    /// Scheduled or manual, in words.
    pub trigger: String,
    /// The algorithm and its version.
    pub algorithm: String,
    /// The seed, as decimal text (it does not fit a spreadsheet number).
    pub seed: String,
    /// How the seed was chosen, in words (who gave it and why, for a given seed).
    pub seed_source: String,
    /// The public text the seed came from, if any.
    pub seed_text: Option<String>,
    /// The announcement that froze the population beforehand, in words.
    pub announcement: Option<String>,
    /// How many targets could be drawn.
    pub population_size: i64,
    /// SHA-256 of the population snapshot.
    pub population_sha256: String,
    /// The draw this one replaced, and why, if it is a redraw.
    pub replaces: Option<String>,
    /// The draw that replaced this one, if any.
    pub superseded: Option<String>,
    /// How anyone can check it.
    pub verify_hint: String,
}

/// One task of the draw.
#[derive(Debug, Clone, Default)]
pub struct DrawTaskRow {
    /// The task's id.
    pub task_id: i64,
    /// The target's name.
    pub target_name: String,
    /// Its credit code or department code.
    pub target_code: String,
    /// Where.
    pub region_code: String,
    /// Industry, risk level, credit class and key supervision, in words (enterprises).
    pub industry: String,
    /// 风险等级.
    pub risk_level: String,
    /// 信用等级.
    pub credit_class: String,
    /// 重点监管: 是 or empty.
    pub key_supervision: String,
    /// The team's names, lead first.
    pub inspectors: String,
    /// Their badge numbers, in the same order.
    pub badges: String,
    /// When the check is due, China time.
    pub due: NaiveDate,
    /// The task's status, in words.
    pub status: String,
}

/// A drawn target nobody could be assigned to.
#[derive(Debug, Clone, Default)]
pub struct UnassignedRow {
    /// The target's name.
    pub target_name: String,
    /// Its credit code or department code.
    pub target_code: String,
    /// Where.
    pub region_code: String,
    /// Why nobody could be assigned.
    pub reason: String,
}

/// The draw list, written as tasks arrive.
#[derive(Debug)]
pub struct DrawList {
    report: Report,
    tasks: TableId,
}

impl DrawList {
    /// Starts the list with its cover sheet and the unassigned targets.
    ///
    /// # Errors
    /// When the workbook cannot be started.
    pub fn new(
        meta: &Meta,
        cover: &DrawCover,
        unassigned: &[UnassignedRow],
    ) -> Result<Self, XlsxError> {
        let mut report = Report::new(TITLE, meta);
        let sheet = report.table("封面", COVER)?;
        let draw_id = cover.draw_id.to_string();
        let drawn_at = cover.drawn_at.format("%Y-%m-%d %H:%M:%S").to_string();
        let size = cover.population_size.to_string();
        let lines: [(&str, Option<&str>); 14] = [
            ("抽查计划", Some(&cover.plan_name)),
            ("抽取编号", Some(&draw_id)),
            ("抽取时间（北京时间）", Some(&drawn_at)),
            ("抽取方式", Some(&cover.trigger)),
            ("算法版本", Some(&cover.algorithm)),
            ("随机种子", Some(&cover.seed)),
            ("种子来源", Some(&cover.seed_source)),
            ("种子来源文本", cover.seed_text.as_deref()),
            ("事先公告", cover.announcement.as_deref()),
            ("抽取范围对象数", Some(&size)),
            ("对象名录 SHA-256", Some(&cover.population_sha256)),
            ("重新抽取", cover.replaces.as_deref()),
            ("已被替代", cover.superseded.as_deref()),
            ("核验方法", Some(&cover.verify_hint)),
        ];
        for (label, value) in lines {
            report.row(sheet, &[Value::Text(label), Value::text(value)])?;
        }
        let tasks = report.table("抽查名单", TASKS)?;
        let left = report.table("未分配对象", UNASSIGNED)?;
        for (number, row) in (1i64..).zip(unassigned) {
            report.row(
                left,
                &[
                    Value::Int(number),
                    Value::Text(&row.target_name),
                    Value::Text(&row.target_code),
                    Value::Text(&row.region_code),
                    Value::Toned(&row.reason, Tone::Warn),
                ],
            )?;
        }
        Ok(Self { report, tasks })
    }

    /// Appends one task.
    ///
    /// # Errors
    /// When the sheet is full.
    pub fn push(&mut self, row: &DrawTaskRow) -> Result<(), XlsxError> {
        let number = i64::from(self.report.rows(self.tasks)) + 1;
        self.report.row(
            self.tasks,
            &[
                Value::Int(number),
                Value::Int(row.task_id),
                Value::Text(&row.target_name),
                Value::Text(&row.target_code),
                Value::Text(&row.region_code),
                Value::Text(&row.industry),
                Value::Text(&row.risk_level),
                Value::Text(&row.credit_class),
                Value::Text(&row.key_supervision),
                Value::Text(&row.inspectors),
                Value::Text(&row.badges),
                Value::Date(row.due),
                Value::Text(&row.status),
            ],
        )
    }

    /// How many tasks were written.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.report.rows(self.tasks)
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
