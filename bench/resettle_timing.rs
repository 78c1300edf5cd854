//! Timing of stage 2 (a re-settle after a budget, coefficient or risk-sharing change, the
//! per-case pass cached) on a synthetic data directory, as `make bench` makes them
//! (`make bench SIZES=1m RUNS=1` writes target/bench-data/1m):
//!
//!     cargo run --release --example resettle_timing -- target/bench-data/1m
//!
//! The directory defaults to `DIPCALC_DATA`, else target/bench-data/1m. `RESETTLE_RUNS` sets how
//! many re-settles are timed (10; 1 under a profiler). `cargo test --all-targets` only builds it.

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
}
