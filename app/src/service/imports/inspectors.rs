//! Inspectors, upserted by badge number. The department is named by its code.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{Industry, department, inspector};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields, find_choice},
    model::{Kind, KnownRegions, Outcome, Staged},
    store,
    vocab::INDUSTRIES,
};
use crate::{
    domain::RegionCode,
    error::AppResult,
    service::{Actor, directories::inspectors::industries_of},
};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["执法证编号", "证件号", "执法证件号"],
        note: "Law-enforcement badge number, unique.",
        example: "35010200123",
        ..Column::new("badge_no", "执法证号", true)
    },
    Column {
        aliases: &["名称", "检查人员"],
        note: "Full name.",
        example: "示例：林某某",
        ..Column::new("name", "姓名", true)
    },
    Column {
        aliases: &["部门编码", "所在部门编码", "单位编码"],
        note: "The code of the inspector's department; it must exist and be in your jurisdiction.",
        example: "EM-350102",
        ..Column::new("department_code", "所属部门编码", true)
    },
    Column {
        aliases: &["所在区划", "区划代码", "行政区划代码"],
        note: "Six-digit region code where the inspector works.",
        example: "350102",
        ..Column::new("region_code", "行政区划", true)
    },
    Column {
        aliases: &["执法领域", "资质行业", "行业"],
        note: "Industries qualified for, separated by 、 or commas: 煤矿/coal_mine, 危险化学品/hazardous_chemicals, …",
        example: "危险化学品、烟花爆竹",
        width: 28.0,
        ..Column::new("industries", "检查领域", false)
    },
    Column {
        aliases: &["是否在岗", "在岗", "启用"],
        note: "Whether the inspector can be drawn: 是 (yes) or 否 (no); default yes.",
        example: "是",
        choices: &["是", "否"],
        ..Column::new("active", "是否在岗", false)
    },
];

pub(super) struct Record {
    badge_no: String,
    name: String,
    department_code: String,
    region_code: RegionCode,
    industries: Vec<Industry>,
    active: bool,
}

pub(super) struct Inspectors;

pub(super) struct Context {
    regions: KnownRegions,
    departments: HashMap<String, department::Model>,
}

fn industries(f: &mut Fields<'_>) -> Vec<Industry> {
    let Some(text) = f.text("industries") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for word in text
        .split([',', '，', '、', ';', '；', '/', '|', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        match find_choice(INDUSTRIES, word) {
            Some(industry) => found.push(industry),
            None => f.problem("industries", format!("'{word}' is not an industry")),
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The department of a row, or the column at fault and why.
fn check<'c>(
    context: &'c Context,
    actor: &Actor,
    r: &Record,
    stored: Option<&inspector::Model>,
) -> Result<&'c department::Model, (&'static str, String)> {
    context
        .regions
        .check(actor, r.region_code.as_str())
        .map_err(|e| ("region_code", e))?;
    let department = context
        .departments
        .get(&r.department_code)
        .filter(|d| actor.covers_opt(d.region_code.as_deref()))
        .ok_or_else(|| {
            let message = format!("department {} does not exist", r.department_code);
            ("department_code", message)
        })?;
    if stored.is_some_and(|m| !actor.covers(&m.region_code)) {
        let message = "this badge belongs to an inspector outside your jurisdiction";
        return Err(("badge_no", message.to_owned()));
    }
    Ok(department)
}

fn same(m: &inspector::Model, r: &Record, department_id: i64) -> bool {
    m.name == r.name
        && m.department_id == department_id
        && m.region_code == r.region_code.as_str()
        && industries_of(m) == r.industries
        && m.active == r.active
}

fn row(r: &Record, department_id: i64, now: DateTime<Utc>) -> inspector::ActiveModel {
    let names: Vec<&str> = r.industries.iter().map(|i| i.as_str()).collect();
    inspector::ActiveModel {
        badge_no: Set(r.badge_no.clone()),
        name: Set(r.name.clone()),
        department_id: Set(department_id),
        region_code: Set(r.region_code.to_string()),
        industries: Set(serde_json::json!(names)),
        active: Set(r.active),
        user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

impl Kind for Inspectors {
    type Record = Record;
    type Context = Context;
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "badge_no";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        let badge_no = f.required_code("badge_no");
        if badge_no.chars().count() > 64 {
            f.problem("badge_no", "must have at most 64 characters");
        }
        let name = f.required_text("name", 100);
        let department_code = f.required_code("department_code");
        let region_code = f.region_code("region_code", true);
        let industries = industries(f);
        let active = f.boolean("active").unwrap_or(true);
        Some(Record {
            badge_no,
            name,
            department_code,
            region_code: region_code?,
            industries,
            active,
        })
    }

    fn key(record: &Record) -> String {
        record.badge_no.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Context> {
        Ok(Context {
            regions: KnownRegions(store::region_codes(txn).await?),
            departments: store::departments_by_code(txn).await?,
        })
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        context: &mut Context,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let badges: Vec<&str> = batch.iter().map(|s| s.record.badge_no.as_str()).collect();
        let existing: HashMap<String, inspector::Model> =
            store::inspectors_with_badges(txn, badges)
                .await?
                .into_iter()
                .map(|m| (m.badge_no.clone(), m))
                .collect();
        let now = Utc::now();
        let mut outcome = Outcome::default();
        let mut rows = Vec::new();
        for (index, staged) in batch.iter().enumerate() {
            let r = &staged.record;
            let stored = existing.get(&r.badge_no);
            let department = match check(context, actor, r, stored) {
                Ok(department) => department,
                Err((column, message)) => {
                    outcome.reject(index, column, message);
                    continue;
                }
            };
            if outcome.count(stored, |m| same(m, r, department.id)) {
                rows.push(row(r, department.id, now));
            }
        }
        if write {
            store::upsert_inspectors(txn, rows).await?;
        }
        Ok(outcome)
    }
}
