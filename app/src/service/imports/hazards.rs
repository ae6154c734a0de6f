//! Hidden-hazard lists (隐患排查治理清单), upserted by enterprise and the
//! hazard's own code.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entities::{HazardGrade, hazard_item};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseTransaction, EntityTrait as _, QueryFilter as _,
    sea_query::OnConflict,
};

use super::{
    Actor, Kind, Outcome, Staged,
    columns::{Column, Fields},
    enterprises::credit_code,
    items::enterprises_by_code,
    vocab::HAZARD_GRADES,
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
    credit_code: String,
    code: String,
    description: String,
    grade: HazardGrade,
    found_on: NaiveDate,
    rectify_by: NaiveDate,
    rectified_on: Option<NaiveDate>,
}

pub(super) struct Hazards;

impl Kind for Hazards {
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
        Record {
            credit_code: credit_code(f, "credit_code"),
            code,
            description: f.required_text("description", 2_000),
            grade: f
                .choice("grade", HAZARD_GRADES, true)
                .unwrap_or(HazardGrade::General),
            found_on: found_on.unwrap_or_default(),
            rectify_by: rectify_by.unwrap_or_default(),
            rectified_on,
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
        let existing: HashMap<(i64, String), hazard_item::Model> = hazard_item::Entity::find()
            .filter(hazard_item::Column::EnterpriseId.is_in(ids))
            .filter(hazard_item::Column::Code.is_in(codes))
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
                    if m.description == r.description
                        && m.grade == r.grade
                        && m.found_on == r.found_on
                        && m.rectify_by == r.rectify_by
                        && m.rectified_on == r.rectified_on =>
                {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => outcome.updated += 1,
                None => outcome.inserted += 1,
            }
            rows.push(hazard_item::ActiveModel {
                enterprise_id: Set(enterprise_id),
                code: Set(r.code.clone()),
                description: Set(r.description.clone()),
                grade: Set(r.grade),
                found_on: Set(r.found_on),
                rectify_by: Set(r.rectify_by),
                rectified_on: Set(r.rectified_on),
                task_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if write && !rows.is_empty() {
            use hazard_item::Column as C;
            hazard_item::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([C::EnterpriseId, C::Code])
                        .update_columns([
                            C::Description,
                            C::Grade,
                            C::FoundOn,
                            C::RectifyBy,
                            C::RectifiedOn,
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
