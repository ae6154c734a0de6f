//! Enterprises, upserted by unified social credit code.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{CreditClass, EnterpriseStatus, Industry, RiskLevel, enterprise};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _, DatabaseTransaction, DbBackend,
    EntityTrait as _, QueryFilter as _, Statement, sea_query::OnConflict,
};
use serde::Serialize;

use super::{
    Actor, Kind, Outcome, Staged, check_region,
    columns::{Column, Fields},
    region_code, region_codes,
    vocab::{CREDIT_CLASSES, INDUSTRIES, RISK_LEVELS, STATUSES},
};
use crate::{domain::CreditCode, error::AppResult};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["信用代码", "社会信用代码", "统一代码"],
        note: "18 characters; the check character is verified (GB 32100-2015).",
        example: "91350100M000100Y43",
        width: 24.0,
        ..Column::new("credit_code", "统一社会信用代码", true)
    },
    Column {
        aliases: &["名称", "单位名称", "企业名"],
        note: "Registered name.",
        example: "示例：福建某某化工有限公司",
        width: 30.0,
        ..Column::new("name", "企业名称", true)
    },
    Column {
        aliases: &["所属行业", "行业类别"],
        note: "coal_mine, non_coal_mine, hazardous_chemicals, fireworks, transport, metal_smelting, fishery or other.",
        example: "危险化学品",
        choices: &[
            "煤矿",
            "非煤矿山",
            "危险化学品",
            "烟花爆竹",
            "交通运输",
            "冶金",
            "渔业",
            "其他",
        ],
        ..Column::new("industry", "行业", true)
    },
    Column {
        aliases: &["所在区划", "行政区划代码", "区划代码", "所在地区代码"],
        note: "Six-digit GB/T 2260 code of where it operates; must exist and lie in your jurisdiction.",
        example: "350102",
        ..Column::new("region_code", "行政区划", true)
    },
    Column {
        aliases: &["安全风险等级", "风险级别"],
        note: "major (重大, red), high (较大, orange), moderate (一般, yellow) or low (低, blue).",
        example: "较大",
        choices: &["重大", "较大", "一般", "低"],
        ..Column::new("risk_level", "风险等级", true)
    },
    Column {
        aliases: &["信用风险分类", "信用类别", "信用等级"],
        note: "A (best) to D (worst).",
        example: "B类",
        choices: &["A类", "B类", "C类", "D类"],
        ..Column::new("credit_class", "信用分类", true)
    },
    Column {
        aliases: &["是否重点监管"],
        note: "Key supervision: 是 (yes) or 否 (no); default no.",
        example: "否",
        choices: &["是", "否"],
        ..Column::new("key_supervision", "重点监管", false)
    },
    Column {
        aliases: &["经营状态", "企业状态"],
        note: "active (正常), suspended (停产) or closed (关闭); default active.",
        example: "正常",
        choices: &["正常", "停产", "关闭"],
        ..Column::new("status", "状态", false)
    },
];

pub(super) struct Record {
    credit_code: String,
    name: String,
    industry: Industry,
    region_code: String,
    risk_level: RiskLevel,
    credit_class: CreditClass,
    key_supervision: bool,
    status: EnterpriseStatus,
}

pub(super) struct Enterprises;

/// A credit code from a column, its check character verified.
pub(super) fn credit_code(fields: &mut Fields<'_>, key: &str) -> String {
    let code = fields.required_code(key);
    if code.is_empty() {
        return code;
    }
    match CreditCode::parse(&code) {
        Ok(code) => code.to_string(),
        Err(e) => {
            fields.problem(key, e.to_string());
            code
        }
    }
}

impl Kind for Enterprises {
    type Record = Record;
    type Context = HashSet<String>;
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "credit_code";

    fn parse(f: &mut Fields<'_>) -> Record {
        Record {
            credit_code: credit_code(f, "credit_code"),
            name: f.required_text("name", 200),
            industry: f
                .choice("industry", INDUSTRIES, true)
                .unwrap_or(Industry::Other),
            region_code: region_code(f, "region_code", true).unwrap_or_default(),
            risk_level: f
                .choice("risk_level", RISK_LEVELS, true)
                .unwrap_or(RiskLevel::Low),
            credit_class: f
                .choice("credit_class", CREDIT_CLASSES, true)
                .unwrap_or(CreditClass::B),
            key_supervision: f.boolean("key_supervision").unwrap_or(false),
            status: f
                .choice("status", STATUSES, false)
                .unwrap_or(EnterpriseStatus::Active),
        }
    }

    fn key(record: &Record) -> String {
        record.credit_code.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<HashSet<String>> {
        region_codes(txn).await
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        regions: &mut HashSet<String>,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let codes: Vec<&str> = batch
            .iter()
            .map(|s| s.record.credit_code.as_str())
            .collect();
        let postgres = txn.get_database_backend() == DbBackend::Postgres;
        let existing = if postgres {
            // One JSON parameter instead of a thousand: much less for the server to parse.
            enterprise::Entity::find()
                .from_raw_sql(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT * FROM enterprise WHERE credit_code IN \
                     (SELECT jsonb_array_elements_text($1::jsonb))",
                    [json(&codes)?.into()],
                ))
                .all(txn)
                .await?
        } else {
            enterprise::Entity::find()
                .filter(enterprise::Column::CreditCode.is_in(codes))
                .all(txn)
                .await?
        };
        let existing: HashMap<String, enterprise::Model> = existing
            .into_iter()
            .map(|m| (m.credit_code.clone(), m))
            .collect();
        let now = Utc::now();
        let mut outcome = Outcome::default();
        let mut rows = Vec::new();
        let mut changed: Vec<&Record> = Vec::new();
        for (index, staged) in batch.iter().enumerate() {
            let r = &staged.record;
            if let Err(e) = check_region(regions, actor, &r.region_code) {
                outcome.reject(index, "region_code", e);
                continue;
            }
            match existing.get(&r.credit_code) {
                Some(m) if !actor.covers(&m.region_code) => {
                    outcome.reject(
                        index,
                        "credit_code",
                        "this code belongs to an enterprise outside your jurisdiction",
                    );
                    continue;
                }
                Some(m) if same(m, r) => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => outcome.updated += 1,
                None => outcome.inserted += 1,
            }
            if postgres {
                changed.push(r);
                continue;
            }
            rows.push(enterprise::ActiveModel {
                credit_code: Set(r.credit_code.clone()),
                name: Set(r.name.clone()),
                industry: Set(r.industry),
                region_code: Set(r.region_code.clone()),
                risk_level: Set(r.risk_level),
                credit_class: Set(r.credit_class),
                key_supervision: Set(r.key_supervision),
                status: Set(r.status),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if write && !changed.is_empty() {
            upsert_postgres(txn, &changed, now).await?;
        }
        if write && !rows.is_empty() {
            use enterprise::Column as C;
            enterprise::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(C::CreditCode)
                        .update_columns([
                            C::Name,
                            C::Industry,
                            C::RegionCode,
                            C::RiskLevel,
                            C::CreditClass,
                            C::KeySupervision,
                            C::Status,
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

fn same(m: &enterprise::Model, r: &Record) -> bool {
    m.name == r.name
        && m.industry == r.industry
        && m.region_code == r.region_code
        && m.risk_level == r.risk_level
        && m.credit_class == r.credit_class
        && m.key_supervision == r.key_supervision
        && m.status == r.status
}

fn json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| {
        crate::error::AppError::Internal(anyhow::anyhow!("Failed to encode a batch: {e}"))
    })
}

/// A row as `jsonb_to_recordset` reads it.
#[derive(Serialize)]
struct JsonRow<'a> {
    credit_code: &'a str,
    name: &'a str,
    industry: &'static str,
    region_code: &'a str,
    risk_level: &'static str,
    credit_class: &'static str,
    key_supervision: bool,
    status: &'static str,
}

/// The batch as one JSON parameter, upserted in one statement.
async fn upsert_postgres(
    txn: &DatabaseTransaction,
    rows: &[&Record],
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let rows: Vec<JsonRow<'_>> = rows
        .iter()
        .map(|r| JsonRow {
            credit_code: &r.credit_code,
            name: &r.name,
            industry: r.industry.as_str(),
            region_code: &r.region_code,
            risk_level: r.risk_level.as_str(),
            credit_class: r.credit_class.as_str(),
            key_supervision: r.key_supervision,
            status: r.status.as_str(),
        })
        .collect();
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO enterprise (credit_code, name, industry, region_code, risk_level, \
         credit_class, key_supervision, status, created_at, updated_at) \
         SELECT x.credit_code, x.name, x.industry, x.region_code, x.risk_level, x.credit_class, \
         x.key_supervision, x.status, $2, $2 \
         FROM jsonb_to_recordset($1::jsonb) AS x(credit_code text, name text, industry text, \
         region_code text, risk_level text, credit_class text, key_supervision boolean, status text) \
         ON CONFLICT (credit_code) DO UPDATE SET name = EXCLUDED.name, \
         industry = EXCLUDED.industry, region_code = EXCLUDED.region_code, \
         risk_level = EXCLUDED.risk_level, credit_class = EXCLUDED.credit_class, \
         key_supervision = EXCLUDED.key_supervision, status = EXCLUDED.status, \
         updated_at = EXCLUDED.updated_at",
        [json(&rows)?.into(), now.into()],
    ))
    .await?;
    Ok(())
}
