//! A slow, literal implementation of `docs/draw-algorithm.md`, written from the page
//! rather than from the fast code: the properties check that both always agree.

use crate::domain::draw::seed::DrawRng;
use crate::domain::draw::{
    DrawnTask, Outcome, Params, Population, Selection, Target, Unassigned, UnassignedReason,
};
use crate::domain::region_code::prefix_of;

const PPM: u64 = 1_000_000;

fn ppm(x: f64) -> u64 {
    (x * 1e6).round() as u64
}

fn units(params: &Params, t: &Target) -> u64 {
    let w = &params.weights;
    let class = match t.credit_class {
        entities::CreditClass::A => w.a,
        entities::CreditClass::B => w.b,
        entities::CreditClass::C => w.c,
        entities::CreditClass::D => w.d,
    };
    let weight = if t.key {
        class * w.key_multiplier
    } else {
        class
    };
    ppm(weight)
}

/// Steps 1 to 3: the drawn targets in draw order.
fn sample<'p>(
    population: &'p Population,
    params: &Params,
    rng: &mut DrawRng<'_>,
) -> Vec<(&'p Target, Selection)> {
    let order = [
        "major", "high", "moderate", "low", "province", "city", "county",
    ];
    let mut drawn = Vec::new();
    for name in order {
        let members = population.targets.iter().filter(|t| t.stratum == name);
        // Eight lists: (A, not key), (A, key), (B, not key), … (D, key), in id order.
        let mut lists: Vec<Vec<&Target>> = vec![Vec::new(); 8];
        for t in members {
            if params.key_all && t.key {
                drawn.push((t, Selection::Key));
            } else {
                let class = "ABCD".find(t.credit_class.as_str()).unwrap();
                lists[2 * class + usize::from(t.key)].push(t);
            }
        }
        let size = lists.iter().map(Vec::len).sum::<usize>() as u64;
        let ratio = params.ratios.get(name).map_or(0, |&r| ppm(r));
        let n = ((ratio * size).div_ceil(PPM))
            .max(u64::from(params.min_per_stratum))
            .min(size);
        let u = (ppm(params.uniform_share) * n + PPM / 2) / PPM;
        for k in 0..n {
            // Every entry of a list counts 1 (uniform) or its weight units (weighted).
            let factor = |list: &Vec<&Target>| match list.first() {
                Some(t) if k >= u => units(params, t),
                _ => 1,
            };
            let total: u64 = lists.iter().map(|l| l.len() as u64 * factor(l)).sum();
            let mut x = rng.uniform(total);
            let mut picked = None;
            for list in &mut lists {
                let span = list.len() as u64 * factor(list);
                if picked.is_none() && x < span {
                    let j = (x / factor(list)) as usize;
                    let last = list.len() - 1;
                    list.swap(j, last);
                    picked = list.pop();
                } else if picked.is_none() {
                    x -= span;
                }
            }
            let selection = if k < u {
                Selection::Uniform
            } else {
                Selection::Weighted
            };
            drawn.push((picked.unwrap(), selection));
        }
    }
    drawn
}

/// Whether an inspector may check a target at all (step 4's eligibility).
fn eligible(population: &Population, params: &Params, t: &Target, i: usize) -> bool {
    let inspector = &population.inspectors[i];
    t.region_code.starts_with(prefix_of(&inspector.region_code))
        && (!params.require_qualification
            || t.industry.is_none_or(|x| inspector.industries.contains(&x)))
        && !population
            .conflicts
            .iter()
            .any(|c| c.inspector_id == inspector.id && c.target_id == t.id)
        && t.own_department_id != Some(inspector.department_id)
        && !t.previous_inspectors.contains(&inspector.id)
}

/// The whole draw, slowly.
pub(super) fn run(population: &Population, params: &Params, seed: u64) -> Outcome {
    let mut rng = DrawRng::new(seed, None);
    let drawn = sample(population, params, &mut rng);
    let mut load = vec![0u64; population.inspectors.len()];
    let mut outcome = Outcome::default();
    for (t, selection) in drawn {
        let mut team: Vec<usize> = Vec::new();
        let mut failure = None;
        let mut slots: Vec<Option<i64>> = params.department_ids.iter().copied().map(Some).collect();
        while slots.len() < params.inspectors_per_task as usize {
            slots.push(None);
        }
        for department in slots {
            let candidates: Vec<usize> = (0..population.inspectors.len())
                .filter(|&i| eligible(population, params, t, i) && !team.contains(&i))
                .filter(|&i| department.is_none_or(|d| population.inspectors[i].department_id == d))
                .collect();
            let Some(least) = candidates.iter().map(|&i| load[i]).min() else {
                failure = Some(match department {
                    Some(department_id) => {
                        UnassignedReason::NoInspectorFromDepartment { department_id }
                    }
                    None => UnassignedReason::TooFewInspectors {
                        needed: params.inspectors_per_task,
                        found: team.len() as u32,
                    },
                });
                break;
            };
            let least: Vec<usize> = candidates
                .into_iter()
                .filter(|&i| load[i] == least)
                .collect();
            team.push(least[rng.uniform(least.len() as u64) as usize]);
        }
        match failure {
            Some(reason) => outcome.unassigned.push(Unassigned {
                target_id: t.id,
                selection,
                reason,
            }),
            None => {
                for &i in &team {
                    load[i] += 1;
                }
                outcome.tasks.push(DrawnTask {
                    target_id: t.id,
                    selection,
                    inspector_ids: team.iter().map(|&i| population.inspectors[i].id).collect(),
                });
            }
        }
    }
    outcome
}
