//! Departments, upserted by code. A department's parent is named by its code
//! and may come from the same file: parents are written before children.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{DepartmentKind, department};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, DatabaseTransaction, EntityTrait as _,
    IntoActiveModel as _,
};

use super::{
    Actor, Kind, Outcome, Staged, check_region,
    columns::{Column, Fields},
    region_code, region_codes,
    vocab::DEPARTMENT_KINDS,
};
use crate::error::AppResult;

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
    region_code: Option<String>,
    parent_code: Option<String>,
}

pub(super) struct Departments;

pub(super) struct Context {
    regions: HashSet<String>,
    by_code: HashMap<String, department::Model>,
}

impl Kind for Departments {
    type Record = Record;
    type Context = Context;
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Record {
        let code = f.required_code("code");
        if code.chars().count() > 64 {
            f.problem("code", "must have at most 64 characters");
        }
        let parent_code = f.code("parent_code");
        if parent_code.as_ref().is_some_and(|p| *p == code) {
            f.problem("parent_code", "a department cannot be its own parent");
        }
        Record {
            code,
            name: f.required_text("name", 200),
            kind: f
                .choice("kind", DEPARTMENT_KINDS, true)
                .unwrap_or(DepartmentKind::Other),
            region_code: region_code(f, "region_code", false),
            parent_code,
        }
    }

    fn key(record: &Record) -> String {
        record.code.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Context> {
        Ok(Context {
            regions: region_codes(txn).await?,
            by_code: department::Entity::find()
                .all(txn)
                .await?
                .into_iter()
                .map(|m| (m.code.clone(), m))
                .collect(),
        })
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        context: &mut Context,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let in_file: HashMap<&str, usize> = batch
            .iter()
            .enumerate()
            .map(|(i, s)| (s.record.code.as_str(), i))
            .collect();
        let mut outcome = Outcome::default();
        let mut depth = vec![0usize; batch.len()];
        for (index, staged) in batch.iter().enumerate() {
            let mut at = staged.record.parent_code.as_deref();
            let mut steps = 0;
            while let Some(parent) = at.and_then(|p| in_file.get(p)) {
                steps += 1;
                if steps > batch.len() {
                    break;
                }
                at = batch[*parent].record.parent_code.as_deref();
            }
            depth[index] = steps;
        }
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| (depth[i], i));
        // Ids of departments written (or, in a dry run, about to be) by code.
        let mut ids: HashMap<String, i64> = context
            .by_code
            .iter()
            .map(|(c, m)| (c.clone(), m.id))
            .collect();
        let mut rejected = HashSet::new();
        let mut placeholder = 0i64;
        let now = Utc::now();
        for index in order {
            let r = &batch[index].record;
            if depth[index] > batch.len() {
                outcome.reject(
                    index,
                    "parent_code",
                    "the parent chain loops back to this department",
                );
                rejected.insert(r.code.clone());
                continue;
            }
            let checked = match &r.region_code {
                Some(region) => check_region(&context.regions, actor, region),
                None if actor.covers_opt(None) => Ok(()),
                None => Err("only national users may import national departments".to_owned()),
            };
            if let Err(e) = checked {
                outcome.reject(index, "region_code", e);
                rejected.insert(r.code.clone());
                continue;
            }
            let parent_id = match &r.parent_code {
                None => None,
                Some(p) if rejected.contains(p) => {
                    outcome.reject(index, "parent_code", format!("the parent {p} was rejected"));
                    rejected.insert(r.code.clone());
                    continue;
                }
                Some(p) => match ids.get(p) {
                    Some(id) => Some(*id),
                    None => {
                        outcome.reject(
                            index,
                            "parent_code",
                            format!("department {p} does not exist"),
                        );
                        rejected.insert(r.code.clone());
                        continue;
                    }
                },
            };
            let existing = context.by_code.get(&r.code);
            if let Some(m) = existing
                && !actor.covers_opt(m.region_code.as_deref())
            {
                outcome.reject(
                    index,
                    "code",
                    "this code belongs to a department outside your jurisdiction",
                );
                rejected.insert(r.code.clone());
                continue;
            }
            match existing {
                Some(m)
                    if m.name == r.name
                        && m.kind == r.kind
                        && m.region_code == r.region_code
                        && m.parent_id == parent_id =>
                {
                    outcome.unchanged += 1;
                }
                Some(m) => {
                    outcome.updated += 1;
                    if write {
                        let mut model = m.clone().into_active_model();
                        model.name = Set(r.name.clone());
                        model.kind = Set(r.kind);
                        model.region_code = Set(r.region_code.clone());
                        model.parent_id = Set(parent_id);
                        model.updated_at = Set(now);
                        model.update(txn).await?;
                    }
                }
                None => {
                    outcome.inserted += 1;
                    let id = if write {
                        department::ActiveModel {
                            code: Set(r.code.clone()),
                            name: Set(r.name.clone()),
                            kind: Set(r.kind),
                            region_code: Set(r.region_code.clone()),
                            parent_id: Set(parent_id),
                            created_at: Set(now),
                            updated_at: Set(now),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?
                        .id
                    } else {
                        placeholder -= 1;
                        placeholder
                    };
                    ids.insert(r.code.clone(), id);
                }
            }
        }
        Ok(outcome)
    }
}
