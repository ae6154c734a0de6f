//! `/plans`: check plans.

use std::collections::HashMap;

use entities::{Industry, PlanStatus, RiskLevel, SubjectKind, check_plan};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::plans::{self, PlanFilter, PlanSpec, spec_of},
    state::AppState,
};

/// A check plan.
#[derive(Object)]
pub struct Plan {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `enterprise` or `department`.
    pub target_kind: SubjectKind,
    /// Region code prefixes drawn from; empty is the owner's whole scope.
    pub region_prefixes: Vec<String>,
    /// Industries drawn from; empty is all.
    pub industries: Vec<Industry>,
    /// Risk levels drawn from; empty is all.
    pub risk_levels: Vec<RiskLevel>,
    /// Only key-supervision targets.
    pub key_only: bool,
    /// Sampling ratio per stratum (`major`/`high`/`moderate`/`low`, or `province`/`city`/`county`).
    pub ratios: HashMap<String, f64>,
    /// At least this many per stratum.
    pub min_per_stratum: i32,
    /// Key-supervision targets are all drawn.
    pub key_all: bool,
    /// Share of each stratum's sample drawn uniformly.
    pub uniform_share: f64,
    /// Participating departments of a joint check.
    pub department_ids: Vec<i64>,
    /// Inspectors per task.
    pub inspectors_per_task: i32,
    /// Only inspectors qualified for the target's industry.
    pub require_qualification: bool,
    /// Targets checked within this many days are skipped.
    pub cooldown_days: i32,
    /// Six-field cron (seconds first), China Standard Time.
    pub cron: Option<String>,
    /// Tasks are due this many days after the draw.
    pub due_days: i32,
    /// Indicator set for findings.
    pub indicator_set_id: Option<i64>,
    /// `draft`, `active`, `paused` or `archived`.
    pub status: PlanStatus,
    /// The owning department.
    pub owner_department_id: Option<i64>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<check_plan::Model> for Plan {
    fn from(m: check_plan::Model) -> Self {
        let spec = spec_of(&m);
        Self {
            id: m.id,
            name: spec.name,
            target_kind: spec.target_kind,
            region_prefixes: spec.region_prefixes,
            industries: spec.industries,
            risk_levels: spec.risk_levels,
            key_only: spec.key_only,
            ratios: spec.ratios.into_iter().collect(),
            min_per_stratum: spec.min_per_stratum,
            key_all: spec.key_all,
            uniform_share: spec.uniform_share,
            department_ids: spec.department_ids,
            inspectors_per_task: spec.inspectors_per_task,
            require_qualification: spec.require_qualification,
            cooldown_days: spec.cooldown_days,
            cron: spec.cron,
            due_days: spec.due_days,
            indicator_set_id: spec.indicator_set_id,
            status: spec.status,
            owner_department_id: m.owner_department_id,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// Plan settings; on create absent fields take their defaults, on PATCH they stay.
#[derive(Object, Default)]
pub struct PlanBody {
    /// Name (required on create).
    pub name: Option<String>,
    /// `enterprise` (default) or `department`.
    pub target_kind: Option<SubjectKind>,
    /// Region codes or 2-, 4- or 6-digit prefixes.
    pub region_prefixes: Option<Vec<String>>,
    /// Industries.
    pub industries: Option<Vec<Industry>>,
    /// Risk levels.
    pub risk_levels: Option<Vec<RiskLevel>>,
    /// Only key-supervision targets.
    pub key_only: Option<bool>,
    /// Sampling ratio per stratum, 0 to 1.
    pub ratios: Option<HashMap<String, f64>>,
    /// At least this many per stratum.
    pub min_per_stratum: Option<i32>,
    /// Key-supervision targets are all drawn.
    pub key_all: Option<bool>,
    /// Share drawn uniformly, 0 to 1 (default 0.2).
    pub uniform_share: Option<f64>,
    /// Participating departments of a joint check.
    pub department_ids: Option<Vec<i64>>,
    /// Inspectors per task (default 2).
    pub inspectors_per_task: Option<i32>,
    /// Only qualified inspectors (default true).
    pub require_qualification: Option<bool>,
    /// Cooldown in days.
    pub cooldown_days: Option<i32>,
    /// Six-field cron (seconds first), China Standard Time.
    pub cron: Option<String>,
    /// Days until tasks are due (default 30).
    pub due_days: Option<i32>,
    /// Indicator set.
    pub indicator_set_id: Option<i64>,
    /// Lifecycle state (default `draft`).
    pub status: Option<PlanStatus>,
}

impl PlanBody {
    fn apply(self, spec: &mut PlanSpec) {
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { spec.$field = v; } )* };
        }
        take!(
            name,
            target_kind,
            region_prefixes,
            industries,
            risk_levels,
            key_only,
            min_per_stratum,
            key_all,
            uniform_share,
            department_ids,
            inspectors_per_task,
            require_qualification,
            cooldown_days,
            due_days,
            status
        );
        if let Some(ratios) = self.ratios {
            spec.ratios = ratios.into_iter().collect();
        }
        if let Some(cron) = self.cron {
            spec.cron = Some(cron).filter(|c| !c.trim().is_empty());
        }
        if let Some(set) = self.indicator_set_id {
            spec.indicator_set_id = Some(set);
        }
    }
}

/// Check plans.
pub struct PlansApi;

#[OpenApi(tag = "ApiTags::Draws")]
impl PlansApi {
    /// Create a check plan
    #[oai(path = "/plans", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<PlanBody>,
    ) -> poem::Result<Created<Plan>> {
        let mut spec = PlanSpec::default();
        body.0.apply(&mut spec);
        let plan = plans::create(&state.db, &auth.0.actor, spec).await?;
        state.jobs.plans_changed();
        Ok(Created::Created(Json(plan.into())))
    }

    /// List check plans
    #[oai(path = "/plans", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<PlanStatus>>,
        target_kind: Query<Option<SubjectKind>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Plan>>> {
        let filter = PlanFilter {
            status: status.0,
            target_kind: target_kind.0,
        };
        let paged = plans::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Plan::from))
    }

    /// Get a check plan
    #[oai(path = "/plans/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Plan>> {
        Ok(Json(
            plans::get(&state.db, &auth.0.actor, id.0).await?.into(),
        ))
    }

    /// Change a check plan
    ///
    /// Fields left out stay as they are; the result is validated whole.
    #[oai(path = "/plans/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<PlanBody>,
    ) -> poem::Result<Json<Plan>> {
        let plan = plans::update(&state.db, &auth.0.actor, id.0, |spec| body.0.apply(spec)).await?;
        state.jobs.plans_changed();
        Ok(Json(plan.into()))
    }
}
