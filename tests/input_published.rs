//! 区域公布数据 (the bureau's monthly figures, SPEC §11): read in every encoding and workbook
//! format like the other tables, with located errors.
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::input::{read_published, ErrorKind, Lang, ReadOptions, Source};
use dipcalc::records::Fund;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const TEXT: &str = "××市2024年月度预结算点值公布表\n险种,月份,预结算点值,区域总点数,月度预算\n\
                    职工,2024-01,12.5,\"1,200,000\",15000000\n居民,1月,10.2,,\n职工,2,,980000,\n合计,,,2180000,\n";

#[test]
fn reads_a_published_table_with_title_and_totals() {
    let r = read_published(
        Source {
            name: "公布.csv",
            bytes: TEXT.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.records.len(), 3);
    let first = &r.records[0];
    assert_eq!((first.fund, first.month, first.source_row), (Fund::Employee, 1, 3));
    assert_eq!(first.point_value, Some(d("12.5")));
    assert_eq!(first.region_points, Some(d("1200000")));
    assert_eq!(first.monthly_budget, Some(d("15000000")));
    assert_eq!((r.records[1].fund, r.records[1].region_points), (Fund::Resident, None));
    assert_eq!(r.records[2].point_value, None);
    assert_eq!(r.report.skipped_rows_total, 1, "the 合计 row");
}

#[test]
fn reads_gb18030_and_xlsx() {
    let (gb, _, _) = encoding_rs::GB18030.encode(TEXT);
    let r = read_published(
        Source {
            name: "公布.csv",
            bytes: &gb,
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.records.len(), 3);

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["险种", "月份", "点值"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "职工").unwrap();
    sheet.write_number(1, 1, 3.0).unwrap();
    sheet.write_number(1, 2, 11.08).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let r = read_published(
        Source {
            name: "公布.xlsx",
            bytes: &bytes,
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!((r.records[0].month, r.records[0].point_value), (3, Some(d("11.08"))));
}

#[test]
fn bad_rows_are_located() {
    let text = "险种,月份,点值,区域总点数\n职工,13,12,\n职工,全年,12,\n职工,3,0,\n养老,4,12,\n职工,5,,\n职工,3,11,\n";
    let f = read_published(
        Source {
            name: "公布.csv",
            bytes: text.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let kinds: Vec<(Option<u64>, &ErrorKind)> = f.errors.iter().map(|e| (e.row, &e.kind)).collect();
    let month = |r| {
        matches!(
            kinds.iter().find(|(row, _)| *row == Some(r)),
            Some((_, ErrorKind::ExpectedMonth { .. }))
        )
    };
    assert!(month(2), "month 13: {kinds:?}");
    assert!(
        matches!(kinds.iter().find(|(r, _)| *r == Some(3)), Some((_, ErrorKind::EmptyRequired { field })) if field == "month")
    );
    assert!(
        matches!(kinds.iter().find(|(r, _)| *r == Some(4)), Some((_, ErrorKind::NotPositive { field })) if field == "point_value")
    );
    assert!(matches!(
        kinds.iter().find(|(r, _)| *r == Some(5)),
        Some((_, ErrorKind::UnknownFund { .. }))
    ));
    assert!(matches!(
        kinds.iter().find(|(r, _)| *r == Some(6)),
        Some((_, ErrorKind::EmptyRequired { .. }))
    ));
    assert!(matches!(
        kinds.iter().find(|(r, _)| *r == Some(7)),
        Some((_, ErrorKind::DuplicateCode { first_row: Some(4), .. }))
    ));
    let zero = f.errors.iter().find(|e| e.row == Some(4)).unwrap();
    assert_eq!(
        zero.message(Lang::Zh),
        "公布.csv 第 4 行 C 列「点值」：“0” 不大于 0，「点值」应大于 0"
    );
    assert_eq!(
        zero.message(Lang::En),
        "公布.csv row 4, column C (点值): \"0\" is not above 0; 点值 (point value) must be greater than 0"
    );
}

#[test]
fn a_header_without_point_value_or_region_points() {
    let text = "险种,月份,月度预算\n职工,1,100\n";
    let f = read_published(
        Source {
            name: "公布.csv",
            bytes: text.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &f.errors[0].kind,
            ErrorKind::NoHeader { .. } | ErrorKind::MissingColumn { .. }
        ),
        "{:?}",
        f.errors[0]
    );
}

#[test]
fn a_month_of_another_year_and_figures_beyond_the_limits_are_refused() {
    let text = "险种,月份,点值,区域总点数,月度预算\n职工,2023-03,12,,\n职工,4,12,2000000000000000,\n职工,5,12,,2000000000000\n职工,2024-06,12,,\n";
    let opts = ReadOptions {
        year: Some(2024),
        ..ReadOptions::default()
    };
    let f = read_published(
        Source {
            name: "公布.csv",
            bytes: text.as_bytes(),
        },
        &opts,
    )
    .unwrap_err();
    let kinds: Vec<(Option<u64>, &ErrorKind)> = f.errors.iter().map(|e| (e.row, &e.kind)).collect();
    assert!(
        matches!(
            kinds.iter().find(|(r, _)| *r == Some(2)),
            Some((_, ErrorKind::OutsideYear { year: 2024, .. }))
        ),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds.iter().find(|(r, _)| *r == Some(3)), Some((_, ErrorKind::OutOfRange { field, .. })) if field == "region_points")
    );
    assert!(
        matches!(kinds.iter().find(|(r, _)| *r == Some(4)), Some((_, ErrorKind::OutOfRange { field, .. })) if field == "monthly_budget")
    );
    assert!(
        kinds.iter().all(|(r, _)| *r != Some(5)),
        "2024-06 is in the year: {kinds:?}"
    );
}
