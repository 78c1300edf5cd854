//! `dipcalc synth`: write a synthetic region (cases, catalog, institutions, policy) to a folder.
//!
//! ```text
//! dipcalc synth --size demo|100k|300k|1m|excel|city|N --seed S --out DIR [--xlsx]
//! ```

use dipcalc::synth::{Season, Synth, SynthSize, EXCEL_MAX_CASES};
use std::fs::File;
use std::path::Path;
use std::time::Instant;

pub const USAGE: &str = "\
  dipcalc synth --out DIR [--size demo|100k|300k|1m|excel|city|N] [--seed S] [--xlsx] [--season|--season-previous]
                             write a deterministic synthetic region: cases.csv, catalog.csv,
                             institutions.csv and policy.json (宁德2024, budget scaled to the data);
                             --xlsx also writes cases.xlsx (at most Excel's 1,048,575 rows);
                             --season: a Spring-Festival dip, a Q4 rise, 6% growth and 12%
                             month-to-month noise per institution (the estimate's backtest);
                             --season-previous: the same region's previous year";

/// Runs the subcommand; `Err` is (exit code, message).
pub fn run(args: &[String]) -> Result<(), (u8, String)> {
    let usage = |m: String| (2u8, format!("{m}\n\nUSAGE:\n{USAGE}"));
    let (mut size, mut seed, mut out, mut xlsx) = (SynthSize::DEMO, 1u64, None::<String>, false);
    let mut season = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| usage(format!("{name} needs a value")))
        };
        match name {
            "--size" => {
                let v = value()?;
                size = SynthSize::parse(&v).ok_or_else(|| {
                    usage(format!(
                        "--size: {v} is not demo, 100k, 300k, 1m, excel, city or a number ≥ 100"
                    ))
                })?;
            }
            "--seed" => {
                let v = value()?;
                seed = v
                    .parse()
                    .map_err(|_| usage(format!("--seed: {v} is not a whole number")))?;
            }
            "--out" => out = Some(value()?),
            "--xlsx" => xlsx = true,
            "--season" => season = Some(0),
            "--season-previous" => season = Some(1),
            _ => return Err(usage(format!("synth: unknown argument {arg}"))),
        }
    }
    let out = out.ok_or_else(|| usage("synth needs --out DIR".into()))?;
    let dir = Path::new(&out);
    let io = |what: &Path, e: std::io::Error| (1u8, format!("{}: 无法写入 / cannot write: {e}", what.display()));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;

    let started = Instant::now();
    let synth = match season {
        Some(year) => Synth::with_season(
            size,
            seed,
            Season {
                year,
                ..Season::DEFAULT
            },
        ),
        None => Synth::new(size, seed),
    };
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| io(&path, e))
    };
    write("institutions.csv", &synth.institutions_csv())?;
    write("catalog.csv", &synth.catalog_csv())?;
    let path = dir.join("cases.csv");
    let file = File::create(&path).map_err(|e| io(&path, e))?;
    let totals = synth.write_cases_csv(file).map_err(|e| io(&path, e))?;
    if xlsx {
        let path = dir.join("cases.xlsx");
        let file = File::create(&path).map_err(|e| io(&path, e))?;
        synth
            .write_cases_xlsx(std::io::BufWriter::new(file))
            .map_err(|e| io(&path, e))?;
    }
    write("policy.json", &synth.policy(&totals).to_json())?;
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    eprintln!(
        "synth: {} cases ({} 职工, {} 居民), {} institutions, {} groups, seed {seed} → {} in {:.1} s{}",
        totals.cases,
        totals.fund_cases[0],
        totals.fund_cases[1],
        synth.institutions.len(),
        synth.groups.len(),
        dir.display(),
        started.elapsed().as_secs_f64(),
        if xlsx && totals.cases > EXCEL_MAX_CASES {
            format!(" (cases.xlsx holds the first {EXCEL_MAX_CASES})")
        } else {
            String::new()
        },
    );
    eprintln!(
        "synth: fund spending of included cases 职工 {} 元, 居民 {} 元 (policy budget ≈ 97%)",
        yuan(totals.included_fund_fen[0]),
        yuan(totals.included_fund_fen[1])
    );
    Ok(())
}
