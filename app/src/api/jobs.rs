//! `/jobs`: scheduled job runs.

use entities::job_run;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, BearerAuth, ListPage, page};
use crate::{domain::china_time::ChinaTime, service::job_runs, state::AppState};

/// One fire of a scheduled job, run by one instance.
#[derive(Object)]
pub struct JobRun {
    /// Id.
    pub id: i64,
    /// The job, such as `plan.draw.7` or `tasks.overdue`.
    pub job_name: String,
    /// The scheduled fire time.
    pub fire_time: ChinaTime,
    /// The instance that ran it.
    pub instance: String,
    /// Started.
    pub started_at: ChinaTime,
    /// Finished.
    pub finished_at: Option<ChinaTime>,
    /// `running`, `ok`, `failed` or `skipped`.
    pub outcome: String,
    /// What it did, or why it failed.
    pub message: Option<String>,
    /// The instance whose expired or interrupted claim this run took over.
    pub taken_over_from: Option<String>,
}

/// A job registered with the scheduler, and when it fires next.
#[derive(Object)]
pub struct RegisteredJob {
    /// Such as `plan.draw.7`, `tasks.overdue`, `scores.nightly` or `audit.checkpoint`.
    pub name: String,
    /// Six fields in China time, seconds first.
    pub cron: String,
    /// `once`: one run for the latest fire missed while no instance ran;
    /// `skip`: missed fires are not made up.
    pub catch_up: String,
    /// The next fire time, China time; absent when the cron never fires again.
    pub next_fire_at: Option<ChinaTime>,
}

impl From<scheduler::JobInfo> for RegisteredJob {
    fn from(job: scheduler::JobInfo) -> Self {
        Self {
            name: job.name,
            cron: job.cron,
            catch_up: match job.catch_up {
                scheduler::CatchUp::Once => "once",
                scheduler::CatchUp::Skip => "skip",
            }
            .to_owned(),
            next_fire_at: job.next_fire_at.map(ChinaTime::from),
        }
    }
}

impl From<job_run::Model> for JobRun {
    fn from(m: job_run::Model) -> Self {
        Self {
            id: m.id,
            job_name: m.job_name,
            fire_time: m.fire_time.into(),
            instance: m.instance,
            started_at: m.started_at.into(),
            finished_at: m.finished_at.map(ChinaTime::from),
            outcome: m.outcome,
            message: m.message,
            taken_over_from: m.taken_over_from,
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

    /// List the scheduled jobs
    ///
    /// Each job with its cron and next fire time: those this instance runs, or,
    /// on an instance started with `--no-jobs`, those the instances that run jobs
    /// register. Name order, one page.
    #[oai(path = "/jobs/registered", method = "get")]
    async fn registered(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> poem::Result<Json<ListPage<RegisteredJob>>> {
        let running = match state.jobs.scheduler() {
            Some(scheduler) => Some(scheduler.registered().await),
            None => None,
        };
        let jobs =
            job_runs::registered(&state.db, &auth.0.actor, &state.policy.jobs, running).await?;
        Ok(Json(ListPage::whole(
            jobs.into_iter().map(RegisteredJob::from).collect(),
        )))
    }
}
