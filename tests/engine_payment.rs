//! Payment flow (SPEC §7.2, §7.4): prepayments, deposit, year-end net, prepaid from a summary, quality reserve. The arithmetic is in the comments.

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

#[test]
fn year_end_net_after_prepayments_and_deposit() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut data = two_institutions();
    data.institutions[0].assessment_score = Some(d("90"));
    let f = &settle(&p, &data).unwrap().funds[0];
    let a = &f.units[0];
    // A: S = 17,000 × 90 ÷ 170 = 9,000; FS = 7,000; fund pays 7,000 (sharing off)
    // January prepayment (10,000 − 2,000) × 95% = 7,600
    // Q1 clearing at Q1's PV: S_Q1 = 5,000 (the only points of Q1), FS_Q1 = 3,000; 95% × 3,000 − 7,600 = −4,750
    assert_eq!(a.months[0].paid, d("7600"));
    assert_eq!(a.quarters[0].paid, d("-4750"));
    assert_eq!(a.prepaid, d("2850"));
    // deposit 5% × 7,000 = 350 withheld; returned 350 × 90 ÷ 100 = 315
    assert_eq!((a.deposit_withheld, a.deposit_returned), (d("350"), d("315")));
    // net = 7,000 − 350 − 2,850 + 315 = 4,115
    assert_eq!(a.net_to_pay, d("4115"));
}

#[test]
fn prepaid_from_a_summary_overrides_the_computed_flow() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut data = two_institutions();
    data.cases.truncate(1);
    data.summaries.push(InstitutionSummary {
        institution: "B".into(),
        fund: Fund::Employee,
        month: None,
        points: d("80"),
        total_cost: d("10000"),
        personal_burden: d("3000"),
        prepaid: Some(d("5000")),
        cases: Some(1),
    });
    let f = &settle(&p, &data).unwrap().funds[0];
    assert!(!f.months_complete);
    let b = &f.units[1];
    // S = 17,000 × 80 ÷ 170 = 8,000; FS = 5,000; net = 5,000 − 250 − 5,000 + 250 = 0
    assert_eq!((b.settlement, b.prepaid, b.net_to_pay), (d("8000"), d("5000"), d("0")));
    assert!(b.flags.contains(&"prepaid_from_input".to_string()));
}

#[test]
fn quality_reserve_is_held_back_and_returned_by_score() {
    let mut p = one_fund_policy();
    let fp = p.funds.employee.as_mut().unwrap();
    fp.rule = BudgetRule::Packable;
    fp.quality_reserve = QualityReserve {
        rate: d("0.05"),
        base: QualityReserveBase::AfterDeductions,
    };
    let mut data = two_institutions();
    data.institutions[1].assessment_score = Some(d("80"));
    let f = &settle(&p, &data).unwrap().funds[0];
    // P before the reserve 150,000; reserve 7,500; B = 142,500
    assert_eq!(f.budget.quality_reserve, d("7500"));
    assert_eq!(f.budget.budget, d("142500"));
    // returned in proportion to S (90 : 80) × score: A 7,500 × 90/170 = 3,970.59; B 3,529.41 × 0.8 = 2,823.53
    assert_eq!(f.units[0].quality_reserve_returned, d("3970.59"));
    assert_eq!(f.units[1].quality_reserve_returned, d("2823.53"));
}
