//! A plan's draw parameters, and the exact integers the algorithm works with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DrawError, Stratum};

/// Fractions (ratios, the uniform share) are used in millionths.
pub(crate) const PPM: u64 = 1_000_000;
/// Weights are used in millionths too, and must lie in this range.
const WEIGHT_RANGE: (f64, f64) = (0.001, 1000.0);

/// Sampling weights per credit class (信用风险分类), and the key-supervision factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CreditWeights {
    /// Class A (best).
    pub a: f64,
    /// Class B.
    pub b: f64,
    /// Class C.
    pub c: f64,
    /// Class D (worst).
    pub d: f64,
    /// Factor for key-supervision targets (重点监管).
    pub key_multiplier: f64,
}

impl Default for CreditWeights {
    fn default() -> Self {
        Self {
            a: 0.5,
            b: 1.0,
            c: 1.5,
            d: 2.0,
            key_multiplier: 2.0,
        }
    }
}

/// A plan's parameters as the draw uses them; stored with the draw as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Sampling ratio per stratum name, 0 to 1; a stratum not listed has ratio 0.
    pub ratios: BTreeMap<String, f64>,
    /// Each stratum's sample has at least this many targets (or all of them).
    pub min_per_stratum: u32,
    /// Key-supervision targets are all drawn; the ratio applies to the rest.
    pub key_all: bool,
    /// Share of each stratum's sample drawn ignoring weights, 0 to 1.
    pub uniform_share: f64,
    /// Weights per credit class.
    #[serde(default)]
    pub weights: CreditWeights,
    /// Team size, lead included.
    pub inspectors_per_task: u32,
    /// Inspectors must be qualified for the target's industry.
    pub require_qualification: bool,
    /// Joint plan (联合抽查): each team has an inspector from each of these departments.
    #[serde(default)]
    pub department_ids: Vec<i64>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            ratios: BTreeMap::new(),
            min_per_stratum: 1,
            key_all: false,
            uniform_share: 0.2,
            weights: CreditWeights::default(),
            inspectors_per_task: 2,
            require_qualification: true,
            department_ids: Vec::new(),
        }
    }
}

/// The parameters as exact integers.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    /// By stratum, in [`Stratum::ALL`] order.
    ratio_ppm: [u64; 7],
    pub min_per_stratum: u64,
    pub key_all: bool,
    pub uniform_ppm: u64,
    /// Weight in millionths, by credit class then key flag.
    units: [[u64; 2]; 4],
}

impl Rules {
    /// The stratum's ratio in millionths; 0 when the plan does not list it.
    pub fn ratio_ppm(&self, stratum: Stratum) -> u64 {
        self.ratio_ppm[stratum as usize]
    }

    /// The weight in millionths of the targets of list `l`: class rank (A = 0 …
    /// D = 3) times two, plus one for key targets.
    pub fn list_units(&self, l: usize) -> u64 {
        self.units[l / 2][l % 2]
    }
}

/// `round(x × 10⁶)`, rounding halves away from zero, for an `x` already checked
/// to be finite and within 0..=10⁶ (callers check), so the cast is exact.
pub(crate) fn millionths(x: f64) -> u64 {
    (x * 1e6).round() as u64
}

fn invalid(field: impl Into<String>, reason: &'static str) -> DrawError {
    DrawError::InvalidParam {
        field: field.into(),
        reason,
    }
}

fn fraction(field: impl Into<String>, x: f64) -> Result<u64, DrawError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(millionths(x))
    } else {
        Err(invalid(field, "must be a number from 0 to 1"))
    }
}

fn weight(field: &str, x: f64) -> Result<f64, DrawError> {
    if x.is_finite() && (WEIGHT_RANGE.0..=WEIGHT_RANGE.1).contains(&x) {
        Ok(x)
    } else {
        Err(invalid(field, "must be a number from 0.001 to 1000"))
    }
}

impl Params {
    /// Checks the parameters as a draw would, without drawing.
    ///
    /// # Errors
    /// The first parameter out of its range.
    pub fn check(&self) -> Result<(), DrawError> {
        self.rules().map(|_| ())
    }

    /// Checks the parameters and turns them into the integers the draw uses.
    pub(crate) fn rules(&self) -> Result<Rules, DrawError> {
        let mut ratio_ppm = [0; 7];
        for (name, &ratio) in &self.ratios {
            let field = || format!("ratios.{name}");
            let stratum =
                Stratum::from_name(name).ok_or_else(|| invalid(field(), "is not a stratum"))?;
            ratio_ppm[stratum as usize] = fraction(field(), ratio)?;
        }
        let uniform_ppm = fraction("uniform_share", self.uniform_share)?;
        let w = &self.weights;
        let classes = [
            weight("weights.a", w.a)?,
            weight("weights.b", w.b)?,
            weight("weights.c", w.c)?,
            weight("weights.d", w.d)?,
        ];
        let multiplier = weight("weights.key_multiplier", w.key_multiplier)?;
        let units = classes.map(|c| [millionths(c), millionths(c * multiplier)]);
        if self.inspectors_per_task == 0 {
            return Err(invalid("inspectors_per_task", "must be at least 1"));
        }
        let departments = self.department_ids.len();
        if u32::try_from(departments).map_or(true, |d| d > self.inspectors_per_task) {
            return Err(invalid(
                "department_ids",
                "a joint plan needs inspectors_per_task of at least one per department",
            ));
        }
        let mut unique = self.department_ids.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != departments {
            return Err(invalid(
                "department_ids",
                "must not list a department twice",
            ));
        }
        Ok(Rules {
            ratio_ppm,
            min_per_stratum: u64::from(self.min_per_stratum),
            key_all: self.key_all,
            uniform_ppm,
            units,
        })
    }
}
