//! Every office-written fixture gives the same records as the canonical UTF-8 CSV.
//!
//! The fixtures under tests/fixtures/import/ were written by LibreOffice Calc (see
//! make_fixtures.py there): .xlsx, .xls, .ods, GB18030 CSV, UTF-16LE tab-separated text, a
//! report with a title row, a unit line and a totals row, and a catalog under a merged
//! two-line header on the second sheet of a workbook.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::d;
use std::path::PathBuf;

use dipcalc::input::{
    read_cases, read_catalog, read_institutions, read_outpatient, read_summaries, EncodingReason, FileFormat,
    ImportFailure, ImportReport, Imported, ReadOptions, SkipReason, Source, TextEncoding,
};
use dipcalc::records::{CaseKind, Fund};
use rust_decimal::Decimal;

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", "import", name]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read<T>(name: &str, f: fn(Source<'_>, &ReadOptions) -> Result<Imported<T>, ImportFailure>) -> Imported<T> {
    let bytes = fixture(name);
    match f(Source { name, bytes: &bytes }, &ReadOptions::default()) {
        Ok(i) => i,
        Err(e) => panic!("{name}:\n{}", e.message(dipcalc::input::Lang::En)),
    }
}

const VARIANTS: [&str; 5] = [".xlsx", ".xls", ".ods", "_gb18030.csv", "_utf16.txt"];

fn check_variant_report(name: &str, report: &ImportReport) {
    match name {
        n if n.ends_with(".xlsx") => assert_eq!(report.format, FileFormat::Xlsx),
        n if n.ends_with(".xls") => assert_eq!(report.format, FileFormat::Xls),
        n if n.ends_with(".ods") => assert_eq!(report.format, FileFormat::Ods),
        n if n.ends_with("_gb18030.csv") => {
            let enc = report.encoding.expect("encoding reported");
            assert_eq!(enc.encoding, TextEncoding::Gb18030, "{name}");
            assert_eq!(enc.reason, EncodingReason::NotUtf8, "{name}");
            assert!(enc.is_guess());
            assert_eq!(report.delimiter.as_deref(), Some(","));
        }
        n if n.ends_with("_utf16.txt") => {
            let enc = report.encoding.expect("encoding reported");
            assert_eq!(enc.encoding, TextEncoding::Utf16Le, "{name}");
            assert_eq!(enc.reason, EncodingReason::ByteOrderMark, "{name}");
            assert_eq!(report.delimiter.as_deref(), Some("\t"));
        }
        _ => {}
    }
    assert!(
        report.ignored_columns.is_empty(),
        "{name}: {:?}",
        report.ignored_columns
    );
}

#[test]
fn cases_canonical_values() {
    let got = read("cases.csv", read_cases);
    let cases = &got.records;
    assert_eq!(cases.len(), 15);
    let first = &cases[0];
    assert_eq!(first.institution, "H1");
    assert_eq!(first.fund, Fund::Employee);
    assert_eq!(first.kind, CaseKind::Dip);
    assert_eq!(first.group, "C34.9:化疗");
    assert_eq!(first.total_cost, d("33000"));
    assert_eq!(first.personal_burden, d("9000"));
    assert_eq!(first.days, d("8"));
    assert_eq!(first.month, 1);
    assert_eq!(first.source_row, 2);
    assert!(first.qc_passed && !first.supplemented && !first.review.applied);
    assert_eq!(cases[1].excluded_cost, d("5000"));
    assert!(cases[1].review.applied && cases[1].review.score.is_none());
    assert!(!cases[5].qc_passed);
    assert!(cases[5].supplemented);
    assert_eq!(cases[6].review.score, Some(d("280")));
    assert_eq!(cases[11].review.points_delta, Some(d("-12.5")));
    assert!(cases[11].review.applied, "a point change implies an application");
    assert_eq!(cases[12].kind, CaseKind::PerDiem);
    assert_eq!(cases[13].kind, CaseKind::FeeForService);
    assert_eq!(cases[13].group, "");
    assert_eq!(cases[14].month, 12);
    assert_eq!(got.report.years, vec![2024]);
    assert_eq!(got.report.header_row, Some(1));
    assert_eq!(got.report.records, 15);
    let funds: std::collections::BTreeSet<Fund> = cases.iter().map(|c| c.fund).collect();
    assert_eq!(funds.len(), 2);
}

#[test]
fn cases_every_format_gives_the_same_records() {
    let canonical = read("cases.csv", read_cases).records;
    for v in VARIANTS {
        let name = format!("cases{v}");
        let got = read(&name, read_cases);
        check_variant_report(&name, &got.report);
        assert_eq!(got.records, canonical, "{name}");
    }
}

#[test]
fn catalog_every_format_gives_the_same_records() {
    let canonical = read("catalog.csv", read_catalog).records;
    assert_eq!(canonical.groups.len(), 5);
    assert_eq!(canonical.per_diem_groups.len(), 1);
    assert_eq!(canonical.per_diem_groups[0].daily_fund_standard, d("320"));
    let g1 = &canonical.groups[0];
    assert_eq!(g1.code, "K35.8:47.0901");
    assert_eq!(
        g1.reference_cost_by_level,
        vec![("三甲".to_string(), d("11000")), ("二甲".to_string(), d("9500"))]
    );
    assert!(canonical.groups[1].grassroots);
    assert!(canonical.groups[1].reference_cost_by_level.is_empty());
    assert_eq!(canonical.groups[4].score, d("120.25"));
    for v in VARIANTS {
        let name = format!("catalog{v}");
        let got = read(&name, read_catalog);
        check_variant_report(&name, &got.report);
        assert_eq!(got.records, canonical, "{name}");
    }
}

#[test]
fn institutions_every_format_gives_the_same_records() {
    let canonical = read("institutions.csv", read_institutions).records;
    assert_eq!(canonical.len(), 3);
    assert_eq!(canonical[0].base_coefficient, Some(d("1.1")));
    assert_eq!(canonical[0].bonuses, vec![d("0.05")]);
    assert_eq!(canonical[0].deductions, vec![d("0.02")]);
    assert_eq!(canonical[0].history, vec![d("1200000"), d("1150000")]);
    assert_eq!(canonical[0].primary_care, Some(false));
    assert_eq!(canonical[1].alliance.as_deref(), Some("福安医共体"));
    assert_eq!(canonical[2].base_coefficient, None);
    assert_eq!(canonical[2].factors, vec![d("1.02"), d("0.98")]);
    assert_eq!(canonical[2].primary_care, Some(true));
    assert_eq!(canonical[2].assessment_score, Some(d("95")));
    for v in VARIANTS {
        let name = format!("institutions{v}");
        let got = read(&name, read_institutions);
        check_variant_report(&name, &got.report);
        assert_eq!(got.records, canonical, "{name}");
    }
}

#[test]
fn summaries_every_format_gives_the_same_records() {
    let canonical = read("summaries.csv", read_summaries).records;
    assert_eq!(canonical.len(), 3);
    assert_eq!(canonical[0].month, None);
    assert_eq!(canonical[1].month, Some(3));
    assert_eq!(canonical[2].month, None, "全年");
    assert_eq!(canonical[0].points, d("1000.5"));
    assert_eq!(canonical[1].prepaid, None);
    assert_eq!(canonical[2].prepaid, Some(d("12000.5")));
    assert_eq!(canonical[2].cases, Some(3));
    for v in VARIANTS {
        let name = format!("summaries{v}");
        let got = read(&name, read_summaries);
        check_variant_report(&name, &got.report);
        assert_eq!(got.records, canonical, "{name}");
    }
}

#[test]
fn outpatient_every_format_gives_the_same_records() {
    let canonical = read("outpatient.csv", read_outpatient).records;
    assert_eq!(canonical.len(), 3);
    assert_eq!(canonical[1].capitation_payment, d("50000"));
    assert_eq!(canonical[1].other_points, d("120.5"));
    assert_eq!(canonical[2].drugs, Decimal::ZERO);
    assert_eq!(canonical[2].month, Some(2));
    for v in VARIANTS {
        let name = format!("outpatient{v}");
        let got = read(&name, read_outpatient);
        check_variant_report(&name, &got.report);
        assert_eq!(got.records, canonical, "{name}");
    }
}

/// The same cases two rows lower (title row and unit line above the header).
fn shifted(rows: u64) -> Vec<dipcalc::records::Case> {
    let mut cases = read("cases.csv", read_cases).records;
    for c in &mut cases {
        c.source_row += rows;
    }
    cases
}

#[test]
fn report_xlsx_with_title_unit_line_in_wan_yuan_totals_and_note() {
    let got = read("cases_report.xlsx", read_cases);
    assert_eq!(got.records, shifted(2));
    let r = &got.report;
    assert_eq!(r.header_row, Some(3));
    let unit = r.unit.as_ref().expect("unit line");
    assert_eq!((unit.row, unit.text.as_str()), (2, "单位：万元"));
    assert_eq!(unit.multiplier, d("10000"));
    let multiplied: Vec<&str> = r
        .columns
        .iter()
        .filter(|c| c.multiplier.is_some())
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(multiplied, ["total_cost", "personal_burden", "excluded_cost"]);
    assert_eq!(r.skipped_rows_total, 2);
    assert_eq!(r.skipped_rows[0].row, 19);
    assert_eq!(r.skipped_rows[0].reason, SkipReason::Totals);
    assert_eq!(r.skipped_rows[1].row, 20);
    assert_eq!(r.skipped_rows[1].reason, SkipReason::Note);
    assert_eq!(r.rows_read, 17);
}

#[test]
fn report_gb18030_csv_with_wan_yuan_header_and_totals_row() {
    let got = read("cases_report_gb18030.csv", read_cases);
    assert_eq!(got.records, shifted(2));
    let r = &got.report;
    assert_eq!(r.header_row, Some(3));
    assert_eq!(r.unit.as_ref().map(|u| u.multiplier), Some(Decimal::ONE));
    let cost = r.columns.iter().find(|c| c.field == "total_cost").unwrap();
    assert_eq!(cost.header, "医疗总费用(万元)");
    assert_eq!(cost.letter, "E");
    assert_eq!(cost.multiplier, Some(d("10000")));
    assert_eq!(r.skipped_rows_total, 1);
    assert_eq!(r.skipped_rows[0].row, 19);
    assert_eq!(r.encoding.map(|e| e.encoding), Some(TextEncoding::Gb18030));
    let notes = r.notes(dipcalc::input::Lang::Zh).join("\n");
    assert!(notes.contains("GB18030"), "{notes}");
    assert!(notes.contains("跳过合计/备注行 1 行"), "{notes}");
}

#[test]
fn merged_two_line_header_on_the_second_sheet() {
    let canonical = read("catalog.csv", read_catalog).records;
    for ext in ["xlsx", "xls", "ods"] {
        let name = format!("catalog_merged.{ext}");
        let got = read(&name, read_catalog);
        assert_eq!(got.records, canonical, "{name}");
        let r = &got.report;
        assert_eq!(r.sheet.as_deref(), Some("病种目录"), "{name}");
        assert_eq!(r.sheets, vec!["说明".to_string(), "病种目录".to_string()]);
        assert_eq!((r.header_row, r.header_rows), (Some(3), 2), "{name}");
        let levels: Vec<(&str, &str)> = r
            .columns
            .iter()
            .filter_map(|c| c.level.as_deref().map(|l| (l, c.letter.as_str())))
            .collect();
        assert_eq!(levels, [("三甲", "G"), ("二甲", "H")], "{name}");
    }
}

#[test]
fn chunked_stream_matches_read_cases_for_every_text_fixture() {
    for name in [
        "cases.csv",
        "cases_gb18030.csv",
        "cases_utf16.txt",
        "cases_report_gb18030.csv",
        "cases.xlsx",
    ] {
        let bytes = fixture(name);
        let whole = read(name, read_cases).records;
        for size in [1, 2, 3, 5, 7, 64, 4096] {
            let mut stream = dipcalc::input::CaseStream::new(name, &ReadOptions::default());
            let mut got = Vec::new();
            for chunk in bytes.chunks(size) {
                stream.push(chunk, &mut |c| got.push(c));
            }
            let report = stream.finish(&mut |c| got.push(c)).unwrap();
            assert_eq!(got, whole, "{name} in chunks of {size}");
            assert_eq!(report.records as usize, whole.len());
        }
    }
}
