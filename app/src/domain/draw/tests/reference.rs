//! A slow, literal implementation of `docs/draw-algorithm.md`, written from the page
//! rather than from the fast code: the properties check that both always agree.

use std::collections::BTreeMap;

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

fn rank(name: &str) -> usize {
    let known = [
        "major", "high", "moderate", "low", "province", "city", "county",
    ];
    known.iter().position(|k| *k == name).unwrap_or(known.len())
}

/// Steps 1 to 3: the drawn targets in draw order.
fn sample<'p>(
    population: &'p Population,
    params: &Params,
    rng: &mut DrawRng<'_>,
) -> Vec<(&'p Target, Selection)> {
    let mut strata: BTreeMap<(usize, &str), Vec<&Target>> = BTreeMap::new();
    for t in &population.targets {
        strata
            .entry((rank(&t.stratum), &t.stratum))
            .or_default()
            .push(t);
    }
    let mut drawn = Vec::new();
    for ((_, name), members) in strata {
        let mut remaining = Vec::new();
        for t in members {
            if params.key_all && t.key {
                drawn.push((t, Selection::Key));
            } else {
                remaining.push(t);
            }
        }
        let size = remaining.len() as u64;
        let ratio = params.ratios.get(name).map_or(0, |&r| ppm(r));
        let n = ((ratio * size).div_ceil(PPM))
            .max(u64::from(params.min_per_stratum))
            .min(size);
        let u = (ppm(params.uniform_share) * n + PPM / 2) / PPM;
        for k in 0..n {
            let pick = if k < u {
                rng.uniform(remaining.len() as u64) as usize
            } else {
                let total: u64 = remaining.iter().map(|t| units(params, t)).sum();
                let x = rng.uniform(total);
                let mut running = 0;
                remaining
                    .iter()
                    .position(|t| {
                        running += units(params, t);
                        running > x
                    })
                    .unwrap()
            };
            let selection = if k < u {
                Selection::Uniform
            } else {
                Selection::Weighted
            };
            drawn.push((remaining.remove(pick), selection));
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
