//! Hidden-hazard lists (隐患排查治理清单), upserted by enterprise and the
//! hazard's own code.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{HazardGrade, hazard_item};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields},
    items::{self, Item},
    model::{Kind, Outcome, Staged},
    vocab::HAZARD_GRADES,
};
use crate::{
    domain::{CreditCode, hazard_state::status_after_import},
    error::AppResult,
    service::Actor,
};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["信用代码", "企业信用代码"],
        note: "The enterprise's unified social credit code; it must be registered and in your jurisdiction.",
        example: "91350100M000100Y43",
        width: 24.0,
        ..Column::new("credit_code", "统一社会信用代码", true)
    },
    Column {
        aliases: &["隐患编码", "编号"],
        note: "The enterprise's own code for the hazard, unique per enterprise.",
        example: "YH-2026-001",
        ..Column::new("code", "隐患编号", true)
    },
    Column {
        aliases: &["隐患内容", "隐患描述", "描述"],
        note: "What the hazard is.",
        example: "示例：液氯储罐区可燃气体报警器失效",
        width: 40.0,
        ..Column::new("description", "隐患描述", true)
    },
    Column {
        aliases: &["隐患级别", "等级"],
        note: "major (重大) or general (一般).",
        example: "一般",
        choices: &["重大", "一般"],
        ..Column::new("grade", "隐患等级", true)
    },
    Column {
        aliases: &["发现时间", "排查日期", "发现日期"],
        note: "When it was found.",
        example: "2026-11-02",
        date: true,
        width: 14.0,
        ..Column::new("found_on", "发现日期", true)
    },
    Column {
        aliases: &["整改时限", "整改期限", "整改截止日期"],
        note: "Rectification deadline; not before the date found.",
        example: "2026-11-30",
        date: true,
        width: 14.0,
        ..Column::new("rectify_by", "整改期限", true)
    },
    Column {
        aliases: &["整改完成时间", "整改日期", "销号日期"],
        note: "When it was rectified (optional); not before the date found.",
        example: "",
        date: true,
        width: 14.0,
        ..Column::new("rectified_on", "整改完成日期", false)
    },
];

pub(super) struct Record {
    credit_code: CreditCode,
    code: String,
    description: String,
    grade: HazardGrade,
    found_on: NaiveDate,
    rectify_by: NaiveDate,
    rectified_on: Option<NaiveDate>,
}

pub(super) struct Hazards;

impl Item for Record {
    type Row = hazard_item::ActiveModel;
    type Table = hazard_item::Entity;

    fn credit_code(&self) -> &str {
        self.credit_code.as_str()
    }

    fn code(&self) -> &str {
        &self.code
    }

    fn same(&self, m: &hazard_item::Model) -> bool {
        m.description == self.description
            && m.grade == self.grade
            && m.found_on == self.found_on
            && m.rectify_by == self.rectify_by
            && m.rectified_on == self.rectified_on
    }

    fn row(
        &self,
        enterprise_id: i64,
        stored: Option<&hazard_item::Model>,
        now: DateTime<Utc>,
    ) -> hazard_item::ActiveModel {
        let status = status_after_import(stored.map(|h| h.status), self.rectified_on);
        hazard_item::ActiveModel {
            enterprise_id: Set(enterprise_id),
            code: Set(self.code.clone()),
            description: Set(self.description.clone()),
            grade: Set(self.grade),
            found_on: Set(self.found_on),
            rectify_by: Set(self.rectify_by),
            rectified_on: Set(self.rectified_on),
            status: Set(status),
            verified_at: Set(stored.and_then(|h| h.verified_at)),
            task_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

impl Kind for Hazards {
    type Record = Record;
    type Context = ();
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        let code = f.required_code("code");
        if code.chars().count() > 64 {
            f.problem("code", "must have at most 64 characters");
        }
        let found_on = f.required_date("found_on");
        let rectify_by = f.required_date("rectify_by");
        let rectified_on = f.date("rectified_on");
        if let (Some(found), Some(by)) = (found_on, rectify_by)
            && by < found
        {
            f.problem(
                "rectify_by",
                format!("the deadline {by} is before the date found {found}"),
            );
        }
        if let (Some(found), Some(done)) = (found_on, rectified_on)
            && done < found
        {
            f.problem(
                "rectified_on",
                format!("rectified {done}, before it was found {found}"),
            );
        }
        let credit_code = f.credit_code("credit_code");
        let description = f.required_text("description", 2_000);
        let grade = f
            .choice("grade", HAZARD_GRADES, true)
            .unwrap_or(HazardGrade::General);
        Some(Record {
            credit_code: credit_code?,
            code,
            description,
            grade,
            found_on: found_on?,
            rectify_by: rectify_by?,
            rectified_on,
        })
    }

    fn key(record: &Record) -> String {
        format!("{} {}", record.credit_code, record.code)
    }

    async fn context(_txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<()> {
        Ok(())
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        _context: &mut (),
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        items::write(txn, actor, batch, write).await
    }
}
