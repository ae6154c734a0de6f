//! Cancelling one target of a draw and drawing its replacement (补抽).
//!
//! A replacement comes from the cancelled target's stratum in the draw's own
//! population snapshot, leaving out every target the draw has already drawn
//! (its tasks, its unassigned targets, earlier replacements and the targets they
//! passed over). Its random numbers come from a stream of its own, keyed by the
//! draw's seed and the replacement's ordinal, so that the draw's published stream
//! stays as it was and every replacement can be re-run from the stored record:
//! `docs/draw-algorithm.md`, section 9.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::params::Rules;
use super::sample::{Lists, list_of, take};
use super::seed::{DrawRng, TraceEntry, replacement_key};
use super::{DrawError, Outcome, Params, Population, Selection, Unassigned, assign};

/// One cancellation of a draw's task, in the order they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancellation {
    /// The target of the cancelled task.
    pub target_id: i64,
    /// Whether a replacement was drawn for it.
    pub replace: bool,
}

/// A replacement target and its team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// Its place among the draw's replacements, from 1: it names its stream.
    pub ordinal: u64,
    /// The enterprise or department.
    pub target_id: i64,
    /// How it was drawn: as the cancelled target was (`key` becomes `weighted`).
    pub selection: Selection,
    /// The team, lead first.
    pub inspector_ids: Vec<i64>,
    /// Targets picked before it that nobody could be assigned to, in pick order.
    pub passed_over: Vec<Unassigned>,
}

/// Why a cancellation cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplaceError {
    /// The cancelled target is not a live task of the draw.
    #[error("target {0} has no live task in the draw")]
    NotALiveTask(i64),
    /// The stratum has no target left that can be staffed.
    #[error("stratum '{stratum}' has no target left that can be staffed")]
    NoTargetLeft {
        /// The cancelled target's stratum.
        stratum: String,
    },
    /// The draw's parameters cannot be used.
    #[error(transparent)]
    Draw(#[from] DrawError),
}

/// Replays a draw's cancellations in order on its outcome: for each one that
/// asked for a replacement, the replacement drawn. Each entry answers the
/// cancellation at the same place (`None`: no replacement asked for).
///
/// # Errors
/// When a cancellation names no live task, or a replacement finds no target.
pub fn replay(
    population: &Population,
    params: &Params,
    seed: u64,
    outcome: &Outcome,
    cancellations: &[Cancellation],
    mut trace: Option<&mut Vec<TraceEntry>>,
) -> Result<Vec<Option<Replacement>>, ReplaceError> {
    let rules = params.rules()?;
    let mut state = State::new(outcome);
    let mut ordinal = 0;
    let mut replacements = Vec::with_capacity(cancellations.len());
    for c in cancellations {
        let selection = state.cancel(c.target_id)?;
        if !c.replace {
            replacements.push(None);
            continue;
        }
        ordinal += 1;
        let mut rng = DrawRng::keyed(replacement_key(seed, ordinal), trace.as_deref_mut());
        let stratum = population
            .target(c.target_id)
            .map(|t| t.stratum.clone())
            .unwrap_or_default();
        let replacement = state
            .draw_one(population, params, &rules, &stratum, selection, &mut rng)
            .map(|mut r| {
                r.ordinal = ordinal;
                r
            })?;
        replacements.push(Some(replacement));
    }
    Ok(replacements)
}

/// What the draw holds at one moment of the replay.
struct State {
    /// Every target drawn so far, staffed or not.
    drawn: HashSet<i64>,
    /// Live tasks: target → (how it was drawn, team).
    live: HashMap<i64, (Selection, Vec<i64>)>,
    /// Live tasks per inspector.
    loads: HashMap<i64, u32>,
}

impl State {
    fn new(outcome: &Outcome) -> Self {
        let mut state = Self {
            drawn: outcome.unassigned.iter().map(|u| u.target_id).collect(),
            live: HashMap::new(),
            loads: HashMap::new(),
        };
        for t in &outcome.tasks {
            state.add(t.target_id, t.selection, t.inspector_ids.clone());
        }
        state
    }

    fn add(&mut self, target_id: i64, selection: Selection, team: Vec<i64>) {
        for &i in &team {
            *self.loads.entry(i).or_default() += 1;
        }
        self.drawn.insert(target_id);
        self.live.insert(target_id, (selection, team));
    }

    /// Ends a live task, freeing its team; how its target was drawn.
    fn cancel(&mut self, target_id: i64) -> Result<Selection, ReplaceError> {
        let (selection, team) = self
            .live
            .remove(&target_id)
            .ok_or(ReplaceError::NotALiveTask(target_id))?;
        for i in team {
            if let Some(load) = self.loads.get_mut(&i) {
                *load = load.saturating_sub(1);
            }
        }
        Ok(selection)
    }

    /// Picks targets of `stratum` not yet drawn until one can be staffed.
    fn draw_one(
        &mut self,
        population: &Population,
        params: &Params,
        rules: &Rules,
        stratum: &str,
        cancelled: Selection,
        rng: &mut DrawRng<'_>,
    ) -> Result<Replacement, ReplaceError> {
        let mut lists: Lists = Default::default();
        for (i, t) in population.targets.iter().enumerate() {
            if t.stratum == stratum && !self.drawn.contains(&t.id) {
                lists[list_of(t)].push(i);
            }
        }
        let (factors, selection) = match cancelled {
            Selection::Uniform => ([1; 8], Selection::Uniform),
            Selection::Key | Selection::Weighted => (
                std::array::from_fn(|l| rules.list_units(l)),
                Selection::Weighted,
            ),
        };
        let mut passed_over = Vec::new();
        while let Some(index) = take(&mut lists, &factors, rng) {
            let target_id = population.targets[index].id;
            self.drawn.insert(target_id);
            match assign::staff_one(population, params, &self.loads, index, rng) {
                Ok(team) => {
                    self.add(target_id, selection, team.clone());
                    return Ok(Replacement {
                        ordinal: 0,
                        target_id,
                        selection,
                        inspector_ids: team,
                        passed_over,
                    });
                }
                Err(reason) => passed_over.push(Unassigned {
                    target_id,
                    selection,
                    reason,
                }),
            }
        }
        Err(ReplaceError::NoTargetLeft {
            stratum: stratum.to_owned(),
        })
    }
}
