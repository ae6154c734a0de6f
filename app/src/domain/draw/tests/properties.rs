//! Properties over random populations and parameters.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use entities::{CreditClass, Industry};
use proptest::prelude::*;
use proptest::sample::subsequence;

use super::{canonical, drawn, reference};
use crate::domain::draw::{
    Conflict, CreditWeights, Inspector, Params, Population, Selection, Target, run, run_timed,
    snapshot,
};
use crate::domain::region_code::prefix_of;

const REGIONS: [&str; 7] = [
    "110000", "110100", "110101", "110102", "120000", "120100", "120101",
];
const STRATA: [&str; 6] = ["major", "high", "moderate", "low", "city", "county"];
const DEPARTMENTS: [i64; 4] = [1, 2, 3, 4];

fn industry() -> impl Strategy<Value = Industry> {
    proptest::sample::select(Industry::ALL.to_vec())
}

fn class() -> impl Strategy<Value = CreditClass> {
    proptest::sample::select(CreditClass::ALL.to_vec())
}

fn region() -> impl Strategy<Value = String> {
    proptest::sample::select(REGIONS.to_vec()).prop_map(str::to_owned)
}

fn inspectors() -> impl Strategy<Value = Vec<Inspector>> {
    let one = (
        proptest::sample::select(DEPARTMENTS.to_vec()),
        prop_oneof![1 => Just(String::new()), 6 => region()],
        proptest::collection::vec(industry(), 0..4),
    );
    proptest::collection::vec(one, 0..24).prop_map(|rows| {
        let ids = (1..).step_by(3);
        ids.zip(rows)
            .map(|(id, (department_id, region_code, industries))| Inspector {
                id,
                department_id,
                region_code,
                industries,
            })
            .collect()
    })
}

fn population() -> impl Strategy<Value = Population> {
    (inspectors(), 0usize..40).prop_flat_map(|(inspectors, count)| {
        let inspector_ids: Vec<i64> = inspectors.iter().map(|i| i.id).collect();
        let one = (
            region(),
            proptest::sample::select(STRATA.to_vec()),
            class(),
            any::<bool>(),
            proptest::option::of(industry()),
            proptest::option::weighted(0.3, proptest::sample::select(DEPARTMENTS.to_vec())),
            subsequence(inspector_ids.clone(), 0..=inspector_ids.len().min(3)),
        );
        let targets = proptest::collection::vec(one, count);
        let conflicts = proptest::collection::vec((0usize..24, 0usize..40), 0..12);
        (Just(inspectors), targets, conflicts).prop_map(|(inspectors, rows, pairs)| {
            let targets: Vec<Target> = (100..)
                .step_by(7)
                .zip(rows)
                .map(
                    |(id, (region_code, stratum, class, key, industry, own, previous))| Target {
                        id,
                        region_code,
                        stratum: stratum.to_owned(),
                        credit_class: class,
                        key,
                        industry,
                        own_department_id: own,
                        previous_inspectors: previous,
                    },
                )
                .collect();
            let conflicts = pairs
                .into_iter()
                .filter_map(|(i, t)| {
                    Some(Conflict {
                        inspector_id: inspectors.get(i)?.id,
                        target_id: targets.get(t)?.id,
                    })
                })
                .collect();
            Population {
                targets,
                inspectors,
                conflicts,
            }
        })
    })
}

/// Ratios in whole percent, so that tests can compute sizes exactly.
fn params() -> impl Strategy<Value = Params> {
    let ratios = proptest::collection::btree_map(
        proptest::sample::select(STRATA.to_vec()).prop_map(str::to_owned),
        0u32..=100,
        0..6,
    );
    (
        ratios,
        0u32..4,
        any::<bool>(),
        proptest::sample::select(vec![0.0, 0.2, 0.5, 1.0]),
        prop_oneof![Just(CreditWeights::default()), weights()],
        1u32..4,
        any::<bool>(),
        subsequence(DEPARTMENTS.to_vec(), 0..=2),
    )
        .prop_map(
            |(ratios, min, key_all, share, weights, per_task, qual, departments)| Params {
                ratios: ratios
                    .into_iter()
                    .map(|(k, v)| (k, f64::from(v) / 100.0))
                    .collect(),
                min_per_stratum: min,
                key_all,
                uniform_share: share,
                weights,
                inspectors_per_task: per_task.max(departments.len() as u32),
                require_qualification: qual,
                department_ids: departments,
            },
        )
}

fn weights() -> impl Strategy<Value = CreditWeights> {
    let w = || 0.001f64..1000.0;
    (w(), w(), w(), w(), 1.0f64..10.0).prop_map(|(a, b, c, d, key_multiplier)| CreditWeights {
        a,
        b,
        c,
        d,
        key_multiplier,
    })
}

/// `min(size, max(ceil(percent% × size), minimum))` in integers.
fn expected_size(size: usize, percent: u64, minimum: u32) -> usize {
    let by_ratio = (percent * size as u64).div_ceil(100) as usize;
    by_ratio.max(minimum as usize).min(size)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_fast_draw_matches_the_published_algorithm(
        population in population(), params in params(), seed in any::<u64>()
    ) {
        let fast = run(&population, &params, seed).unwrap();
        prop_assert_eq!(&fast, &reference::run(&population, &params, seed));
        // Timing the two steps changes nothing about the draw.
        let (timed, _) = run_timed(&population, &params, seed).unwrap();
        prop_assert_eq!(timed, fast);
    }

    #[test]
    fn the_same_inputs_and_seed_give_the_same_draw_also_from_a_snapshot(
        population in population(), params in params(), seed in any::<u64>()
    ) {
        let first = run(&population, &params, seed).unwrap();
        prop_assert_eq!(&first, &run(&population, &params, seed).unwrap());
        let bytes = snapshot::compress(&snapshot::encode(&population).unwrap()).unwrap();
        let restored = snapshot::decode(&snapshot::decompress(&bytes, 1 << 20).unwrap()).unwrap();
        prop_assert_eq!(&first, &run(&restored, &params, seed).unwrap());
    }

    #[test]
    fn each_stratum_draws_exactly_the_formula_and_every_key_target_when_key_all(
        population in population(), params in params(), seed in any::<u64>()
    ) {
        let outcome = run(&population, &params, seed).unwrap();
        let by_id: HashMap<i64, &Target> = population.targets.iter().map(|t| (t.id, t)).collect();
        let mut drawn_per_stratum: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, selection) in drawn(&outcome) {
            let t = by_id[&id];
            *drawn_per_stratum.entry(&t.stratum).or_default() += 1;
            prop_assert_eq!(selection == Selection::Key, params.key_all && t.key);
        }
        for stratum in STRATA {
            let members = population.targets.iter().filter(|t| t.stratum == stratum);
            let (keys, rest) = members.fold((0, 0), |(k, r), t| {
                if params.key_all && t.key { (k + 1, r) } else { (k, r + 1) }
            });
            let percent = params.ratios.get(stratum).map_or(0, |r| (r * 100.0).round() as u64);
            let expected = keys + expected_size(rest, percent, params.min_per_stratum);
            prop_assert_eq!(drawn_per_stratum.get(stratum).copied().unwrap_or(0), expected, "{}", stratum);
        }
    }

    #[test]
    fn no_target_is_drawn_twice_and_no_inspector_is_ineligible(
        population in population(), params in params(), seed in any::<u64>()
    ) {
        let outcome = run(&population, &params, seed).unwrap();
        let ids: Vec<i64> = drawn(&outcome).into_iter().map(|(id, _)| id).collect();
        prop_assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());
        let targets: HashMap<i64, &Target> = population.targets.iter().map(|t| (t.id, t)).collect();
        let inspectors: HashMap<i64, &Inspector> =
            population.inspectors.iter().map(|i| (i.id, i)).collect();
        let conflicts: BTreeSet<(i64, i64)> =
            population.conflicts.iter().map(|c| (c.inspector_id, c.target_id)).collect();
        for task in &outcome.tasks {
            let t = targets[&task.target_id];
            let team: BTreeSet<i64> = task.inspector_ids.iter().copied().collect();
            prop_assert_eq!(team.len(), params.inspectors_per_task as usize, "a whole team, no one twice");
            for id in &task.inspector_ids {
                let i = inspectors[id];
                prop_assert!(t.region_code.starts_with(prefix_of(&i.region_code)), "in scope");
                prop_assert!(!conflicts.contains(&(i.id, t.id)), "no conflict");
                prop_assert!(t.own_department_id != Some(i.department_id), "not its own department");
                prop_assert!(!t.previous_inspectors.contains(&i.id), "not the previous inspectors");
                if params.require_qualification && let Some(industry) = t.industry {
                    prop_assert!(i.industries.contains(&industry), "qualified");
                }
            }
            for d in &params.department_ids {
                prop_assert!(task.inspector_ids.iter().any(|id| inspectors[id].department_id == *d));
            }
        }
    }

    #[test]
    fn loads_stay_within_one_when_nothing_else_constrains_them(
        mut population in population(), seed in any::<u64>(), per_task in 1u32..4
    ) {
        for i in &mut population.inspectors {
            i.region_code = String::new();
        }
        for t in &mut population.targets {
            t.own_department_id = None;
            t.previous_inspectors.clear();
        }
        population.conflicts.clear();
        let params = Params {
            ratios: STRATA.iter().map(|s| ((*s).to_owned(), 0.5)).collect(),
            inspectors_per_task: per_task,
            require_qualification: false,
            ..Params::default()
        };
        let outcome = run(&population, &params, seed).unwrap();
        let mut load: HashMap<i64, usize> = population.inspectors.iter().map(|i| (i.id, 0)).collect();
        for id in outcome.tasks.iter().flat_map(|t| &t.inspector_ids) {
            *load.get_mut(id).unwrap() += 1;
        }
        let (least, most) = (load.values().min(), load.values().max());
        prop_assert!(most.zip(least).is_none_or(|(m, l)| m - l <= 1), "{:?}", load);
    }

    #[test]
    fn a_snapshot_decodes_to_the_population_it_encodes(population in population()) {
        let bytes = snapshot::encode(&population).unwrap();
        let decoded = snapshot::decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &canonical(&population));
        prop_assert_eq!(snapshot::encode(&decoded).unwrap(), bytes);
    }

    #[test]
    fn decoding_damaged_snapshots_never_panics_and_accepts_only_canonical_bytes(
        population in population(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = snapshot::encode(&population).unwrap();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        bytes.truncate(cut.index(bytes.len() + 1).max(1));
        if let Ok(decoded) = snapshot::decode(&bytes) {
            prop_assert_eq!(snapshot::encode(&decoded).unwrap(), bytes);
        }
    }

    #[test]
    fn decoding_and_decompressing_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = snapshot::decode(&bytes);
        let _ = snapshot::decompress(&bytes, 1 << 16);
    }
}
