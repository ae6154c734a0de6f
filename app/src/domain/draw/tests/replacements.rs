//! Replacements (补抽): from the cancelled target's stratum, never a target
//! drawn before, passing over those nobody can staff, and the same every time.

use entities::CreditClass::{A, B, D};

use super::{inspector, target};
use crate::domain::draw::replace::{Cancellation, ReplaceError, replay};
use crate::domain::draw::{Params, Population, Selection, run};

/// Ten high and four low targets in one county, four inspectors of the
/// province; target 12 can only be checked by inspector 1 (conflicts with the
/// others), so a team of two is never found for it.
fn population() -> (Population, Params) {
    let mut targets: Vec<_> = (1..=10)
        .map(|id| target(id, "130102", "high", [A, B, D][id as usize % 3]))
        .collect();
    targets.extend((11..=14).map(|id| target(id, "130102", "low", B)));
    let population = Population {
        targets,
        inspectors: (1..=4).map(|id| inspector(id, 1, "130000", &[])).collect(),
        conflicts: (2..=4)
            .map(|inspector_id| crate::domain::draw::Conflict {
                inspector_id,
                target_id: 12,
            })
            .collect(),
    };
    let params = Params {
        ratios: [("high", 0.3), ("low", 0.25)]
            .map(|(s, r)| (s.to_owned(), r))
            .into(),
        uniform_share: 0.0,
        require_qualification: false,
        ..Params::default()
    };
    (population, params)
}

fn cancel(target_id: i64, replace: bool) -> Cancellation {
    Cancellation { target_id, replace }
}

#[test]
fn each_replacement_is_new_and_of_the_cancelled_targets_stratum() {
    let (population, params) = population();
    for seed in 0..200 {
        let outcome = run(&population, &params, seed).unwrap();
        let mut drawn: Vec<i64> = outcome.tasks.iter().map(|t| t.target_id).collect();
        drawn.extend(outcome.unassigned.iter().map(|u| u.target_id));
        let first = outcome.tasks[0].target_id;
        let cancellations = [
            cancel(first, true),
            cancel(outcome.tasks[1].target_id, false),
        ];
        let replayed = replay(&population, &params, seed, &outcome, &cancellations, None).unwrap();
        let r = replayed[0].as_ref().expect("a replacement");
        assert!(!drawn.contains(&r.target_id), "seed {seed}: {r:?}");
        assert_eq!(
            population.target(r.target_id).unwrap().stratum,
            population.target(first).unwrap().stratum,
            "seed {seed}"
        );
        assert_eq!(r.inspector_ids.len(), 2, "seed {seed}");
        assert_eq!(r.selection, Selection::Weighted, "seed {seed}");
        assert_eq!(replayed[1], None, "seed {seed}");
        let again = replay(&population, &params, seed, &outcome, &cancellations, None).unwrap();
        assert_eq!(again, replayed, "seed {seed}: the same every time");
    }
}

#[test]
fn a_target_nobody_can_staff_is_passed_over_and_an_empty_stratum_gives_none() {
    let (population, params) = population();
    let mut seen_passed_over = false;
    for seed in 0..200 {
        let outcome = run(&population, &params, seed).unwrap();
        let low: Vec<i64> = outcome
            .tasks
            .iter()
            .map(|t| t.target_id)
            .filter(|&id| id > 10)
            .collect();
        let Some(&cancelled) = low.first() else {
            continue;
        };
        // The low stratum has four targets; replace until none is left.
        let mut cancellations = vec![cancel(cancelled, true)];
        let mut result = replay(&population, &params, seed, &outcome, &cancellations, None);
        while let Ok(replayed) = &result {
            let r = replayed.last().unwrap().as_ref().unwrap();
            assert_ne!(r.target_id, 12, "seed {seed}: 12 cannot be staffed");
            seen_passed_over |= r.passed_over.iter().any(|u| u.target_id == 12);
            cancellations.push(cancel(r.target_id, true));
            result = replay(&population, &params, seed, &outcome, &cancellations, None);
        }
        assert_eq!(
            result,
            Err(ReplaceError::NoTargetLeft {
                stratum: "low".to_owned()
            }),
            "seed {seed}"
        );
    }
    assert!(seen_passed_over, "target 12 is passed over in some replay");
}

#[test]
fn a_cancellation_of_a_target_without_a_live_task_is_refused() {
    let (population, params) = population();
    let outcome = run(&population, &params, 7).unwrap();
    let target = outcome.tasks[0].target_id;
    let twice = [cancel(target, false), cancel(target, true)];
    assert_eq!(
        replay(&population, &params, 7, &outcome, &twice, None),
        Err(ReplaceError::NotALiveTask(target))
    );
}
