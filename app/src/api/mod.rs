//! The HTTP API under `/api/v1` and `/public/v1`: thin handlers that read the
//! request, authenticate, call one service function and map the result.

mod announcements;
mod audit;
mod auth;
mod china_time;
mod conflicts;
mod departments;
mod draws;
mod enterprises;
mod hazards;
mod holidays;
mod imports;
mod incidents;
mod indicator_sets;
mod inspectors;
mod jobs;
mod me;
mod plans;
pub mod public;
mod regions;
mod reports;
mod risks;
mod scores;
mod self_assessments;
mod tasks;
mod users;
mod vocabularies;

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use poem::Request;
use poem_openapi::{
    ApiResponse, Object, OpenApiService, SecurityScheme, Tags,
    auth::Bearer,
    payload::Json,
    types::{ParseFromJSON, ToJSON},
};

use crate::{
    error::AppError,
    service::{self, Actor, Page, Paged},
    state::AppState,
};

/// The groups operations are listed under in the OpenAPI document.
#[derive(Tags)]
pub enum ApiTags {
    /// Logging in and out.
    Auth,
    /// User accounts.
    Users,
    /// Regions, departments, enterprises, inspectors and conflicts.
    Directories,
    /// The audit log.
    Audit,
    /// Check plans, draws, tasks and findings.
    Draws,
    /// Indicator sets and self-assessments.
    Assessment,
    /// Disaster and accident reporting (灾害事故信息报送).
    Incidents,
    /// Scores, rankings and accountability (问责).
    Scores,
    /// Importing workbooks and their templates.
    Imports,
    /// Excel reports for meetings: draw lists, publication, scorecards, accountability, timeliness.
    Reports,
    /// Enterprises' risk and hidden-hazard lists, and rectification (整改, 销号).
    Hazards,
    /// The holiday calendar working-day deadlines count by (节假日安排).
    Calendar,
}

/// The id of the authenticated user, filled in by authentication so the
/// request log can name who made the request.
#[derive(Clone, Default)]
pub struct RequestUser(pub Arc<AtomicI64>);

impl RequestUser {
    /// The user id, if authentication succeeded.
    #[must_use]
    pub fn get(&self) -> Option<i64> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            id => Some(id),
        }
    }
}

/// The caller's address, for the audit log.
pub fn source_addr(req: &Request) -> Option<String> {
    req.remote_addr()
        .as_socket_addr()
        .map(|addr| addr.ip().to_string())
}

/// A bearer token from `POST /api/v1/auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub Authenticated);

/// An authenticated caller and the token they used.
pub struct Authenticated {
    /// Who is asking.
    pub actor: Actor,
    /// The bearer token, needed to log out.
    pub token: String,
    /// The session the token opens.
    pub session_id: i64,
    /// The caller's password is temporary.
    pub password_change_required: bool,
}

/// What a caller with a temporary password may still do: change it, see who
/// they are, and log out.
const WHILE_PASSWORD_TEMPORARY: &[(&str, &str)] = &[
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/auth/logout"),
];

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Authenticated> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
    let found = service::accounts::authenticate(
        &state.db,
        &state.policy.security,
        &bearer.token,
        source_addr(req),
    )
    .await?;
    if let (Some(slot), Some(id)) = (req.data::<RequestUser>(), found.actor.user_id) {
        slot.0.store(id, Ordering::Relaxed);
    }
    if found.password_change_required {
        let path = req.original_uri().path().trim_end_matches('/');
        let allowed = WHILE_PASSWORD_TEMPORARY
            .iter()
            .any(|(method, p)| req.method().as_str() == *method && path == *p);
        if !allowed {
            return Err(AppError::PasswordChangeRequired.into());
        }
    }
    Ok(Authenticated {
        actor: found.actor,
        token: bearer.token,
        session_id: found.session_id,
        password_change_required: found.password_change_required,
    })
}

/// 201 with the created object.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// 204 with no body.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// One page of a list.
#[derive(Object)]
pub struct ListPage<T: ParseFromJSON + ToJSON> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    /// This page, counting from 1.
    pub page: u64,
    /// Items per page.
    pub page_size: u64,
}

impl<T: ParseFromJSON + ToJSON> ListPage<T> {
    /// Converts a service page.
    pub fn from_paged<M>(paged: Paged<M>, f: impl FnMut(M) -> T) -> Json<Self> {
        let page = paged.page;
        let total = paged.total;
        Json(Self {
            items: paged.items.into_iter().map(f).collect(),
            total,
            page: page.number,
            page_size: page.size,
        })
    }

    /// A short list answered whole, as one page.
    #[must_use]
    pub fn whole(items: Vec<T>) -> Self {
        let total = u64::try_from(items.len()).unwrap_or(u64::MAX);
        Self {
            items,
            total,
            page: 1,
            page_size: total.max(1),
        }
    }
}

/// Validates `page` and `page_size` query parameters.
fn page(number: Option<u64>, size: Option<u64>) -> poem::Result<Page> {
    Ok(Page::new(number, size)?)
}

/// Parses an optional `period` query parameter (400 when malformed).
fn period_filter(text: Option<String>) -> poem::Result<Option<crate::domain::Period>> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| {
            crate::domain::Period::parse(&t).map_err(|e| AppError::BadRequest(e.to_string().into()))
        })
        .transpose()
        .map_err(poem::Error::from)
}

/// Directories, users and the audit log.
type Foundation = (
    auth::AuthApi,
    me::MeApi,
    users::UsersApi,
    regions::RegionsApi,
    departments::DepartmentsApi,
    enterprises::EnterprisesApi,
    inspectors::InspectorsApi,
    conflicts::ConflictsApi,
    audit::AuditApi,
    imports::ImportsApi,
    vocabularies::VocabulariesApi,
    holidays::HolidaysApi,
);

/// Plans, draws, tasks, scores and what feeds them.
type Supervision = (
    plans::PlansApi,
    draws::DrawsApi,
    announcements::AnnouncementsApi,
    tasks::TasksApi,
    jobs::JobsApi,
    indicator_sets::IndicatorSetsApi,
    self_assessments::SelfAssessmentsApi,
    incidents::IncidentsApi,
    scores::ScoresApi,
    reports::ReportsApi,
    risks::RisksApi,
    hazards::HazardsApi,
);

/// Every `/api/v1` operation (poem-openapi combines tuples of up to 16, so in two groups).
pub type Api = (Foundation, Supervision);

/// The OpenAPI service for `/api/v1`.
#[must_use]
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            (
                auth::AuthApi,
                me::MeApi,
                users::UsersApi,
                regions::RegionsApi,
                departments::DepartmentsApi,
                enterprises::EnterprisesApi,
                inspectors::InspectorsApi,
                conflicts::ConflictsApi,
                audit::AuditApi,
                imports::ImportsApi,
                vocabularies::VocabulariesApi,
                holidays::HolidaysApi,
            ),
            (
                plans::PlansApi,
                draws::DrawsApi,
                announcements::AnnouncementsApi,
                tasks::TasksApi,
                jobs::JobsApi,
                indicator_sets::IndicatorSetsApi,
                self_assessments::SelfAssessmentsApi,
                incidents::IncidentsApi,
                scores::ScoresApi,
                reports::ReportsApi,
                risks::RisksApi,
                hazards::HazardsApi,
            ),
        ),
        "spotcheck",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Double-random, one-public (双随机、一公开) spot checks, compliance scores and \
         accountability for emergency management. Errors are `{\"code\", \"message\"}`.",
    )
    .server("/api/v1")
}
