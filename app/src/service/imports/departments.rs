//! Departments, upserted by code. A department's parent is named by its code
//! and may come from the same file: parents are written before children.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{DepartmentKind, department};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel as _};

use super::{
    columns::{Column, Fields},
    model::{Kind, KnownRegions, Outcome, Staged},
    store,
    vocab::DEPARTMENT_KINDS,
};
use crate::{domain::RegionCode, error::AppResult, service::Actor};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["编码", "部门代码", "单位编码"],
        note: "The department's unique code.",
        example: "EM-350102",
        ..Column::new("code", "部门编码", true)
    },
    Column {
        aliases: &["名称", "单位名称"],
        note: "Name.",
        example: "示例：福州市鼓楼区应急管理局",
        width: 30.0,
        ..Column::new("name", "部门名称", true)
    },
    Column {
        aliases: &["类别", "部门类型"],
        note: "emergency_management (应急管理部门), fire_rescue (消防救援机构) or other (其他).",
        example: "应急管理部门",
        choices: &["应急管理部门", "消防救援机构", "其他"],
        ..Column::new("kind", "类型", true)
    },
    Column {
        aliases: &["所在区划", "区划代码", "行政区划代码"],
        note: "Six-digit region code; empty for a national department.",
        example: "350102",
        ..Column::new("region_code", "行政区划", false)
    },
    Column {
        aliases: &["上级部门", "上级编码", "上级部门代码"],
        note: "The parent department's code, in the database or in this file (optional).",
        example: "EM-350100",
        ..Column::new("parent_code", "上级部门编码", false)
    },
];

pub(super) struct Record {
    code: String,
    name: String,
    kind: DepartmentKind,
    region_code: Option<RegionCode>,
    parent_code: Option<String>,
}

pub(super) struct Departments;

pub(super) struct Context {
    regions: KnownRegions,
    by_code: HashMap<String, department::Model>,
}

/// How many ancestors of each row the file holds; a count beyond the batch's
/// length means the chain of parents loops.
fn depths(batch: &[Staged<Record>]) -> Vec<usize> {
    let in_file: HashMap<&str, usize> = batch
        .iter()
        .enumerate()
        .map(|(i, s)| (s.record.code.as_str(), i))
        .collect();
    batch
        .iter()
        .map(|staged| {
            let mut at = staged.record.parent_code.as_deref();
            let mut steps = 0;
            while let Some(parent) = at.and_then(|p| in_file.get(p)) {
                steps += 1;
                if steps > batch.len() {
                    break;
                }
                at = batch[*parent].record.parent_code.as_deref();
            }
            steps
        })
        .collect()
}

/// What a batch has settled so far, row by row, parents first.
struct Pass {
    /// Ids of departments stored or written (in a dry run, about to be) by code.
    ids: HashMap<String, i64>,
    /// Codes of the rows rejected.
    rejected: HashSet<String>,
    /// Stand-in ids, below zero, for departments a dry run does not write.
    placeholder: i64,
}

impl Pass {
    /// The parent's id of a row whose region is in order, or the column at
    /// fault and why.
    fn parent_id(
        &self,
        context: &Context,
        actor: &Actor,
        r: &Record,
    ) -> Result<Option<i64>, (&'static str, String)> {
        match &r.region_code {
            Some(region) => context.regions.check(actor, region.as_str()),
            None if actor.covers_opt(None) => Ok(()),
            None => Err("only national users may import national departments".to_owned()),
        }
        .map_err(|e| ("region_code", e))?;
        let parent_id = match &r.parent_code {
            None => None,
            Some(p) if self.rejected.contains(p) => {
                return Err(("parent_code", format!("the parent {p} was rejected")));
            }
            Some(p) => match self.ids.get(p) {
                Some(id) => Some(*id),
                None => return Err(("parent_code", format!("department {p} does not exist"))),
            },
        };
        let stored = context.by_code.get(&r.code);
        if stored.is_some_and(|m| !actor.covers_opt(m.region_code.as_deref())) {
            let message = "this code belongs to a department outside your jurisdiction";
            return Err(("code", message.to_owned()));
        }
        Ok(parent_id)
    }
}

fn same(m: &department::Model, r: &Record, parent_id: Option<i64>) -> bool {
    m.name == r.name
        && m.kind == r.kind
        && m.region_code.as_deref() == r.region_code.as_ref().map(RegionCode::as_str)
        && m.parent_id == parent_id
}

fn new_row(r: &Record, parent_id: Option<i64>, now: DateTime<Utc>) -> department::ActiveModel {
    department::ActiveModel {
        code: Set(r.code.clone()),
        name: Set(r.name.clone()),
        kind: Set(r.kind),
        region_code: Set(r.region_code.as_ref().map(ToString::to_string)),
        parent_id: Set(parent_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

fn changed_row(
    m: &department::Model,
    r: &Record,
    parent_id: Option<i64>,
    now: DateTime<Utc>,
) -> department::ActiveModel {
    let mut model = m.clone().into_active_model();
    model.name = Set(r.name.clone());
    model.kind = Set(r.kind);
    model.region_code = Set(r.region_code.as_ref().map(ToString::to_string));
    model.parent_id = Set(parent_id);
    model.updated_at = Set(now);
    model
}

impl Kind for Departments {
    type Record = Record;
    type Context = Context;
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        let code = f.required_code("code");
        if code.chars().count() > 64 {
            f.problem("code", "must have at most 64 characters");
        }
        let parent_code = f.code("parent_code");
        if parent_code.as_ref().is_some_and(|p| *p == code) {
            f.problem("parent_code", "a department cannot be its own parent");
        }
        Some(Record {
            code,
            name: f.required_text("name", 200),
            kind: f
                .choice("kind", DEPARTMENT_KINDS, true)
                .unwrap_or(DepartmentKind::Other),
            region_code: f.region_code("region_code", false),
            parent_code,
        })
    }

    fn key(record: &Record) -> String {
        record.code.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Context> {
        Ok(Context {
            regions: KnownRegions(store::region_codes(txn).await?),
            by_code: store::departments_by_code(txn).await?,
        })
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        context: &mut Context,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let depth = depths(batch);
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| (depth[i], i));
        let mut pass = Pass {
            ids: context
                .by_code
                .iter()
                .map(|(c, m)| (c.clone(), m.id))
                .collect(),
            rejected: HashSet::new(),
            placeholder: 0,
        };
        let mut outcome = Outcome::default();
        let now = Utc::now();
        for index in order {
            let r = &batch[index].record;
            let checked = if depth[index] > batch.len() {
                let message = "the parent chain loops back to this department";
                Err(("parent_code", message.to_owned()))
            } else {
                pass.parent_id(context, actor, r)
            };
            let parent_id = match checked {
                Ok(parent_id) => parent_id,
                Err((column, message)) => {
                    outcome.reject(index, column, message);
                    pass.rejected.insert(r.code.clone());
                    continue;
                }
            };
            let stored = context.by_code.get(&r.code);
            if !outcome.count(stored, |m| same(m, r, parent_id)) {
                continue;
            }
            match stored {
                Some(m) if write => store::update(txn, changed_row(m, r, parent_id, now)).await?,
                Some(_) => {}
                None => {
                    let id = if write {
                        store::insert(txn, new_row(r, parent_id, now)).await?.id
                    } else {
                        pass.placeholder -= 1;
                        pass.placeholder
                    };
                    pass.ids.insert(r.code.clone(), id);
                }
            }
        }
        Ok(outcome)
    }
}
