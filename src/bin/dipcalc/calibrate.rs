//! `dipcalc calibrate`: the bureau's year start on the command line (SPEC §13, docs/calibrate.md)
//! — scores, the year-start point value and level coefficients from one to three past years of
//! cases, the catalog file, and the new policy simulated on the latest year.

use super::{failed, file_options, import_failure, lang_of, load_policy, read_file, stream_cases, usage, Failure};
use dipcalc::calibrate::{self, levels, output, simulate, CalibrateOptions, HistoryYear, PointValueRule};
use dipcalc::engine::analysis::Comparison;
use dipcalc::export::{self, Lang as ExportLang};
use dipcalc::input::{self, ReadOptions, Source};
use dipcalc::records::cases::CaseTable;
use dipcalc::records::{Catalog, Dataset, Institution};
use std::collections::HashMap;
use std::io::Write;

pub const USAGE: &str = "\
dipcalc calibrate — 年初测算 / the year start from past years' cases (docs/calibrate.md)

USAGE:
  dipcalc calibrate --history Y1 [--history Y2 --history Y3]   oldest first, any case file format
      [--weights 1,2,7] [--method mean|base-group=CODE|fixed=AMOUNT] [--scale 1000] [--pooled]
      [--trim p2.5,p97.5|sd=3|none] [--min-cases 15] [--max-cv 1] [--point-value all|below-mean]
      [--level-weights 1,1,1] [--institutions I] [--catalog CURRENT]
      [--catalog-out FILE.csv|FILE.xlsx] [--format json|csv|xlsx] [--out FILE] [--lang zh|en]
      [--simulate --policy P.json|--preset NAME [--apply-levels]]
      [--skip-bad-rows] [--encoding NAME] [--sheet NAME]

--catalog-out writes the catalog dipcalc run reads (with provenance columns it ignores).
--simulate settles the latest year's cases under the policy with the new catalog (and, with
--apply-levels, the proposed level coefficients) and compares with the fund payments in the data;
it needs --institutions. Progress goes to stderr.";

/// `--flag value` pairs; `history` may repeat (kept one per line).
fn parse(args: &[String]) -> Result<HashMap<String, String>, Failure> {
    const SWITCHES: [&str; 4] = ["pooled", "simulate", "apply-levels", "skip-bad-rows"];
    const VALUED: [&str; 20] = [
        "history",
        "weights",
        "method",
        "scale",
        "trim",
        "min-cases",
        "max-cv",
        "point-value",
        "level-weights",
        "institutions",
        "catalog",
        "catalog-out",
        "format",
        "out",
        "lang",
        "policy",
        "preset",
        "encoding",
        "sheet",
        "grassroots-max-cv",
    ];
    let mut flags: HashMap<String, String> = HashMap::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let name = arg
            .strip_prefix("--")
            .ok_or_else(|| usage(format!("unexpected argument: {arg}\n\n{USAGE}")))?;
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) if VALUED.contains(&n) => (n, Some(v.to_string())),
            _ => (name, None),
        };
        if SWITCHES.contains(&name) {
            flags.insert(name.to_string(), String::new());
            continue;
        }
        if !VALUED.contains(&name) {
            return Err(usage(format!("unknown option: --{name}\n\n{USAGE}")));
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| usage(format!("--{name} needs a value")))?;
        match flags.get_mut(name) {
            Some(all) if name == "history" => {
                all.push('\n');
                all.push_str(&value);
            }
            _ => {
                flags.insert(name.to_string(), value);
            }
        }
    }
    Ok(flags)
}

/// The options of the flags, from the defaults.
fn options(flags: &HashMap<String, String>) -> Result<CalibrateOptions, Failure> {
    let mut o = CalibrateOptions::default();
    let bad = |m: String| usage(m);
    let number = |key: &str, v: &str| {
        v.trim()
            .parse::<rust_decimal::Decimal>()
            .map_err(|_| usage(format!("--{key}: “{v}” 不是数字 / is not a number")))
    };
    if let Some(v) = flags.get("weights") {
        o.weights = calibrate::parse_weights(v).map_err(bad)?;
    }
    if let Some(v) = flags.get("method") {
        o.method = calibrate::parse_method(v).map_err(bad)?;
    }
    if let Some(v) = flags.get("trim") {
        o.trim = calibrate::parse_trim(v).map_err(bad)?;
    }
    if let Some(v) = flags.get("scale") {
        o.scale = number("scale", v)?;
    }
    if let Some(v) = flags.get("max-cv") {
        o.max_cv = number("max-cv", v)?;
    }
    if let Some(v) = flags.get("grassroots-max-cv") {
        o.grassroots_max_cv = number("grassroots-max-cv", v)?;
    }
    if let Some(v) = flags.get("min-cases") {
        o.min_cases = v
            .trim()
            .parse()
            .map_err(|_| usage(format!("--min-cases: “{v}” 不是非负整数 / is not a whole number")))?;
    }
    if flags.contains_key("pooled") {
        o.averaging = calibrate::Averaging::Pooled;
    }
    o.point_value_rule = match flags.get("point-value").map(String::as_str) {
        None | Some("all") => PointValueRule::All,
        Some("below-mean") => PointValueRule::BelowMean,
        Some(other) => return Err(usage(format!("--point-value must be all or below-mean, not {other}"))),
    };
    if let Some(v) = flags.get("level-weights") {
        let w = calibrate::parse_weights(v).map_err(bad)?;
        let [cost, resource, cmi] = w[..] else {
            return Err(usage("--level-weights needs three numbers: 费用,资源消耗,CMI"));
        };
        o.level_weights = calibrate::LevelWeights { cost, resource, cmi };
    }
    Ok(o)
}

/// Each history file's label: its file name, or the path as given when two names are the same.
fn labels(paths: &[&str]) -> Vec<String> {
    let name = |p: &str| {
        let n = std::path::Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        n.unwrap_or_else(|| p.to_string())
    };
    let names: Vec<String> = paths.iter().map(|p| name(p)).collect();
    let unique = names.iter().all(|n| names.iter().filter(|m| *m == n).count() == 1);
    if unique {
        names
    } else {
        paths.iter().map(|p| p.to_string()).collect()
    }
}

/// Reads the history files (oldest first), with progress and import notes on stderr.
fn read_history(paths: &[&str], opts: &ReadOptions, lang: input::Lang) -> Result<Vec<HistoryYear>, Failure> {
    let mut years = Vec::with_capacity(paths.len());
    for ((i, path), label) in paths.iter().enumerate().zip(labels(paths)) {
        eprintln!("[{}/{}] {path} …", i + 1, paths.len());
        let (cases, report) = stream_cases(path, opts, lang)?;
        for note in report.notes(lang) {
            eprintln!("{path}: {note}");
        }
        eprintln!("[{}/{}] {path}: {} cases", i + 1, paths.len(), cases.len());
        years.push(HistoryYear { label, cases });
    }
    Ok(years)
}

fn read_table<T>(
    path: &str,
    opts: &ReadOptions,
    lang: input::Lang,
    read: fn(Source<'_>, &ReadOptions) -> Result<input::Imported<T>, input::ImportFailure>,
) -> Result<T, Failure> {
    let bytes = read_file(path)?;
    let r = read(
        Source {
            name: path,
            bytes: &bytes,
        },
        opts,
    )
    .map_err(|e| import_failure(e, lang))?;
    for note in r.report.notes(lang) {
        eprintln!("{path}: {note}");
    }
    Ok(r.records)
}

fn write_out(path: Option<&String>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(p) => std::fs::write(p, bytes).map_err(|e| failed(format!("{p}: 无法写入 / cannot write: {e}"))),
        None => std::io::stdout()
            .lock()
            .write_all(bytes)
            .map_err(|e| failed(e.to_string())),
    }
}

/// The catalog file: CSV (UTF-8 with BOM) or, for a .xlsx name, a workbook.
fn write_catalog(path: &str, cal: &calibrate::Calibration, lang: ExportLang) -> Result<(), Failure> {
    let table = output::catalog_table(cal, lang);
    let bytes = if path.to_ascii_lowercase().ends_with(".xlsx") {
        output::tables_xlsx(&[table]).map_err(|e| failed(e.to_string()))?
    } else {
        format!("{}{}", export::BOM, output::table_csv(&table)).into_bytes()
    };
    write_out(Some(&path.to_string()), &bytes)
}

/// The JSON report.
#[derive(serde::Serialize)]
struct Report<'a> {
    calibration: &'a calibrate::Calibration,
    simulation: Option<&'a [simulate::FundSimulation]>,
    /// With --apply-levels: every institution under the table in force and the proposed one.
    level_scenario: Option<&'a Comparison>,
}

/// The simulation: the latest year's cases under the policy, with the new catalog (and the
/// current catalog's groups the history lacks, and its 床日 groups). With `apply`, the proposed
/// level table replaces the policy's, and the scenario (every institution before and after) comes too.
fn run_simulation(
    policy: dipcalc::policy::Policy,
    apply: bool,
    lang: input::Lang,
    cal: &calibrate::Calibration,
    institutions: Vec<Institution>,
    current: Option<Catalog>,
    last: CaseTable,
) -> Result<(simulate::Simulation, Option<Comparison>), Failure> {
    let proposal = match apply {
        true => Some(
            cal.levels
                .as_ref()
                .ok_or_else(|| usage("--apply-levels needs --institutions"))?,
        ),
        false => None,
    };
    let mut catalog = output::catalog_records(cal);
    if let Some(cur) = current {
        let missing: Vec<_> = cur
            .groups
            .into_iter()
            .filter(|g| catalog.groups.iter().all(|n| n.code != g.code))
            .collect();
        catalog.groups.extend(missing);
        catalog.per_diem_groups = cur.per_diem_groups;
    }
    let data = Dataset {
        institutions,
        catalog,
        ..Dataset::default()
    };
    let cross = input::check_dataset_with_cases(&data, &last);
    if !cross.is_empty() {
        let lines: Vec<String> = cross.iter().take(100).map(|e| e.message(lang)).collect();
        return Err(failed(lines.join("\n")));
    }
    eprintln!("simulating {} cases under {} …", last.len(), policy.name);
    let scenario = match proposal {
        Some(levels) => Some(
            simulate::level_scenario(&policy, levels, data.clone(), last.clone())
                .map_err(|e| engine_failure(e, lang))?,
        ),
        None => None,
    };
    let policy = match proposal {
        Some(levels) => simulate::with_proposed_levels(&policy, levels),
        None => policy,
    };
    let mut sim = simulate::simulate(&policy, data, last, apply).map_err(|e| engine_failure(e, lang))?;
    simulate::with_year_start(&mut sim, &cal.point_value);
    Ok((sim, scenario))
}

/// The report in the chosen format: JSON (default), CSV (the tables one after another) or XLSX.
fn report_bytes(
    flags: &HashMap<String, String>,
    cal: &calibrate::Calibration,
    sim: Option<&(simulate::Simulation, Option<Comparison>)>,
    lang: ExportLang,
) -> Result<Vec<u8>, Failure> {
    match flags.get("format").map(String::as_str) {
        None | Some("json") => {
            let report = Report {
                calibration: cal,
                simulation: sim.map(|s| s.0.funds.as_slice()),
                level_scenario: sim.and_then(|s| s.1.as_ref()),
            };
            Ok((serde_json::to_string_pretty(&report).map_err(|e| failed(e.to_string()))? + "\n").into_bytes())
        }
        Some(f @ ("csv" | "xlsx")) => {
            let mut tables = vec![output::catalog_table(cal, lang)];
            tables.extend(output::summary_tables(cal, lang));
            if let Some((s, _)) = sim {
                tables.push(output::simulation_table(&s.funds, lang));
            }
            if f == "xlsx" {
                return output::tables_xlsx(&tables).map_err(|e| failed(e.to_string()));
            }
            let bom = if flags.contains_key("out") { export::BOM } else { "" };
            Ok(format!("{bom}{}", output::tables_csv(&tables)).into_bytes())
        }
        Some(other) => Err(usage(format!("--format must be json, csv or xlsx, not {other}"))),
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let flags = parse(args)?;
    let lang = lang_of(&flags)?;
    let elang = match lang {
        input::Lang::Zh => ExportLang::Zh,
        input::Lang::En => ExportLang::En,
    };
    let o = options(&flags)?;
    let paths: Vec<&str> = flags.get("history").map(|h| h.lines().collect()).unwrap_or_default();
    if paths.is_empty() || paths.len() > o.weights.len() {
        return Err(usage(format!(
            "calibrate needs one to {} --history files (one per weight)\n\n{USAGE}",
            o.weights.len()
        )));
    }
    if flags.get("format").is_some_and(|f| f == "xlsx") && !flags.contains_key("out") {
        return Err(usage("--format xlsx needs --out FILE"));
    }
    let policy = match flags.contains_key("policy") || flags.contains_key("preset") {
        true => Some(load_policy(&flags, lang, "calibrate")?),
        false if flags.contains_key("simulate") => return Err(usage("--simulate needs --policy or --preset")),
        false => None,
    };
    let mut common = ReadOptions {
        skip_bad_rows: flags.contains_key("skip-bad-rows"),
        ..ReadOptions::default()
    };
    if let Some(enc) = flags.get("encoding") {
        common.encoding = Some(enc.parse().map_err(|_| usage(format!("unknown encoding: {enc}")))?);
    }
    let per_file = file_options(&flags, &common)?;
    let mut history = read_history(&paths, &per_file["cases"], lang)?;
    let institutions = match flags.get("institutions") {
        Some(p) => Some(read_table(
            p,
            &per_file["institutions"],
            lang,
            input::read_institutions,
        )?),
        None => None,
    };
    let current = match flags.get("catalog") {
        Some(p) => Some(read_table(p, &per_file["catalog"], lang, input::read_catalog)?),
        None => None,
    };
    eprintln!("calibrating …");
    let mut cal = calibrate::calibrate(&history, institutions.as_deref(), current.as_ref(), &o)
        .map_err(|e| engine_failure(e, lang))?;
    for d in &cal.defaults {
        eprintln!(
            "{}",
            if lang == input::Lang::Zh {
                &d.message_zh
            } else {
                &d.message_en
            }
        );
    }
    if let (Some(levels), Some(p)) = (cal.levels.as_mut(), policy.as_ref()) {
        levels::with_current(levels, p);
    }
    let simulation = match (flags.contains_key("simulate"), policy) {
        (true, Some(policy)) => {
            let inst = institutions.ok_or_else(|| usage("--simulate needs --institutions"))?;
            let last = history.pop().map(|y| y.cases).unwrap_or_default();
            let apply = flags.contains_key("apply-levels");
            Some(run_simulation(policy, apply, lang, &cal, inst, current, last)?)
        }
        _ => None,
    };
    if let Some(path) = flags.get("catalog-out") {
        write_catalog(path, &cal, elang)?;
        eprintln!("{path}: {} groups", cal.groups.len());
    }
    let bytes = report_bytes(&flags, &cal, simulation.as_ref(), elang)?;
    write_out(flags.get("out"), &bytes)
}

fn engine_failure(e: dipcalc::engine::EngineError, lang: input::Lang) -> Failure {
    failed(match lang {
        input::Lang::Zh => e.message_zh,
        input::Lang::En => e.message_en,
    })
}
