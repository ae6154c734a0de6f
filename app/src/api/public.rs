//! `/public/v1`: published results (一公开), no login.

use chrono::NaiveDate;
use entities::{HazardGrade, HazardStatus, hazard_item};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, OpenApiService, param::Query, payload::Json};

use super::{
    ListPage,
    announcements::{Announcement, PublicDraw},
    page,
};
use crate::{
    domain::{china_time::ChinaTime, workdays::china_date},
    service::{
        draws,
        tasks::{self, PublishedResult},
    },
    state::AppState,
};

/// A hazard found in a published check, and how its rectification stands.
#[derive(Object)]
pub struct PublicHazard {
    /// What was found.
    pub description: String,
    /// `major` or `general`.
    pub grade: HazardGrade,
    /// Rectification deadline.
    pub rectify_by: NaiveDate,
    /// `open`, `overdue` (past its deadline, not rectified), `rectified`
    /// (awaiting verification) or `verified` (销号).
    pub status: HazardStatus,
    /// The day it was rectified.
    pub rectified_on: Option<NaiveDate>,
    /// The day its rectification was verified (销号), China time.
    pub verified_on: Option<NaiveDate>,
}

impl PublicHazard {
    fn new((h, status): (hazard_item::Model, HazardStatus)) -> Self {
        Self {
            description: h.description,
            grade: h.grade,
            rectify_by: h.rectify_by,
            status,
            rectified_on: h.rectified_on,
            verified_on: h.verified_at.map(china_date),
        }
    }
}

/// A published check result.
#[derive(Object)]
pub struct PublicResult {
    /// Publication id.
    pub id: i64,
    /// The checked enterprise's or department's name.
    pub target_name: String,
    /// The enterprise's unified social credit code.
    pub credit_code: Option<String>,
    /// Region.
    pub region_code: String,
    /// The day of the check (China time).
    pub check_date: NaiveDate,
    /// The inspectors' badge numbers (执法证号).
    pub inspector_badges: Vec<String>,
    /// `compliant`, `non_compliant`, `hazards_found` or `checked`.
    pub result: String,
    /// Score out of 100.
    pub score: Option<f64>,
    /// Hazards found, their deadlines and their rectification.
    pub hazards: Vec<PublicHazard>,
    /// When it was published.
    pub published_at: ChinaTime,
    /// The draw that chose this check: its seed and how the seed was chosen
    /// (`random`, `given`, `public_text`; `unrecorded` before that was recorded).
    pub draw: Option<PublicDraw>,
}

impl From<PublishedResult> for PublicResult {
    fn from(r: PublishedResult) -> Self {
        let m = r.publication;
        Self {
            id: m.id,
            target_name: m.target_name,
            credit_code: m.credit_code,
            region_code: m.region_code,
            check_date: m.check_date,
            inspector_badges: serde_json::from_value(m.inspector_badges).unwrap_or_default(),
            result: m.result,
            score: m.score,
            hazards: r.hazards.into_iter().map(PublicHazard::new).collect(),
            published_at: m.published_at.into(),
            draw: r.draw.map(PublicDraw::from),
        }
    }
}

/// Published results.
pub struct PublicApi;

#[OpenApi]
impl PublicApi {
    /// Published check results
    ///
    /// Newest first; `region_code` narrows to a region and everything under it.
    #[oai(path = "/results", method = "get")]
    async fn results(
        &self,
        state: Data<&AppState>,
        region_code: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<PublicResult>>> {
        let paged = tasks::public_results(
            &state.db,
            region_code.0.as_deref(),
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, PublicResult::from))
    }

    /// Draws announced beforehand
    ///
    /// Newest first: each announcement's seed rule and the SHA-256 of the population it
    /// froze, whether it was drawn or withdrawn, and its draw's seed and seed text. A
    /// draw that used an announcement drew from exactly that population.
    #[oai(path = "/announcements", method = "get")]
    async fn announcements(
        &self,
        state: Data<&AppState>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Announcement>>> {
        let paged = draws::public_announcements(&state.db, page(number.0, page_size.0)?).await?;
        Ok(ListPage::from_paged(paged, Announcement::from))
    }
}

/// The OpenAPI service for `/public/v1`.
#[must_use]
pub fn service() -> OpenApiService<PublicApi, ()> {
    OpenApiService::new(
        PublicApi,
        "spotcheck public results",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/public/v1")
}
