//! `dipcalc estimate`: the year-end estimate from the months so far (SPEC §11).
//!
//! ```text
//! dipcalc estimate --through K <the inputs of run> [--published FILE] [--previous-year FILE]
//!                  [--growth G] [--profile auto|policy|previous_year|even] [--own-share X]
//!                  [--interval predictive|run_rate]
//!                  [--accept-missing-months] [--draws N] [--seed S] [--format json|csv] [--out F]
//! ```

use super::{failed, import_failure, load_inputs, read_file, read_options, stream_cases, usage, Failure};
use dipcalc::engine::estimate::{self, EstimateInputs, EstimateOptions, PreviousYear, Profile};
use dipcalc::engine::{EngineError, Settler};
use dipcalc::export;
use dipcalc::input::{self, Lang, ReadOptions, Source};
use std::collections::HashMap;
use std::io::Write;
use std::str::FromStr;

fn engine_failure(e: EngineError, lang: Lang) -> Failure {
    failed(match lang {
        Lang::Zh => e.message_zh,
        Lang::En => e.message_en,
    })
}

/// The estimate's options from the flags; a bad value is a usage error naming the flag.
fn options(flags: &HashMap<String, String>) -> Result<EstimateOptions, Failure> {
    let mut o = EstimateOptions::default();
    let bad = |flag: &str, v: &str, what: &str| usage(format!("--{flag} {v}: {what}"));
    if let Some(v) = flags.get("through") {
        o.through = Some(v.parse().map_err(|_| bad("through", v, "a month 1–12"))?);
    }
    if let Some(v) = flags.get("growth") {
        o.growth = parse_rate(v).ok_or_else(|| bad("growth", v, "a rate such as 0.03 or 3%"))?;
    }
    if let Some(v) = flags.get("own-share") {
        o.own_share = Some(parse_rate(v).ok_or_else(|| bad("own-share", v, "a share such as 0.12 or 12%"))?);
    }
    if let Some(v) = flags.get("profile") {
        o.profile = serde_json::from_value(serde_json::Value::String(v.clone()))
            .map_err(|_| bad("profile", v, "auto, policy, previous_year or even"))?;
    }
    if let Some(v) = flags.get("interval") {
        o.interval = serde_json::from_value(serde_json::Value::String(v.clone()))
            .map_err(|_| bad("interval", v, "predictive or run_rate"))?;
    }
    if let Some(v) = flags.get("draws") {
        o.draws = v.parse().map_err(|_| bad("draws", v, "a whole number"))?;
    }
    if let Some(v) = flags.get("seed") {
        o.seed = v.parse().map_err(|_| bad("seed", v, "a whole number"))?;
    }
    o.accept_missing_months = flags.contains_key("accept-missing-months");
    Ok(o)
}

/// 0.03 or 3%.
fn parse_rate(v: &str) -> Option<rust_decimal::Decimal> {
    match v.trim().strip_suffix('%') {
        Some(p) => rust_decimal::Decimal::from_str(p.trim()).ok()?.checked_div(100.into()),
        None => rust_decimal::Decimal::from_str(v.trim()).ok(),
    }
}

pub fn estimate(args: &[String]) -> Result<(), Failure> {
    let flags = super::parse_flags(args)?;
    let opts = options(&flags)?;
    let (lang, policy, data, cases) = load_inputs(&flags, "estimate")?;
    let per_file = read_options(&flags, &policy)?;
    let published = match flags.get("published") {
        Some(path) => {
            let bytes = read_file(path)?;
            let r = input::read_published(
                Source {
                    name: path,
                    bytes: &bytes,
                },
                &per_file["published"],
            )
            .map_err(|e| import_failure(e, lang))?;
            for note in r.report.notes(lang) {
                eprintln!("{path}: {note}");
            }
            r.records
        }
        None => Vec::new(),
    };
    let previous = match flags.get("previous-year") {
        Some(path) => {
            // A case file read like --cases (sheet, mappings, fund parts), of another year.
            let opts = ReadOptions {
                year: None,
                skip_out_of_year: false,
                ..per_file["cases"].clone()
            };
            let (table, _) = stream_cases(path, &opts, lang)?;
            let mut last = Settler::from_parts(data.clone(), table);
            let settled = last
                .settle_without_traces(&policy)
                .map_err(|e| engine_failure(e, lang))?;
            Some(PreviousYear::from_settlement(&settled))
        }
        None => None,
    };
    if opts.profile == Profile::PreviousYear && previous.is_none() {
        return Err(usage("--profile previous_year needs --previous-year FILE"));
    }
    let mut settler = Settler::from_parts(data, cases);
    let (data, agg) = settler.aggregates(&policy).map_err(|e| engine_failure(e, lang))?;
    let inputs = EstimateInputs {
        published: &published,
        previous_year: previous.as_ref(),
    };
    let result = estimate::estimate(&policy, data, agg, inputs, &opts).map_err(|e| engine_failure(e, lang))?;
    for n in &result.notices {
        eprintln!(
            "{}",
            match lang {
                Lang::Zh => &n.message_zh,
                Lang::En => &n.message_en,
            }
        );
    }
    let export_lang = match lang {
        Lang::Zh => export::Lang::Zh,
        Lang::En => export::Lang::En,
    };
    let text = match flags.get("format").map(String::as_str) {
        None | Some("json") => serde_json::to_string_pretty(&result).map_err(|e| failed(e.to_string()))? + "\n",
        Some("csv") => {
            let csv = export::estimate_csv(&result, export_lang);
            if flags.contains_key("out") {
                format!("{}{csv}", export::BOM)
            } else {
                csv
            }
        }
        Some(other) => return Err(usage(format!("--format must be json or csv, not {other}"))),
    };
    match flags.get("out") {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| failed(format!("{path}: 无法写入 / cannot write: {e}")))?
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| failed(e.to_string()))?,
    }
    Ok(())
}
