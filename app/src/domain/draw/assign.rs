//! Step 4: staffing each drawn target with the least-loaded eligible inspectors.
//!
//! Inspectors are indexed by scope prefix (and, where needed, by industry and
//! joint-plan department) into groups; each group keeps its members in buckets by
//! load, in id order. The eligible inspectors of a target are the members of the
//! groups whose prefix starts its region code, minus a short list of exclusions, so a
//! pick costs a few binary searches instead of a pass over every inspector.

use std::collections::HashMap;

use entities::Industry;

use crate::domain::region_code::prefix_of;

use super::sample::Drawn;
use super::seed::DrawRng;
use super::{DrawnTask, Outcome, Params, Population, Target, Unassigned, UnassignedReason};

/// What a group holds besides a scope prefix: a qualification and a department.
type Kind = (Option<Industry>, Option<i64>);

/// Inspectors of one scope prefix and kind, bucketed by load.
struct Group {
    /// `buckets[load]`: the members with that load, by index (= id order).
    buckets: Vec<Vec<u32>>,
    /// No member has a lower load.
    min_load: usize,
}

/// The inspectors, indexed for picking, with their loads in this draw.
struct Pool<'a> {
    load: Vec<usize>,
    groups: Vec<Group>,
    /// The groups each inspector is in.
    memberships: Vec<Vec<u32>>,
    /// Scope prefix → kind → group.
    by_prefix: HashMap<&'a str, HashMap<Kind, u32>>,
}

impl<'a> Pool<'a> {
    fn new(population: &'a Population, params: &Params) -> Self {
        let mut pool = Self {
            load: vec![0; population.inspectors.len()],
            groups: Vec::new(),
            memberships: vec![Vec::new(); population.inspectors.len()],
            by_prefix: HashMap::new(),
        };
        for (i, inspector) in population.inspectors.iter().enumerate() {
            let mut industries: Vec<Option<Industry>> = vec![None];
            if params.require_qualification {
                industries.extend(inspector.industries.iter().copied().map(Some));
                industries.sort_unstable();
                industries.dedup();
            }
            let mut departments = vec![None];
            if params.department_ids.contains(&inspector.department_id) {
                departments.push(Some(inspector.department_id));
            }
            let prefix = prefix_of(&inspector.region_code);
            for &industry in &industries {
                for &department in &departments {
                    pool.join(i, prefix, (industry, department));
                }
            }
        }
        pool
    }

    fn join(&mut self, inspector: usize, prefix: &'a str, kind: Kind) {
        let kinds = self.by_prefix.entry(prefix).or_default();
        let groups = &mut self.groups;
        let g = *kinds.entry(kind).or_insert_with(|| {
            groups.push(Group {
                buckets: vec![Vec::new()],
                min_load: 0,
            });
            // Group ids stay far below 2^32: at most 18 per inspector.
            (groups.len() - 1) as u32
        });
        self.groups[g as usize].buckets[0].push(inspector as u32);
        self.memberships[inspector].push(g);
    }

    /// The groups whose members may check a target in `region` with this kind.
    fn groups_for(&self, region: &str, kind: Kind) -> Vec<u32> {
        (0..=region.len())
            .filter_map(|len| region.get(..len))
            .filter_map(|prefix| self.by_prefix.get(prefix)?.get(&kind).copied())
            .collect()
    }

    /// Picks uniformly among the members of `groups` with the least load, leaving out
    /// `excluded` (sorted); `None` when nobody is left.
    fn pick(&self, groups: &[u32], excluded: &[u32], rng: &mut DrawRng<'_>) -> Option<u32> {
        let groups: Vec<&Group> = groups.iter().map(|&g| &self.groups[g as usize]).collect();
        let first = groups.iter().map(|g| g.min_load).min()?;
        let last = groups.iter().map(|g| g.buckets.len()).max()?;
        for level in first..last {
            let buckets: Vec<&[u32]> = groups
                .iter()
                .filter_map(|g| g.buckets.get(level))
                .filter(|b| !b.is_empty())
                .map(Vec::as_slice)
                .collect();
            let total: usize = buckets.iter().map(|b| b.len()).sum();
            let hidden: Vec<u32> = excluded
                .iter()
                .copied()
                .filter(|&e| self.load[e as usize] == level)
                .filter(|e| buckets.iter().any(|b| b.binary_search(e).is_ok()))
                .collect();
            let n = total - hidden.len();
            if n > 0 {
                return Some(nth(&buckets, &hidden, rng.index(n)));
            }
        }
        None
    }

    /// Adds one task to an inspector's load.
    fn charge(&mut self, inspector: u32) {
        let level = self.load[inspector as usize];
        for &g in &self.memberships[inspector as usize] {
            let group = &mut self.groups[g as usize];
            if let Ok(at) = group.buckets[level].binary_search(&inspector) {
                group.buckets[level].remove(at);
            }
            if group.buckets.len() == level + 1 {
                group.buckets.push(Vec::new());
            }
            let next = &mut group.buckets[level + 1];
            if let Err(at) = next.binary_search(&inspector) {
                next.insert(at, inspector);
            }
            if group.min_load == level && group.buckets[level].is_empty() {
                group.min_load = level + 1;
            }
        }
        self.load[inspector as usize] += 1;
    }
}

/// The `j`-th smallest (from 0) of the union of disjoint sorted `buckets`, leaving out
/// `hidden` (sorted, each in some bucket). Needs `j` below the count of what is left.
fn nth(buckets: &[&[u32]], hidden: &[u32], j: usize) -> u32 {
    if let ([only], []) = (buckets, hidden) {
        return only[j];
    }
    let count = |v: u32| -> usize {
        let present: usize = buckets.iter().map(|b| b.partition_point(|&x| x <= v)).sum();
        present - hidden.partition_point(|&x| x <= v)
    };
    let mut lo = buckets
        .iter()
        .filter_map(|b| b.first())
        .copied()
        .min()
        .unwrap_or(0);
    let mut hi = buckets
        .iter()
        .filter_map(|b| b.last())
        .copied()
        .max()
        .unwrap_or(0);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if count(mid) > j {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Inspectors (by index) who must not check a target, whatever their scope.
struct Exclusions {
    conflicts: HashMap<i64, Vec<u32>>,
    departments: HashMap<i64, Vec<u32>>,
}

impl Exclusions {
    fn new(population: &Population) -> Self {
        let mut conflicts: HashMap<i64, Vec<u32>> = HashMap::new();
        for c in &population.conflicts {
            if let Some(i) = index_of(population, c.inspector_id) {
                conflicts.entry(c.target_id).or_default().push(i);
            }
        }
        let mut departments: HashMap<i64, Vec<u32>> = HashMap::new();
        for (i, inspector) in population.inspectors.iter().enumerate() {
            departments
                .entry(inspector.department_id)
                .or_default()
                .push(i as u32);
        }
        Self {
            conflicts,
            departments,
        }
    }

    /// Conflicted, own-department and previous-check inspectors, sorted.
    fn of(&self, population: &Population, target: &Target) -> Vec<u32> {
        let mut excluded: Vec<u32> = target
            .previous_inspectors
            .iter()
            .filter_map(|&id| index_of(population, id))
            .collect();
        if let Some(list) = self.conflicts.get(&target.id) {
            excluded.extend(list);
        }
        if let Some(list) = target
            .own_department_id
            .and_then(|d| self.departments.get(&d))
        {
            excluded.extend(list);
        }
        excluded.sort_unstable();
        excluded.dedup();
        excluded
    }
}

fn index_of(population: &Population, inspector_id: i64) -> Option<u32> {
    let found = population
        .inspectors
        .binary_search_by_key(&inspector_id, |i| i.id);
    found.ok().map(|i| i as u32)
}

/// Staffs the drawn targets in draw order.
pub(crate) fn staff(
    population: &Population,
    params: &Params,
    drawn: &[Drawn],
    rng: &mut DrawRng<'_>,
) -> Outcome {
    let mut pool = Pool::new(population, params);
    let exclusions = Exclusions::new(population);
    let mut outcome = Outcome::default();
    for d in drawn {
        let target = &population.targets[d.target];
        match team_for(&pool, population, params, &exclusions, target, rng) {
            Ok(team) => {
                for &i in &team {
                    pool.charge(i);
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

/// A whole team for one target, or why there is none. Loads do not change while a
/// team is picked: the picked are excluded from the rest of the team instead.
fn team_for(
    pool: &Pool<'_>,
    population: &Population,
    params: &Params,
    exclusions: &Exclusions,
    target: &Target,
    rng: &mut DrawRng<'_>,
) -> Result<Vec<u32>, UnassignedReason> {
    let industry = target.industry.filter(|_| params.require_qualification);
    let mut excluded = exclusions.of(population, target);
    let mut team = Vec::new();
    for &department_id in &params.department_ids {
        let groups = pool.groups_for(&target.region_code, (industry, Some(department_id)));
        let i = pool
            .pick(&groups, &excluded, rng)
            .ok_or(UnassignedReason::NoInspectorFromDepartment { department_id })?;
        join_team(&mut team, &mut excluded, i);
    }
    let groups = pool.groups_for(&target.region_code, (industry, None));
    while team.len() < params.inspectors_per_task as usize {
        let Some(i) = pool.pick(&groups, &excluded, rng) else {
            return Err(UnassignedReason::TooFewInspectors {
                needed: params.inspectors_per_task,
                found: team.len() as u32,
            });
        };
        join_team(&mut team, &mut excluded, i);
    }
    Ok(team)
}

/// Adds a picked inspector to the team, and so to those the rest of it leaves out.
fn join_team(team: &mut Vec<u32>, excluded: &mut Vec<u32>, inspector: u32) {
    team.push(inspector);
    if let Err(at) = excluded.binary_search(&inspector) {
        excluded.insert(at, inspector);
    }
}
