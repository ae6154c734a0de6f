//! The `region` table.

use chrono::{DateTime, Utc};
use entities::{check_task, department, enterprise, inspector, region};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    IntoActiveModel as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
};

use crate::{
    error::AppResult,
    service::{
        Page, Paged,
        directories::model::{RegionFilter, RegionRow},
        store_util::{text_contains, text_starts_with},
    },
};

/// What still refers to a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionUsage {
    pub children: u64,
    pub departments: u64,
    pub enterprises: u64,
    pub inspectors: u64,
    pub tasks: u64,
}

impl RegionUsage {
    /// Whether nothing refers to the region.
    #[must_use]
    pub fn is_unused(&self) -> bool {
        self.children + self.departments + self.enterprises + self.inspectors + self.tasks == 0
    }
}

/// The region with this code.
pub async fn find<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<Option<region::Model>> {
    Ok(region::Entity::find_by_id(code.to_owned()).one(db).await?)
}

/// The names of the regions with these codes, by code.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    codes: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(region::Entity::find()
        .filter(region::Column::Code.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}

/// Inserts a region.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    row: &RegionRow,
    now: DateTime<Utc>,
) -> AppResult<region::Model> {
    let model = region::ActiveModel {
        code: Set(row.code.to_string()),
        name: Set(row.name.clone()),
        level: Set(row.code.level()),
        parent_code: Set(row.parent_code.as_ref().map(ToString::to_string)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

/// Writes a region's new name and parent; its code stays.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    existing: region::Model,
    row: &RegionRow,
    now: DateTime<Utc>,
) -> AppResult<region::Model> {
    let mut model = existing.into_active_model();
    model.name = Set(row.name.clone());
    model.parent_code = Set(row.parent_code.as_ref().map(ToString::to_string));
    model.updated_at = Set(now);
    Ok(model.update(db).await?)
}

/// Deletes a region.
pub async fn delete<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<()> {
    region::Entity::delete_by_id(code.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Counts what refers to a region: sub-regions, departments, enterprises,
/// inspectors and check tasks.
pub async fn usage<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<RegionUsage> {
    Ok(RegionUsage {
        children: region::Entity::find()
            .filter(region::Column::ParentCode.eq(code))
            .count(db)
            .await?,
        departments: department::Entity::find()
            .filter(department::Column::RegionCode.eq(code))
            .count(db)
            .await?,
        enterprises: enterprise::Entity::find()
            .filter(enterprise::Column::RegionCode.eq(code))
            .count(db)
            .await?,
        inspectors: inspector::Entity::find()
            .filter(inspector::Column::RegionCode.eq(code))
            .count(db)
            .await?,
        tasks: check_task::Entity::find()
            .filter(check_task::Column::RegionCode.eq(code))
            .count(db)
            .await?,
    })
}

/// A page of regions by code.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RegionFilter,
    page: Page,
) -> AppResult<Paged<region::Model>> {
    let mut query = region::Entity::find();
    if let Some(parent) = &filter.parent_code {
        query = query.filter(region::Column::ParentCode.eq(parent.as_str()));
    }
    if let Some(prefix) = &filter.prefix {
        query = query.filter(text_starts_with(region::Column::Code, prefix));
    }
    if let Some(level) = filter.level {
        query = query.filter(region::Column::Level.eq(level));
    }
    if let Some(q) = &filter.q {
        query = query.filter(text_contains(region::Column::Name, q));
    }
    page.fetch(db, query.order_by_asc(region::Column::Code))
        .await
}
