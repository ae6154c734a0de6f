//! Tests of the draw: scenarios, properties, statistics and the published examples.

mod examples;
mod properties;
mod reference;
mod replacements;
mod scenarios;
mod snapshots;
mod statistics;

use entities::{CreditClass, Industry};

use super::{Inspector, Outcome, Population, Selection, Target};

/// An enterprise target with no industry, department or history.
fn target(id: i64, region: &str, stratum: &str, class: CreditClass) -> Target {
    Target {
        id,
        region_code: region.to_owned(),
        stratum: stratum.to_owned(),
        credit_class: class,
        key: false,
        industry: None,
        own_department_id: None,
        previous_inspectors: Vec::new(),
    }
}

fn inspector(id: i64, department_id: i64, region: &str, industries: &[Industry]) -> Inspector {
    Inspector {
        id,
        department_id,
        region_code: region.to_owned(),
        industries: industries.to_vec(),
    }
}

/// The population as a snapshot gives it back: sets sorted, without repeats.
fn canonical(population: &Population) -> Population {
    let mut p = population.clone();
    for t in &mut p.targets {
        t.previous_inspectors.sort_unstable();
        t.previous_inspectors.dedup();
    }
    for i in &mut p.inspectors {
        i.industries.sort_unstable_by_key(|x| x.as_str());
        i.industries.dedup();
    }
    p.conflicts.sort_unstable();
    p.conflicts.dedup();
    p
}

/// Every drawn target with how it was drawn: tasks first, then the unassigned.
fn drawn(outcome: &Outcome) -> Vec<(i64, Selection)> {
    let tasks = outcome.tasks.iter().map(|t| (t.target_id, t.selection));
    let unassigned = outcome
        .unassigned
        .iter()
        .map(|u| (u.target_id, u.selection));
    tasks.chain(unassigned).collect()
}
