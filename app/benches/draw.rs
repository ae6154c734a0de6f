//! The draw on a national-size population: 1,000,000 enterprises in four risk strata,
//! 5% sampled, 20,000 inspectors from the ministry down to the counties.
//!
//! `cargo bench -p spotcheck --bench draw`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use entities::{CreditClass, Industry};
use spotcheck::domain::draw::{
    Conflict, Inspector, Params, Population, Stratum, Target, run, snapshot,
};

const TARGETS: usize = 1_000_000;
const INSPECTORS: usize = 20_000;

/// A small deterministic generator, so that the population is the same every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// 31 provinces × 11 cities × 9 counties.
fn county(rng: &mut Lcg) -> (usize, usize, usize) {
    (11 + rng.below(31), 1 + rng.below(11), 1 + rng.below(9))
}

fn population() -> Population {
    let mut rng = Lcg(2026);
    let targets = (1..=TARGETS as i64)
        .map(|id| {
            let (p, c, d) = county(&mut rng);
            Target {
                id,
                region_code: format!("{p:02}{c:02}{d:02}"),
                stratum: Stratum::ALL[rng.below(4)].as_str().to_owned(),
                credit_class: CreditClass::ALL[rng.below(4)],
                key: rng.below(50) == 0,
                industry: Some(Industry::ALL[rng.below(Industry::ALL.len())]),
                own_department_id: None,
                previous_inspectors: if rng.below(10) == 0 {
                    vec![
                        1 + rng.below(INSPECTORS) as i64,
                        1 + rng.below(INSPECTORS) as i64,
                    ]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    // 1% at the ministry, 9% provincial, 30% city, 60% county; two qualifications each.
    let inspectors = (1..=INSPECTORS as i64)
        .map(|id| {
            let (p, c, d) = county(&mut rng);
            let region_code = match rng.below(100) {
                0 => String::new(),
                1..10 => format!("{p:02}0000"),
                10..40 => format!("{p:02}{c:02}00"),
                _ => format!("{p:02}{c:02}{d:02}"),
            };
            let first = rng.below(Industry::ALL.len());
            let second = (first + 1 + rng.below(Industry::ALL.len() - 1)) % Industry::ALL.len();
            Inspector {
                id,
                department_id: 1 + rng.below(3_000) as i64,
                region_code,
                industries: vec![Industry::ALL[first], Industry::ALL[second]],
            }
        })
        .collect();
    let conflicts = (0..10_000)
        .map(|_| Conflict {
            inspector_id: 1 + rng.below(INSPECTORS) as i64,
            target_id: 1 + rng.below(TARGETS) as i64,
        })
        .collect();
    Population {
        targets,
        inspectors,
        conflicts,
    }
}

fn params() -> Params {
    Params {
        ratios: Stratum::ALL[..4]
            .iter()
            .map(|s| (s.as_str().to_owned(), 0.05))
            .collect(),
        ..Params::default()
    }
}

fn bench(c: &mut Criterion) {
    let population = population();
    let params = params();
    let mut group = c.benchmark_group("draw");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("run_1m_targets_20k_inspectors", |b| {
        b.iter(|| run(black_box(&population), black_box(&params), black_box(42)));
    });
    group.bench_function("snapshot_encode_1m", |b| {
        b.iter(|| snapshot::encode(black_box(&population)));
    });
    let Ok(bytes) = snapshot::encode(&population) else {
        return;
    };
    group.bench_function("snapshot_decode_1m", |b| {
        b.iter(|| snapshot::decode(black_box(&bytes)));
    });
    group.bench_function("snapshot_compress_1m", |b| {
        b.iter(|| snapshot::compress(black_box(&bytes)));
    });
    group.finish();
    if let (Ok(outcome), Ok(packed)) = (run(&population, &params, 42), snapshot::compress(&bytes)) {
        println!(
            "drawn {} staffed, {} unassigned; snapshot {} bytes, {} compressed",
            outcome.tasks.len(),
            outcome.unassigned.len(),
            bytes.len(),
            packed.len()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
