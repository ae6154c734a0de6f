//! Risk lists (风险清单), upserted by enterprise and the risk's own code.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{RiskLevel, risk_item};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields},
    items::{self, Item},
    model::{Kind, Outcome, Staged},
    vocab::RISK_LEVELS,
};
use crate::{domain::CreditCode, error::AppResult, service::Actor};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["信用代码", "企业信用代码"],
        note: "The enterprise's unified social credit code; it must be registered and in your jurisdiction.",
        example: "91350100M000100Y43",
        width: 24.0,
        ..Column::new("credit_code", "统一社会信用代码", true)
    },
    Column {
        aliases: &["风险编码", "风险点编号", "编号"],
        note: "The enterprise's own code for the risk, unique per enterprise.",
        example: "FX-001",
        ..Column::new("code", "风险编号", true)
    },
    Column {
        aliases: &["风险点名称", "风险名称"],
        note: "Name of the risk.",
        example: "示例：液氯储罐区泄漏",
        width: 28.0,
        ..Column::new("name", "风险名称", true)
    },
    Column {
        aliases: &["风险级别", "等级"],
        note: "major (重大), high (较大), moderate (一般) or low (低).",
        example: "重大",
        choices: &["重大", "较大", "一般", "低"],
        ..Column::new("level", "风险等级", true)
    },
    Column {
        aliases: &["管控措施", "措施"],
        note: "Control measures.",
        example: "双人巡检，安装泄漏报警",
        width: 40.0,
        ..Column::new("measures", "管控措施", true)
    },
    Column {
        aliases: &["辨识时间", "辨识日期"],
        note: "When the risk was identified (optional).",
        example: "2026-03-15",
        date: true,
        width: 14.0,
        ..Column::new("identified_on", "辨识日期", false)
    },
];

pub(super) struct Record {
    credit_code: CreditCode,
    code: String,
    name: String,
    level: RiskLevel,
    measures: String,
    identified_on: Option<NaiveDate>,
}

pub(super) struct Risks;

impl Item for Record {
    type Row = risk_item::ActiveModel;
    type Table = risk_item::Entity;

    fn credit_code(&self) -> &str {
        self.credit_code.as_str()
    }

    fn code(&self) -> &str {
        &self.code
    }

    fn same(&self, m: &risk_item::Model) -> bool {
        m.name == self.name
            && m.level == self.level
            && m.measures == self.measures
            && m.identified_on == self.identified_on
    }

    fn row(
        &self,
        enterprise_id: i64,
        _stored: Option<&risk_item::Model>,
        now: DateTime<Utc>,
    ) -> risk_item::ActiveModel {
        risk_item::ActiveModel {
            enterprise_id: Set(enterprise_id),
            code: Set(self.code.clone()),
            name: Set(self.name.clone()),
            level: Set(self.level),
            measures: Set(self.measures.clone()),
            identified_on: Set(self.identified_on),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

impl Kind for Risks {
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
        let credit_code = f.credit_code("credit_code");
        let name = f.required_text("name", 200);
        let level = f
            .choice("level", RISK_LEVELS, true)
            .unwrap_or(RiskLevel::Low);
        let measures = f.required_text("measures", 2_000);
        let identified_on = f.date("identified_on");
        Some(Record {
            credit_code: credit_code?,
            code,
            name,
            level,
            measures,
            identified_on,
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
