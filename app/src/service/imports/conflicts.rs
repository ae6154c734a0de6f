//! Conflicts of interest (回避): an inspector by badge number and either an
//! enterprise by credit code or a department by code; upserted by that pair.

use std::collections::HashMap;

use chrono::Utc;
use entities::{conflict, department, inspector};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields},
    items::{Owners, enterprises_by_code},
    model::{Kind, Outcome, Staged},
    store,
};
use crate::{
    domain::CreditCode,
    error::AppResult,
    service::{Actor, directories::model::ConflictPair},
};

/// Rows whose names are looked up together.
const CHUNK: usize = 1_000;

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
    credit_code: Option<CreditCode>,
    department_code: Option<String>,
    reason: String,
}

pub(super) struct Conflicts;

/// What the rows of a chunk name, as stored and in the actor's scope.
struct Named {
    inspectors: HashMap<String, inspector::Model>,
    enterprises: Owners,
    departments: HashMap<String, department::Model>,
    /// The conflicts these inspectors already have.
    existing: HashMap<ConflictPair, conflict::Model>,
}

impl Named {
    async fn load(
        txn: &DatabaseTransaction,
        actor: &Actor,
        chunk: &[Staged<Record>],
    ) -> AppResult<Self> {
        let badges: Vec<&str> = chunk.iter().map(|s| s.record.badge_no.as_str()).collect();
        let inspectors: HashMap<String, inspector::Model> =
            store::inspectors_with_badges(txn, badges)
                .await?
                .into_iter()
                .filter(|m| actor.covers(&m.region_code))
                .map(|m| (m.badge_no.clone(), m))
                .collect();
        let credit_codes = chunk
            .iter()
            .filter_map(|s| s.record.credit_code.as_ref().map(CreditCode::as_str));
        let enterprises = enterprises_by_code(txn, actor, credit_codes).await?;
        let department_codes: Vec<&str> = chunk
            .iter()
            .filter_map(|s| s.record.department_code.as_deref())
            .collect();
        let departments = store::departments_with_codes(txn, department_codes)
            .await?
            .into_iter()
            .filter(|d| actor.covers_opt(d.region_code.as_deref()))
            .map(|d| (d.code.clone(), d))
            .collect();
        let inspector_ids: Vec<i64> = inspectors.values().map(|i| i.id).collect();
        let existing = store::conflicts_of(txn, inspector_ids)
            .await?
            .into_iter()
            .map(|c| (pair_of(&c), c))
            .collect();
        Ok(Self {
            inspectors,
            enterprises,
            departments,
            existing,
        })
    }

    /// The pair a row names, or `None` with the row rejected.
    fn pair(&self, r: &Record, index: usize, outcome: &mut Outcome) -> Option<ConflictPair> {
        let Some(inspector) = self.inspectors.get(&r.badge_no) else {
            let message = format!("no inspector has badge number {}", r.badge_no);
            outcome.reject(index, "badge_no", message);
            return None;
        };
        let (enterprise_id, department_id) = match (&r.credit_code, &r.department_code) {
            (Some(code), _) => {
                let id = self.enterprises.resolve(code.as_str(), index, outcome)?;
                (Some(id), None)
            }
            (None, Some(code)) => {
                let Some(d) = self.departments.get(code) else {
                    let message = format!("department {code} does not exist");
                    outcome.reject(index, "department_code", message);
                    return None;
                };
                (None, Some(d.id))
            }
            (None, None) => return None,
        };
        Some(ConflictPair {
            inspector_id: inspector.id,
            enterprise_id,
            department_id,
        })
    }
}

fn pair_of(c: &conflict::Model) -> ConflictPair {
    ConflictPair {
        inspector_id: c.inspector_id,
        enterprise_id: c.enterprise_id,
        department_id: c.department_id,
    }
}

impl Kind for Conflicts {
    type Record = Record;
    type Context = ();
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "badge_no";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        let badge_no = f.required_code("badge_no");
        let has_credit = f.code("credit_code").is_some();
        let credit_code = has_credit.then(|| f.credit_code("credit_code"));
        let department_code = f.code("department_code");
        if has_credit == department_code.is_some() {
            f.problem(
                "credit_code",
                "give exactly one of a credit code (enterprise) and a department code",
            );
        }
        let reason = f.required_text("reason", 500);
        let credit_code = match credit_code {
            Some(parsed) => Some(parsed?),
            None => None,
        };
        Some(Record {
            badge_no,
            credit_code,
            department_code,
            reason,
        })
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
        for (chunk_index, chunk) in batch.chunks(CHUNK).enumerate() {
            let named = Named::load(txn, actor, chunk).await?;
            for (offset, staged) in chunk.iter().enumerate() {
                let r = &staged.record;
                let index = chunk_index * CHUNK + offset;
                let Some(pair) = named.pair(r, index, &mut outcome) else {
                    continue;
                };
                let stored = named.existing.get(&pair);
                if !outcome.count(stored, |c| c.reason == r.reason) {
                    continue;
                }
                match stored {
                    Some(c) if write => store::set_conflict_reason(txn, c.id, &r.reason).await?,
                    Some(_) => {}
                    None => inserts.push(conflict::ActiveModel {
                        inspector_id: Set(pair.inspector_id),
                        enterprise_id: Set(pair.enterprise_id),
                        department_id: Set(pair.department_id),
                        reason: Set(r.reason.clone()),
                        created_at: Set(now),
                        ..Default::default()
                    }),
                }
            }
        }
        if write {
            store::insert_conflicts(txn, inserts).await?;
        }
        Ok(outcome)
    }
}
