//! Conflicts of interest (回避): an inspector by badge number and either an
//! enterprise by credit code or a department by code; upserted by that pair.

use std::collections::HashMap;

use chrono::Utc;
use entities::{conflict, department, inspector};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseTransaction, EntityTrait as _, QueryFilter as _,
    sea_query::Expr,
};

use super::{
    Actor, Kind, Outcome, Staged,
    columns::{Column, Fields},
    enterprises::credit_code,
    items::enterprises_by_code,
};
use crate::error::AppResult;

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["执法证编号", "证件号"],
        note: "The inspector's badge number.",
        example: "35010200123",
        ..Column::new("badge_no", "执法证号", true)
    },
    Column {
        aliases: &["信用代码", "企业信用代码"],
        note: "The enterprise to stand aside from; or give a department code instead.",
        example: "91350100M000100Y43",
        width: 24.0,
        ..Column::new("credit_code", "统一社会信用代码", false)
    },
    Column {
        aliases: &["部门编码", "回避部门编码"],
        note: "The department to stand aside from; or give a credit code instead.",
        example: "",
        ..Column::new("department_code", "部门编码", false)
    },
    Column {
        aliases: &["原因", "回避事由", "事由"],
        note: "Why: relative, former employer, own department, …",
        example: "示例：近亲属在该企业任职",
        width: 30.0,
        ..Column::new("reason", "回避原因", true)
    },
];

pub(super) struct Record {
    badge_no: String,
    credit_code: Option<String>,
    department_code: Option<String>,
    reason: String,
}

pub(super) struct Conflicts;

impl Kind for Conflicts {
    type Record = Record;
    type Context = ();
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "badge_no";

    fn parse(f: &mut Fields<'_>) -> Record {
        let badge_no = f.required_code("badge_no");
        let has_credit = f.code("credit_code").is_some();
        let credit_code = has_credit.then(|| credit_code(f, "credit_code"));
        let department_code = f.code("department_code");
        if credit_code.is_some() == department_code.is_some() {
            f.problem(
                "credit_code",
                "give exactly one of a credit code (enterprise) and a department code",
            );
        }
        Record {
            badge_no,
            credit_code,
            department_code,
            reason: f.required_text("reason", 500),
        }
    }

    fn key(record: &Record) -> String {
        match (&record.credit_code, &record.department_code) {
            (Some(code), _) => format!("{} / {code}", record.badge_no),
            (None, Some(code)) => format!("{} / {code}", record.badge_no),
            (None, None) => record.badge_no.clone(),
        }
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
        let mut outcome = Outcome::default();
        let mut inserts = Vec::new();
        let now = Utc::now();
        for chunk_start in (0..batch.len()).step_by(1_000) {
            let chunk = &batch[chunk_start..batch.len().min(chunk_start + 1_000)];
            let badges: Vec<&str> = chunk.iter().map(|s| s.record.badge_no.as_str()).collect();
            let inspectors: HashMap<String, inspector::Model> = inspector::Entity::find()
                .filter(inspector::Column::BadgeNo.is_in(badges))
                .all(txn)
                .await?
                .into_iter()
                .filter(|m| actor.covers(&m.region_code))
                .map(|m| (m.badge_no.clone(), m))
                .collect();
            let enterprises = enterprises_by_code(
                txn,
                actor,
                chunk.iter().filter_map(|s| s.record.credit_code.as_deref()),
            )
            .await?;
            let department_codes: Vec<&str> = chunk
                .iter()
                .filter_map(|s| s.record.department_code.as_deref())
                .collect();
            let departments: HashMap<String, department::Model> = department::Entity::find()
                .filter(department::Column::Code.is_in(department_codes))
                .all(txn)
                .await?
                .into_iter()
                .filter(|d| actor.covers_opt(d.region_code.as_deref()))
                .map(|d| (d.code.clone(), d))
                .collect();
            let inspector_ids: Vec<i64> = inspectors.values().map(|i| i.id).collect();
            let existing: HashMap<(i64, Option<i64>, Option<i64>), conflict::Model> =
                conflict::Entity::find()
                    .filter(conflict::Column::InspectorId.is_in(inspector_ids))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|c| ((c.inspector_id, c.enterprise_id, c.department_id), c))
                    .collect();
            for (offset, staged) in chunk.iter().enumerate() {
                let index = chunk_start + offset;
                let r = &staged.record;
                let Some(inspector) = inspectors.get(&r.badge_no) else {
                    outcome.reject(
                        index,
                        "badge_no",
                        format!("no inspector has badge number {}", r.badge_no),
                    );
                    continue;
                };
                let target = match (&r.credit_code, &r.department_code) {
                    (Some(code), _) => match enterprises.resolve(code, index, &mut outcome) {
                        Some(id) => (Some(id), None),
                        None => continue,
                    },
                    (None, Some(code)) => match departments.get(code) {
                        Some(d) => (None, Some(d.id)),
                        None => {
                            outcome.reject(
                                index,
                                "department_code",
                                format!("department {code} does not exist"),
                            );
                            continue;
                        }
                    },
                    (None, None) => continue,
                };
                match existing.get(&(inspector.id, target.0, target.1)) {
                    Some(c) if c.reason == r.reason => outcome.unchanged += 1,
                    Some(c) => {
                        outcome.updated += 1;
                        if write {
                            conflict::Entity::update_many()
                                .col_expr(conflict::Column::Reason, Expr::value(r.reason.clone()))
                                .filter(conflict::Column::Id.eq(c.id))
                                .exec(txn)
                                .await?;
                        }
                    }
                    None => {
                        outcome.inserted += 1;
                        inserts.push(conflict::ActiveModel {
                            inspector_id: Set(inspector.id),
                            enterprise_id: Set(target.0),
                            department_id: Set(target.1),
                            reason: Set(r.reason.clone()),
                            created_at: Set(now),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        if write && !inserts.is_empty() {
            let mut rows = inserts.into_iter().peekable();
            while rows.peek().is_some() {
                let chunk: Vec<_> = rows.by_ref().take(1_000).collect();
                conflict::Entity::insert_many(chunk)
                    .exec_without_returning(txn)
                    .await?;
            }
        }
        Ok(outcome)
    }
}
