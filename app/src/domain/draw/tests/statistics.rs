//! Selection frequencies over many seeded draws against their exact probabilities.
//!
//! Seeds are fixed, so the tests are deterministic; the thresholds are those of
//! p = 10⁻⁶ (chi-square, 7 degrees of freedom) and of |z| < 5.5 per target (about
//! 3·10⁻⁷ for all eight together), so a correct sampler cannot plausibly fail them.

use entities::CreditClass;

use super::target;
use crate::domain::draw::{Outcome, Params, Population, Selection, run};

const RUNS: u32 = 4000;
/// The chi-square quantile for 7 degrees of freedom at p = 10⁻⁶.
const CHI2_7DF: f64 = 40.52;
const Z_LIMIT: f64 = 5.5;

/// Eight targets of one stratum; weights (default classes, key ×2):
/// 0.5, 1, 1, 2, 1.5, 1.5, 2, 4.
fn population() -> Population {
    let classes = [
        (CreditClass::A, false),
        (CreditClass::A, true),
        (CreditClass::B, false),
        (CreditClass::B, true),
        (CreditClass::C, false),
        (CreditClass::C, false),
        (CreditClass::D, false),
        (CreditClass::D, true),
    ];
    let targets = (1..)
        .zip(classes)
        .map(|(id, (class, key))| {
            let mut t = target(id, "110101", "low", class);
            t.key = key;
            t
        })
        .collect();
    Population {
        targets,
        ..Population::default()
    }
}

const WEIGHTS: [f64; 8] = [0.5, 1.0, 1.0, 2.0, 1.5, 1.5, 2.0, 4.0];

fn params(sample: u32, uniform_share: f64) -> Params {
    Params {
        min_per_stratum: sample,
        uniform_share,
        ..Params::default()
    }
}

/// How often each target (ids 1 to 8) was drawn with one of `selections`.
fn frequencies(params: &Params, selections: &[Selection]) -> [f64; 8] {
    let population = population();
    let mut counts = [0.0; 8];
    for seed in 0..RUNS {
        let outcome: Outcome = run(&population, params, u64::from(seed)).unwrap();
        assert!(outcome.tasks.is_empty(), "no inspectors, no tasks");
        for u in outcome.unassigned {
            if selections.contains(&u.selection) {
                counts[(u.target_id - 1) as usize] += 1.0;
            }
        }
    }
    counts
}

fn chi_square(observed: &[f64; 8], probabilities: &[f64; 8]) -> f64 {
    let total: f64 = observed.iter().sum();
    observed
        .iter()
        .zip(probabilities)
        .map(|(o, p)| (o - total * p).powi(2) / (total * p))
        .sum()
}

fn proportional(weights: &[f64; 8]) -> [f64; 8] {
    let total: f64 = weights.iter().sum();
    weights.map(|w| w / total)
}

/// Exact inclusion probabilities of drawing three, one at a time, each with
/// probability proportional to weight among those left.
fn inclusion_of_three(w: &[f64; 8]) -> [f64; 8] {
    let total: f64 = w.iter().sum();
    let mut inclusion = [0.0; 8];
    for i in 0..8 {
        for j in (0..8).filter(|&j| j != i) {
            for k in (0..8).filter(|&k| k != i && k != j) {
                let p = w[i] / total * w[j] / (total - w[i]) * w[k] / (total - w[i] - w[j]);
                for x in [i, j, k] {
                    inclusion[x] += p;
                }
            }
        }
    }
    inclusion
}

fn assert_z_scores_small(counts: &[f64; 8], inclusion: &[f64; 8]) {
    let runs = f64::from(RUNS);
    for (i, (o, p)) in counts.iter().zip(inclusion).enumerate() {
        let z = (o - runs * p) / (runs * p * (1.0 - p)).sqrt();
        assert!(
            z.abs() < Z_LIMIT,
            "target {}: drawn {o} times, expected {}, z = {z}",
            i + 1,
            runs * p
        );
    }
}

#[test]
fn a_single_weighted_pick_follows_the_weights() {
    let counts = frequencies(&params(1, 0.0), &[Selection::Weighted]);
    let by_weight = chi_square(&counts, &proportional(&WEIGHTS));
    assert!(
        by_weight < CHI2_7DF,
        "chi-square {by_weight} against the weights"
    );
    let uniform = chi_square(&counts, &[0.125; 8]);
    assert!(
        uniform > CHI2_7DF,
        "the test tells weighted from uniform: {uniform}"
    );
}

#[test]
fn weighted_picks_without_replacement_have_the_exact_inclusion_probabilities() {
    let counts = frequencies(&params(3, 0.0), &[Selection::Weighted]);
    assert_eq!(counts.iter().sum::<f64>(), f64::from(3 * RUNS));
    assert_z_scores_small(&counts, &inclusion_of_three(&WEIGHTS));
}

#[test]
fn the_uniform_share_ignores_the_weights() {
    let counts = frequencies(&params(1, 1.0), &[Selection::Uniform]);
    let uniform = chi_square(&counts, &[0.125; 8]);
    assert!(uniform < CHI2_7DF, "chi-square {uniform} against uniform");
    let by_weight = chi_square(&counts, &proportional(&WEIGHTS));
    assert!(
        by_weight > CHI2_7DF,
        "the test tells uniform from weighted: {by_weight}"
    );

    let counts = frequencies(&params(3, 1.0), &[Selection::Uniform]);
    assert_z_scores_small(&counts, &[3.0 / 8.0; 8]);
}

#[test]
fn in_a_mixed_sample_the_uniform_part_is_unweighted_and_the_rest_weighted() {
    // Two per run: round(0.5 × 2) = 1 uniform pick, then one weighted pick.
    let params = params(2, 0.5);
    let uniform = frequencies(&params, &[Selection::Uniform]);
    assert_eq!(uniform.iter().sum::<f64>(), f64::from(RUNS));
    let chi = chi_square(&uniform, &[0.125; 8]);
    assert!(chi < CHI2_7DF, "chi-square {chi} of the uniform picks");
    // After a uniform first pick u, the weighted pick takes i with w_i / (W - w_u).
    let total: f64 = WEIGHTS.iter().sum();
    let mut second = [0.0; 8];
    for (u, w_u) in WEIGHTS.iter().enumerate() {
        for (i, (p, w_i)) in second.iter_mut().zip(WEIGHTS.iter()).enumerate() {
            if i != u {
                *p += 0.125 * w_i / (total - w_u);
            }
        }
    }
    let weighted = frequencies(&params, &[Selection::Weighted]);
    let chi = chi_square(&weighted, &second);
    assert!(chi < CHI2_7DF, "chi-square {chi} of the weighted picks");
}
