//! The answers tests read most, as typed values: only the fields tests look
//! at, so that the API may grow without touching them. Written here rather
//! than borrowed from the app, so that a change to the wire format shows up
//! as a failing test.

use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;

/// Reads an answer as `T`, failing the test with the answer when it does not fit.
#[must_use]
pub fn read<T: DeserializeOwned>(answer: &Value) -> T {
    match T::deserialize(answer) {
        Ok(value) => value,
        Err(e) => panic!(
            "the answer is not a {}: {e}: {answer}",
            std::any::type_name::<T>()
        ),
    }
}

/// Anything with an id: what most tests keep of a created object.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Created {
    /// The new object's id.
    pub id: i64,
}

/// One page of a list answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T = Value> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items there are on all pages.
    pub total: usize,
    /// Which page, from 1.
    pub page: usize,
    /// How many items a page holds.
    pub page_size: usize,
}

impl Page<Value> {
    /// The text values of `field` in the items, in order (items without it left out).
    #[must_use]
    pub fn column(&self, field: &str) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| i[field].as_str())
            .collect()
    }
}

impl Page<Created> {
    /// The items' ids, in order.
    #[must_use]
    pub fn ids(&self) -> Vec<i64> {
        self.items.iter().map(|i| i.id).collect()
    }
}

/// An error answer (`{"code","message","errors"}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    /// The stable error code (`forbidden`, `validation_failed`, …).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The fields that failed validation, when any did.
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
}

/// A field that failed validation.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldProblem {
    /// The field's path (`indicators[0].name`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl Problem {
    /// The fields named, in order.
    #[must_use]
    pub fn fields(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.field.as_str()).collect()
    }

    /// Whether a field is named with a message containing `says`.
    #[must_use]
    pub fn names(&self, field: &str, says: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field == field && e.message.contains(says))
    }
}

/// A draw as answered by `POST /plans/{id}/draws` and `GET /draws/{id}`
/// (the list of a plan's draws leaves out the tasks).
#[derive(Debug, Clone, Deserialize)]
pub struct DrawView {
    /// The draw's id.
    pub id: i64,
    /// How it was started: `manual`, `cron` or `redraw`.
    pub trigger: String,
    /// The seed.
    pub seed: u64,
    /// Where the seed came from: `random`, `given`, `public_text` or `unrecorded`.
    pub seed_source: String,
    /// How many targets could be drawn.
    pub population_size: u64,
    /// The draw that replaced this one, if any.
    pub superseded_by: Option<i64>,
    /// The drawn tasks, in draw order.
    #[serde(default)]
    pub tasks: Vec<DrawnTask>,
}

/// A drawn task: its target and team, lead first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DrawnTask {
    /// The task's id.
    pub task_id: i64,
    /// The enterprise (or department) to check.
    pub target_id: i64,
    /// The team, lead first.
    pub inspector_ids: Vec<i64>,
}

impl DrawView {
    /// The tasks as `(target_id, inspector_ids)`, in draw order.
    #[must_use]
    pub fn teams(&self) -> Vec<(i64, Vec<i64>)> {
        self.tasks
            .iter()
            .map(|t| (t.target_id, t.inspector_ids.clone()))
            .collect()
    }

    /// The task ids, in draw order.
    #[must_use]
    pub fn task_ids(&self) -> Vec<i64> {
        self.tasks.iter().map(|t| t.task_id).collect()
    }

    /// The drawn target ids, sorted.
    #[must_use]
    pub fn targets(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.tasks.iter().map(|t| t.target_id).collect();
        ids.sort_unstable();
        ids
    }
}

/// An indicator set as created: its id and its indicators' ids.
#[derive(Debug, Clone)]
pub struct IndicatorSet {
    /// The set's id.
    pub id: i64,
    /// Its indicators' ids, in the order of their codes.
    pub indicators: Vec<i64>,
}

impl<'de> Deserialize<'de> for IndicatorSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Indicator {
            id: i64,
            code: String,
        }
        #[derive(Deserialize)]
        struct Set {
            id: i64,
            indicators: Vec<Indicator>,
        }
        let mut set = Set::deserialize(deserializer)?;
        set.indicators.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Self {
            id: set.id,
            indicators: set.indicators.into_iter().map(|i| i.id).collect(),
        })
    }
}
