//! The directory of enterprises under supervision.

use chrono::Utc;
use entities::{Role, enterprise};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use super::model::{EnterpriseFilter, EnterpriseInput, SORT_KEYS};
use super::{
    audited, audited_update,
    model::{EnterpriseOrder, EnterpriseRow, EnterpriseSortKey},
    regions,
    store::enterprises as store,
};
use crate::{
    domain::{CreditCode, RegionCode},
    error::{AppError, AppResult},
    service::{Actor, Page, Paged, audit::Entry, validate::Problems},
};

/// Roles that maintain the enterprise directory.
const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Department];

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &EnterpriseInput,
) -> AppResult<EnterpriseRow> {
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
    let credit_code = code.ok_or_else(|| AppError::invalid("credit_code", "invalid"))?;
    let region_code = RegionCode::parse(&input.region_code)
        .map_err(|e| AppError::invalid("region_code", e.to_string()))?;
    Ok(EnterpriseRow {
        credit_code,
        name,
        industry: input.industry,
        region_code,
        risk_level: input.risk_level,
        credit_class: input.credit_class,
        key_supervision: input.key_supervision,
        status: input.status,
    })
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
    let row = validated(db, actor, &input).await?;
    audited(db, actor, async |txn| {
        if store::credit_code_taken(txn, row.credit_code.as_str(), None).await? {
            return Err(AppError::Conflict(
                format!(
                    "an enterprise with credit code {} already exists",
                    row.credit_code
                )
                .into(),
            ));
        }
        let model = store::insert(txn, &row, Utc::now()).await?;
        let entry =
            Entry::ok("enterprise.create", "enterprise", model.id).with_detail(serde_json::json!({
                "credit_code": model.credit_code,
                "name": model.name,
                "region_code": model.region_code,
            }));
        Ok((model, entry))
    })
    .await
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
    store::find(db, id)
        .await?
        .filter(|e| actor.covers(&e.region_code))
        .ok_or_else(|| AppError::NotFound(format!("enterprise {id}").into()))
}

/// The order a list asks for: a key of [`SORT_KEYS`], `-` in front for
/// descending; by id when none is given.
fn order_of(sort: Option<&str>) -> AppResult<EnterpriseOrder> {
    let Some(key) = sort.filter(|s| !s.is_empty()) else {
        return Ok(EnterpriseOrder {
            key: EnterpriseSortKey::Id,
            descending: false,
        });
    };
    let (name, descending) = key.strip_prefix('-').map_or((key, false), |k| (k, true));
    let key = EnterpriseSortKey::parse(name).ok_or_else(|| {
        AppError::BadRequest(
            format!(
                "cannot sort by '{name}'; use one of {}",
                SORT_KEYS.join(", ")
            )
            .into(),
        )
    })?;
    Ok(EnterpriseOrder { key, descending })
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
    let order = order_of(filter.sort.as_deref())?;
    store::list(db, actor, filter, order, page).await
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
    let row = validated(db, actor, &input).await?;
    audited_update(
        db,
        actor,
        "enterprise",
        id,
        existing,
        async |txn, existing| {
            if store::credit_code_taken(txn, row.credit_code.as_str(), Some(id)).await? {
                return Err(AppError::Conflict(
                    format!(
                        "credit code {} is already registered to another enterprise",
                        row.credit_code
                    )
                    .into(),
                ));
            }
            store::update(txn, existing, &row, Utc::now()).await
        },
    )
    .await
}
