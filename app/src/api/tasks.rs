//! `/tasks`: check tasks, their findings and their lifecycle.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{HazardGrade, InspectorRole, SubjectKind, TaskStatus, finding};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::task_state::Step,
    service::tasks::{self, FindingInput, TaskFilter, TaskView},
    state::AppState,
};

/// Whom a task checks.
#[derive(Object)]
pub struct TaskTarget {
    /// `enterprise` or `department`.
    pub kind: SubjectKind,
    /// The enterprise's or department's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// An enterprise's credit code.
    pub credit_code: Option<String>,
    /// Region.
    pub region_code: String,
}

/// An inspector on a task.
#[derive(Object)]
pub struct TaskInspector {
    /// Inspector id.
    pub inspector_id: i64,
    /// Badge number.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// `lead` or `member`.
    pub role: InspectorRole,
}

/// A check task.
#[derive(Object)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// The draw that made it.
    pub draw_id: i64,
    /// Whom it checks.
    pub target: TaskTarget,
    /// Its inspectors, lead first.
    pub inspectors: Vec<TaskInspector>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Lifecycle state.
    pub status: TaskStatus,
    /// Past due and not submitted.
    pub overdue: bool,
    /// Weighted indicator points out of 100, set on review.
    pub score: Option<f64>,
    /// Started.
    pub started_at: Option<DateTime<Utc>>,
    /// Submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The last day to publish: the 20th working day after review (China time).
    pub publish_by: Option<NaiveDate>,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
}

impl From<TaskView> for Task {
    fn from(v: TaskView) -> Self {
        let t = v.task;
        Self {
            id: t.id,
            draw_id: t.draw_id,
            target: TaskTarget {
                kind: v.target.kind,
                id: v.target.id,
                name: v.target.name,
                credit_code: v.target.credit_code,
                region_code: v.target.region_code,
            },
            inspectors: v
                .inspectors
                .into_iter()
                .map(|i| TaskInspector {
                    inspector_id: i.inspector_id,
                    badge_no: i.badge_no,
                    name: i.name,
                    role: i.role,
                })
                .collect(),
            due_at: t.due_at,
            status: t.status,
            overdue: t.overdue,
            score: t.score,
            started_at: t.started_at,
            submitted_at: t.submitted_at,
            reviewed_at: t.reviewed_at,
            publish_by: v.publish_by,
            published_at: t.published_at,
        }
    }
}

/// A finding on a task.
#[derive(Object)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The indicator checked.
    pub indicator_id: i64,
    /// Points earned.
    pub points: f64,
    /// Whether the target complies.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// Grade of a hidden hazard found.
    pub hazard_grade: Option<HazardGrade>,
    /// Rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<finding::Model> for Finding {
    fn from(m: finding::Model) -> Self {
        Self {
            id: m.id,
            task_id: m.task_id,
            indicator_id: m.indicator_id,
            points: m.points,
            compliant: m.compliant,
            description: m.description,
            hazard_grade: m.hazard_grade,
            rectify_by: m.rectify_by,
            created_at: m.created_at,
        }
    }
}

/// A finding to record.
#[derive(Object)]
pub struct FindingBody {
    /// The indicator checked (from the plan's indicator set).
    pub indicator_id: i64,
    /// Points earned, 0 to the indicator's maximum.
    pub points: f64,
    /// Whether the target complies.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// Grade of a hidden hazard found; enters the enterprise's hazard list.
    pub hazard_grade: Option<HazardGrade>,
    /// Rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
}

/// Why a task is sent back.
#[derive(Object, Default)]
pub struct ReturnBody {
    /// The reason, recorded in the audit log.
    pub reason: Option<String>,
}

/// Check tasks.
pub struct TasksApi;

impl TasksApi {
    async fn step(
        &self,
        state: &AppState,
        auth: BearerAuth,
        id: i64,
        step: Step,
        reason: Option<String>,
    ) -> poem::Result<Json<Task>> {
        let days = state.policy.scoring.publication_working_days;
        let view = tasks::step(&state.db, &auth.0.actor, id, step, reason, days).await?;
        Ok(Json(view.into()))
    }
}

#[OpenApi(tag = "ApiTags::Draws")]
impl TasksApi {
    /// List tasks
    ///
    /// Inspectors see only their own tasks; `mine=true` narrows anyone to theirs.
    #[oai(path = "/tasks", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<TaskStatus>>,
        draw_id: Query<Option<i64>>,
        mine: Query<Option<bool>>,
        overdue: Query<Option<bool>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Task>>> {
        let filter = TaskFilter {
            status: status.0,
            draw_id: draw_id.0,
            mine: mine.0.unwrap_or(false),
            overdue: overdue.0,
        };
        let days = state.policy.scoring.publication_working_days;
        let paged = tasks::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
            days,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Task::from))
    }

    /// Get a task
    #[oai(path = "/tasks/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        let days = state.policy.scoring.publication_working_days;
        Ok(Json(
            tasks::get(&state.db, &auth.0.actor, id.0, days)
                .await?
                .into(),
        ))
    }

    /// Record a finding
    ///
    /// By the task's inspectors, while the task is in progress.
    #[oai(path = "/tasks/:id/findings", method = "post")]
    async fn add_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<FindingBody>,
    ) -> poem::Result<Created<Finding>> {
        let b = body.0;
        let input = FindingInput {
            indicator_id: b.indicator_id,
            points: b.points,
            compliant: b.compliant,
            description: b.description,
            hazard_grade: b.hazard_grade,
            rectify_by: b.rectify_by,
        };
        let model = tasks::add_finding(&state.db, &auth.0.actor, id.0, input).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List a task's findings
    #[oai(path = "/tasks/:id/findings", method = "get")]
    async fn findings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<Finding>>> {
        let items = tasks::findings(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(items.into_iter().map(Finding::from).collect()))
    }

    /// Start a task
    ///
    /// `assigned` or `returned` → `in_progress`, by the task's inspectors.
    #[oai(path = "/tasks/:id/start", method = "post")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Start, None).await
    }

    /// Submit a task
    ///
    /// `in_progress` → `submitted`, by the task's inspectors, with at least one finding.
    #[oai(path = "/tasks/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Submit, None).await
    }

    /// Review a task
    ///
    /// `submitted` → `reviewed`, by supervisors in scope; computes the score.
    #[oai(path = "/tasks/:id/review", method = "post")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Review, None).await
    }

    /// Return a task
    ///
    /// `submitted` → `returned`, by supervisors in scope; the inspectors start it again.
    #[oai(path = "/tasks/:id/return", method = "post")]
    async fn return_task(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<ReturnBody>>,
    ) -> poem::Result<Json<Task>> {
        let reason = body.0.and_then(|b| b.reason);
        self.step(&state, auth, id.0, Step::Return, reason).await
    }

    /// Publish a task's result
    ///
    /// `reviewed` → `published`, by supervisors in scope; the result appears in `/public/v1/results`.
    #[oai(path = "/tasks/:id/publish", method = "post")]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Publish, None).await
    }
}
