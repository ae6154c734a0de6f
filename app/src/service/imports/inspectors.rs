//! Inspectors, upserted by badge number. The department is named by its code.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{Industry, department, inspector};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseTransaction, EntityTrait as _, QueryFilter as _,
    sea_query::OnConflict,
};

use super::{
    Actor, Kind, Outcome, Staged, check_region,
    columns::{Column, Fields, find_choice},
    region_code, region_codes,
    vocab::INDUSTRIES,
};
use crate::{error::AppResult, service::directories::inspectors::industries_of};

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
    region_code: String,
    industries: Vec<Industry>,
    active: bool,
}

pub(super) struct Inspectors;

pub(super) struct Context {
    regions: HashSet<String>,
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

impl Kind for Inspectors {
    type Record = Record;
    type Context = Context;
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "badge_no";

    fn parse(f: &mut Fields<'_>) -> Record {
        let badge_no = f.required_code("badge_no");
        if badge_no.chars().count() > 64 {
            f.problem("badge_no", "must have at most 64 characters");
        }
        Record {
            badge_no,
            name: f.required_text("name", 100),
            department_code: f.required_code("department_code"),
            region_code: region_code(f, "region_code", true).unwrap_or_default(),
            industries: industries(f),
            active: f.boolean("active").unwrap_or(true),
        }
    }

    fn key(record: &Record) -> String {
        record.badge_no.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Context> {
        Ok(Context {
            regions: region_codes(txn).await?,
            departments: department::Entity::find()
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
        let badges: Vec<&str> = batch.iter().map(|s| s.record.badge_no.as_str()).collect();
        let existing: HashMap<String, inspector::Model> = inspector::Entity::find()
            .filter(inspector::Column::BadgeNo.is_in(badges))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.badge_no.clone(), m))
            .collect();
        let now = Utc::now();
        let mut outcome = Outcome::default();
        let mut rows = Vec::new();
        for (index, staged) in batch.iter().enumerate() {
            let r = &staged.record;
            if let Err(e) = check_region(&context.regions, actor, &r.region_code) {
                outcome.reject(index, "region_code", e);
                continue;
            }
            let department = context
                .departments
                .get(&r.department_code)
                .filter(|d| actor.covers_opt(d.region_code.as_deref()));
            let Some(department) = department else {
                outcome.reject(
                    index,
                    "department_code",
                    format!("department {} does not exist", r.department_code),
                );
                continue;
            };
            match existing.get(&r.badge_no) {
                Some(m) if !actor.covers(&m.region_code) => {
                    outcome.reject(
                        index,
                        "badge_no",
                        "this badge belongs to an inspector outside your jurisdiction",
                    );
                    continue;
                }
                Some(m)
                    if m.name == r.name
                        && m.department_id == department.id
                        && m.region_code == r.region_code
                        && industries_of(m) == r.industries
                        && m.active == r.active =>
                {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => outcome.updated += 1,
                None => outcome.inserted += 1,
            }
            let names: Vec<&str> = r.industries.iter().map(|i| i.as_str()).collect();
            rows.push(inspector::ActiveModel {
                badge_no: Set(r.badge_no.clone()),
                name: Set(r.name.clone()),
                department_id: Set(department.id),
                region_code: Set(r.region_code.clone()),
                industries: Set(serde_json::json!(names)),
                active: Set(r.active),
                user_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if write && !rows.is_empty() {
            use inspector::Column as C;
            inspector::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(C::BadgeNo)
                        .update_columns([
                            C::Name,
                            C::DepartmentId,
                            C::RegionCode,
                            C::Industries,
                            C::Active,
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
