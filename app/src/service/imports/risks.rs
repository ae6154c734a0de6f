//! Risk lists (风险清单), upserted by enterprise and the risk's own code.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entities::{RiskLevel, risk_item};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseTransaction, EntityTrait as _, QueryFilter as _,
    sea_query::OnConflict,
};

use super::{
    Actor, Kind, Outcome, Staged,
    columns::{Column, Fields},
    enterprises::credit_code,
    items::enterprises_by_code,
    vocab::RISK_LEVELS,
};
use crate::error::AppResult;

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
    credit_code: String,
    code: String,
    name: String,
    level: RiskLevel,
    measures: String,
    identified_on: Option<NaiveDate>,
}

pub(super) struct Risks;

impl Kind for Risks {
    type Record = Record;
    type Context = ();
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Record {
        let code = f.required_code("code");
        if code.chars().count() > 64 {
            f.problem("code", "must have at most 64 characters");
        }
        Record {
            credit_code: credit_code(f, "credit_code"),
            code,
            name: f.required_text("name", 200),
            level: f
                .choice("level", RISK_LEVELS, true)
                .unwrap_or(RiskLevel::Low),
            measures: f.required_text("measures", 2_000),
            identified_on: f.date("identified_on"),
        }
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
        let owners = enterprises_by_code(
            txn,
            actor,
            batch.iter().map(|s| s.record.credit_code.as_str()),
        )
        .await?;
        let ids = owners.ids();
        let codes: Vec<&str> = batch.iter().map(|s| s.record.code.as_str()).collect();
        let existing: HashMap<(i64, String), risk_item::Model> = risk_item::Entity::find()
            .filter(risk_item::Column::EnterpriseId.is_in(ids))
            .filter(risk_item::Column::Code.is_in(codes))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| ((m.enterprise_id, m.code.clone()), m))
            .collect();
        let now = Utc::now();
        let mut outcome = Outcome::default();
        let mut rows = Vec::new();
        for (index, staged) in batch.iter().enumerate() {
            let r = &staged.record;
            let Some(enterprise_id) = owners.resolve(&r.credit_code, index, &mut outcome) else {
                continue;
            };
            match existing.get(&(enterprise_id, r.code.clone())) {
                Some(m)
                    if m.name == r.name
                        && m.level == r.level
                        && m.measures == r.measures
                        && m.identified_on == r.identified_on =>
                {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => outcome.updated += 1,
                None => outcome.inserted += 1,
            }
            rows.push(risk_item::ActiveModel {
                enterprise_id: Set(enterprise_id),
                code: Set(r.code.clone()),
                name: Set(r.name.clone()),
                level: Set(r.level),
                measures: Set(r.measures.clone()),
                identified_on: Set(r.identified_on),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if write && !rows.is_empty() {
            use risk_item::Column as C;
            risk_item::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([C::EnterpriseId, C::Code])
                        .update_columns([
                            C::Name,
                            C::Level,
                            C::Measures,
                            C::IdentifiedOn,
                            C::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
        Ok(outcome)
    }
}
