//! The XLSX export (src/export_xlsx.rs) read back with calamine: the SPEC §10 settlement's
//! figures are numbers where the CSV has them, totals reconcile, and text that looks like a
//! formula stays text.
#![cfg(not(target_arch = "wasm32"))]

use calamine::{Data, Reader, Xlsx};
use dipcalc::engine::settle;
use dipcalc::export::Lang;
use dipcalc::export_xlsx::settlement_xlsx;
use dipcalc::input::{read_cases, read_catalog, read_institutions, ReadOptions, Source};
use dipcalc::policy::Policy;
use dipcalc::records::Dataset;
use std::io::Cursor;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/spec10/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn spec10() -> (Policy, Dataset) {
    let o = ReadOptions::default();
    let policy = Policy::from_json(&String::from_utf8(fixture("policy.json")).unwrap()).unwrap();
    let mut data = Dataset::default();
    let b = fixture("institutions.csv");
    data.institutions = read_institutions(
        Source {
            name: "institutions.csv",
            bytes: &b,
        },
        &o,
    )
    .unwrap()
    .records;
    let b = fixture("catalog.csv");
    data.catalog = read_catalog(
        Source {
            name: "catalog.csv",
            bytes: &b,
        },
        &o,
    )
    .unwrap()
    .records;
    let b = fixture("cases.csv");
    data.cases = read_cases(
        Source {
            name: "cases.csv",
            bytes: &b,
        },
        &o,
    )
    .unwrap()
    .records
    .into();
    (policy, data)
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    book.worksheet_range(name).expect("the sheet")
}

#[test]
fn spec10_settlement_sheet_has_the_figures_as_numbers() {
    let (policy, mut data) = spec10();
    data.institutions[1].name = "=HYPERLINK(\"http://x\")".into();
    let s = settle(&policy, &data).unwrap();
    let bytes = settlement_xlsx(&s, Lang::Zh).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let r = sheet(&bytes, "结算");
    assert_eq!(r.get_value((0, 0)), Some(&Data::String("险种".into())));
    assert_eq!(r.get_value((0, 10)), Some(&Data::String("结算额度S".into())));
    // H2's settlement after reconciliation (SPEC §10): 53,086.68.
    assert_eq!(r.get_value((2, 1)), Some(&Data::String("H2".into())));
    assert_eq!(r.get_value((2, 10)), Some(&Data::Float(53086.68)));
    // The formula-looking name is a string cell, not a formula.
    assert_eq!(
        r.get_value((2, 2)),
        Some(&Data::String("=HYPERLINK(\"http://x\")".into()))
    );
    // Totals: the settlements add up to the pool, 187,600.00; fund pays 143,734.44.
    assert_eq!(r.get_value((4, 1)), Some(&Data::String("合计".into())));
    assert_eq!(r.get_value((4, 10)), Some(&Data::Float(187600.0)));
    assert_eq!(r.get_value((4, 15)), Some(&Data::Float(143734.44)));
}

#[test]
fn budget_and_point_value_sheets_in_english() {
    let (policy, data) = spec10();
    let s = settle(&policy, &data).unwrap();
    let bytes = settlement_xlsx(&s, Lang::En).unwrap();
    let pv = sheet(&bytes, "point values");
    assert_eq!(pv.get_value((1, 1)), Some(&Data::String("2024".into())));
    assert_eq!(pv.get_value((1, 5)), Some(&Data::Float(115.909793)));
    // The waterfall ends at B = 144,900.00 (SPEC §10), a subtotal.
    let budget = sheet(&bytes, "budget");
    assert!(
        budget
            .rows()
            .any(|r| r.get(2) == Some(&Data::Float(144900.0)) && r.get(3) == Some(&Data::String("yes".into()))),
        "{budget:?}"
    );
    let formulas = sheet(&bytes, "settlement");
    assert_eq!(formulas.get_value((0, 1)), Some(&Data::String("code".into())));
}
