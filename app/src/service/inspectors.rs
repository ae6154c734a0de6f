//! The directory of law-enforcement inspectors (执法检查人员).

use chrono::Utc;
use entities::{Industry, Role, inspector, user};
use sea_orm::{
    ActiveModelTrait as _,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel as _,
    QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait as _},
};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    departments, regions,
    validate::Problems,
};
use crate::{
    db,
    error::{AppError, AppResult},
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// An inspector to create or replace.
#[derive(Debug, Clone)]
pub struct InspectorInput {
    /// 执法证号.
    pub badge_no: String,
    /// Full name.
    pub name: String,
    /// The inspector's department.
    pub department_id: i64,
    /// The region the inspector works in.
    pub region_code: String,
    /// Industries the inspector is qualified for.
    pub industries: Vec<Industry>,
    /// Whether the inspector can be drawn.
    pub active: bool,
    /// The inspector's login, if any.
    pub user_id: Option<i64>,
}

/// Filters for listing inspectors.
#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    /// Region code prefix.
    pub region_prefix: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Qualified for this industry.
    pub industry: Option<Industry>,
    /// Active or not.
    pub active: Option<bool>,
    /// Name or badge number contains this.
    pub q: Option<String>,
}

/// The industries stored on an inspector.
#[must_use]
pub fn industries_of(model: &inspector::Model) -> Vec<Industry> {
    model
        .industries
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().and_then(Industry::from_name))
                .collect()
        })
        .unwrap_or_default()
}

/// One inspector in the caller's scope; an inspector may read their own record.
///
/// # Errors
/// 403 for departments, 404 when out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<inspector::Model> {
    let found = inspector::Entity::find_by_id(id).one(db).await?;
    let visible = found.filter(|i| {
        (READERS.contains(&actor.role) && actor.covers(&i.region_code))
            || (actor.role == Role::Inspector && i.user_id.is_some() && i.user_id == actor.user_id)
    });
    visible.ok_or_else(|| AppError::NotFound(format!("inspector {id}")))
}

async fn validated<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &InspectorInput,
    id: Option<i64>,
) -> AppResult<(String, String)> {
    let mut problems = Problems::new();
    let badge = problems.text("badge_no", &input.badge_no, 64);
    let name = problems.text("name", &input.name, 100);
    regions::require_exists(db, &mut problems, "region_code", input.region_code.trim()).await?;
    if !crate::error::visible(departments::get(db, actor, input.department_id).await)? {
        problems.add(
            "department_id",
            format!("department {} does not exist", input.department_id),
        );
    }
    if let Some(user_id) = input.user_id {
        match user::Entity::find_by_id(user_id).one(db).await? {
            None => problems.add("user_id", format!("user {user_id} does not exist")),
            Some(u) if u.role != Role::Inspector => {
                problems.add(
                    "user_id",
                    format!("user {user_id} does not have the inspector role"),
                );
            }
            Some(_) => {
                let taken = inspector::Entity::find()
                    .filter(inspector::Column::UserId.eq(user_id))
                    .one(db)
                    .await?
                    .filter(|other| Some(other.id) != id);
                if let Some(other) = taken {
                    problems.add(
                        "user_id",
                        format!("user {user_id} is already inspector {}", other.id),
                    );
                }
            }
        }
    }
    problems.finish()?;
    actor.require_region(input.region_code.trim())?;
    Ok((badge, name))
}

fn industries_json(industries: &[Industry]) -> serde_json::Value {
    let mut names: Vec<&str> = industries.iter().map(|i| i.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    serde_json::json!(names)
}

/// Creates an inspector (admin, supervisor).
///
/// # Errors
/// 403, 422, and 409 when the badge number is taken.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: InspectorInput,
) -> AppResult<inspector::Model> {
    actor.require(WRITERS, "change inspectors")?;
    let (badge, name) = validated(db, actor, &input, None).await?;
    let txn = db::begin_write(db).await?;
    if inspector::Entity::find()
        .filter(inspector::Column::BadgeNo.eq(badge.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "badge number {badge} already exists"
        )));
    }
    let now = Utc::now();
    let model = inspector::ActiveModel {
        badge_no: Set(badge),
        name: Set(name),
        department_id: Set(input.department_id),
        region_code: Set(input.region_code.trim().to_owned()),
        industries: Set(industries_json(&input.industries)),
        active: Set(input.active),
        user_id: Set(input.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("inspector.create", "inspector", model.id).with_detail(serde_json::json!({
            "badge_no": model.badge_no, "region_code": model.region_code,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Replaces an inspector's fields (admin, supervisor).
///
/// # Errors
/// As for create; 404 when out of scope.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: InspectorInput,
) -> AppResult<inspector::Model> {
    actor.require(WRITERS, "change inspectors")?;
    let existing = get(db, actor, id).await?;
    let (badge, name) = validated(db, actor, &input, Some(id)).await?;
    let txn = db::begin_write(db).await?;
    if inspector::Entity::find()
        .filter(inspector::Column::BadgeNo.eq(badge.as_str()))
        .filter(inspector::Column::Id.ne(id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "badge number {badge} already exists"
        )));
    }
    let before = serde_json::to_value(&existing).unwrap_or_default();
    let mut model = existing.into_active_model();
    model.badge_no = Set(badge);
    model.name = Set(name);
    model.department_id = Set(input.department_id);
    model.region_code = Set(input.region_code.trim().to_owned());
    model.industries = Set(industries_json(&input.industries));
    model.active = Set(input.active);
    model.user_id = Set(input.user_id);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("inspector.update", "inspector", model.id)
            .with_detail(serde_json::json!({"before": before, "after": model})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists inspectors in the caller's scope (admin, supervisor, leader).
///
/// # Errors
/// 403 for other roles.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &InspectorFilter,
    page: Page,
) -> AppResult<Paged<inspector::Model>> {
    actor.require(READERS, "list inspectors")?;
    let mut query =
        inspector::Entity::find().filter(actor.scope_condition(inspector::Column::RegionCode));
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(super::text_starts_with(
            inspector::Column::RegionCode,
            prefix,
        ));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(inspector::Column::DepartmentId.eq(department));
    }
    if let Some(active) = filter.active {
        query = query.filter(inspector::Column::Active.eq(active));
    }
    if let Some(industry) = filter.industry {
        // Names are stored as a JSON array of quoted words, none a substring of another's quoted form.
        let pattern = format!("%\"{}\"%", industry.as_str());
        query = query.filter(
            Expr::col(inspector::Column::Industries)
                .cast_as("text")
                .like(pattern),
        );
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(super::text_contains(inspector::Column::Name, q))
                .add(super::text_contains(inspector::Column::BadgeNo, q)),
        );
    }
    page.fetch(db, query.order_by_asc(inspector::Column::Id))
        .await
}
