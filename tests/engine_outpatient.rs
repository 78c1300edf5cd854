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
