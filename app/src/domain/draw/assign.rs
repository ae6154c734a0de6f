//! Step 4: staffing each drawn target with the least-loaded eligible inspectors.

mod pool;

use std::collections::HashMap;

use super::hash::FastMap;
use super::sample::Drawn;
use super::seed::DrawRng;
use super::{DrawnTask, Outcome, Params, Population, Target, Unassigned, UnassignedReason};
use pool::{Pool, Scratch};

/// Inspectors (by index) who must not check a target, whatever their scope.
struct Exclusions {
    /// Inspector ids in index order, compact for searching.
    ids: Vec<i64>,
    conflicts: FastMap<i64, Vec<u32>>,
    departments: FastMap<i64, Vec<u32>>,
}

impl Exclusions {
    fn new(population: &Population) -> Self {
        let ids: Vec<i64> = population.inspectors.iter().map(|i| i.id).collect();
        let mut conflicts: FastMap<i64, Vec<u32>> = HashMap::default();
        for c in &population.conflicts {
            if let Some(i) = index_of(&ids, c.inspector_id) {
                conflicts.entry(c.target_id).or_default().push(i);
            }
        }
        let mut departments: FastMap<i64, Vec<u32>> = HashMap::default();
        for (i, inspector) in population.inspectors.iter().enumerate() {
            departments
                .entry(inspector.department_id)
                .or_default()
                .push(i as u32);
        }
        Self {
            ids,
            conflicts,
            departments,
        }
    }

    /// Conflicted, own-department and previous-check inspectors, sorted, into `excluded`.
    fn of(&self, target: &Target, excluded: &mut Vec<u32>) {
        excluded.clear();
        let previous = target.previous_inspectors.iter();
        excluded.extend(previous.filter_map(|&id| index_of(&self.ids, id)));
        if let Some(list) = self.conflicts.get(&target.id) {
            excluded.extend(list);
        }
        let own = target.own_department_id;
        if let Some(list) = own.and_then(|d| self.departments.get(&d)) {
            excluded.extend(list);
        }
        excluded.sort_unstable();
        excluded.dedup();
    }
}

/// The index of an inspector id, if it is in the population.
fn index_of(ids: &[i64], inspector_id: i64) -> Option<u32> {
    // Populations have far fewer than 2^32 inspectors.
    ids.binary_search(&inspector_id).ok().map(|i| i as u32)
}

/// Staffs the drawn targets in draw order.
pub(crate) fn staff(
    population: &Population,
    params: &Params,
    drawn: &[Drawn],
    rng: &mut DrawRng<'_>,
) -> Outcome {
    let mut staffing = Staffing {
        pool: Pool::new(population, params),
        exclusions: Exclusions::new(population),
        scratch: Scratch::default(),
        params,
    };
    let mut outcome = Outcome::default();
    for d in drawn {
        let target = &population.targets[d.target];
        match staffing.team_for(target, rng) {
            Ok(team) => {
                for &i in &team {
                    staffing.pool.charge(i);
                }
                let ids = team.iter().map(|&i| population.inspectors[i as usize].id);
                outcome.tasks.push(DrawnTask {
                    target_id: target.id,
                    selection: d.selection,
                    inspector_ids: ids.collect(),
                });
            }
            Err(reason) => outcome.unassigned.push(Unassigned {
                target_id: target.id,
                selection: d.selection,
                reason,
            }),
        }
    }
    outcome
}

/// Staffs one target of the population (by index) against the loads the draw's
/// live tasks give (inspector id → tasks), as a replacement is staffed.
pub(crate) fn staff_one(
    population: &Population,
    params: &Params,
    loads: &HashMap<i64, u32>,
    target: usize,
    rng: &mut DrawRng<'_>,
) -> Result<Vec<i64>, UnassignedReason> {
    let mut staffing = Staffing {
        pool: Pool::new(population, params),
        exclusions: Exclusions::new(population),
        scratch: Scratch::default(),
        params,
    };
    for (i, inspector) in population.inspectors.iter().enumerate() {
        for _ in 0..loads.get(&inspector.id).copied().unwrap_or(0) {
            staffing.pool.charge(i as u32);
        }
    }
    let team = staffing.team_for(&population.targets[target], rng)?;
    Ok(team
        .iter()
        .map(|&i| population.inspectors[i as usize].id)
        .collect())
}

/// Everything staffing needs besides the random numbers.
struct Staffing<'a> {
    pool: Pool<'a>,
    exclusions: Exclusions,
    scratch: Scratch,
    params: &'a Params,
}

impl<'a> Staffing<'a> {
    /// A whole team for one target, or why there is none. Loads do not change while a
    /// team is picked: the picked are excluded from the rest of the team instead.
    fn team_for(
        &mut self,
        target: &'a Target,
        rng: &mut DrawRng<'_>,
    ) -> Result<Vec<u32>, UnassignedReason> {
        let params = self.params;
        let industry = target.industry.filter(|_| params.require_qualification);
        let mut excluded = std::mem::take(&mut self.scratch.excluded);
        self.exclusions.of(target, &mut excluded);
        let mut team = Vec::with_capacity(params.inspectors_per_task as usize);
        let mut result = Ok(());
        for &department_id in &params.department_ids {
            let groups = self
                .pool
                .groups_for(&target.region_code, (industry, Some(department_id)));
            match self
                .pool
                .pick(groups.clone(), &excluded, rng, &mut self.scratch)
            {
                Some(i) => join_team(&mut team, &mut excluded, i),
                None => {
                    result = Err(UnassignedReason::NoInspectorFromDepartment { department_id });
                    break;
                }
            }
        }
        let groups = self.pool.groups_for(&target.region_code, (industry, None));
        while result.is_ok() && team.len() < params.inspectors_per_task as usize {
            match self
                .pool
                .pick(groups.clone(), &excluded, rng, &mut self.scratch)
            {
                Some(i) => join_team(&mut team, &mut excluded, i),
                None => {
                    result = Err(UnassignedReason::TooFewInspectors {
                        needed: params.inspectors_per_task,
                        found: team.len() as u32,
                    });
                }
            }
        }
        self.scratch.excluded = excluded;
        result.map(|()| team)
    }
}

/// Adds a picked inspector to the team, and so to those the rest of it leaves out.
fn join_team(team: &mut Vec<u32>, excluded: &mut Vec<u32>, inspector: u32) {
    team.push(inspector);
    if let Err(at) = excluded.binary_search(&inspector) {
        excluded.insert(at, inspector);
    }
}
