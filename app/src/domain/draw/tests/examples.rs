//! The worked examples of `docs/draw-algorithm.md`: each is computed here and must
//! match the page, byte for byte, so the page cannot go stale.
//!
//! After a deliberate change, `SPOTCHECK_BLESS_DOCS=1 cargo test -p spotcheck
//! domain::draw::tests::examples` rewrites the examples in the page.

use std::fmt::Write as _;

use entities::{CreditClass, Industry};

use super::{inspector, target};
use crate::domain::draw::replace::{Cancellation, replay};
use crate::domain::draw::seed::{TraceEntry, chacha_key, replacement_key};
use crate::domain::draw::{
    Conflict, Params, Population, Selection, UnassignedReason, run_with, seed_from_text, snapshot,
};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/draw-algorithm.md");

/// Example 1: enterprises, key targets taken whole, a uniform share, qualifications.
fn enterprises() -> (Population, Params) {
    use CreditClass::{A, B, C, D};
    use Industry::{CoalMine as Coal, Fireworks, Fishery, HazardousChemicals as Chem};
    #[rustfmt::skip]
    let rows = [
        (101, "110101", "major", C, true, Coal),
        (102, "110102", "major", A, false, Chem),
        (103, "110105", "major", D, false, Coal),
        (104, "110101", "high", B, false, Fireworks),
        (105, "110108", "high", D, true, Chem),
        (106, "110108", "high", C, false, Coal),
        (107, "110101", "high", A, false, Fireworks),
        (108, "110102", "low", B, false, Fishery),
        (109, "110105", "low", D, false, Chem),
        (110, "110108", "low", A, false, Coal),
    ];
    let targets = rows
        .into_iter()
        .map(|(id, region, stratum, class, key, industry)| {
            let mut t = target(id, region, stratum, class);
            t.key = key;
            t.industry = Some(industry);
            t
        })
        .collect();
    let mut population = Population {
        targets,
        inspectors: vec![
            inspector(1, 1, "", &[Coal, Chem]),
            inspector(2, 2, "110000", &[Chem, Fireworks]),
            inspector(3, 2, "110000", &[Coal, Fireworks]),
            inspector(4, 3, "110100", &[Coal, Chem]),
            inspector(5, 4, "110108", &[Coal, Fishery]),
        ],
        conflicts: vec![Conflict {
            inspector_id: 4,
            target_id: 103,
        }],
    };
    population.targets[2].previous_inspectors = vec![1];
    let params = Params {
        ratios: [("major", 0.5), ("high", 0.25), ("low", 0.34)]
            .map(|(s, r)| (s.to_owned(), r))
            .into(),
        min_per_stratum: 1,
        key_all: true,
        uniform_share: 0.3,
        ..Params::default()
    };
    (population, params)
}

/// Example 2: a joint check of departments, own departments and previous checks.
fn departments() -> (Population, Params) {
    let rows = [
        (11, "110000", "province"),
        (12, "110100", "city"),
        (13, "110101", "county"),
        (14, "110102", "county"),
        (15, "110105", "county"),
        (16, "110108", "county"),
    ];
    let mut targets: Vec<_> = rows
        .into_iter()
        .map(|(id, region, stratum)| {
            let mut t = target(id, region, stratum, CreditClass::B);
            t.own_department_id = Some(id);
            t
        })
        .collect();
    targets[3].previous_inspectors = vec![23, 31];
    targets[4].credit_class = CreditClass::D;
    let population = Population {
        targets,
        inspectors: vec![
            inspector(21, 11, "110000", &[]),
            inspector(22, 11, "110000", &[]),
            inspector(23, 12, "110100", &[]),
            inspector(31, 90, "110000", &[]),
            inspector(32, 90, "110000", &[]),
            inspector(33, 91, "110100", &[]),
        ],
        conflicts: vec![Conflict {
            inspector_id: 32,
            target_id: 15,
        }],
    };
    let params = Params {
        ratios: [("city".to_owned(), 1.0), ("county".to_owned(), 0.5)].into(),
        min_per_stratum: 1,
        uniform_share: 0.0,
        inspectors_per_task: 2,
        require_qualification: false,
        department_ids: vec![11, 90],
        ..Params::default()
    };
    (population, params)
}

fn selection(s: Selection) -> &'static str {
    match s {
        Selection::Key => "key",
        Selection::Uniform => "uniform",
        Selection::Weighted => "weighted",
    }
}

/// The example's inputs and every output, as the page shows them.
fn render(population: &Population, params: &Params, seed_text: &str) -> String {
    let seed = seed_from_text(seed_text);
    let bytes = snapshot::encode(population).unwrap();
    let mut trace: Vec<TraceEntry> = Vec::new();
    let outcome = run_with(population, params, seed, Some(&mut trace)).unwrap();
    let mut out = String::new();
    let _ = writeln!(out, "snapshot ({} bytes, TAB-separated):", bytes.len());
    out.push_str(std::str::from_utf8(&bytes).unwrap());
    let _ = writeln!(out, "population_sha256: {}", snapshot::sha256_hex(&bytes));
    let _ = writeln!(out, "params: {}", serde_json::to_string(params).unwrap());
    let _ = writeln!(out, "seed_text: {seed_text}");
    let _ = writeln!(out, "seed: {seed} (0x{seed:016x})");
    let _ = writeln!(out, "chacha20 key: {}", hex::encode(chacha_key(seed)));
    let _ = writeln!(
        out,
        "random numbers, in order (words read, bound n, result):"
    );
    for (k, t) in trace.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}. words {} n {} -> {}",
            k + 1,
            t.words,
            t.n,
            t.value
        );
    }
    let _ = writeln!(out, "tasks, in draw order (lead first):");
    for t in &outcome.tasks {
        let team: Vec<String> = t.inspector_ids.iter().map(i64::to_string).collect();
        let _ = writeln!(
            out,
            "  target {} ({}): {}",
            t.target_id,
            selection(t.selection),
            team.join(", ")
        );
    }
    let _ = writeln!(out, "unassigned, in draw order:");
    for u in &outcome.unassigned {
        let reason = match &u.reason {
            UnassignedReason::NoInspectorFromDepartment { department_id } => {
                format!("no_inspector_from_department {department_id}")
            }
            UnassignedReason::TooFewInspectors { needed, found } => {
                format!("too_few_inspectors needed {needed} found {found}")
            }
        };
        let _ = writeln!(
            out,
            "  target {} ({}): {reason}",
            u.target_id,
            selection(u.selection)
        );
    }
    out
}

fn reason_text(reason: &UnassignedReason) -> String {
    match reason {
        UnassignedReason::NoInspectorFromDepartment { department_id } => {
            format!("no_inspector_from_department {department_id}")
        }
        UnassignedReason::TooFewInspectors { needed, found } => {
            format!("too_few_inspectors needed {needed} found {found}")
        }
    }
}

/// Example 3: example 1's draw, then cancellations with and without replacements.
fn render_replacements(seed_text: &str) -> String {
    let (population, params) = enterprises();
    let seed = seed_from_text(seed_text);
    let outcome = run_with(&population, &params, seed, None).unwrap();
    let cancellations = [
        Cancellation {
            target_id: 104,
            replace: true,
        },
        Cancellation {
            target_id: 101,
            replace: false,
        },
        Cancellation {
            target_id: 109,
            replace: true,
        },
    ];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "the draw of example 1, then these cancellations, in order:"
    );
    for (k, c) in cancellations.iter().enumerate() {
        let what = if c.replace {
            "replace"
        } else {
            "no replacement"
        };
        let _ = writeln!(out, "  {}. target {}, {what}", k + 1, c.target_id);
    }
    let mut before = 0;
    for k in 0..cancellations.len() {
        let mut trace: Vec<TraceEntry> = Vec::new();
        let replayed = replay(
            &population,
            &params,
            seed,
            &outcome,
            &cancellations[..=k],
            Some(&mut trace),
        )
        .unwrap();
        let Some(Some(r)) = replayed.last() else {
            continue;
        };
        let cancelled = cancellations[k].target_id;
        let stratum = &population.target(cancelled).unwrap().stratum;
        let _ = writeln!(
            out,
            "replacement {} (cancellation {}, target {cancelled}, stratum {stratum}):",
            r.ordinal,
            k + 1
        );
        let _ = writeln!(
            out,
            "  chacha20 key: {}",
            hex::encode(replacement_key(seed, r.ordinal))
        );
        let _ = writeln!(
            out,
            "  random numbers, in order (words read, bound n, result):"
        );
        for (j, t) in trace[before..].iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:>2}. words {} n {} -> {}",
                j + 1,
                t.words,
                t.n,
                t.value
            );
        }
        before = trace.len();
        for u in &r.passed_over {
            let _ = writeln!(
                out,
                "  passed over: target {} ({}): {}",
                u.target_id,
                selection(u.selection),
                reason_text(&u.reason)
            );
        }
        let team: Vec<String> = r.inspector_ids.iter().map(i64::to_string).collect();
        let _ = writeln!(
            out,
            "  replacement: target {} ({}): {}",
            r.target_id,
            selection(r.selection),
            team.join(", ")
        );
    }
    out
}

fn examples() -> [(&'static str, String); 3] {
    let (population, params) = enterprises();
    let first = render(
        &population,
        &params,
        "2026-03-01 福利彩票 07 12 25 31 33 + 09",
    );
    let (population, params) = departments();
    let second = render(&population, &params, "joint check 2026 Q2");
    let third = render_replacements("2026-03-01 福利彩票 07 12 25 31 33 + 09");
    [
        ("example-1", first),
        ("example-2", second),
        ("example-3", third),
    ]
}

/// Replaces the fenced block between `<!-- name -->` and `<!-- /name -->`.
fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let open = format!("<!-- {name} -->\n");
    let close = format!("<!-- /{name} -->");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&close)?;
    Some(format!(
        "{}```text\n{body}```\n{}",
        &doc[..start],
        &doc[end..]
    ))
}

#[test]
fn the_published_worked_examples_are_what_the_code_computes() {
    let doc = std::fs::read_to_string(DOC).unwrap();
    let mut updated = doc.clone();
    for (name, body) in examples() {
        updated =
            splice(&updated, name, &body).unwrap_or_else(|| panic!("no {name} block in the page"));
    }
    if std::env::var_os("SPOTCHECK_BLESS_DOCS").is_some() {
        std::fs::write(DOC, &updated).unwrap();
    } else {
        assert!(
            doc == updated,
            "docs/draw-algorithm.md differs from what the code computes; \
             rerun with SPOTCHECK_BLESS_DOCS=1 after a deliberate change"
        );
    }
}
