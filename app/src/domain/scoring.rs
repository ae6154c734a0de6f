//! Score formulas over plain numbers.

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
}
