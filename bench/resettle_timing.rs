//! Timing of stage 2 (a re-settle after a budget, coefficient or risk-sharing change, the
//! per-case pass cached) on a synthetic data directory, as `make bench` makes them
//! (`make bench SIZES=1m RUNS=1` writes target/bench-data/1m):
//!
//!     cargo run --release --example resettle_timing -- target/bench-data/1m
//!
//! The directory defaults to `DIPCALC_DATA`, else target/bench-data/1m. `RESETTLE_RUNS` sets how
//! many re-settles are timed (10; 1 under a profiler). `cargo test --all-targets` only builds it.
//!
//! Then, as the page's Session does: a change of the outlier threshold H with the outliers
//! revisited (`Settler::revisit_outliers`) against a full per-case pass, and the group breakdown
//! of the unit with the most cases, walked once and then priced again under a budget and a
//! coefficient change (`analysis::BreakdownCases`).

use std::io::Read;
use std::time::Instant;

use dipcalc::engine::Settler;
use dipcalc::input::{self, CaseStream, ReadOptions, Source};
use dipcalc::policy::Policy;
use dipcalc::records::cases::CaseTable;
use dipcalc::records::Dataset;

fn load(dir: &std::path::Path) -> (Policy, Settler) {
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let opts = ReadOptions::default();
    let policy = Policy::from_json(std::str::from_utf8(&read("policy.json")).unwrap()).unwrap();
    let mut data = Dataset::default();
    let bytes = read("institutions.csv");
    data.institutions = input::read_institutions(
        Source {
            name: "institutions.csv",
            bytes: &bytes,
        },
        &opts,
    )
    .unwrap()
    .records;
    let bytes = read("catalog.csv");
    data.catalog = input::read_catalog(
        Source {
            name: "catalog.csv",
            bytes: &bytes,
        },
        &opts,
    )
    .unwrap()
    .records;
    let mut stream = CaseStream::new("cases.csv", &opts);
    let mut table = CaseTable::new();
    let mut file = std::fs::File::open(dir.join("cases.csv")).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        stream.push(&buf[..n], &mut table);
    }
    stream.finish(&mut table).unwrap();
    (policy, Settler::from_parts(data, table))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("DIPCALC_DATA").ok())
        .unwrap_or_else(|| "target/bench-data/1m".into());
    let runs: usize = std::env::var("RESETTLE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let (policy, mut settler) = load(std::path::Path::new(&dir));
    let first = Instant::now();
    settler.settle(&policy).unwrap();
    println!(
        "first settle (with the per-case pass): {:.1} ms",
        first.elapsed().as_secs_f64() * 1e3
    );
    // The same points parameters: the Settler reruns stage 2 only, whatever else changed.
    let time = |settler: &mut Settler,
                settle: fn(
        &mut Settler,
        &Policy,
    ) -> Result<dipcalc::engine::result::Settlement, dipcalc::engine::EngineError>| {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let s = settle(settler, &policy).unwrap();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                assert!(!s.funds.is_empty());
                ms
            })
            .collect();
        times.sort_by(f64::total_cmp);
        format!(
            "min {:.1} ms, median {:.1} ms, max {:.1} ms",
            times[0],
            times[runs / 2],
            times[runs - 1]
        )
    };
    println!(
        "re-settle ×{runs}, without traces (the page): {}",
        time(&mut settler, Settler::settle_without_traces)
    );
    println!(
        "re-settle ×{runs}, with traces (the command line): {}",
        time(&mut settler, Settler::settle)
    );
    outliers_and_breakdown(&policy, &mut settler, runs);
}

/// Min, median and max of (wall, CPU) times: the CPU time of this thread (Linux's schedstat)
/// holds still on a loaded machine where the wall time does not.
fn summary(times: Vec<(f64, f64)>) -> String {
    let pick = |k: usize| {
        let mut v: Vec<f64> = times.iter().map(|t| if k == 0 { t.0 } else { t.1 }).collect();
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let (w, c) = (pick(0), pick(1));
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms (CPU: min {:.1}, median {:.1}, max {:.1})",
        w.0, w.1, w.2, c.0, c.1, c.2
    )
}

/// This thread's CPU time so far, in ms (0 where /proc does not say).
fn cpu_now() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

/// Wall and CPU time of `f`, in ms.
fn timed<R>(f: impl FnOnce() -> R) -> ((f64, f64), R) {
    let (t, c) = (Instant::now(), cpu_now());
    let r = f();
    ((t.elapsed().as_secs_f64() * 1e3, cpu_now() - c), r)
}

fn one((w, c): (f64, f64)) -> String {
    format!("{w:.1} ms (CPU {c:.1} ms)")
}

fn outliers_and_breakdown(policy: &Policy, settler: &mut Settler, runs: usize) {
    use rust_decimal::Decimal;
    // H moved to a new value each time: 2.00, 2.01, 2.02 …
    let with_h = |k: usize| {
        let mut p = policy.clone();
        p.points.outliers.high_ratio = policy.points.outliers.high_ratio + Decimal::new(k as i64 + 1, 2);
        p
    };
    let full: Vec<(f64, f64)> = (0..runs.min(3))
        .map(|k| timed(|| settler.settle_without_traces(&with_h(k)).unwrap()).0)
        .collect();
    println!("H change, full per-case pass ×{}: {}", full.len(), summary(full));
    settler.revisit_outliers(true);
    let (t, _) = timed(|| settler.settle_without_traces(policy).unwrap());
    println!("settle keeping the DIP cases by cost (full pass + index): {}", one(t));
    let revisited: Vec<(f64, f64)> = (0..runs)
        .map(|k| timed(|| settler.settle_without_traces(&with_h(k + 10)).unwrap()).0)
        .collect();
    println!("H change, outliers revisited ×{runs}: {}", summary(revisited));

    let s = settler.settle_without_traces(policy).unwrap();
    let fund = &s.funds[0];
    let cases = settler.cases();
    let mut counts = vec![0usize; cases.institutions.len()];
    for r in cases.rows.iter().filter(|r| r.fund == fund.fund) {
        counts[r.institution as usize] += 1;
    }
    let unit = fund
        .units
        .iter()
        .max_by_key(|u| cases.institutions.find(&u.code).map_or(0, |i| counts[i as usize]))
        .unwrap();
    let n = cases.institutions.find(&unit.code).map_or(0, |i| counts[i as usize]);
    // The unit's own cases, as the page's Session keeps them for its analyses.
    let own = cases.institutions.find(&unit.code).map(|i| CaseTable {
        institutions: cases.institutions.clone(),
        groups: cases.groups.clone(),
        rows: cases.rows.iter().filter(|r| r.institution == i).copied().collect(),
    });
    let cases = own.as_ref().unwrap_or(cases);
    let (t, (mut walked, lines)) = timed(|| {
        let mut walked =
            dipcalc::engine::analysis::BreakdownCases::new(policy, settler.data(), cases, fund, &unit.code).unwrap();
        let lines = walked.lines(policy, settler.data(), fund).unwrap();
        (walked, lines)
    });
    println!(
        "breakdown of {} ({n} cases, {} groups), walk + lines: {}",
        unit.code,
        lines.len(),
        one(t)
    );
    let priced: Vec<(f64, f64)> = (0..runs)
        .map(|_| timed(|| walked.lines(policy, settler.data(), fund).unwrap()).0)
        .collect();
    println!("breakdown, budget or risk-sharing change ×{runs}: {}", summary(priced));
    let coefficient: Vec<(f64, f64)> = (0..runs)
        .map(|k| {
            let mut p = policy.clone();
            p.points.scale += Decimal::new(k as i64 + 1, 4);
            timed(|| walked.lines(&p, settler.data(), fund).unwrap()).0
        })
        .collect();
    println!("breakdown, coefficient change ×{runs}: {}", summary(coefficient));
    let (t, _) =
        timed(|| dipcalc::engine::analysis::group_breakdown(policy, settler.data(), cases, fund, &unit.code).unwrap());
    println!("breakdown over every case (no walk kept): {}", one(t));
}
