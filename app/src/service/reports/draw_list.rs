//! 抽查名单: one draw's tasks with their targets and teams, and a cover sheet
//! with the seed and population hash that let anyone re-run it.

use std::collections::HashMap;

use entities::{check_task, department, draw, enterprise, inspector, task_inspector};
use reports::export::{
    Meta, Sink, Written,
    draw_list::{DrawCover, DrawList, DrawTaskRow, UnassignedRow},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Actor, PAGE, blocking, labels};
use crate::{
    domain::{
        draw::{Unassigned, UnassignedReason},
        workdays::china_date,
    },
    error::{AppError, AppResult},
    service::{
        imports::vocab::{self, zh},
        plans,
    },
};

/// A target's name, code and region.
struct Target {
    name: String,
    code: String,
    region_code: String,
    enterprise: Option<enterprise::Model>,
}

async fn targets<C: ConnectionTrait>(
    db: &C,
    enterprise_ids: Vec<i64>,
    department_ids: Vec<i64>,
) -> AppResult<(HashMap<i64, Target>, HashMap<i64, Target>)> {
    let mut found = Vec::with_capacity(enterprise_ids.len());
    for chunk in enterprise_ids.chunks(PAGE as usize) {
        found.extend(
            enterprise::Entity::find()
                .filter(enterprise::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    let enterprises = found
        .into_iter()
        .map(|e| {
            let target = Target {
                name: e.name.clone(),
                code: e.credit_code.clone(),
                region_code: e.region_code.clone(),
                enterprise: None,
            };
            (
                e.id,
                Target {
                    enterprise: Some(e),
                    ..target
                },
            )
        })
        .collect();
    let mut found = Vec::with_capacity(department_ids.len());
    for chunk in department_ids.chunks(PAGE as usize) {
        found.extend(
            department::Entity::find()
                .filter(department::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    let departments = found
        .into_iter()
        .map(|d| {
            (
                d.id,
                Target {
                    name: d.name,
                    code: d.code,
                    region_code: d.region_code.unwrap_or_default(),
                    enterprise: None,
                },
            )
        })
        .collect();
    Ok((enterprises, departments))
}

fn reason_text(reason: &UnassignedReason) -> String {
    match reason {
        UnassignedReason::NoInspectorFromDepartment { department_id } => {
            format!("联合检查部门（编号 {department_id}）无符合条件的检查人员")
        }
        UnassignedReason::TooFewInspectors { needed, found } => {
            format!("每组需 {needed} 名检查人员，符合条件的仅 {found} 名")
        }
    }
}

async fn unassigned_rows<C: ConnectionTrait>(
    db: &C,
    target_kind: entities::SubjectKind,
    unassigned: &[Unassigned],
) -> AppResult<Vec<UnassignedRow>> {
    let ids: Vec<i64> = unassigned.iter().map(|u| u.target_id).collect();
    let (enterprises, departments) = match target_kind {
        entities::SubjectKind::Enterprise => targets(db, ids, Vec::new()).await?,
        entities::SubjectKind::Department => targets(db, Vec::new(), ids).await?,
    };
    Ok(unassigned
        .iter()
        .map(|u| {
            let target = enterprises
                .get(&u.target_id)
                .or(departments.get(&u.target_id));
            UnassignedRow {
                target_name: target.map(|t| t.name.clone()).unwrap_or_default(),
                target_code: target.map(|t| t.code.clone()).unwrap_or_default(),
                region_code: target.map(|t| t.region_code.clone()).unwrap_or_default(),
                reason: reason_text(&u.reason),
            }
        })
        .collect())
}

fn cover_of(stored: &draw::Model, replaced: Option<&draw::Model>, plan_name: String) -> DrawCover {
    DrawCover {
        plan_name,
        draw_id: stored.id,
        drawn_at: labels::china_time(stored.created_at),
        trigger: labels::trigger(stored.trigger).to_owned(),
        algorithm: stored.algorithm.clone(),
        // Stored as the i64 with the same bits; shown as the u64 people typed.
        seed: u64::from_ne_bytes(stored.seed.to_ne_bytes()).to_string(),
        seed_text: stored.seed_text.clone(),
        population_size: i64::from(stored.population_size),
        population_sha256: stored.population_sha256.clone(),
        replaces: replaced.map(|old| {
            format!(
                "替代抽取编号 {}，原因：{}",
                old.id,
                old.supersede_reason.as_deref().unwrap_or("未说明")
            )
        }),
        superseded: stored
            .superseded_by
            .map(|by| format!("已被抽取编号 {by} 替代，本名单仅供核查")),
        verify_hint: format!(
            "spotcheck draw verify {id}，或 GET /api/v1/draws/{id}/verify：按上述种子、算法版本与对象名录重新抽取并逐项比对",
            id = stored.id
        ),
    }
}

/// One page of tasks as rows.
async fn page_rows<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<check_task::Model>,
) -> AppResult<Vec<DrawTaskRow>> {
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let links = task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.is_in(ids))
        .order_by_asc(task_inspector::Column::TaskId)
        .order_by_asc(task_inspector::Column::Position)
        .all(db)
        .await?;
    let mut inspector_ids: Vec<i64> = links.iter().map(|l| l.inspector_id).collect();
    inspector_ids.sort_unstable();
    inspector_ids.dedup();
    let mut people: HashMap<i64, (String, String)> = HashMap::new();
    for chunk in inspector_ids.chunks(PAGE as usize) {
        for i in inspector::Entity::find()
            .filter(inspector::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            people.insert(i.id, (i.name, i.badge_no));
        }
    }
    // In team order (lead first): the order the draw itself shows.
    let mut teams: HashMap<i64, Vec<(i16, i64)>> = HashMap::new();
    for link in links {
        teams
            .entry(link.task_id)
            .or_default()
            .push((link.position, link.inspector_id));
    }
    let (enterprises, departments) = targets(
        db,
        tasks.iter().filter_map(|t| t.enterprise_id).collect(),
        tasks.iter().filter_map(|t| t.department_id).collect(),
    )
    .await?;
    Ok(tasks
        .into_iter()
        .map(|task| {
            let target = task
                .enterprise_id
                .and_then(|id| enterprises.get(&id))
                .or_else(|| task.department_id.and_then(|id| departments.get(&id)));
            let firm = target.and_then(|t| t.enterprise.as_ref());
            let mut team = teams.remove(&task.id).unwrap_or_default();
            team.sort_unstable();
            let members: Vec<&(String, String)> =
                team.iter().filter_map(|(_, id)| people.get(id)).collect();
            DrawTaskRow {
                task_id: task.id,
                target_name: target.map(|t| t.name.clone()).unwrap_or_default(),
                target_code: target.map(|t| t.code.clone()).unwrap_or_default(),
                region_code: task.region_code,
                industry: firm
                    .map_or("", |e| zh(vocab::INDUSTRIES, e.industry))
                    .to_owned(),
                risk_level: firm
                    .map_or("", |e| zh(vocab::RISK_LEVELS, e.risk_level))
                    .to_owned(),
                credit_class: firm
                    .map_or("", |e| zh(vocab::CREDIT_CLASSES, e.credit_class))
                    .to_owned(),
                key_supervision: if firm.is_some_and(|e| e.key_supervision) {
                    "是".to_owned()
                } else {
                    String::new()
                },
                inspectors: members
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                badges: members
                    .iter()
                    .map(|(_, badge)| badge.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                due: china_date(task.due_at),
                status: labels::task_status(task.status).to_owned(),
            }
        })
        .collect())
}

/// Writes the draw list of a draw whose plan is in the caller's scope.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    meta: Meta,
    draw_id: i64,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let not_found = || AppError::NotFound(format!("draw {draw_id}"));
    let stored = draw::Entity::find_by_id(draw_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let plan = plans::get(db, actor, stored.plan_id)
        .await
        .map_err(|e| e.hidden_as(not_found))?;
    let unassigned: Vec<Unassigned> =
        serde_json::from_value(stored.unassigned.clone()).unwrap_or_default();
    let unassigned = unassigned_rows(db, plan.target_kind, &unassigned).await?;
    let replaced = draw::Entity::find()
        .filter(draw::Column::SupersededBy.eq(draw_id))
        .one(db)
        .await?;
    let cover = cover_of(&stored, replaced.as_ref(), plan.name);
    let mut list = blocking(move || DrawList::new(&meta, &cover, &unassigned)).await?;
    let mut after = 0i64;
    loop {
        let tasks = check_task::Entity::find()
            .filter(check_task::Column::DrawId.eq(draw_id))
            .filter(check_task::Column::Id.gt(after))
            .order_by_asc(check_task::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = tasks.last() else { break };
        after = last.id;
        let full = tasks.len() as u64 == PAGE;
        let rows = page_rows(db, tasks).await?;
        list = blocking(move || {
            for row in &rows {
                list.push(row)?;
            }
            Ok(list)
        })
        .await?;
        if !full {
            break;
        }
    }
    let rows = u64::from(list.rows());
    let written = blocking(move || list.finish_to(sink)).await?;
    Ok((written, rows))
}
