//! Which payment columns are fund money (吉林2024 第六条: "职工…统筹基金、公补基金和大额基金"; "城乡居民
//! …统筹基金及大病保险"; SPEC §3): `ReadOptions::fund_parts` adds 公务员医疗补助, 大额医疗费用补助
//! and 大病保险 to 统筹基金支付 when the personal burden is derived as cost − fund payment (SPEC §7).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::d;
use dipcalc::input::{read_cases, read_outpatient, read_summaries, FundPart, ReadOptions, Source};
use rust_decimal::Decimal;

fn src<'a>(name: &'a str, text: &'a str) -> Source<'a> {
    Source {
        name,
        bytes: text.as_bytes(),
    }
}

fn with(parts: &[FundPart]) -> ReadOptions {
    ReadOptions {
        fund_parts: parts.to_vec(),
        ..ReadOptions::default()
    }
}

const CASES: &str =
    "机构编码,险种,病种编码,医疗总费用,统筹基金支付,公务员医疗补助,大额医疗费用补助,大病保险,结算日期\n\
                     H1,职工,G1,12000,6000,800,1200,,2024-03-15\n\
                     H1,居民,G1,10000,5000,,,1500,2024-03-16\n";

#[test]
fn only_the_pooled_fund_counts_unless_told() {
    let r = read_cases(src("cases.csv", CASES), &ReadOptions::default()).unwrap();
    // 12,000 − 6,000 = 6,000; 10,000 − 5,000 = 5,000
    let personal: Vec<Decimal> = r.records.iter().map(|c| c.personal_burden).collect();
    assert_eq!(personal, [d("6000"), d("5000")]);
}

#[test]
fn jilin_counts_civil_large_and_serious_illness_money() {
    let r = read_cases(
        src("cases.csv", CASES),
        &with(&[FundPart::Civil, FundPart::Large, FundPart::Serious]),
    )
    .unwrap();
    // 职工: 12,000 − (6,000 + 800 + 1,200) = 4,000 (统筹 + 公补 + 大额)
    // 居民: 10,000 − (5,000 + 1,500) = 3,500 (统筹 + 大病保险)
    let personal: Vec<Decimal> = r.records.iter().map(|c| c.personal_burden).collect();
    assert_eq!(personal, [d("4000"), d("3500")]);
    // Only the parts named count: 大额 alone → 12,000 − 7,200 = 4,800.
    let r = read_cases(src("cases.csv", CASES), &with(&[FundPart::Large])).unwrap();
    assert_eq!(r.records[0].personal_burden, d("4800"));
}

#[test]
fn an_own_personal_burden_column_still_wins() {
    let csv = "机构编码,险种,病种编码,医疗总费用,个人负担,统筹基金支付,大额基金,结算日期\n\
               H1,职工,G1,12000,3000,6000,1200,2024-03-15\n";
    let r = read_cases(src("cases.csv", csv), &with(&[FundPart::Large])).unwrap();
    assert_eq!(r.records[0].personal_burden, d("3000"));
}

#[test]
fn summaries_and_outpatient_records_read_the_same_columns() {
    let csv = "机构编码,险种,总点数,医疗总费用,统筹基金支付,公补基金,大额基金\nH1,职工,100,50000,30000,2000,3000\n";
    let r = read_summaries(src("s.csv", csv), &with(&[FundPart::Civil, FundPart::Large])).unwrap();
    // 50,000 − (30,000 + 2,000 + 3,000) = 15,000
    assert_eq!(r.records[0].personal_burden, d("15000"));
    let csv = "机构编码,险种,药品费用,医疗总费用,统筹基金支付,大病保险支付\nH1,居民,100,1000,600,100\n";
    let r = read_outpatient(src("o.csv", csv), &with(&[FundPart::Serious])).unwrap();
    // 1,000 − (600 + 100) = 300
    assert_eq!(r.records[0].personal_burden, d("300"));
}

#[test]
fn a_bad_part_is_located() {
    let csv =
        "机构编码,险种,病种编码,医疗总费用,统筹基金支付,大额基金,结算日期\nH1,职工,G1,12000,6000,12x,2024-03-15\n";
    let e = read_cases(src("cases.csv", csv), &with(&[FundPart::Large])).unwrap_err();
    assert_eq!(
        e.errors[0].to_string(),
        "cases.csv 第 2 行 F 列「大额基金」：“12x” 不是数字（应为金额，如 12345.67）"
    );
}

#[test]
fn the_command_line_option_gives_spec10_back() {
    // SPEC §10's cases with 个人负担 replaced by 统筹基金支付 = cost − personal, except that H2's first
    // case (cost 9,800, personal 2,500) pays 6,300 from 统筹 and 1,000 from 大额: with
    // --fund-parts large its personal burden is 9,800 − 7,300 = 2,500 again and §10's figures
    // come back (pool 187,600, PV 115.909793).
    let fix = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");
    let original = std::fs::read_to_string(format!("{fix}/cases.csv")).unwrap();
    let mut out = String::new();
    for (n, line) in original.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if n == 0 {
            cells[5] = "统筹基金支付".into();
            cells.push("大额基金".into());
        } else {
            let paid = d(&cells[4]) - d(&cells[5]);
            let large = if cells[0] == "H2" && cells[4] == "9800" {
                d("1000")
            } else {
                d("0")
            };
            cells[5] = (paid - large).to_string();
            cells.push(large.to_string());
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let dir = std::env::temp_dir().join(format!("dipcalc-fund-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = dir.join("cases.csv");
    std::fs::write(&cases, out).unwrap();
    let run = |extra: &[&str]| {
        let cases = cases.to_string_lossy().into_owned();
        let mut args = vec![
            "run".to_string(),
            "--policy".into(),
            format!("{fix}/policy.json"),
            "--cases".into(),
            cases,
            "--catalog".into(),
            format!("{fix}/catalog.csv"),
            "--institutions".into(),
            format!("{fix}/institutions.csv"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        std::process::Command::new(env!("CARGO_BIN_EXE_dipcalc"))
            .args(&args)
            .output()
            .unwrap()
    };
    let pool = |out: std::process::Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["funds"][0]["pool"].as_str().unwrap().to_string()
    };
    assert_eq!(pool(run(&["--fund-parts", "large"])), "187600.00");
    // Without it the 1,000 of 大额 is the patient's: pool 144,900 + 43,700 = 188,600.
    assert_eq!(pool(run(&[])), "188600.00");
    let bad = run(&["--fund-parts", "large,gold"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--fund-parts: unknown fund part \"gold\""));
}
