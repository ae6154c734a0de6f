//! The severity of a disaster or accident, from its figures.
//!
//! The thresholds follow the grading of production-safety accidents (生产安全事故
//! 报告和调查处理条例, art. 3): in its wording "以上" includes the number and "以下"
//! excludes it, so 重大 is 10 to 29 deaths, 50 to 99 serious injuries, or 50 to
//! just under 100 million yuan. The highest grade any one figure reaches wins.

use entities::Severity;

/// One grade's lower bounds: reaching any of them reaches the grade.
struct Threshold {
    severity: Severity,
    deaths: i64,
    serious_injuries: i64,
    loss_yuan: i64,
}

/// From the highest grade down.
const THRESHOLDS: [Threshold; 3] = [
    Threshold {
        severity: Severity::EspeciallySerious,
        deaths: 30,
        serious_injuries: 100,
        loss_yuan: 100_000_000,
    },
    Threshold {
        severity: Severity::Serious,
        deaths: 10,
        serious_injuries: 50,
        loss_yuan: 50_000_000,
    },
    Threshold {
        severity: Severity::RelativelySerious,
        deaths: 3,
        serious_injuries: 10,
        loss_yuan: 10_000_000,
    },
];

/// The severity the figures call for: 特别重大, 重大, 较大 or 一般.
#[must_use]
pub fn derive(deaths: i64, serious_injuries: i64, loss_yuan: i64) -> Severity {
    THRESHOLDS
        .iter()
        .find(|t| {
            deaths >= t.deaths || serious_injuries >= t.serious_injuries || loss_yuan >= t.loss_yuan
        })
        .map_or(Severity::Ordinary, |t| t.severity)
}

/// How grave a severity is: 0 for 一般 up to 3 for 特别重大.
#[must_use]
pub fn gravity(severity: Severity) -> u8 {
    match severity {
        Severity::Ordinary => 0,
        Severity::RelativelySerious => 1,
        Severity::Serious => 2,
        Severity::EspeciallySerious => 3,
    }
}

/// Whether a stated severity is below the derived one (`severity_understated`).
#[must_use]
pub fn understated(stated: Option<Severity>, derived: Severity) -> bool {
    stated.is_some_and(|s| gravity(s) < gravity(derived))
}

/// Whether the severity must also be reported directly to the ministry (直报).
#[must_use]
pub fn direct_report_required(severity: Severity) -> bool {
    matches!(severity, Severity::EspeciallySerious | Severity::Serious)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Severity::{EspeciallySerious as ES, Ordinary as O, RelativelySerious as RS, Serious as S};

    #[test]
    fn each_threshold_is_included_and_the_number_below_is_not() {
        // (deaths, serious injuries, loss in yuan) → severity
        #[rustfmt::skip]
        let cases = [
            ((0, 0, 0), O, "nothing"),
            ((2, 0, 0), O, "2 deaths"),
            ((3, 0, 0), RS, "3 deaths: 较大 starts at 3"),
            ((9, 0, 0), RS, "9 deaths"),
            ((10, 0, 0), S, "10 deaths: 重大 starts at 10"),
            ((29, 0, 0), S, "29 deaths: 重大 ends below 30"),
            ((30, 0, 0), ES, "30 deaths: 特别重大"),
            ((0, 9, 0), O, "9 injuries"),
            ((0, 10, 0), RS, "10 injuries"),
            ((0, 49, 0), RS, "49 injuries"),
            ((0, 50, 0), S, "50 injuries"),
            ((0, 99, 0), S, "99 injuries"),
            ((0, 100, 0), ES, "100 injuries"),
            ((0, 0, 9_999_999), O, "just under 10M"),
            ((0, 0, 10_000_000), RS, "10M"),
            ((0, 0, 49_999_999), RS, "just under 50M"),
            ((0, 0, 50_000_000), S, "50M"),
            ((0, 0, 99_999_999), S, "just under 100M"),
            ((0, 0, 100_000_000), ES, "100M"),
            ((2, 49, 100_000_000), ES, "the highest figure wins"),
            ((3, 0, 99_999_999), S, "loss outranks deaths"),
        ];
        for ((deaths, injuries, loss), expected, what) in cases {
            assert_eq!(derive(deaths, injuries, loss), expected, "{what}");
        }
    }

    #[test]
    fn understatement_and_the_direct_duty_follow_the_grades() {
        assert!(understated(Some(RS), S));
        assert!(understated(Some(O), ES));
        assert!(!understated(Some(S), S));
        assert!(!understated(Some(ES), O), "overstating is not flagged");
        assert!(
            !understated(None, ES),
            "nothing stated, nothing understated"
        );
        assert!(direct_report_required(ES));
        assert!(direct_report_required(S));
        assert!(!direct_report_required(RS));
        assert!(!direct_report_required(O));
    }
}
