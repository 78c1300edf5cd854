//! Outpatient settlement (SPEC §5.4, 吉林2024 第十六、十九条). The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;
use rust_decimal::Decimal;

fn outpatient_policy(mode: OutpatientMode) -> Policy {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "20000");
    p.funds.employee.as_mut().unwrap().outpatient = OutpatientSplit::Share { share: d("0.5") };
    p.points.outpatient.mode = mode;
    p.points.outpatient.capitation_fund_share = d("0.8");
    p.point_value.cost_basis = CostBasis::FundOnly;
    p
}

fn with_outpatient() -> Dataset {
    let mut data = two_institutions();
    let rec = |inst: &str, cap: &str, drugs: &str| OutpatientRecord {
        institution: inst.into(),
        fund: Fund::Employee,
        month: None,
        capitation_payment: d(cap),
        drugs: d(drugs),
        consumables: Decimal::ZERO,
        services: Decimal::ZERO,
        other_points: Decimal::ZERO,
        total_cost: Decimal::ZERO,
        personal_burden: Decimal::ZERO,
    };
    data.outpatient = vec![rec("A", "2000", "3000"), rec("B", "0", "1000")];
    data
}

#[test]
fn outpatient_capitation_at_a_fixed_value() {
    // Outpatient budget 10,000. A's capitation 2,000 ÷ 0.8 = 2,500 points paid at 1 元.
    // Floating PV = (10,000 − 2,500) ÷ (3,000 + 1,000) = 1.875; A = 2,500 + 5,625; B = 1,875
    let f = &settle(&outpatient_policy(OutpatientMode::FixedCapitation), &with_outpatient())
        .unwrap()
        .funds[0];
    let o = f.outpatient.as_ref().unwrap();
    assert_eq!((o.budget, o.point_value), (d("10000"), Some(d("1.875"))));
    let s: Vec<_> = o.institutions.iter().map(|l| l.settlement).collect();
    assert_eq!(s, [d("8125"), d("1875")]);
    assert_eq!(f.budget.inpatient_budget, d("10000"));
}

#[test]
fn outpatient_literal_article_16_reports_its_difference() {
    // PV = 10,000 ÷ (2,500 + 4,000) = 1.538462; S_A = 2,500 + 4,615.38; the capitation is still
    // paid at 1, so pool − ΣS = 2,500 × (PV − 1) = 1,346.15
    let f = &settle(&outpatient_policy(OutpatientMode::Literal), &with_outpatient())
        .unwrap()
        .funds[0];
    let o = f.outpatient.as_ref().unwrap();
    assert_eq!(o.point_value, Some(d("1.538462")));
    assert_eq!(dipcalc::engine::rounding::round_money(o.difference), d("1346.15"));
}

#[test]
fn capitation_above_the_outpatient_budget_is_an_error() {
    let mut data = with_outpatient();
    data.outpatient[0].capitation_payment = d("9000"); // 11,250 points > 10,000
    let e = settle(&outpatient_policy(OutpatientMode::FixedCapitation), &data).unwrap_err();
    assert_eq!(e.code, "capitation_exceeds_budget");
}

/// A: capitation 800 (1,000 points) and drugs 1,000 in January, capitation 1,200 (1,500 points)
/// and drugs 2,000 in April; B: drugs 500 in February and 500 in July. The year adds up to
/// [`with_outpatient`]'s records.
fn by_month() -> Dataset {
    let mut data = with_outpatient();
    let base = data.outpatient[0].clone();
    let rec = |inst: &str, month: u8, cap: &str, drugs: &str| OutpatientRecord {
        institution: inst.into(),
        month: Some(month),
        capitation_payment: d(cap),
        drugs: d(drugs),
        ..base.clone()
    };
    data.outpatient = vec![
        rec("A", 1, "800", "1000"),
        rec("A", 4, "1200", "2000"),
        rec("B", 2, "0", "500"),
        rec("B", 7, "0", "500"),
    ];
    data
}

#[test]
fn quarterly_outpatient_point_values_article_23() {
    // 吉林2024 第二十三条(二): the quarter's outpatient budget ÷ the quarter's points. Outpatient budget
    // 10,000 spread evenly: 2,500 a quarter.
    // Q1: capitation 1,000 paid at 1; PV = (2,500 − 1,000) ÷ (1,000 + 500) = 1; A 2,000, B 500.
    // Q2: capitation 1,500; PV = (2,500 − 1,500) ÷ 2,000 = 0.5; A = 1,500 + 1,000 = 2,500.
    // Q3: PV = 2,500 ÷ 500 = 5; B 2,500. Q4: no points, no point value, nothing settled.
    let mut p = outpatient_policy(OutpatientMode::FixedCapitation);
    p.points.outpatient.quarterly = true;
    let f = &settle(&p, &by_month()).unwrap().funds[0];
    let o = f.outpatient.as_ref().unwrap();
    let pv: Vec<_> = o.quarters.iter().map(|q| q.point_value).collect();
    assert_eq!(pv, [Some(d("1")), Some(d("0.5")), Some(d("5")), None]);
    let budgets: Vec<_> = o
        .quarters
        .iter()
        .map(|q| dipcalc::engine::rounding::round_money(q.budget))
        .collect();
    assert_eq!(budgets, [d("2500"), d("2500"), d("2500"), d("2500")]);
    let a = &o.institutions[0];
    assert_eq!(a.quarter_settlements, [d("2000"), d("2500"), d("0"), d("0")]);
    assert_eq!(
        o.institutions[1].quarter_settlements,
        [d("500"), d("0"), d("2500"), d("0")]
    );
    // No personal burden in these records: the fund part is the whole settlement.
    assert_eq!(a.quarter_fund_settlements, a.quarter_settlements);
    // The year is as without months: PV 1.875, A 8,125, B 1,875.
    assert_eq!(o.point_value, Some(d("1.875")));
    assert_eq!(a.settlement, d("8125"));
}

#[test]
fn quarters_are_off_unless_asked_for_and_need_months() {
    let p = outpatient_policy(OutpatientMode::FixedCapitation);
    let r = settle(&p, &by_month()).unwrap();
    let o = r.funds[0].outpatient.as_ref().unwrap();
    assert!(o.quarters.is_empty() && o.institutions[0].quarter_settlements.is_empty());
    assert!(!serde_json::to_string(&r).unwrap().contains("quarter_settlements"));
    // Records for the whole year: the quarters cannot be formed, and a notice says so.
    let mut p = p;
    p.points.outpatient.quarterly = true;
    let r = settle(&p, &with_outpatient()).unwrap();
    assert!(r.funds[0].outpatient.as_ref().unwrap().quarters.is_empty());
    assert!(r.notices.iter().any(|n| n.code == "outpatient_quarters_left_out"));
}

#[test]
fn a_quarter_whose_capitation_exceeds_its_budget_is_an_error_naming_it() {
    // A's April capitation 3,000 ÷ 0.8 = 3,750 points > Q2's 2,500 (the year's 4,750 < 10,000).
    let mut data = by_month();
    data.outpatient[1].capitation_payment = d("3000");
    let mut p = outpatient_policy(OutpatientMode::FixedCapitation);
    p.points.outpatient.quarterly = true;
    let e = settle(&p, &data).unwrap_err();
    assert_eq!(e.code, "capitation_exceeds_budget");
    assert!(e.message_en.contains("-Q2"), "{}", e.message_en);
}

#[test]
fn outpatient_columns_in_the_csv_and_the_workbook() {
    use calamine::{Data, Reader, Xlsx};
    use dipcalc::export::{settlement_csv, Lang};
    use dipcalc::export_xlsx::settlement_xlsx;
    // The quarterly case above: A settles 8,125 for the year, 2,000 / 2,500 / 0 / 0 by quarter.
    let mut p = outpatient_policy(OutpatientMode::FixedCapitation);
    p.points.outpatient.quarterly = true;
    let r = settle(&p, &by_month()).unwrap();
    let csv = settlement_csv(&r, Lang::Zh);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| {
        rows[0]
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name}: {csv}"))
    };
    // The 23 columns of every table come first, unmoved.
    assert_eq!((col("结算额度S"), col("标记")), (10, 22));
    let a = rows.iter().find(|r| r[1] == "A").unwrap();
    assert_eq!(a[col("门诊人头付费点数")], "2500");
    assert_eq!(a[col("门诊按项目付费点数")], "3000");
    assert_eq!(a[col("门诊结算额度")], "8125.00");
    assert_eq!(a[col("门诊二季度结算额度")], "2500.00");
    assert_eq!(a[col("门诊四季度基金结算额度")], "0.00");
    // The totals row adds the lines: 8,125 + 1,875 = the outpatient budget, 10,000.
    let total = rows.iter().find(|r| r.get(1) == Some(&"合计")).unwrap();
    assert_eq!(total[col("门诊结算额度")], "10000.00");
    assert_eq!(total.len(), rows[0].len());

    let bytes = settlement_xlsx(&r, Lang::En).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("settlement").unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    assert_eq!(
        sheet.get_value((1, at("outpatient_settlement"))),
        Some(&Data::Float(8125.0))
    );
    assert_eq!(
        sheet.get_value((1, at("outpatient_q2_settlement"))),
        Some(&Data::Float(2500.0))
    );
    // The point values sheet lists the outpatient year and its quarters.
    let pv = book.worksheet_range("point values").unwrap();
    let outpatient: Vec<(String, Option<f64>)> = pv
        .rows()
        .filter(|r| r[1].to_string().starts_with("outpatient"))
        .map(|r| (r[1].to_string(), if let Data::Float(x) = r[5] { Some(x) } else { None }))
        .collect();
    assert_eq!(outpatient[0].1, Some(1.875));
    assert_eq!(outpatient[2], ("outpatient 2024-Q2".to_string(), Some(0.5)));

    // Without outpatient records: the 23 columns only.
    let r = settle(&p, &two_institutions()).unwrap();
    assert_eq!(
        settlement_csv(&r, Lang::Zh).lines().next().unwrap().split(',').count(),
        23
    );
}
