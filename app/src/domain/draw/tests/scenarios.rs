//! Hand-made cases for each rule of the draw.

use entities::{CreditClass, Industry};

use super::{drawn, inspector, target};
use crate::domain::draw::{DrawError, Params, Population, Selection, UnassignedReason, run};

fn all_of(stratum: &str) -> Params {
    Params {
        ratios: [(stratum.to_owned(), 1.0)].into(),
        ..Params::default()
    }
}

#[test]
fn key_targets_are_taken_whole_and_the_ratio_applies_to_the_rest() {
    let mut targets: Vec<_> = (1..=20)
        .map(|id| target(id, "110101", "high", CreditClass::B))
        .collect();
    for t in &mut targets[..6] {
        t.key = true;
    }
    let population = Population {
        targets,
        ..Population::default()
    };
    let params = Params {
        ratios: [("high".to_owned(), 0.1)].into(),
        min_per_stratum: 0,
        key_all: true,
        ..Params::default()
    };
    let drawn = drawn(&run(&population, &params, 5).unwrap());
    let keys: Vec<i64> = drawn
        .iter()
        .filter(|d| d.1 == Selection::Key)
        .map(|d| d.0)
        .collect();
    assert_eq!(keys, [1, 2, 3, 4, 5, 6], "every key target, in id order");
    // The 14 others: ceil(10% × 14) = 2.
    assert_eq!(drawn.len(), 8);
    assert!(
        drawn
            .iter()
            .filter(|d| d.1 != Selection::Key)
            .all(|d| d.0 > 6)
    );
}

#[test]
fn a_stratum_without_a_ratio_takes_its_minimum_and_strata_go_riskiest_first() {
    let mut targets = Vec::new();
    let strata = ["low", "county", "major", "province", "high", "major"];
    for (id, stratum) in (1..).zip(strata) {
        targets.push(target(id, "110101", stratum, CreditClass::C));
    }
    let population = Population {
        targets,
        ..Population::default()
    };
    let params = Params {
        min_per_stratum: 1,
        ..Params::default()
    };
    let order: Vec<i64> = drawn(&run(&population, &params, 9).unwrap())
        .into_iter()
        .map(|d| d.0)
        .collect();
    // major (one of 3 or 6), high 5, low 1, province 4, county 2.
    assert_eq!(order.len(), 5);
    assert!([3, 6].contains(&order[0]), "{order:?}");
    assert_eq!(order[1..], [5, 1, 4, 2]);
}

#[test]
fn scope_follows_the_region_code_prefix_and_an_empty_region_is_national() {
    let population = Population {
        targets: vec![target(1, "110101", "low", CreditClass::A)],
        inspectors: vec![
            inspector(1, 1, "110102", &[]),
            inspector(2, 1, "110100", &[]),
            inspector(3, 1, "120000", &[]),
            inspector(4, 1, "", &[]),
        ],
        conflicts: Vec::new(),
    };
    let outcome = run(&population, &all_of("low"), 1).unwrap();
    let mut team = outcome.tasks[0].inspector_ids.clone();
    team.sort_unstable();
    assert_eq!(team, [2, 4], "the city's and the national inspector");
}

#[test]
fn a_target_without_enough_eligible_inspectors_is_listed_with_no_partial_team() {
    let mut second = target(2, "110101", "low", CreditClass::A);
    second.industry = Some(Industry::CoalMine);
    second.previous_inspectors = vec![3];
    let mut third = target(3, "110101", "low", CreditClass::A);
    third.own_department_id = Some(7);
    let population = Population {
        targets: vec![target(1, "110101", "low", CreditClass::A), second, third],
        inspectors: vec![
            inspector(1, 7, "110000", &[Industry::CoalMine]),
            inspector(2, 7, "110000", &[]),
            inspector(3, 8, "110000", &[Industry::CoalMine]),
        ],
        conflicts: vec![crate::domain::draw::Conflict {
            inspector_id: 1,
            target_id: 1,
        }],
    };
    let params = Params {
        uniform_share: 0.0,
        ..all_of("low")
    };
    let outcome = run(&population, &params, 3).unwrap();
    assert_eq!(outcome.tasks.len(), 1, "{outcome:?}");
    let mut team = outcome.tasks[0].inspector_ids.clone();
    team.sort_unstable();
    assert_eq!(
        (outcome.tasks[0].target_id, team),
        (1, vec![2, 3]),
        "1 is conflicted"
    );
    let unassigned: Vec<_> = outcome
        .unassigned
        .iter()
        .map(|u| (u.target_id, u.reason.clone()))
        .collect();
    let too_few = |found| UnassignedReason::TooFewInspectors { needed: 2, found };
    // Target 2: only inspector 1 is qualified and was not on its previous check.
    // Target 3: department 7's inspectors may not check department 7.
    assert!(unassigned.contains(&(2, too_few(1))), "{unassigned:?}");
    assert!(unassigned.contains(&(3, too_few(1))), "{unassigned:?}");
}

#[test]
fn a_joint_plan_puts_one_inspector_of_each_department_first() {
    let population = Population {
        targets: (1..=6)
            .map(|id| target(id, "110101", "low", CreditClass::B))
            .collect(),
        inspectors: (1..=9)
            .map(|id| inspector(id, 10 + id % 3, "11", &[]))
            .collect(),
        conflicts: Vec::new(),
    };
    let params = Params {
        inspectors_per_task: 3,
        department_ids: vec![12, 10],
        ..all_of("low")
    };
    let outcome = run(&population, &params, 11).unwrap();
    assert_eq!(outcome.tasks.len(), 6);
    let department = |id: i64| 10 + id % 3;
    for task in &outcome.tasks {
        assert_eq!(
            department(task.inspector_ids[0]),
            12,
            "the lead is from the first department"
        );
        assert_eq!(department(task.inspector_ids[1]), 10);
        assert_eq!(task.inspector_ids.len(), 3);
    }
}

#[test]
fn a_joint_department_with_nobody_eligible_leaves_the_target_unassigned() {
    let population = Population {
        targets: vec![target(1, "110101", "low", CreditClass::B)],
        inspectors: vec![inspector(1, 10, "11", &[]), inspector(2, 11, "12", &[])],
        conflicts: Vec::new(),
    };
    let params = Params {
        department_ids: vec![10, 11],
        ..all_of("low")
    };
    let outcome = run(&population, &params, 1).unwrap();
    assert_eq!(
        outcome.unassigned[0].reason,
        UnassignedReason::NoInspectorFromDepartment { department_id: 11 }
    );
}

#[test]
fn unsorted_populations_and_bad_parameters_are_refused() {
    let mut population = Population {
        targets: vec![
            target(2, "110101", "low", CreditClass::B),
            target(1, "110101", "low", CreditClass::B),
        ],
        ..Population::default()
    };
    let params = Params::default();
    assert_eq!(
        run(&population, &params, 0),
        Err(DrawError::TargetsNotSorted(1))
    );
    population.targets.reverse();
    let bad = [
        Params {
            ratios: [("low".to_owned(), 1.5)].into(),
            ..Params::default()
        },
        Params {
            uniform_share: f64::NAN,
            ..Params::default()
        },
        Params {
            inspectors_per_task: 0,
            ..Params::default()
        },
        Params {
            department_ids: vec![1, 2, 3],
            ..Params::default()
        },
        Params {
            department_ids: vec![1, 1],
            ..Params::default()
        },
    ];
    for params in bad {
        assert!(
            matches!(
                run(&population, &params, 0),
                Err(DrawError::InvalidParam { .. })
            ),
            "{params:?}"
        );
    }
    let mut weights = Params::default();
    weights.weights.c = 0.0;
    assert!(matches!(
        run(&population, &weights, 0),
        Err(DrawError::InvalidParam { .. })
    ));
}

#[test]
fn params_are_stored_as_json_with_their_field_names() {
    let json = serde_json::to_value(Params::default()).unwrap();
    assert_eq!(json["uniform_share"], 0.2);
    assert_eq!(json["weights"]["key_multiplier"], 2.0);
    assert_eq!(json["inspectors_per_task"], 2);
    let back: Params = serde_json::from_value(json).unwrap();
    assert_eq!(back, Params::default());
}
