//! The directory of enterprises under supervision.

use chrono::Utc;
use entities::{CreditClass, EnterpriseStatus, Industry, RiskLevel, Role, enterprise};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    regions,
    validate::Problems,
};
use crate::{
    db,
    domain::CreditCode,
    error::{AppError, AppResult},
};

/// Roles that maintain the enterprise directory.
const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Department];

/// An enterprise to create or replace.
#[derive(Debug, Clone)]
pub struct EnterpriseInput {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Registered name.
    pub name: String,
    /// Sector.
    pub industry: Industry,
    /// Six-digit region code where it operates.
    pub region_code: String,
    /// 安全风险等级.
    pub risk_level: RiskLevel,
    /// 信用风险分类.
    pub credit_class: CreditClass,
    /// 重点监管.
    pub key_supervision: bool,
    /// Operating status.
    pub status: EnterpriseStatus,
}

/// Filters for listing enterprises; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Region code prefix, such as `1301`.
    pub region_prefix: Option<String>,
    /// Sector.
    pub industry: Option<Industry>,
    /// Risk level.
    pub risk_level: Option<RiskLevel>,
    /// Credit class.
    pub credit_class: Option<CreditClass>,
    /// Key supervision flag.
    pub key_supervision: Option<bool>,
    /// Status.
    pub status: Option<EnterpriseStatus>,
    /// Name or credit code contains this.
    pub q: Option<String>,
    /// Sort key from [`SORT_KEYS`], `-` in front for descending.
    pub sort: Option<String>,
}

/// The fields a list may be sorted by.
pub const SORT_KEYS: &[&str] = &[
    "id",
    "name",
    "credit_code",
    "region_code",
    "risk_level",
    "updated_at",
];

fn sort_column(key: &str) -> Option<enterprise::Column> {
    Some(match key {
        "id" => enterprise::Column::Id,
        "name" => enterprise::Column::Name,
        "credit_code" => enterprise::Column::CreditCode,
        "region_code" => enterprise::Column::RegionCode,
        "risk_level" => enterprise::Column::RiskLevel,
        "updated_at" => enterprise::Column::UpdatedAt,
        _ => return None,
    })
}

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &EnterpriseInput,
) -> AppResult<(CreditCode, String)> {
    let mut problems = Problems::new();
    let name = problems.text("name", &input.name, 200);
    let code = match CreditCode::parse(&input.credit_code) {
        Ok(code) => Some(code),
        Err(e) => {
            problems.add("credit_code", e.to_string());
            None
        }
    };
    regions::require_exists(db, &mut problems, "region_code", input.region_code.trim()).await?;
    problems.finish()?;
    actor.require_region(input.region_code.trim())?;
    let code = code.ok_or_else(|| AppError::invalid("credit_code", "invalid"))?;
    Ok((code, name))
}

/// Creates an enterprise in the caller's jurisdiction.
///
/// # Errors
/// 403 for roles that do not maintain the directory or a region outside scope,
/// 422 for invalid input, 409 when the credit code is already registered.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: EnterpriseInput,
) -> AppResult<enterprise::Model> {
    actor.require(WRITERS, "change enterprises")?;
    let (code, name) = validated(db, actor, &input).await?;
    let txn = db::begin_write(db).await?;
    if enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(code.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "an enterprise with credit code {code} already exists"
        )));
    }
    let now = Utc::now();
    let model = enterprise::ActiveModel {
        credit_code: Set(code.to_string()),
        name: Set(name),
        industry: Set(input.industry),
        region_code: Set(input.region_code.trim().to_owned()),
        risk_level: Set(input.risk_level),
        credit_class: Set(input.credit_class),
        key_supervision: Set(input.key_supervision),
        status: Set(input.status),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("enterprise.create", "enterprise", model.id).with_detail(serde_json::json!({
            "credit_code": model.credit_code,
            "name": model.name,
            "region_code": model.region_code,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// One enterprise in the caller's scope.
///
/// # Errors
/// 404 when it does not exist or lies outside the caller's jurisdiction.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<enterprise::Model> {
    enterprise::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| actor.covers(&e.region_code))
        .ok_or_else(|| AppError::NotFound(format!("enterprise {id}")))
}

fn filtered(actor: &Actor, filter: &EnterpriseFilter) -> Select<enterprise::Entity> {
    let mut query =
        enterprise::Entity::find().filter(actor.scope_condition(enterprise::Column::RegionCode));
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(super::text_starts_with(
            enterprise::Column::RegionCode,
            prefix,
        ));
    }
    if let Some(industry) = filter.industry {
        query = query.filter(enterprise::Column::Industry.eq(industry));
    }
    if let Some(level) = filter.risk_level {
        query = query.filter(enterprise::Column::RiskLevel.eq(level));
    }
    if let Some(class) = filter.credit_class {
        query = query.filter(enterprise::Column::CreditClass.eq(class));
    }
    if let Some(key) = filter.key_supervision {
        query = query.filter(enterprise::Column::KeySupervision.eq(key));
    }
    if let Some(status) = filter.status {
        query = query.filter(enterprise::Column::Status.eq(status));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(super::text_contains(enterprise::Column::Name, q))
                .add(super::text_contains(enterprise::Column::CreditCode, q)),
        );
    }
    query
}

/// Lists enterprises in the caller's scope.
///
/// # Errors
/// 400 for an unknown sort key.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &EnterpriseFilter,
    page: Page,
) -> AppResult<Paged<enterprise::Model>> {
    let query = filtered(actor, filter);
    let (column, descending) = match filter.sort.as_deref() {
        None | Some("") => (enterprise::Column::Id, false),
        Some(key) => {
            let (name, descending) = key.strip_prefix('-').map_or((key, false), |k| (k, true));
            let column = sort_column(name).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "cannot sort by '{name}'; use one of {}",
                    SORT_KEYS.join(", ")
                ))
            })?;
            (column, descending)
        }
    };
    let total = query.clone().count(db).await?;
    let query = if descending {
        query.order_by_desc(column)
    } else {
        query.order_by_asc(column)
    };
    let items = query
        .order_by_asc(enterprise::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(items, total, page))
}

/// Replaces an enterprise's fields.
///
/// # Errors
/// As for create; 404 when it is not in scope.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: EnterpriseInput,
) -> AppResult<enterprise::Model> {
    actor.require(WRITERS, "change enterprises")?;
    let existing = get(db, actor, id).await?;
    let (code, name) = validated(db, actor, &input).await?;
    let txn = db::begin_write(db).await?;
    if enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(code.as_str()))
        .filter(enterprise::Column::Id.ne(id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "credit code {code} is already registered to another enterprise"
        )));
    }
    let before = serde_json::to_value(&existing).unwrap_or_default();
    let mut model = existing.into_active_model();
    model.credit_code = Set(code.to_string());
    model.name = Set(name);
    model.industry = Set(input.industry);
    model.region_code = Set(input.region_code.trim().to_owned());
    model.risk_level = Set(input.risk_level);
    model.credit_class = Set(input.credit_class);
    model.key_supervision = Set(input.key_supervision);
    model.status = Set(input.status);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("enterprise.update", "enterprise", model.id)
            .with_detail(serde_json::json!({"before": before, "after": model})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
