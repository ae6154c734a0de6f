//! Score formulas over plain numbers: indicator percentages, the overall score,
//! its grade, and ranks; and the periods the nightly recomputation covers.

use chrono::{DateTime, Duration, Utc};
use entities::Grade;

use super::{Period, workdays::china_date};

/// One indicator's contribution: points earned out of `max`, with a weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Points earned, 0 to `max`.
    pub points: f64,
    /// The indicator's maximum points.
    pub max: f64,
    /// The indicator's weight.
    pub weight: f64,
}

/// 100 × Σ wᵢ·pᵢ/maxᵢ ÷ Σ wᵢ; `None` when nothing carries weight.
///
/// Indicators with no maximum or no weight are left out; points are clamped
/// to `0..=max`.
#[must_use]
pub fn weighted_percent(items: &[Scored]) -> Option<f64> {
    let mut numerator = 0.0;
    let mut denominator = 0.0;
    for item in items {
        if item.max > 0.0 && item.weight > 0.0 && item.max.is_finite() && item.weight.is_finite() {
            numerator += item.weight * (item.points.clamp(0.0, item.max) / item.max);
            denominator += item.weight;
        }
    }
    (denominator > 0.0).then(|| 100.0 * numerator / denominator)
}

/// Rounds a score to two decimals for storage and display.
#[must_use]
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Σ weight·share and Σ weight over the indicators counted for one subject,
/// summed as the checks or self-assessments come in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WeightedSum {
    /// Σ weightᵢ·pointsᵢ/maxᵢ.
    pub total: f64,
    /// Σ weightᵢ.
    pub weight: f64,
}

impl WeightedSum {
    /// Adds another part's sums.
    pub fn add(&mut self, total: f64, weight: f64) {
        self.total += total;
        self.weight += weight;
    }

    /// 100 × total ÷ weight, rounded; `None` when nothing carried weight.
    #[must_use]
    pub fn percent(self) -> Option<f64> {
        (self.weight > 0.0).then(|| round2(100.0 * self.total / self.weight))
    }
}

/// A sum of values and how many there were, for their mean.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    /// Σ value.
    pub total: f64,
    /// How many values.
    pub count: f64,
}

impl Tally {
    /// Adds `count` values summing to `total`.
    pub fn add(&mut self, total: f64, count: f64) {
        self.total += total;
        self.count += count;
    }

    /// The mean, rounded; `None` when there was nothing.
    #[must_use]
    pub fn mean(self) -> Option<f64> {
        (self.count > 0.0).then(|| round2(self.total / self.count))
    }
}

/// The weights of the three parts of the overall score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Of `data_security`.
    pub data_security: f64,
    /// Of `reporting_compliance`.
    pub reporting: f64,
    /// Of `inspection`.
    pub inspection: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            data_security: 0.35,
            reporting: 0.35,
            inspection: 0.30,
        }
    }
}

/// The three parts of a score; `None` where the subject had nothing to score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Parts {
    /// 0 to 100.
    pub data_security: Option<f64>,
    /// 0 to 100.
    pub reporting: Option<f64>,
    /// 0 to 100.
    pub inspection: Option<f64>,
}

/// The weighted mean of the parts present, the weights renormalised over them;
/// `None` when no part is present (or none carries weight).
#[must_use]
pub fn overall(parts: &Parts, weights: &Weights) -> Option<f64> {
    let pairs = [
        (parts.data_security, weights.data_security),
        (parts.reporting, weights.reporting),
        (parts.inspection, weights.inspection),
    ];
    let mut numerator = 0.0;
    let mut denominator = 0.0;
    for (value, weight) in pairs {
        if let Some(value) = value
            && weight > 0.0
        {
            numerator += weight * value;
            denominator += weight;
        }
    }
    (denominator > 0.0).then(|| numerator / denominator)
}

/// ≥ 90 excellent (优秀), ≥ 75 good (良好), ≥ 60 pass (合格), else fail (不合格).
#[must_use]
pub fn grade(overall: f64) -> Grade {
    if overall >= 90.0 {
        Grade::Excellent
    } else if overall >= 75.0 {
        Grade::Good
    } else if overall >= 60.0 {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

/// Competition ranks ("1, 2, 2, 4") by value, highest first: equal values share
/// the best rank of their group and the next value skips the shared places.
/// Returns the rank of each input, in input order.
#[must_use]
pub fn competition_ranks(values: &[f64]) -> Vec<i32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut ranks = vec![0; values.len()];
    let mut previous: Option<(f64, i32)> = None;
    for (place, &index) in order.iter().enumerate() {
        let place = i32::try_from(place + 1).unwrap_or(i32::MAX);
        let rank = match previous {
            Some((value, rank)) if value == values[index] => rank,
            _ => place,
        };
        ranks[index] = rank;
        previous = Some((values[index], rank));
    }
    ranks
}

/// The periods the nightly recomputation covers: the month, quarter and year of
/// yesterday (China time), and of today when it begins a new month.
#[must_use]
pub fn nightly_periods(now: DateTime<Utc>) -> Vec<Period> {
    let today = china_date(now);
    let mut periods = Vec::new();
    for day in [today - Duration::days(1), today] {
        let month = Period::month_of_date(day);
        let Period::Month(year, m) = month else {
            continue;
        };
        for period in [
            month,
            Period::Quarter(year, m.div_ceil(3)),
            Period::Year(year),
        ] {
            if !periods.contains(&period) {
                periods.push(period);
            }
        }
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weighted_percent_follows_the_formula() {
        // 100 × (1·8/10 + 2·15/15) ÷ (1 + 2) = 100 × 2.8 / 3 = 93.33…
        let items = [
            Scored {
                points: 8.0,
                max: 10.0,
                weight: 1.0,
            },
            Scored {
                points: 15.0,
                max: 15.0,
                weight: 2.0,
            },
        ];
        assert_eq!(weighted_percent(&items).map(round2), Some(93.33));
    }

    #[test]
    fn nothing_weighted_gives_no_score() {
        assert_eq!(weighted_percent(&[]), None);
        assert_eq!(
            weighted_percent(&[Scored {
                points: 1.0,
                max: 0.0,
                weight: 1.0
            }]),
            None
        );
    }

    #[test]
    fn points_outside_the_range_are_clamped() {
        let items = [Scored {
            points: 12.0,
            max: 10.0,
            weight: 1.0,
        }];
        assert_eq!(weighted_percent(&items), Some(100.0));
    }

    #[test]
    fn overall_renormalises_the_weights_over_present_parts() {
        let weights = Weights::default();
        let all = Parts {
            data_security: Some(80.0),
            reporting: Some(60.0),
            inspection: Some(90.0),
        };
        // 0.35·80 + 0.35·60 + 0.30·90 = 28 + 21 + 27 = 76
        assert_eq!(overall(&all, &weights).map(round2), Some(76.0));
        let no_reporting = Parts {
            reporting: None,
            ..all
        };
        // (0.35·80 + 0.30·90) / 0.65 = 55 / 0.65 = 84.615…
        assert_eq!(overall(&no_reporting, &weights).map(round2), Some(84.62));
        let one = Parts {
            inspection: Some(42.0),
            ..Parts::default()
        };
        assert_eq!(overall(&one, &weights), Some(42.0));
        assert_eq!(overall(&Parts::default(), &weights), None);
    }

    #[test]
    fn grades_start_exactly_at_their_thresholds() {
        for (value, expected) in [
            (100.0, Grade::Excellent),
            (90.0, Grade::Excellent),
            (89.99, Grade::Good),
            (75.0, Grade::Good),
            (74.99, Grade::Pass),
            (60.0, Grade::Pass),
            (59.99, Grade::Fail),
            (0.0, Grade::Fail),
        ] {
            assert_eq!(grade(value), expected, "{value}");
        }
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        assert_eq!(
            competition_ranks(&[70.0, 95.0, 80.0, 80.0]),
            vec![4, 1, 2, 2]
        );
        assert_eq!(competition_ranks(&[50.0, 50.0, 50.0]), vec![1, 1, 1]);
        assert_eq!(competition_ranks(&[]), Vec::<i32>::new());
    }

    #[test]
    fn sums_give_a_percentage_and_tallies_a_mean_only_when_not_empty() {
        let mut sum = WeightedSum::default();
        assert_eq!(sum.percent(), None);
        sum.add(0.8, 1.0);
        sum.add(2.0, 2.0);
        assert_eq!(sum.percent(), Some(93.33));
        let mut tally = Tally::default();
        assert_eq!(tally.mean(), None);
        tally.add(170.0, 2.0);
        tally.add(0.0, 1.0);
        assert_eq!(tally.mean(), Some(56.67));
    }

    #[test]
    fn the_nightly_job_covers_yesterday_and_a_new_month() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        // 02:00 on 15 November China time: yesterday is in the same month.
        assert_eq!(
            nightly_periods(at("2026-11-14T18:00:00Z")),
            vec![
                Period::Month(2026, 11),
                Period::Quarter(2026, 4),
                Period::Year(2026)
            ]
        );
        // 02:00 on 1 January China time: last year's December, Q4 and year, and the new ones.
        assert_eq!(
            nightly_periods(at("2026-12-31T18:00:00Z")),
            vec![
                Period::Month(2026, 12),
                Period::Quarter(2026, 4),
                Period::Year(2026),
                Period::Month(2027, 1),
                Period::Quarter(2027, 1),
                Period::Year(2027)
            ]
        );
    }
}
