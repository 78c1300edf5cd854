//! Published DIP catalogs opened as they are (issue 18): a county's score table (CSV, and the
//! same rows as XLSX) whose group code is DIP分组编码 beside a repeated 病种编码, 病种类型 in
//! 一级/二级/三级核心病种, 基层病种 in 备注 and no 次均费用; and a city's two-sheet workbook, 目录
//! (病种类型 coded 1/0 under a legend, scores as VLOOKUP formulas with cached values) and 中间结果
//! (database headers DIP_CODE, WEIGHT_SCORE, WEIGHT, DIP_AVG_FEE …). The files are written in
//! the shape of real ones, with made-up groups and figures; each settles under 宁德2024.
//!
//! 宁德2024's level coefficients (SPEC §4): 三甲 1.10, 二甲 0.8638, 一级 0.75; 基层病种 at 1; H = 2,
//! L = 0.5 (SPEC §5.1). Where the catalog has no 次均费用 the policy's
//! `points.reference_cost_from_score` gives ref = score × 10 元 (SPEC §12, 费用超低 [reading]).
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::engine::points::resolved_reference_cost;
use dipcalc::input::{read_catalog, read_catalog_matching, ChoiceReason, ReadOptions, Reading, Source};
use dipcalc::policy::{LevelFactor, ReferenceCostFromScore};
use dipcalc::records::{Group, GroupCategory};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Formula, Workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/catalogs");

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fixture(name: &str) -> String {
    format!("{FIX}/{name}")
}

/// A folder of the test's own.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dipcalc-catalogs-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dipcalc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(args)
        .output()
        .expect("run dipcalc")
}

/// 宁德2024 as `dipcalc preset` prints it, with `points.reference_cost_from_score` set to a
/// reference point value of 10 元 (or left off: `None`).
fn ningde_policy(dir: &Path, point_value: Option<&str>) -> String {
    let out = dipcalc(&["preset", "宁德2024"]);
    assert!(out.status.success());
    let mut policy: Value = serde_json::from_slice(&out.stdout).unwrap();
    if let Some(pv) = point_value {
        policy["points"]["reference_cost_from_score"] =
            serde_json::json!({ "point_value": pv, "level_coefficients": [] });
    }
    let path = dir.join("policy.json");
    std::fs::write(&path, serde_json::to_string(&policy).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

/// `dipcalc run` on a catalog and a case file with the fixtures' institutions; the JSON and
/// the import notes (stderr). `policy`: a file, or `--preset NAME`'s name.
fn settle(policy: &str, catalog: &str, cases: &str, extra: &[&str]) -> (Value, String) {
    let institutions = fixture("institutions.csv");
    let flag = if policy.ends_with(".json") {
        "--policy"
    } else {
        "--preset"
    };
    let mut args = vec![
        "run",
        flag,
        policy,
        "--catalog",
        catalog,
        "--cases",
        cases,
        "--institutions",
        &institutions,
    ];
    args.extend(extra);
    let out = dipcalc(&args);
    let notes = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{notes}");
    (serde_json::from_slice(&out.stdout).unwrap(), notes)
}

fn unit_points(r: &Value) -> Vec<String> {
    r["funds"][0]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} {}",
                u["code"].as_str().unwrap(),
                u["points"]["total"].as_str().unwrap()
            )
        })
        .collect()
}

fn category_points(r: &Value) -> Vec<String> {
    r["catalog_categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        c["unit"].as_str().unwrap(),
                        c["label"].as_str().unwrap(),
                        c["points"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The county's units: ref = score × 10.
/// H1 三甲: K35.3:47.0901 45,000 ÷ 42,000 = 1.07 → 4,200 × 1.10 = 4,620; S72.0:79.3501
///   270,000 ÷ 263,600 = 1.02 → 26,360 × 1.10 = 28,996; A01.4:nan 基层 (备注) 520 × 1 = 520;
///   34,136 in all.
/// H2 二甲: K35.3:47.0901 15,000 ÷ 42,000 = 0.357 ≤ 0.5 → 4,200 × 0.357… = 1,500 × 0.8638 =
///   1,295.7; I63.9:nan r = 1 → 3,100 × 0.8638 = 2,677.78; K35.3:nan 基层 1,800 × 1; 5,773.48.
/// H3 一级: J18.9:nan 基层 1,500 × 1; I63.9:99.1001 120,000 ÷ 52,000 = 2.31 ≥ 2 →
///   5,200 × (2.31 − 1) = 6,800 × 0.75 = 5,100; 6,600.
const COUNTY_UNITS: [&str; 3] = ["H1 34136", "H2 5773.48", "H3 6600"];
const COUNTY_CATEGORIES: [&str; 6] = [
    "H1 一级核心病种 33616",
    "H1 三级核心病种 520",
    "H2 一级核心病种 3973.48",
    "H2 二级核心病种 1800",
    "H3 二级核心病种 5100",
    "H3 三级核心病种 1500",
];

#[test]
fn county_score_table_csv_settles_with_the_reference_point_value() {
    let dir = scratch("county-csv");
    let policy = ningde_policy(&dir, Some("10"));
    let (r, notes) = settle(
        &policy,
        &fixture("county.csv"),
        &fixture("county-cases.csv"),
        &["--lang", "en"],
    );
    assert_eq!(unit_points(&r), COUNTY_UNITS);
    assert_eq!(category_points(&r), COUNTY_CATEGORIES);
    // The group code: DIP分组编码 (8 codes, all distinct) over 病种编码 (5 distinct of 8).
    assert!(
        notes.contains("column B (DIP分组编码: 8 values, 8 distinct, 7 found in the cases) used because its codes are unique; not used: column C (病种编码: 8 values, 5 distinct, 0 found in the cases)"),
        "{notes}"
    );
    assert!(notes.contains("column K (备注): 3 groups read as 基层病种"), "{notes}");
    assert!(notes.contains("points.reference_cost_from_score"), "{notes}");
}

#[test]
fn county_score_table_without_the_option_names_it() {
    let dir = scratch("county-no-option");
    let policy = ningde_policy(&dir, None);
    let institutions = fixture("institutions.csv");
    let (catalog, cases) = (fixture("county.csv"), fixture("county-cases.csv"));
    let out = dipcalc(&[
        "run",
        "--policy",
        &policy,
        "--catalog",
        &catalog,
        "--cases",
        &cases,
        "--institutions",
        &institutions,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("次均费用") && err.contains("points.reference_cost_from_score"),
        "{err}"
    );
}

#[test]
fn county_group_code_mapped_by_hand_wins_over_the_content() {
    let dir = scratch("county-map");
    let policy = ningde_policy(&dir, Some("10"));
    let institutions = fixture("institutions.csv");
    let (catalog, cases) = (fixture("county.csv"), fixture("county-cases.csv"));
    let out = dipcalc(&[
        "run",
        "--policy",
        &policy,
        "--catalog",
        &catalog,
        "--cases",
        &cases,
        "--institutions",
        &institutions,
        "--map",
        "catalog.group=病种编码",
        "--lang",
        "en",
    ]);
    // 病种编码 repeats K35.3 (rows 2 and 3): the mapping is followed, and the duplicate located.
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 4") && err.contains("K35.3"), "{err}");
}

/// A sheet written from CSV text: numbers as numbers, the rest as text.
fn write_rows(ws: &mut rust_xlsxwriter::Worksheet, csv: &str) {
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && !cell.contains('.') => ws.write_number(r, c, n).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => ws.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
}

#[test]
fn county_score_table_xlsx_settles_as_the_csv() {
    let dir = scratch("county-xlsx");
    let mut book = Workbook::new();
    // A notes sheet first, as published workbooks often have.
    let notes_sheet = book.add_worksheet().set_name("说明").unwrap();
    notes_sheet.write_string(0, 0, "本表分值自2025年1月1日起执行").unwrap();
    let ws = book.add_worksheet().set_name("病种分值表").unwrap();
    write_rows(ws, &std::fs::read_to_string(fixture("county.csv")).unwrap());
    let path = dir.join("county.xlsx");
    book.save(&path).unwrap();
    let policy = ningde_policy(&dir, Some("10"));
    let (r, notes) = settle(&policy, path.to_str().unwrap(), &fixture("county-cases.csv"), &[]);
    assert_eq!(unit_points(&r), COUNTY_UNITS);
    assert_eq!(category_points(&r), COUNTY_CATEGORIES);
    // The sheet, then the column within it (the sheet stays the one probed).
    let sheet = notes.find("选用表头匹配最多的「病种分值表」").expect(&notes);
    let column = notes.find("用 B 列「DIP分组编码」").expect(&notes);
    assert!(sheet < column, "{notes}");
}

/// The city's workbook: 目录 with 病种分值 as VLOOKUP into 中间结果 (cached values written),
/// 中间结果 with the bureau's database headers; DIP_AVG_FEE = WEIGHT × REGION_AVE_VAL, also a
/// formula with its cached value.
fn city_workbook(dir: &Path) -> PathBuf {
    let mut book = Workbook::new();
    let catalog = std::fs::read_to_string(fixture("city-catalog.csv")).unwrap();
    let scores: Vec<(String, u32)> = catalog
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[1].to_string(), cells[9].parse().unwrap())
        })
        .collect();
    let ws = book.add_worksheet().set_name("目录").unwrap();
    write_rows(ws, &catalog);
    for (i, (_, score)) in scores.iter().enumerate() {
        let row = i as u32 + 1;
        let formula =
            Formula::new(format!("=VLOOKUP(B{},中间结果!B:C,2,FALSE)", row + 1)).set_result(score.to_string());
        ws.write_formula(row, 9, formula).unwrap();
    }
    let ws = book.add_worksheet().set_name("中间结果").unwrap();
    let headers = [
        "ID",
        "DIP_CODE",
        "WEIGHT_SCORE",
        "WEIGHT",
        "DIP_AVG_FEE",
        "REGION_AVE_VAL",
        "CV",
        "BILL_COUNT",
        "AVG_IPT_DAYS",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (code, score)) in scores.iter().enumerate() {
        let r = i as u32 + 1;
        let weight = f64::from(*score) / 1000.0;
        ws.write_number(r, 0, f64::from(r)).unwrap();
        ws.write_string(r, 1, code).unwrap();
        ws.write_number(r, 2, f64::from(*score)).unwrap();
        ws.write_number(r, 3, weight).unwrap();
        let fee = Formula::new(format!("=D{0}*F{0}", r + 1)).set_result((score * 10).to_string());
        ws.write_formula(r, 4, fee).unwrap();
        ws.write_number(r, 5, 10000.0).unwrap();
        ws.write_number(r, 6, 0.42).unwrap();
        ws.write_number(r, 7, 120.0).unwrap();
        ws.write_number(r, 8, 6.5).unwrap();
    }
    let path = dir.join("目录2025.xlsx");
    book.save(&path).unwrap();
    path
}

/// The city's units. H1 三甲: C0001 r = 1 → 4,200 × 1.10 = 4,620. H2 二甲: C0002 r = 1 →
/// 3,100 × 0.8638 = 2,677.78; Z0001 6,000 ÷ 15,000 = 0.4 ≤ 0.5 → 1,500 × 0.4 × 0.8638 = 518.28;
/// 3,196.06. H3 一级: Z0002 r = 1 → 800 × 0.75 = 600.
const CITY_UNITS: [&str; 3] = ["H1 4620", "H2 3196.06", "H3 600"];

#[test]
fn city_workbook_without_a_sheet_named_reads_the_best_matching_sheet() {
    let dir = scratch("city-auto");
    let book = city_workbook(&dir);
    let (r, notes) = settle("宁德2024", book.to_str().unwrap(), &fixture("city-cases.csv"), &[]);
    assert_eq!(unit_points(&r), CITY_UNITS);
    // 中间结果 names 4 fields (DIP_CODE, WEIGHT_SCORE, WEIGHT, DIP_AVG_FEE), 目录 3.
    assert!(
        notes.contains("未指定工作表：选用表头匹配最多的「中间结果」（4 列；其他：「目录」3 列）"),
        "{notes}"
    );
    assert!(
        notes.contains("F「REGION_AVE_VAL」（区域次均费用）、G「CV」（变异系数）"),
        "{notes}"
    );
    // No 病种类型 on that sheet: no breakdown.
    assert!(r.get("catalog_categories").is_none());
}

/// 目录: 核心病种 for code 1; 0 is not in the legend (1.核心病种；2.综合病种) and reads as 综合病种.
/// H1 核心 4,620; H2 核心 2,677.78, 综合 518.28; H3 综合 600.
const CITY_CATEGORIES: [&str; 4] = [
    "H1 核心病种 4620",
    "H2 核心病种 2677.78",
    "H2 综合病种 518.28",
    "H3 综合病种 600",
];

#[test]
fn city_catalog_sheet_with_coded_categories_and_formula_scores_settles() {
    let dir = scratch("city-sheet");
    let book = city_workbook(&dir);
    let policy = ningde_policy(&dir, Some("10"));
    let (r, notes) = settle(
        &policy,
        book.to_str().unwrap(),
        &fixture("city-cases.csv"),
        &["--sheet", "catalog=目录", "--lang", "en"],
    );
    // Same reference costs as 中间结果's DIP_AVG_FEE (score × 10), so the same points.
    assert_eq!(unit_points(&r), CITY_UNITS);
    assert_eq!(category_points(&r), CITY_CATEGORIES);
    assert!(
        notes.contains("0, which the legend does not list, on 2 rows read as comprehensive group"),
        "{notes}"
    );
}

#[test]
fn city_catalog_as_csv_settles_as_the_sheet() {
    let dir = scratch("city-csv");
    let policy = ningde_policy(&dir, Some("10"));
    let (r, _) = settle(&policy, &fixture("city-catalog.csv"), &fixture("city-cases.csv"), &[]);
    assert_eq!(unit_points(&r), CITY_UNITS);
    assert_eq!(category_points(&r), CITY_CATEGORIES);
}

fn read(csv: &str) -> Result<dipcalc::input::Imported<dipcalc::records::Catalog>, dipcalc::input::ImportFailure> {
    read_catalog(
        Source {
            name: "catalog.csv",
            bytes: csv.as_bytes(),
        },
        &ReadOptions::default(),
    )
}

#[test]
fn weight_is_a_relative_weight_never_the_score_beside_weight_score() {
    // Both: WEIGHT_SCORE is the score; WEIGHT is read as nothing else.
    let both = read("DIP_CODE,WEIGHT_SCORE,WEIGHT,DIP_AVG_FEE\nG1,4200,4.2,42000\n").unwrap();
    assert_eq!(both.records.groups[0].score, d("4200"));
    assert!(both.report.readings.is_empty(), "{:?}", both.report.readings);
    // WEIGHT alone: score = 4.2 × 1000 = 4,200, and said so.
    let alone = read("DIP_CODE,WEIGHT,DIP_AVG_FEE\nG1,4.2,42000\n").unwrap();
    assert_eq!(alone.records.groups[0].score, d("4200"));
    assert!(matches!(
        alone.report.readings.as_slice(),
        [Reading::ScoreFromWeight { letter, .. }] if letter == "B"
    ));
}

#[test]
fn categories_by_name_kind_and_legend_and_payment_type_apart() {
    let csv = "病种编码,病种类型,付费类型,分值,次均费用\n\
               G1,综合病种（保守治疗组）,DIP,100,1000\n\
               G2,中医优势病种,DIP,100,1000\n\
               G3,基层病种,,100,1000\n\
               G4,核心病种,,100,1000\n";
    let r = read(csv).unwrap();
    let got: Vec<_> = r.records.groups.iter().map(|g| (g.category, g.grassroots)).collect();
    assert_eq!(
        got,
        [
            (Some(GroupCategory::ComprehensiveConservative), false),
            (Some(GroupCategory::Tcm), false),
            (Some(GroupCategory::Grassroots), true),
            (Some(GroupCategory::Core), false),
        ]
    );
    // An older file's 病种类型 holding DIP / 床日 is still the payment type.
    let old = read("病种编码,病种类型,分值,日均基金支付标准,次均费用\nG1,DIP,100,,1000\nP1,床日,,300,\n").unwrap();
    assert_eq!((old.records.groups.len(), old.records.per_diem_groups.len()), (1, 1));
    // A code the legend does not give is located, with the legend.
    let bad = read("病种编码,病种类型（1.核心病种；2.综合病种）,分值,次均费用\nG1,3,100,1000\n").unwrap_err();
    let msg = bad.message(dipcalc::input::Lang::Zh);
    assert!(
        msg.contains("第 2 行 B 列") && msg.contains("1=核心病种、2=综合病种"),
        "{msg}"
    );
}

#[test]
fn with_no_cases_both_unique_columns_keep_the_header_choice_and_say_so() {
    let r = read("病种编码,DIP分组编码,分值,次均费用\nA1,A1:1,100,1000\nA2,A2:1,100,1000\n").unwrap();
    assert_eq!(r.records.groups[0].code, "A1");
    match r.report.readings.first() {
        Some(Reading::ColumnChosen { chosen, reason, .. }) => {
            assert_eq!((chosen.letter.as_str(), *reason), ("A", ChoiceReason::Header));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn both_unique_the_column_whose_codes_the_cases_use_wins() {
    let csv = "病种编码,DIP分组编码,分值,次均费用\nA1,A1:1,100,1000\nA2,A2:1,100,1000\n";
    let case_codes = ["A1:1", "A2:1"];
    let in_cases = |c: &str| case_codes.contains(&c);
    let src = Source {
        name: "catalog.csv",
        bytes: csv.as_bytes(),
    };
    let r = read_catalog_matching(src, &ReadOptions::default(), Some(&in_cases)).unwrap();
    assert_eq!(r.records.groups[0].code, "A1:1");
    match r.report.readings.first() {
        Some(Reading::ColumnChosen {
            chosen, others, reason, ..
        }) => {
            assert_eq!((chosen.letter.as_str(), *reason), ("B", ChoiceReason::MatchesCases));
            assert_eq!((chosen.matching_cases, others[0].matching_cases), (Some(2), Some(0)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reference_cost_from_score_times_the_level_coefficient() {
    let mut policy = dipcalc::policy::preset("宁德2024").unwrap().unwrap().points;
    let group = Group {
        code: "G1".into(),
        name: String::new(),
        score: d("4200"),
        grassroots: false,
        reference_cost: Decimal::ZERO,
        reference_cost_by_level: vec![],
        category: None,
    };
    policy.reference_cost_from_score = Some(ReferenceCostFromScore {
        point_value: d("9.5"),
        level_coefficients: vec![LevelFactor {
            level: "三甲".into(),
            coefficient: d("1.1"),
        }],
    });
    // 4,200 × 9.5 × 1.1 = 43,890 (SPEC §12: the same-level standard)
    assert_eq!(resolved_reference_cost(&policy, &group, "三甲").unwrap(), d("43890"));
    // A level the list lacks is an error naming it, never × 1 unsaid.
    let e = resolved_reference_cost(&policy, &group, "二甲").unwrap_err();
    assert!(e.message_zh.contains("二甲"), "{}", e.message_zh);
    // A stated reference cost is used as it is.
    let stated = Group {
        reference_cost: d("40000"),
        ..group
    };
    assert_eq!(resolved_reference_cost(&policy, &stated, "二甲").unwrap(), d("40000"));
}
