//! `/jobs`: scheduled job runs.

use chrono::{DateTime, Utc};
use entities::job_run;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, BearerAuth, ListPage, page};
use crate::{service::job_runs, state::AppState};

/// One fire of a scheduled job, run by one instance.
#[derive(Object)]
pub struct JobRun {
    /// Id.
    pub id: i64,
    /// The job, such as `plan.draw.7` or `tasks.overdue`.
    pub job_name: String,
    /// The scheduled fire time.
    pub fire_time: DateTime<Utc>,
    /// The instance that ran it.
    pub instance: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok`, `failed` or `skipped`.
    pub outcome: String,
    /// What it did, or why it failed.
    pub message: Option<String>,
}

impl From<job_run::Model> for JobRun {
    fn from(m: job_run::Model) -> Self {
        Self {
            id: m.id,
            job_name: m.job_name,
            fire_time: m.fire_time,
            instance: m.instance,
            started_at: m.started_at,
            finished_at: m.finished_at,
            outcome: m.outcome,
            message: m.message,
        }
    }
}

/// Scheduled jobs.
pub struct JobsApi;

#[OpenApi(tag = "ApiTags::Audit")]
impl JobsApi {
    /// List job runs
    ///
    /// Newest fire first; each fire of each job appears once, whichever instance ran it.
    #[oai(path = "/jobs", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        job_name: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<JobRun>>> {
        let paged = job_runs::list(
            &state.db,
            &auth.0.actor,
            job_name.0.as_deref(),
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, JobRun::from))
    }
}
