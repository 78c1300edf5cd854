//! The command line on real files: SPEC §10 from `tests/fixtures/spec10/`, presets, and errors.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::process::Command;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");

fn dipcalc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(args)
        .output()
        .expect("run dipcalc")
}

fn spec10_args(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "run",
        "--policy",
        "policy.json",
        "--cases",
        "cases.csv",
        "--catalog",
        "catalog.csv",
        "--institutions",
        "institutions.csv",
    ]
    .iter()
    .map(|a| {
        if a.ends_with(".json") || a.ends_with(".csv") {
            format!("{FIX}/{a}")
        } else {
            a.to_string()
        }
    })
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn run_json(extra: &[&str]) -> Value {
    let args = spec10_args(extra);
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json output")
}

/// The §10 arguments (`--lang en`) with one fixture file replaced by an edited copy, written to
/// a folder of the test's own (`tag`): `arg` is the position of that file in the arguments.
fn spec10_with_edited(tag: &str, arg: usize, edit: impl FnOnce(String) -> String) -> Vec<String> {
    let mut args = spec10_args(&["--lang", "en"]);
    let original = std::path::PathBuf::from(&args[arg]);
    let dir = std::env::temp_dir().join(format!("dipcalc-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(original.file_name().unwrap());
    std::fs::write(&path, edit(std::fs::read_to_string(&original).unwrap())).unwrap();
    args[arg] = path.to_string_lossy().into_owned();
    args
}

/// Where `spec10_args` puts the policy file and the case file.
const POLICY_ARG: usize = 2;
const CASES_ARG: usize = 4;

#[test]
fn spec10_figures_from_the_command_line() {
    let r = run_json(&[]);
    let f = &r["funds"][0];
    assert_eq!(f["fund"], "employee");
    assert_eq!(f["budget"]["budget"], "144900.00");
    assert_eq!(f["total_points"], "1618.5");
    assert_eq!(f["pool"], "187600.00");
    assert_eq!(f["point_value"], "115.909793");
    let units = f["units"].as_array().unwrap();
    let col = |k: &str| {
        units
            .iter()
            .map(|u| u[k].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(col("code"), ["H1", "H2", "H3"]);
    assert_eq!(col("settlement"), ["115967.75", "53086.68", "18545.57"]);
    assert_eq!(col("fund_settlement"), ["87767.75", "41686.68", "15445.57"]);
    assert_eq!(col("target"), ["121807.10", "46700.00", "17927.34"]);
    assert_eq!(col("fund_pays"), ["93607.10", "35300.00", "14827.34"]);
    assert_eq!(f["totals"]["fund_pays"], "143734.44");
    assert_eq!(f["risk_sharing_effect"], "-1165.56");
}

#[test]
fn csv_output_has_the_same_figures_and_a_totals_row() {
    let args = spec10_args(&["--format", "csv", "--lang", "en"]);
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("fund,code,name"));
    assert!(lines[2].contains(",53086.68,41686.68,"), "{}", lines[2]);
    // Points and shares as the JSON gives them, not at full precision: 458 ÷ 1618.5.
    assert!(lines[2].contains(",458,0.282978,"), "{}", lines[2]);
    assert!(lines[4].starts_with("employee,total,"), "{}", lines[4]);
    assert!(lines[4].contains(",187600.00,144900.00,"));
}

#[test]
fn preset_json_is_accepted_back_unchanged() {
    let list = dipcalc(&["presets"]);
    let names: Vec<String> = String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["宁德2024", "吉林2024", "信阳2019", "休宁2021", "国家DIP3.0"]);
    let dir = std::env::temp_dir().join(format!("dipcalc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in &names {
        let out = dipcalc(&["preset", name]);
        assert!(out.status.success());
        let path = dir.join("p.json");
        std::fs::write(&path, &out.stdout).unwrap();
        let args = spec10_args(&[]);
        let mut args: Vec<String> = args;
        args[2] = path.to_string_lossy().into_owned();
        let run = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
        // The presets define their own level tables and funds; the run must read the policy.
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("政策文件无法读取"), "{name}: {stderr}");
    }
}

#[test]
fn bad_policy_names_the_field_path() {
    let args = spec10_with_edited("bad", POLICY_ARG, |t| {
        t.replace("\"rate\": \"0.10\"", "\"rate\": \"1.5\"")
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("funds.employee.reserve.rate"), "{err}");
    assert!(err.contains("1.5 is outside [0, 1]"), "{err}");
}

#[test]
fn bad_case_row_names_file_row_column_and_value() {
    let args = spec10_with_edited("row", CASES_ARG, |t| {
        t.replace("H2,职工,DIP,G1,9800", "H2,职工,DIP,G1,98x0")
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // Row 6 as Excel shows it (header on row 1), column E 医疗总费用, the cell's text.
    assert!(err.contains("cases.csv"), "{err}");
    assert!(err.contains("row 6"), "{err}");
    assert!(err.contains("column E"), "{err}");
    assert!(err.contains("98x0"), "{err}");
    assert!(out.stdout.is_empty());
}

/// Issue 11: a case costing 10¹⁶ 元 made reconciliation overflow (a panic); now the cross-file
/// check refuses it with its row, field and the limit (1 亿元 a case), exit 1.
#[test]
fn a_cost_beyond_the_case_limit_is_a_located_error_not_a_panic() {
    let args = spec10_with_edited("huge", CASES_ARG, |t| {
        t.replace("H2,职工,DIP,G1,9800,2500", "H2,职工,DIP,G1,10000000000000000,2500")
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    // Row 6 as Excel shows it; the field, the value and the limit.
    for part in ["row 6", "医疗总费用", "10000000000000000", "limit of 100000000"] {
        assert!(err.contains(part), "{part} missing: {err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_group_is_a_located_error() {
    let args = spec10_with_edited("grp", CASES_ARG, |t| {
        t.replace("H3,职工,DIP,G1,9900", "H3,职工,DIP,G9,9900")
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("G9"), "{err}");
    assert!(err.contains("row 12"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(dipcalc(&["run", "--policy"]).status.code(), Some(2));
    assert_eq!(dipcalc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(dipcalc(&["preset", "上海2030"]).status.code(), Some(1));
}

#[test]
fn map_reads_columns_the_headers_do_not_name() {
    // An export calling the total cost 金额合计 and the days 在院时长: neither is a known header.
    let mut args = spec10_with_edited("map", CASES_ARG, |t| {
        t.replacen("医疗总费用", "金额合计", 1)
            .replacen("住院天数", "在院时长", 1)
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing column"), "{err}");

    // The total cost by header: the §10 figures; the days (optional) are not read, and the
    // notes on stderr, each naming the file, say so.
    args.extend(["--map", "cases.total_cost=金额合计"].map(String::from));
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["funds"][0]["point_value"], "115.909793");
    assert!(err.lines().all(|l| l.contains(".csv: ")), "{err}");
    assert!(err.contains("cases.csv: columns not used: G「在院时长」"), "{err}");

    // The days by letter, with the field's Chinese name: column G is read.
    args.extend(["--map=cases.住院天数=G"].map(String::from));
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("columns not used"), "{err}");

    // A mapping naming no data file is a usage error.
    args.extend(["--map", "claims.total_cost=X"].map(String::from));
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--map claims.total_cost=X: expected FILE.FIELD=HEADER"));
}

#[test]
fn adjustments_file_moves_the_year_end_amount_of_the_institution_named() {
    // 年终调整 (SPEC §7.2): an audit deduction of 1,200 for H2 (信阳2019 三(三); 吉林2024 第三十二条),
    // written positive in 扣款金额 as audit exports list it; the other units keep §10's figures.
    let dir = std::env::temp_dir().join(format!("dipcalc-cli-adjustments-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("年终调整.csv");
    std::fs::write(
        &path,
        "机构编码,险种,调整项目,扣款金额,依据\nH2,职工,审核扣款,1200,信阳2019 三(三)\n",
    )
    .unwrap();
    let path = path.to_string_lossy().into_owned();
    let f = &run_json(&["--adjustments", &path])["funds"][0];
    let h2 = &f["units"][1];
    // net to pay −21,676.48 (§10) − 1,200 = −22,876.48
    assert_eq!(h2["net_to_pay"], "-22876.48");
    assert_eq!(h2["amount_adjustments"], "-1200.00");
    assert_eq!(h2["adjustments"][0]["label"], "审核扣款");
    assert_eq!(h2["adjustments"][0]["basis"], "信阳2019 三(三)");
    assert_eq!(h2["adjustments"][0]["amount"], "-1200.00");
    assert_eq!(f["units"][0]["net_to_pay"], "51344.04");
    assert_eq!(f["point_value"], "115.909793");

    let args = spec10_args(&["--adjustments", &path, "--format", "csv"]);
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let text = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let h2: Vec<&str> = text.lines().nth(2).unwrap().split(',').collect();
    let col = |name: &str| h2[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("年终调整金额"), "-1200.00");
    assert_eq!(col("年终调整明细"), "H2 审核扣款 -1200.00");
    assert_eq!(col("年终应付(负数为应收回)"), "-22876.48");

    // A bad cell is located in its file, as in every table.
    std::fs::write(
        dir.join("bad.csv"),
        "机构编码,险种,调整项目,扣款金额\nH2,职工,审核扣款,十二\n",
    )
    .unwrap();
    let bad = dir.join("bad.csv").to_string_lossy().into_owned();
    let args = spec10_args(&["--adjustments", &bad]);
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv 第 2 行 D 列「扣款金额」：“十二” 不是数字"),
        "{err}"
    );
}

#[test]
fn header_only_case_file_is_named() {
    let args = spec10_with_edited("header-only", CASES_ARG, |t| {
        t.lines().next().unwrap().to_string() + "\n"
    });
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cases.csv: a header but no case rows; there is nothing to settle"),
        "{err}"
    );
    assert!(!err.contains("needs --cases"), "{err}");
}

#[test]
fn skip_out_of_year_is_reported() {
    let args = spec10_with_edited("year", CASES_ARG, |t| t.replacen("2024-", "2023-", 1));
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is not in the policy year 2024"), "{err}");
    let mut args = args;
    args.push("--skip-out-of-year".into());
    let out = dipcalc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("left out 1 cases dated outside the policy year"), "{err}");
}
