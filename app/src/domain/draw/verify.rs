//! Checking a stored draw: re-run it from its seed, parameters and population
//! snapshot, and compare what comes out with the tasks stored now.

use serde::Serialize;

use super::replace::{self, Cancellation};
use super::{ALGORITHM, Outcome, Params, Population, Unassigned, run, seed_from_text, snapshot};

/// A draw as stored, with its tasks as they are now.
#[derive(Debug, Clone, Copy)]
pub struct StoredDraw<'a> {
    /// The algorithm version that made it.
    pub algorithm: &'a str,
    /// Its seed.
    pub seed: u64,
    /// The public text the seed came from, if any: it must give the seed.
    pub seed_text: Option<&'a str>,
    /// The population hash its announcement committed to, for a draw announced
    /// beforehand: the snapshot must be that population.
    pub announced_sha256: Option<&'a str>,
    /// The parameters stored with it (unknown fields are ignored).
    pub params: &'a serde_json::Value,
    /// The population size it records.
    pub population_size: i32,
    /// The SHA-256 of the population snapshot it records.
    pub population_sha256: &'a str,
    /// The compressed population snapshot.
    pub population_snapshot: &'a [u8],
    /// Its tasks, in draw order.
    pub tasks: &'a [StoredTask<'a>],
    /// Its drawn targets nobody could be assigned to.
    pub unassigned: &'a [Unassigned],
    /// Its cancellations in the order they were made, each with its replacement.
    pub cancellations: &'a [StoredCancellation<'a>],
}

/// A stored cancellation: the cancelled target, and the replacement task if one
/// was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCancellation<'a> {
    /// The target of the cancelled task.
    pub target_id: i64,
    /// Whether a replacement was asked for.
    pub replace: bool,
    /// The replacement task stored, if any.
    pub replacement: Option<StoredTask<'a>>,
}

/// A stored task as the comparison sees it: its target and team, lead first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredTask<'a> {
    /// The enterprise or department.
    pub target_id: i64,
    /// The team, lead first.
    pub inspector_ids: &'a [i64],
}

/// The result of re-running a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether the stored draw is exactly what the algorithm gives.
    pub verified: bool,
    /// Every difference found.
    pub mismatches: Vec<String>,
}

impl Verification {
    fn of(mismatches: Vec<String>) -> Self {
        Self {
            verified: mismatches.is_empty(),
            mismatches,
        }
    }
}

/// Re-runs `stored` and lists every way it differs from the re-run: the
/// algorithm version, the seed against its public text, the snapshot's hash
/// against the record and the announcement, its size, then task by task.
#[must_use]
pub fn verify(stored: &StoredDraw<'_>) -> Verification {
    let mut mismatches = Vec::new();
    if let Some((population, params, expected)) = rerun(stored, &mut mismatches) {
        mismatches.extend(compare(&expected, stored.tasks, stored.unassigned));
        mismatches.extend(compare_replacements(
            &population,
            &params,
            stored.seed,
            &expected,
            stored.cancellations,
        ));
    }
    Verification::of(mismatches)
}

/// Every difference between the replacements a replay of the stored
/// cancellations gives and the stored ones, numbered from 1 in cancellation order.
#[must_use]
pub fn compare_replacements(
    population: &Population,
    params: &Params,
    seed: u64,
    expected: &Outcome,
    cancellations: &[StoredCancellation<'_>],
) -> Vec<String> {
    if cancellations.is_empty() {
        return Vec::new();
    }
    let asked: Vec<Cancellation> = cancellations
        .iter()
        .map(|c| Cancellation {
            target_id: c.target_id,
            replace: c.replace,
        })
        .collect();
    let replayed = match replace::replay(population, params, seed, expected, &asked, None) {
        Ok(replayed) => replayed,
        Err(e) => return vec![format!("the cancellations cannot be replayed: {e}")],
    };
    let mut mismatches = Vec::new();
    for (i, (c, r)) in cancellations.iter().zip(replayed).enumerate() {
        let place = format!("cancellation #{} (target {})", i + 1, c.target_id);
        match (r, c.replacement) {
            (None, None) => {}
            (Some(e), Some(a)) if e.target_id != a.target_id => mismatches.push(format!(
                "{place}: replacement target {} expected, {} stored",
                e.target_id, a.target_id
            )),
            (Some(e), Some(a)) if e.inspector_ids != a.inspector_ids => {
                mismatches.push(format!(
                    "{place}: replacement {} with inspectors {:?} expected, {:?} stored",
                    e.target_id, e.inspector_ids, a.inspector_ids
                ));
            }
            (Some(_), Some(_)) => {}
            (Some(e), None) => mismatches.push(format!(
                "{place}: replacement target {} expected, none stored",
                e.target_id
            )),
            (None, Some(a)) => mismatches.push(format!(
                "{place}: no replacement expected, target {} stored",
                a.target_id
            )),
        }
    }
    mismatches
}

/// The population, parameters and outcome the stored inputs give, or `None`
/// when they cannot be re-run; records what does not match on the way.
fn rerun(
    stored: &StoredDraw<'_>,
    mismatches: &mut Vec<String>,
) -> Option<(Population, Params, Outcome)> {
    if stored.algorithm != ALGORITHM {
        mismatches.push(format!(
            "draw was made by algorithm {}, this server runs {ALGORITHM}",
            stored.algorithm
        ));
        return None;
    }
    if let Some(text) = stored.seed_text
        && seed_from_text(text) != stored.seed
    {
        mismatches.push(format!(
            "seed {} recorded, its seed text gives {}",
            stored.seed,
            seed_from_text(text)
        ));
    }
    if let Some(announced) = stored.announced_sha256
        && announced != stored.population_sha256
    {
        mismatches.push(format!(
            "the announcement committed to population {announced}, the draw records {}",
            stored.population_sha256
        ));
    }
    let unreadable = |e: &dyn std::fmt::Display| format!("population snapshot unreadable: {e}");
    let bytes = snapshot::decompress(stored.population_snapshot, snapshot::MAX_LEN)
        .map_err(|e| mismatches.push(unreadable(&e)))
        .ok()?;
    let sha = snapshot::sha256_hex(&bytes);
    if sha != stored.population_sha256 {
        mismatches.push(format!(
            "population snapshot hashes to {sha}, the draw records {}",
            stored.population_sha256
        ));
    }
    let population = snapshot::decode(&bytes)
        .map_err(|e| mismatches.push(unreadable(&e)))
        .ok()?;
    if usize::try_from(stored.population_size).ok() != Some(population.targets.len()) {
        mismatches.push(format!(
            "population size {} recorded, snapshot has {}",
            stored.population_size,
            population.targets.len()
        ));
    }
    let params: Params = serde_json::from_value(stored.params.clone())
        .map_err(|e| mismatches.push(format!("parameters unreadable: {e}")))
        .ok()?;
    let outcome = run(&population, &params, stored.seed)
        .map_err(|e| mismatches.push(format!("the draw cannot be re-run: {e}")))
        .ok()?;
    Some((population, params, outcome))
}

/// Every difference between a re-run's outcome and the stored tasks and
/// unassigned targets: the task count, each task's target or else its team
/// (numbered from 1 in draw order), and the unassigned targets as a whole.
#[must_use]
pub fn compare(
    expected: &Outcome,
    tasks: &[StoredTask<'_>],
    unassigned: &[Unassigned],
) -> Vec<String> {
    let mut mismatches = Vec::new();
    if expected.tasks.len() != tasks.len() {
        mismatches.push(format!(
            "{} tasks expected, {} stored",
            expected.tasks.len(),
            tasks.len()
        ));
    }
    for (i, (e, a)) in expected.tasks.iter().zip(tasks).enumerate() {
        if e.target_id != a.target_id {
            mismatches.push(format!(
                "task #{}: target {} expected, {} stored",
                i + 1,
                e.target_id,
                a.target_id
            ));
        } else if e.inspector_ids != a.inspector_ids {
            mismatches.push(format!(
                "task #{} (target {}): inspectors {:?} expected, {:?} stored",
                i + 1,
                e.target_id,
                e.inspector_ids,
                a.inspector_ids
            ));
        }
    }
    if expected.unassigned != unassigned {
        mismatches.push("the unassigned targets differ from the re-run".to_owned());
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use entities::CreditClass;

    use super::*;
    use crate::domain::draw::{
        DrawnTask, Inspector, Population, Selection, Target, UnassignedReason,
    };

    fn task(target_id: i64, inspector_ids: &[i64]) -> DrawnTask {
        DrawnTask {
            target_id,
            selection: Selection::Weighted,
            inspector_ids: inspector_ids.to_vec(),
        }
    }

    fn stored<'a>(tasks: &'a [(i64, Vec<i64>)]) -> Vec<StoredTask<'a>> {
        tasks
            .iter()
            .map(|(target_id, team)| StoredTask {
                target_id: *target_id,
                inspector_ids: team,
            })
            .collect()
    }

    fn expected() -> Outcome {
        Outcome {
            tasks: vec![task(7, &[1, 2]), task(9, &[3, 1])],
            unassigned: vec![Unassigned {
                target_id: 8,
                selection: Selection::Uniform,
                reason: UnassignedReason::TooFewInspectors {
                    needed: 2,
                    found: 1,
                },
            }],
        }
    }

    #[test]
    fn the_same_tasks_compare_equal() {
        let outcome = expected();
        let tasks = [(7, vec![1, 2]), (9, vec![3, 1])];
        assert_eq!(
            compare(&outcome, &stored(&tasks), &outcome.unassigned),
            Vec::<String>::new()
        );
    }

    /// What changed, the stored tasks and unassigned targets, the mismatches named.
    type Case<'a> = (
        &'a str,
        Vec<(i64, Vec<i64>)>,
        &'a [Unassigned],
        &'a [&'a str],
    );

    #[test]
    fn each_difference_is_named_by_its_place_in_draw_order() {
        let outcome = expected();
        let cases: [Case<'_>; 4] = [
            (
                "another target",
                vec![(7, vec![1, 2]), (10, vec![3, 1])],
                &outcome.unassigned,
                &["task #2: target 9 expected, 10 stored"],
            ),
            (
                "another team, or the same team in another order",
                vec![(7, vec![2, 1]), (9, vec![3, 1])],
                &outcome.unassigned,
                &["task #1 (target 7): inspectors [1, 2] expected, [2, 1] stored"],
            ),
            (
                "a task missing",
                vec![(7, vec![1, 2])],
                &outcome.unassigned,
                &["2 tasks expected, 1 stored"],
            ),
            (
                "the unassigned lost",
                vec![(7, vec![1, 2]), (9, vec![3, 1])],
                &[],
                &["the unassigned targets differ from the re-run"],
            ),
        ];
        for (what, tasks, unassigned, mismatches) in cases {
            assert_eq!(
                compare(&outcome, &stored(&tasks), unassigned),
                mismatches.to_vec(),
                "{what}"
            );
        }
    }

    /// A small draw as the service stores it: its outcome, params and snapshot.
    fn a_stored_draw() -> (Outcome, serde_json::Value, Vec<u8>, String, i32) {
        let population = Population {
            targets: (1..=6)
                .map(|id| Target {
                    id,
                    region_code: "130203".to_owned(),
                    stratum: "high".to_owned(),
                    credit_class: CreditClass::B,
                    key: false,
                    industry: None,
                    own_department_id: None,
                    previous_inspectors: Vec::new(),
                })
                .collect(),
            inspectors: (1..=3)
                .map(|id| Inspector {
                    id,
                    department_id: 1,
                    region_code: "130000".to_owned(),
                    industries: Vec::new(),
                })
                .collect(),
            conflicts: Vec::new(),
        };
        let params = Params {
            ratios: [("high".to_owned(), 0.5)].into(),
            require_qualification: false,
            ..Params::default()
        };
        let outcome = run(&population, &params, 42).unwrap_or_default();
        let bytes = snapshot::encode(&population).unwrap_or_default();
        let sha = snapshot::sha256_hex(&bytes);
        let compressed = snapshot::compress(&bytes).unwrap_or_default();
        let params = serde_json::to_value(&params).unwrap_or_default();
        (outcome, params, compressed, sha, 6)
    }

    #[test]
    fn a_draw_verifies_until_its_record_is_changed() {
        let (outcome, params, snapshot, sha, size) = a_stored_draw();
        let teams: Vec<(i64, Vec<i64>)> = outcome
            .tasks
            .iter()
            .map(|t| (t.target_id, t.inspector_ids.clone()))
            .collect();
        assert_eq!(teams.len(), 3, "half of six drawn");
        let tasks = stored(&teams);
        let draw = StoredDraw {
            algorithm: ALGORITHM,
            seed: 42,
            seed_text: None,
            announced_sha256: None,
            params: &params,
            population_size: size,
            population_sha256: &sha,
            population_snapshot: &snapshot,
            tasks: &tasks,
            unassigned: &outcome.unassigned,
            cancellations: &[],
        };
        assert_eq!(verify(&draw), Verification::of(Vec::new()));

        let other_seed = verify(&StoredDraw { seed: 43, ..draw });
        assert!(!other_seed.verified, "another seed draws others");
        let mismatches = |changed: StoredDraw<'_>| verify(&changed).mismatches;
        let text = "2026-12-01 福利彩票 07 12 25";
        assert_eq!(
            mismatches(StoredDraw {
                seed_text: Some(text),
                ..draw
            }),
            [format!(
                "seed 42 recorded, its seed text gives {}",
                seed_from_text(text)
            )]
        );
        let other = "ab".repeat(32);
        assert_eq!(
            mismatches(StoredDraw {
                announced_sha256: Some(&other),
                ..draw
            }),
            [format!(
                "the announcement committed to population {other}, the draw records {sha}"
            )]
        );
        assert!(
            verify(&StoredDraw {
                announced_sha256: Some(&sha),
                ..draw
            })
            .verified,
            "the population announced is the one drawn"
        );
        assert_eq!(
            mismatches(StoredDraw {
                algorithm: "spotcheck-draw/0",
                ..draw
            }),
            [format!(
                "draw was made by algorithm spotcheck-draw/0, this server runs {ALGORITHM}"
            )]
        );
        assert_eq!(
            mismatches(StoredDraw {
                population_size: 7,
                ..draw
            }),
            ["population size 7 recorded, snapshot has 6"]
        );
        let forged = "0".repeat(64);
        assert_eq!(
            mismatches(StoredDraw {
                population_sha256: &forged,
                ..draw
            }),
            [format!(
                "population snapshot hashes to {sha}, the draw records {forged}"
            )]
        );
        let unreadable = mismatches(StoredDraw {
            population_snapshot: b"not a snapshot",
            ..draw
        });
        assert!(
            unreadable.len() == 1 && unreadable[0].starts_with("population snapshot unreadable"),
            "{unreadable:?}"
        );
        let no_params = serde_json::json!({"ratios": "half"});
        let unreadable = mismatches(StoredDraw {
            params: &no_params,
            ..draw
        });
        assert!(
            unreadable.len() == 1 && unreadable[0].starts_with("parameters unreadable"),
            "{unreadable:?}"
        );
    }
}
