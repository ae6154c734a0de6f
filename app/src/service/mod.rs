//! Domain services: one module per capability. They take a connection (or a
//! transaction) and an [`Actor`], enforce role and region scope themselves, and
//! know nothing of HTTP.

pub mod accountability;
pub mod accounts;
pub mod actor;
pub mod audit;
pub mod backup;
pub mod demo;
pub mod directories;
pub mod draws;
pub mod hazards;
pub mod holidays;
pub mod imports;
pub mod incidents;
pub mod indicator_sets;
pub mod job_runs;
pub mod plans;
pub mod reports;
pub mod risks;
pub mod scoring;
pub mod self_assessments;
pub mod store_util;
pub mod tasks;
pub mod validate;

pub use actor::Actor;

/// The largest page a list may ask for.
pub const MAX_PAGE_SIZE: u64 = 500;

/// A page of a list: pages count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub number: u64,
    /// Items per page, 1 to [`MAX_PAGE_SIZE`].
    pub size: u64,
}

impl Page {
    /// Validates a requested page; absent values default to page 1 of 50.
    ///
    /// # Errors
    /// 400 when the page is 0 or the size is 0 or above the maximum.
    pub fn new(number: Option<u64>, size: Option<u64>) -> crate::error::AppResult<Self> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(50);
        if number == 0 {
            return Err(crate::error::AppError::BadRequest(
                "page counts from 1".to_owned().into(),
            ));
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            return Err(crate::error::AppError::BadRequest(
                format!("page_size must be between 1 and {MAX_PAGE_SIZE}").into(),
            ));
        }
        Ok(Self { number, size })
    }

    /// Counts the whole query, then reads this page of it in the query's order;
    /// for the capabilities' stores.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn fetch<E, C>(
        self,
        db: &C,
        query: sea_orm::Select<E>,
    ) -> crate::error::AppResult<Paged<E::Model>>
    where
        E: sea_orm::EntityTrait,
        E::Model: Send + Sync,
        C: sea_orm::ConnectionTrait,
    {
        use sea_orm::{PaginatorTrait as _, QuerySelect as _};
        let total = query.clone().count(db).await?;
        let items = query.offset(self.offset()).limit(self.size).all(db).await?;
        Ok(Paged::new(items, total, self))
    }

    /// Rows to skip, at most `i64::MAX`: the database drivers bind the offset as a
    /// signed 64-bit integer and panic on anything larger.
    #[must_use]
    pub fn offset(&self) -> u64 {
        (self.number - 1)
            .saturating_mul(self.size)
            .min(i64::MAX.unsigned_abs())
    }
}

/// One page of results with the total count.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    /// This page.
    pub page: Page,
}

impl<T> Paged<T> {
    /// Wraps a page of items.
    pub fn new(items: Vec<T>, total: u64, page: Page) -> Self {
        Self { items, total, page }
    }

    /// Converts every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
        }
    }
}

/// Rows as one JSON parameter, for a store's statement that unpacks them in
/// the database (`json_array_elements` on PostgreSQL, `json_each` on SQLite):
/// one statement with a handful of bound values instead of many multi-row
/// inserts that each bind thousands.
///
/// JSON has no NaN or infinity: serde_json writes a non-finite number as
/// `null`, so callers pass finite numbers only (scores are).
///
/// # Errors
/// When a row cannot be encoded.
pub(crate) fn json_rows<T: serde::Serialize>(rows: &T) -> crate::error::AppResult<sea_orm::Value> {
    serde_json::to_string(rows).map(Into::into).map_err(|e| {
        crate::error::AppError::Internal(anyhow::anyhow!("Failed to encode rows: {e}"))
    })
}

/// Runs `work` in a task of its own: decoding its rows then runs beside other
/// work on the runtime's other threads instead of taking turns with it.
///
/// # Errors
/// When `work` fails, or its task panics (`what` names it in the error).
pub(crate) async fn in_own_task<T: Send + 'static>(
    what: &str,
    work: impl Future<Output = crate::error::AppResult<T>> + Send + 'static,
) -> crate::error::AppResult<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("{what} failed: {e}")))?
}
