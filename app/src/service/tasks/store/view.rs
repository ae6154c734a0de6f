//! What is shown with a batch of tasks: teams, targets and their regions,
//! plans, the indicators to score, the findings that count, returns.

use std::collections::HashMap;

use entities::{
    check_plan, check_task, department, draw, enterprise, finding, indicator, inspector, region,
    task_cancellation, task_inspector, task_return,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::AppResult;

/// A draw as its tasks see it: its plan, and the plan's settings as drawn.
#[derive(Debug, Clone)]
pub struct DrawRef {
    pub id: i64,
    pub plan_id: i64,
    /// The parameters stored with the draw (the plan's settings under `plan`).
    pub params: serde_json::Value,
}

/// The finding that counts for one indicator of a task.
#[derive(Debug, Clone, Copy)]
pub struct Counting {
    pub task_id: i64,
    pub indicator_id: i64,
    pub finding_id: i64,
}

/// What showing a batch of tasks needs besides the tasks.
#[derive(Debug, Default)]
pub struct ViewRows {
    /// The tasks' team places, by task and then position.
    pub links: Vec<task_inspector::Model>,
    /// The inspectors on them.
    pub inspectors: HashMap<i64, inspector::Model>,
    /// The enterprises checked.
    pub enterprises: HashMap<i64, enterprise::Model>,
    /// The departments checked.
    pub departments: HashMap<i64, department::Model>,
    /// The names of the targets' regions, by code.
    pub regions: HashMap<String, String>,
    /// The tasks' draws.
    pub draws: HashMap<i64, DrawRef>,
    /// The plans of those draws.
    pub plans: HashMap<i64, check_plan::Model>,
    /// The findings that count, one per task and indicator at most.
    pub counting: Vec<Counting>,
    /// The tasks' returns, oldest first.
    pub returns: Vec<task_return::Model>,
    /// The cancellations of the tasks, and those the tasks replace.
    pub cancellations: Vec<task_cancellation::Model>,
}

/// The draws with these ids, without their population snapshots.
pub async fn draw_refs<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> AppResult<Vec<DrawRef>> {
    let rows: Vec<(i64, i64, serde_json::Value)> = draw::Entity::find()
        .select_only()
        .columns([draw::Column::Id, draw::Column::PlanId, draw::Column::Params])
        .filter(draw::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, plan_id, params)| DrawRef {
            id,
            plan_id,
            params,
        })
        .collect())
}

/// The teams and targets of a batch of tasks, and where they stand.
pub async fn view_rows<C: ConnectionTrait>(
    db: &C,
    tasks: &[check_task::Model],
) -> AppResult<ViewRows> {
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let links = task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.is_in(ids.clone()))
        .order_by_asc(task_inspector::Column::TaskId)
        .order_by_asc(task_inspector::Column::Position)
        .all(db)
        .await?;
    let inspector_ids: Vec<i64> = links.iter().map(|l| l.inspector_id).collect();
    let inspectors = by_id(
        inspector::Entity::find()
            .filter(inspector::Column::Id.is_in(inspector_ids))
            .all(db)
            .await?,
        |i| i.id,
    );
    let enterprise_ids: Vec<i64> = tasks.iter().filter_map(|t| t.enterprise_id).collect();
    let enterprises = by_id(
        enterprise::Entity::find()
            .filter(enterprise::Column::Id.is_in(enterprise_ids))
            .all(db)
            .await?,
        |e| e.id,
    );
    let department_ids: Vec<i64> = tasks.iter().filter_map(|t| t.department_id).collect();
    let departments = by_id(
        department::Entity::find()
            .filter(department::Column::Id.is_in(department_ids))
            .all(db)
            .await?,
        |d| d.id,
    );
    let draws = by_id(
        draw_refs(db, tasks.iter().map(|t| t.draw_id).collect()).await?,
        |d| d.id,
    );
    let plan_ids: Vec<i64> = draws.values().map(|d| d.plan_id).collect();
    let plans = by_id(
        check_plan::Entity::find()
            .filter(check_plan::Column::Id.is_in(plan_ids))
            .all(db)
            .await?,
        |p| p.id,
    );
    let region_codes: Vec<String> = tasks
        .iter()
        .map(|t| t.region_code.clone())
        .chain(enterprises.values().map(|e| e.region_code.clone()))
        .chain(departments.values().filter_map(|d| d.region_code.clone()))
        .collect();
    Ok(ViewRows {
        regions: region_names(db, region_codes).await?,
        links,
        inspectors,
        enterprises,
        departments,
        draws,
        plans,
        counting: counting(db, ids.clone()).await?,
        returns: task_return::Entity::find()
            .filter(task_return::Column::TaskId.is_in(ids.clone()))
            .order_by_asc(task_return::Column::Id)
            .all(db)
            .await?,
        cancellations: task_cancellation::Entity::find()
            .filter(
                Condition::any()
                    .add(task_cancellation::Column::TaskId.is_in(ids.clone()))
                    .add(task_cancellation::Column::ReplacedBy.is_in(ids)),
            )
            .all(db)
            .await?,
    })
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> i64) -> HashMap<i64, T> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

/// The names of these regions, by code.
async fn region_names<C: ConnectionTrait>(
    db: &C,
    codes: Vec<String>,
) -> AppResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = region::Entity::find()
        .select_only()
        .columns([region::Column::Code, region::Column::Name])
        .filter(region::Column::Code.is_in(codes))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The findings of these tasks that count: neither replaced nor withdrawn.
async fn counting<C: ConnectionTrait>(db: &C, task_ids: Vec<i64>) -> AppResult<Vec<Counting>> {
    let rows: Vec<(i64, i64, i64)> = finding::Entity::find()
        .select_only()
        .columns([
            finding::Column::TaskId,
            finding::Column::IndicatorId,
            finding::Column::Id,
        ])
        .filter(finding::Column::TaskId.is_in(task_ids))
        .filter(finding::Column::Superseded.eq(false))
        .filter(finding::Column::WithdrawnAt.is_null())
        .order_by_asc(finding::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(task_id, indicator_id, finding_id)| Counting {
            task_id,
            indicator_id,
            finding_id,
        })
        .collect())
}

/// The indicators of these sets, by set and code.
pub async fn set_indicators<C: ConnectionTrait>(
    db: &C,
    set_ids: Vec<i64>,
) -> AppResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::SetId.is_in(set_ids))
        .order_by_asc(indicator::Column::SetId)
        .order_by_asc(indicator::Column::Code)
        .all(db)
        .await?)
}
