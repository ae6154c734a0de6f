//! 抽查名单: one draw's tasks with their targets and teams, and a cover sheet
//! with the seed and population hash that let anyone re-run it.

use std::collections::HashMap;

use entities::{check_task, draw, enterprise, inspector};
use reports::export::{
    Meta, Sink, Written,
    draw_list::{DrawCover, DrawList, DrawTaskRow, UnassignedRow},
};
use sea_orm::ConnectionTrait;

use super::{
    labels,
    store::{self, PAGE},
    writer::blocking,
};
use crate::{
    domain::{
        draw::{Unassigned, UnassignedReason},
        workdays::china_date,
    },
    error::{AppError, AppResult},
    service::{
        Actor,
        draws::{self, SeedProvenance},
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

/// Enterprises and departments checked, by id.
#[derive(Default)]
struct Targets {
    enterprises: HashMap<i64, Target>,
    departments: HashMap<i64, Target>,
}

impl Targets {
    async fn load<C: ConnectionTrait>(
        db: &C,
        enterprise_ids: &[i64],
        department_ids: &[i64],
    ) -> AppResult<Self> {
        let enterprises = store::enterprises(db, enterprise_ids)
            .await?
            .into_iter()
            .map(|e| {
                let id = e.id;
                let target = Target {
                    name: e.name.clone(),
                    code: e.credit_code.clone(),
                    region_code: e.region_code.clone(),
                    enterprise: Some(e),
                };
                (id, target)
            })
            .collect();
        let departments = store::departments(db, department_ids)
            .await?
            .into_iter()
            .map(|d| {
                let target = Target {
                    name: d.name,
                    code: d.code,
                    region_code: d.region_code.unwrap_or_default(),
                    enterprise: None,
                };
                (d.id, target)
            })
            .collect();
        Ok(Self {
            enterprises,
            departments,
        })
    }

    fn of_task(&self, task: &check_task::Model) -> Option<&Target> {
        task.enterprise_id
            .and_then(|id| self.enterprises.get(&id))
            .or_else(|| task.department_id.and_then(|id| self.departments.get(&id)))
    }
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
    let targets = match target_kind {
        entities::SubjectKind::Enterprise => Targets::load(db, &ids, &[]).await?,
        entities::SubjectKind::Department => Targets::load(db, &[], &ids).await?,
    };
    Ok(unassigned
        .iter()
        .map(|u| {
            let target = targets
                .enterprises
                .get(&u.target_id)
                .or(targets.departments.get(&u.target_id));
            UnassignedRow {
                target_name: target.map(|t| t.name.clone()).unwrap_or_default(),
                target_code: target.map(|t| t.code.clone()).unwrap_or_default(),
                region_code: target.map(|t| t.region_code.clone()).unwrap_or_default(),
                reason: reason_text(&u.reason),
            }
        })
        .collect())
}

fn cover_of(
    stored: &draw::Model,
    replaced: Option<&draw::Model>,
    provenance: &SeedProvenance,
    plan_name: String,
) -> DrawCover {
    DrawCover {
        plan_name,
        draw_id: stored.id,
        drawn_at: labels::china_time(stored.created_at),
        trigger: labels::trigger(stored.trigger).to_owned(),
        algorithm: stored.algorithm.clone(),
        // Stored as the i64 with the same bits; shown as the u64 people typed.
        seed: u64::from_ne_bytes(stored.seed.to_ne_bytes()).to_string(),
        seed_source: labels::seed_source(provenance),
        seed_text: stored.seed_text.clone(),
        announcement: provenance.announcement.as_ref().map(labels::announcement),
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
            "spotcheck draw verify {id}，或 GET /api/v1/draws/{id}/verify：按上述种子、算法版本与对象名录重新抽取并逐项比对；第三方可取得证据包（spotcheck draw evidence {id} -o 文件，或 GET /api/v1/draws/{id}/evidence），用 docs/verify_draw.py 独立核验",
            id = stored.id
        ),
    }
}

/// A member of a task's team.
struct Member {
    name: String,
    badge_no: String,
}

/// The teams of these tasks by task, each in team order (lead first): the
/// order the draw itself shows.
async fn teams<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<HashMap<i64, Vec<Member>>> {
    let links = store::team_members(db, task_ids).await?;
    let mut inspector_ids: Vec<i64> = links.iter().map(|l| l.inspector_id).collect();
    inspector_ids.sort_unstable();
    inspector_ids.dedup();
    let people: HashMap<i64, inspector::Model> = store::inspectors(db, &inspector_ids)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut places: HashMap<i64, Vec<(i16, i64)>> = HashMap::new();
    for link in links {
        places
            .entry(link.task_id)
            .or_default()
            .push((link.position, link.inspector_id));
    }
    Ok(places
        .into_iter()
        .map(|(task_id, mut team)| {
            team.sort_unstable();
            let members = team
                .iter()
                .filter_map(|(_, id)| people.get(id))
                .map(|i| Member {
                    name: i.name.clone(),
                    badge_no: i.badge_no.clone(),
                })
                .collect();
            (task_id, members)
        })
        .collect())
}

fn task_row(task: check_task::Model, target: Option<&Target>, team: &[Member]) -> DrawTaskRow {
    let firm = target.and_then(|t| t.enterprise.as_ref());
    let joined = |part: fn(&Member) -> &str| team.iter().map(part).collect::<Vec<_>>().join("、");
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
        inspectors: joined(|m| &m.name),
        badges: joined(|m| &m.badge_no),
        due: china_date(task.due_at),
        status: labels::task_status(task.status).to_owned(),
    }
}

/// One page of tasks as rows.
async fn page_rows<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<check_task::Model>,
) -> AppResult<Vec<DrawTaskRow>> {
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let mut teams = teams(db, ids).await?;
    let enterprise_ids: Vec<i64> = tasks.iter().filter_map(|t| t.enterprise_id).collect();
    let department_ids: Vec<i64> = tasks.iter().filter_map(|t| t.department_id).collect();
    let targets = Targets::load(db, &enterprise_ids, &department_ids).await?;
    Ok(tasks
        .into_iter()
        .map(|task| {
            let team = teams.remove(&task.id).unwrap_or_default();
            let target = targets.of_task(&task);
            task_row(task, target, &team)
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
    let not_found = || AppError::NotFound(format!("draw {draw_id}").into());
    let stored = store::draw(db, draw_id).await?.ok_or_else(not_found)?;
    let plan = plans::get(db, actor, stored.plan_id)
        .await
        .map_err(|e| e.hidden_as(not_found))?;
    let unassigned: Vec<Unassigned> =
        serde_json::from_value(stored.unassigned.clone()).unwrap_or_default();
    let unassigned = unassigned_rows(db, plan.target_kind, &unassigned).await?;
    let replaced = store::draw_replaced_by(db, draw_id).await?;
    let provenance = draws::seed_provenance(db, &stored).await?;
    let cover = cover_of(&stored, replaced.as_ref(), &provenance, plan.name);
    let mut list = blocking(move || DrawList::new(&meta, &cover, &unassigned)).await?;
    let mut after = 0i64;
    loop {
        let tasks = store::draw_tasks_after(db, draw_id, after).await?;
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
