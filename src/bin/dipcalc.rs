//! `dipcalc`: the command line on the same core as the page.
//!
//! ```text
//! dipcalc run --policy P.json --cases C.csv --catalog G.csv --institutions I.csv
//!             [--summary S.csv] [--outpatient O.csv] [--adjustments A.csv] [--format json|csv] [--out F]
//!             [--lang zh|en] [--skip-bad-rows] [--encoding NAME] [--sheet NAME]
//! dipcalc presets
//! dipcalc preset NAME
//! ```

#[path = "dipcalc/synth.rs"]
mod synth;

#[path = "dipcalc/publish.rs"]
mod publish;

#[path = "dipcalc/calibrate.rs"]
mod calibrate;

#[path = "dipcalc/estimate.rs"]
mod estimate;

use dipcalc::engine::analysis::{points_by_category, CategoryPoints};
use dipcalc::engine::result::Settlement;
use dipcalc::engine::{disclosure, Settler};
use dipcalc::export;
use dipcalc::input::{self, CaseBlocks, CaseStream, ImportFailure, ImportReport, ReadOptions, Source};
use dipcalc::policy::{self, Policy};
use dipcalc::records::cases::CaseTable;
use dipcalc::records::Dataset;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::process::ExitCode;
use std::sync::mpsc;

const USAGE: &str = "\
dipcalc — 区域点数法总额预算 + DIP 结算计算器 / regional-budget DIP settlement calculator

USAGE:
  dipcalc run --policy P.json|--preset NAME --institutions I --catalog G [--cases C] [--summary S]
              [--outpatient O] [--adjustments A] [--format json|csv] [--out FILE] [--lang zh|en]
              [--skip-bad-rows] [--skip-out-of-year] [--encoding NAME] [--sheet [FILE=]NAME] [--map FILE.FIELD=HEADER …]
              [--fund-parts civil,large,serious]
  dipcalc calibrate --history Y1 [--history Y2 --history Y3] [options]
                             scores, year-start point value, level coefficients from past years
                             and the new policy simulated on the last (docs/calibrate.md;
                             dipcalc calibrate --help)
  dipcalc estimate --through K …   the inputs of run, the months so far → the year-end estimate
              with a range (SPEC §11) [--published FILE] [--previous-year FILE] [--growth G]
              [--profile auto|policy|previous_year|even] [--own-share X] [--accept-missing-months]
              [--interval predictive|run_rate] [--draws N] [--seed S]
  dipcalc presets            list the presets (宁德2024, 吉林2024, 信阳2019, 休宁2021)
  dipcalc preset NAME        print a preset's policy JSON (run accepts it back unchanged)
  dipcalc publish …          the inputs of run (less --format) → a publication bundle (docs/bundle.md);
                             [--min-cases N]: no published figure from fewer than N cases (default 10)
  dipcalc verify BUNDLE      recompute a bundle's figures; exit 1 when any differs
  dipcalc synth --out DIR [--size demo|100k|300k|1m|excel|N] [--seed S] [--xlsx]
                             write a synthetic region (cases, catalog, institutions, policy.json)
  dipcalc --version

Files may be CSV/TSV (UTF-8, GB18030, UTF-16), XLSX, XLS or ODS.
--sheet NAME picks a workbook's sheet for every file, --sheet cases=NAME for one file.
--map reads a column the headers do not name: FILE is cases, catalog, institutions, summary,
outpatient, adjustments or published, FIELD a field key or its Chinese name (docs/import.md), HEADER the column's header
or letter; repeat it for more columns, e.g. --map cases.total_cost=金额合计 --map cases.days=H.
--fund-parts counts more payment columns as fund money when the personal burden is derived from
统筹基金支付, in every file and both funds (吉林2024 第六条: 职工 统筹+公补+大额, 居民 统筹+大病保险:
--fund-parts civil,large,serious).
A case dated outside the policy's year is an error; --skip-out-of-year leaves such cases out
and counts them in the import notes.
Exit status: 0 ok, 1 bad input or no result, 2 usage error.";

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: format!("{}\n\n{USAGE}", message.into()),
    }
}

fn failed(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        None | Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("-V") | Some("--version") => {
            println!("dipcalc {}", dipcalc::VERSION);
            Ok(())
        }
        Some("presets") => {
            for (name, json) in policy::PRESETS {
                let title = Policy::from_json(json).map(|p| p.title).unwrap_or_default();
                println!("{name}\t{title}");
            }
            Ok(())
        }
        Some("preset") => {
            let name = args
                .get(1)
                .ok_or_else(|| usage("preset: which one? (dipcalc presets lists them)"))?;
            let json = policy::preset_json(name).ok_or_else(|| {
                failed(format!(
                    "没有名为“{name}”的预设 / no preset named {name}; try: {}",
                    policy::preset_names().join(", ")
                ))
            })?;
            print!("{json}");
            Ok(())
        }
        Some("run") => run_settlement(&args[1..]),
        Some("calibrate") => calibrate::run(&args[1..]),
        Some("estimate") => estimate::estimate(&args[1..]),
        Some("publish") => publish::publish(&args[1..]),
        Some("verify") => publish::verify(&args[1..]),
        Some("synth") => synth::run(&args[1..]).map_err(|(code, message)| Failure { code, message }),
        Some(other) => Err(usage(format!("unknown command: {other}"))),
    }
}

/// `--flag value` pairs and bare `--switch`es.
fn parse_flags(args: &[String]) -> Result<HashMap<String, String>, Failure> {
    const SWITCHES: [&str; 3] = ["skip-bad-rows", "skip-out-of-year", "accept-missing-months"];
    const VALUED: [&str; 24] = [
        "policy",
        "preset",
        "cases",
        "catalog",
        "institutions",
        "summary",
        "outpatient",
        "adjustments",
        "fund-parts",
        "format",
        "out",
        "lang",
        "encoding",
        "sheet",
        // dipcalc estimate (SPEC §11).
        "through",
        "published",
        "previous-year",
        "growth",
        "profile",
        "own-share",
        "interval",
        "draws",
        "seed",
        // dipcalc publish.
        "min-cases",
    ];
    let mut flags = HashMap::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let name = arg
            .strip_prefix("--")
            .ok_or_else(|| usage(format!("unexpected argument: {arg}")))?;
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        if SWITCHES.contains(&name) {
            flags.insert(name.to_string(), String::new());
        } else if name == "map" {
            // Repeatable: the mappings are kept one per line.
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| usage("--map needs FILE.FIELD=HEADER"))?,
            };
            let all = flags.entry("map".to_string()).or_insert_with(String::new);
            if !all.is_empty() {
                all.push('\n');
            }
            all.push_str(&value);
        } else if VALUED.contains(&name) {
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| usage(format!("--{name} needs a value")))?,
            };
            flags.insert(name.to_string(), value);
        } else {
            return Err(usage(format!("unknown option: --{name}")));
        }
    }
    Ok(flags)
}

fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| failed(format!("{path}: 无法读取 / cannot read: {e}")))
}

fn import_failure(f: ImportFailure, lang: input::Lang) -> Failure {
    failed(f.message(lang))
}

/// The case file is read in chunks of this size.
const CHUNK: usize = 1 << 20;

/// Reads a case file in 1 MiB chunks straight into the engine's compact table: neither the
/// file nor a `Vec<Case>` is ever held whole (a million rows: ~130 MB instead of ~430 MB).
/// From [`SPLIT_MIN`] bytes up, its two halves are read at once on two threads when that gives
/// exactly what reading it whole gives ([`split_cases`]); otherwise it is read whole.
fn stream_cases(path: &str, opts: &ReadOptions, lang: input::Lang) -> Result<(CaseTable, ImportReport), Failure> {
    if let Some(read) = split_cases(path, opts) {
        return Ok(read);
    }
    let cannot = |e: std::io::Error| failed(format!("{path}: 无法读取 / cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut stream = CaseStream::new(path, opts);
    let mut table = CaseTable::new();
    read_chunks(file, |chunk| stream.push(chunk, &mut table)).map_err(cannot)?;
    let report = stream.finish(&mut table).map_err(|e| import_failure(e, lang))?;
    Ok((table, report))
}

/// Feeds `read` to `feed` in [`CHUNK`]s. A second thread reads the next chunks while this one
/// feeds (three buffers go round between them), so the copying out of the page cache overlaps
/// the parsing.
fn read_chunks(mut read: impl Read + Send, mut feed: impl FnMut(&[u8])) -> std::io::Result<()> {
    const BUFFERS: usize = 3;
    std::thread::scope(|scope| {
        // Both channels live in this closure: when it returns (the end, or a read error), the
        // reader's `send` or `recv` fails and it stops, so the scope never waits on it.
        let (full_tx, full_rx) = mpsc::sync_channel::<std::io::Result<(Vec<u8>, usize)>>(BUFFERS);
        let (empty_tx, empty_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
        for _ in 0..BUFFERS {
            let _ = empty_tx.send(vec![0u8; CHUNK]);
        }
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let got = read.read(&mut buf);
                let done = !matches!(got, Ok(n) if n > 0);
                if matches!(got, Ok(0)) || full_tx.send(got.map(|n| (buf, n))).is_err() || done {
                    break;
                }
            }
        });
        for chunk in full_rx {
            let (buf, n) = chunk?;
            feed(&buf[..n]);
            let _ = empty_tx.send(buf);
        }
        Ok(())
    })
}

/// Case files from this size up are read in two halves at once (`DIPCALC_SPLIT_MIN=BYTES`
/// overrides it, for tests).
const SPLIT_MIN: u64 = 8 << 20;

/// The case file read as two halves on two threads, cut at the line feed after its middle
/// (the input layer's [`input::merge_halves`] puts them together), or `None` when it is small,
/// cannot be cut there, or the halves do not certainly give what reading it whole gives (a
/// failure, a quoted field across the cut …): then it is read whole, which also reports any
/// error. The first half is fed in the very chunks reading it whole would feed until its
/// header is read, so the encoding and delimiter are sniffed from the same text.
fn split_cases(path: &str, opts: &ReadOptions) -> Option<(CaseTable, ImportReport)> {
    let split_min = std::env::var("DIPCALC_SPLIT_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPLIT_MIN);
    // Not opened unless it is a file: a named pipe is opened once, by the whole read.
    let meta = std::fs::metadata(path).ok()?;
    let len = meta.len();
    if !meta.is_file() || len < split_min.max(2) {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let cut = cut_near_middle(&mut file, len)?;
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut first = CaseStream::new(path, opts);
    let mut table = CaseTable::new();
    let mut buf = vec![0u8; CHUNK];
    let (mut fed, mut second) = (0u64, None);
    while second.is_none() {
        let n = file.read(&mut buf).ok().filter(|n| *n > 0)?;
        fed += n as u64;
        // The header is within the first rows: a file still without one is read whole.
        if fed > cut || fed > 4 * CHUNK as u64 {
            return None;
        }
        first.push(&buf[..n], &mut table);
        second = first.continuation();
    }
    let second = second?;
    let (head, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(move || read_half(path, cut, second));
        let mut head = file.take(cut - fed);
        let head = read_chunks(&mut head, |chunk| first.push(chunk, &mut table))
            .ok()
            .map(|()| (first.finish_half(&mut table), table));
        (head, rest.join().ok().flatten())
    });
    let ((a, table), (b, more)) = (head?, rest?);
    input::merge_halves((table, a), (more, b))
}

/// Where the line after the middle of the file starts (looked for in the next 64 KiB).
fn cut_near_middle(file: &mut std::fs::File, len: u64) -> Option<u64> {
    let middle = len / 2;
    file.seek(SeekFrom::Start(middle)).ok()?;
    let mut window = Vec::new();
    (&*file).take(1 << 16).read_to_end(&mut window).ok()?;
    let cut = middle + input::line_after(&window)? as u64;
    (cut < len).then_some(cut)
}

/// The second half of the case file, from byte `cut` on, read by `stream`.
fn read_half(path: &str, cut: u64, mut stream: CaseStream) -> Option<(input::Half, CaseBlocks)> {
    let mut file = std::fs::File::open(path).ok()?;
    file.seek(SeekFrom::Start(cut)).ok()?;
    let mut table = CaseBlocks::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        stream.push(&buf[..n], &mut table);
    }
    Some((stream.finish_half(&mut table), table))
}

/// The file flags whose reading options `--sheet FILE=NAME` and `--map FILE.FIELD=HEADER` set.
const DATA_FILES: [&str; 7] = [
    "cases",
    "catalog",
    "institutions",
    "summary",
    "outpatient",
    "adjustments",
    "published",
];

/// Reading options per data file: `common` with that file's sheet and column mappings.
fn file_options(
    flags: &HashMap<String, String>,
    common: &ReadOptions,
) -> Result<HashMap<&'static str, ReadOptions>, Failure> {
    let mut out: HashMap<&'static str, ReadOptions> = DATA_FILES.iter().map(|f| (*f, common.clone())).collect();
    let file_of = |name: &str| DATA_FILES.iter().copied().find(|f| *f == name);
    if let Some(sheet) = flags.get("sheet") {
        match sheet.split_once('=').and_then(|(f, s)| file_of(f).map(|f| (f, s))) {
            Some((file, name)) => {
                if let Some(o) = out.get_mut(file) {
                    o.sheet = Some(name.to_string());
                }
            }
            None => out.values_mut().for_each(|o| o.sheet = Some(sheet.clone())),
        }
    }
    for mapping in flags
        .get("map")
        .map(|m| m.lines().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let bad = || {
            usage(format!(
                "--map {mapping}: expected FILE.FIELD=HEADER, FILE one of {}",
                DATA_FILES.join(", ")
            ))
        };
        let (target, header) = mapping.split_once('=').ok_or_else(bad)?;
        let (file, field) = target.split_once('.').ok_or_else(bad)?;
        let file = file_of(file.trim()).ok_or_else(bad)?;
        if let Some(o) = out.get_mut(file) {
            o.columns.insert(field.trim().to_string(), header.trim().to_string());
        }
    }
    Ok(out)
}

/// The language of `--lang zh|en` (default zh).
fn lang_of(flags: &HashMap<String, String>) -> Result<input::Lang, Failure> {
    match flags.get("lang").map(String::as_str) {
        None | Some("zh") => Ok(input::Lang::Zh),
        Some("en") => Ok(input::Lang::En),
        Some(other) => Err(usage(format!("--lang must be zh or en, not {other}"))),
    }
}

/// The policy of `--policy FILE` or `--preset NAME` (exactly one of them).
fn load_policy(flags: &HashMap<String, String>, lang: input::Lang, command: &str) -> Result<Policy, Failure> {
    let policy = match (flags.get("policy"), flags.get("preset")) {
        (Some(path), None) => {
            let bytes = read_file(path)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                failed(format!(
                    "{path}: 政策文件应为 UTF-8 JSON / the policy file must be UTF-8 JSON"
                ))
            })?;
            Policy::from_json(&text).map_err(|e| {
                let lines: Vec<String> = e
                    .issues
                    .iter()
                    .map(|i| match lang {
                        input::Lang::Zh => format!("{path}: {}: {}", i.path, i.message_zh),
                        input::Lang::En => format!("{path}: {}: {}", i.path, i.message_en),
                    })
                    .collect();
                failed(lines.join("\n"))
            })?
        }
        (None, Some(name)) => policy::preset(name)
            .ok_or_else(|| {
                failed(format!(
                    "no preset named {name}; try: {}",
                    policy::preset_names().join(", ")
                ))
            })?
            .map_err(|e| failed(e.to_string()))?,
        (Some(_), Some(_)) => return Err(usage("give --policy or --preset, not both")),
        (None, None) => return Err(usage(format!("{command} needs --policy FILE or --preset NAME"))),
    };
    Ok(policy)
}

/// The reading options of every data file (DATA_FILES) from the flags: --skip-bad-rows,
/// --encoding, --fund-parts, each file's sheet and mappings; the files whose dates may carry a
/// year (cases, published figures) are checked against the policy year unless
/// --skip-out-of-year.
fn read_options(
    flags: &HashMap<String, String>,
    policy: &Policy,
) -> Result<HashMap<&'static str, ReadOptions>, Failure> {
    let mut common = ReadOptions {
        skip_bad_rows: flags.contains_key("skip-bad-rows"),
        ..ReadOptions::default()
    };
    if let Some(enc) = flags.get("encoding") {
        common.encoding = Some(enc.parse().map_err(|_| usage(format!("unknown encoding: {enc}")))?);
    }
    if let Some(parts) = flags.get("fund-parts") {
        common.fund_parts = parts
            .split(',')
            .map(|p| p.parse().map_err(|e: String| usage(format!("--fund-parts: {e}"))))
            .collect::<Result<_, _>>()?;
    }
    let mut per_file = file_options(flags, &common)?;
    for file in ["cases", "published"] {
        if let Some(o) = per_file.get_mut(file) {
            o.year = Some(policy.year);
            o.skip_out_of_year = flags.contains_key("skip-out-of-year");
        }
    }
    Ok(per_file)
}

/// The policy and the data files named by the flags, read and cross-checked as `run` reads
/// them (`publish` reads the same way); import notes go to stderr.
/// The cases are in the returned table (`Dataset::cases` stays empty): settle with a [`Settler`].
fn load_inputs(
    flags: &HashMap<String, String>,
    command: &str,
) -> Result<(input::Lang, Policy, Dataset, CaseTable), Failure> {
    let lang = lang_of(flags)?;
    let policy = load_policy(flags, lang, command)?;
    let per_file = read_options(flags, &policy)?;
    // Every data file has its entry (DATA_FILES).
    let opts_for = |file: &str| &per_file[file];

    let required = |name: &str| {
        flags
            .get(name)
            .ok_or_else(|| usage(format!("{command} needs --{name} FILE")))
    };
    let mut data = Dataset::default();
    let mut reports = Vec::new();
    {
        let path = required("institutions")?;
        let bytes = read_file(path)?;
        let r = input::read_institutions(
            Source {
                name: path,
                bytes: &bytes,
            },
            opts_for("institutions"),
        )
        .map_err(|e| import_failure(e, lang))?;
        data.institutions = r.records;
        reports.push((path.clone(), r.report));
    }
    let mut cases = CaseTable::new();
    if let Some(path) = flags.get("cases") {
        let (table, report) = stream_cases(path, opts_for("cases"), lang)?;
        cases = table;
        reports.push((path.clone(), report));
    }
    {
        // After the cases: where several columns could be the group code, the catalog's choice
        // prefers the one whose codes the cases use.
        let path = required("catalog")?;
        let bytes = read_file(path)?;
        let in_cases = |code: &str| cases.groups.find(code).is_some();
        let r = input::read_catalog_matching(
            Source {
                name: path,
                bytes: &bytes,
            },
            opts_for("catalog"),
            (!cases.is_empty()).then_some(&in_cases as &dyn Fn(&str) -> bool),
        )
        .map_err(|e| import_failure(e, lang))?;
        data.catalog = r.records;
        reports.push((path.clone(), r.report));
    }
    if let Some(path) = flags.get("summary") {
        let bytes = read_file(path)?;
        let r = input::read_summaries(
            Source {
                name: path,
                bytes: &bytes,
            },
            opts_for("summary"),
        )
        .map_err(|e| import_failure(e, lang))?;
        data.summaries = r.records;
        reports.push((path.clone(), r.report));
    }
    if let Some(path) = flags.get("outpatient") {
        let bytes = read_file(path)?;
        let r = input::read_outpatient(
            Source {
                name: path,
                bytes: &bytes,
            },
            opts_for("outpatient"),
        )
        .map_err(|e| import_failure(e, lang))?;
        data.outpatient = r.records;
        reports.push((path.clone(), r.report));
    }
    if let Some(path) = flags.get("adjustments") {
        let bytes = read_file(path)?;
        let r = input::read_adjustments(
            Source {
                name: path,
                bytes: &bytes,
            },
            opts_for("adjustments"),
        )
        .map_err(|e| import_failure(e, lang))?;
        data.adjustments = r.records;
        reports.push((path.clone(), r.report));
    }
    if cases.is_empty() && data.summaries.is_empty() {
        // A case file that was given but holds no case rows (a header only) is the file's
        // problem, not a missing option.
        if let Some(path) = flags.get("cases") {
            return Err(failed(match lang {
                input::Lang::Zh => format!("{path}：只有表头，没有病例行；没有可结算的数据"),
                input::Lang::En => format!("{path}: a header but no case rows; there is nothing to settle"),
            }));
        }
        return Err(usage(format!("{command} needs --cases or --summary")));
    }
    let cross = input::check_dataset_with_cases(&data, &cases);
    if !cross.is_empty() {
        let total = cross.len();
        let mut lines: Vec<String> = cross.iter().take(100).map(|e| e.message(lang)).collect();
        if total > 100 {
            lines.push(match lang {
                input::Lang::Zh => format!("……另有 {} 个问题", total - 100),
                input::Lang::En => format!("… and {} more problems", total - 100),
            });
        }
        return Err(failed(lines.join("\n")));
    }
    // What the import guessed or skipped goes to stderr, so stdout stays the result.
    for (path, report) in &reports {
        for note in report.notes(lang) {
            eprintln!("{path}: {note}");
        }
    }

    Ok((lang, policy, data, cases))
}

/// `run --format json`: the settlement, and each unit's points by 病种类型 when the catalog
/// gives categories (docs/output.md).
#[derive(serde::Serialize)]
struct RunJson<'a> {
    #[serde(flatten)]
    settlement: &'a Settlement,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    catalog_categories: &'a [CategoryPoints],
}

fn run_settlement(args: &[String]) -> Result<(), Failure> {
    let flags = parse_flags(args)?;
    if flags.contains_key("min-cases") {
        return Err(usage(
            "--min-cases is for publish (the bundle's small-cell suppression)",
        ));
    }
    let (lang, policy, data, cases) = load_inputs(&flags, "run")?;
    let engine_failure = |e: dipcalc::engine::EngineError| {
        failed(match lang {
            input::Lang::Zh => e.message_zh,
            input::Lang::En => e.message_en,
        })
    };
    let mut settler = Settler::from_parts(data, cases);
    let mut result = settler.settle(&policy).map_err(engine_failure)?;
    let disclosed = disclosure::disclosures(&result, &settler.data().institutions);
    result.notices.extend(disclosed);
    let categories = points_by_category(&policy, settler.data(), settler.cases(), &result).map_err(engine_failure)?;
    for n in &result.notices {
        eprintln!(
            "{}",
            match lang {
                input::Lang::Zh => &n.message_zh,
                input::Lang::En => &n.message_en,
            }
        );
    }
    let export_lang = match lang {
        input::Lang::Zh => export::Lang::Zh,
        input::Lang::En => export::Lang::En,
    };
    let text = match flags.get("format").map(String::as_str) {
        None | Some("json") => {
            let out = RunJson {
                settlement: &result,
                catalog_categories: &categories,
            };
            serde_json::to_string_pretty(&out).map_err(|e| failed(e.to_string()))? + "\n"
        }
        Some("csv") => {
            let csv = export::settlement_csv(&result, export_lang);
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
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).map_err(|e| failed(e.to_string()))?;
        }
    }
    Ok(())
}
