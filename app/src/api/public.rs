//! `/public/v1`: published results (一公开), no login.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, OpenApiService, param::Query, payload::Json};

use super::{
    ListPage,
    announcements::{Announcement, PublicDraw},
    page,
};
use crate::{
    service::{
        draws,
        tasks::{self, PublicResultView},
    },
    state::AppState,
};

/// A hazard found in a published check.
#[derive(Object)]
pub struct PublicHazard {
    /// What was found.
    pub description: String,
    /// `major` or `general`.
    pub grade: String,
    /// Rectification deadline.
    pub rectify_by: Option<NaiveDate>,
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
    /// Hazards found and their deadlines.
    pub hazards: Vec<PublicHazard>,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// The draw that chose this check: its seed and how the seed was chosen
    /// (`random`, `given`, `public_text`; `unrecorded` before that was recorded).
    pub draw: Option<PublicDraw>,
}

impl From<PublicResultView> for PublicResult {
    fn from(v: PublicResultView) -> Self {
        let m = v.publication;
        let hazards = m
            .hazards
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|h| PublicHazard {
                        description: h["description"].as_str().unwrap_or_default().to_owned(),
                        grade: h["grade"].as_str().unwrap_or_default().to_owned(),
                        rectify_by: h["rectify_by"].as_str().and_then(|d| d.parse().ok()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: m.id,
            target_name: m.target_name,
            credit_code: m.credit_code,
            region_code: m.region_code,
            check_date: m.check_date,
            inspector_badges: serde_json::from_value(m.inspector_badges).unwrap_or_default(),
            result: m.result,
            score: m.score,
            hazards,
            published_at: m.published_at,
            draw: v.draw.map(PublicDraw::from),
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
