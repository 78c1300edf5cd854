//! Payment flow (SPEC §7.2, §7.4): prepayments, deposit, year-end net, prepaid from a summary, quality reserve. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

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
    edit_cases(&mut data, |cases| cases.truncate(1));
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

/// The employee fund's budget of 12,000 with one adjustment of +1,200 taking effect as `effective`.
fn with_adjustment(effective: Effective) -> Policy {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.funds.employee.as_mut().unwrap().adjustments.push(BudgetAdjustment {
        label: "追加预算".into(),
        amount: Amount::yuan(d("1200")),
        effective: Some(effective),
    });
    p
}

#[test]
fn a_year_end_adjustment_changes_only_the_year_end_figures() {
    // SPEC §7.2 (宁德2024 第十四条, 吉林2024 第十八条): a 年终 追加 leaves every month's and quarter's
    // budget, prepayment and clearing as they were paid; only the year's S and what is due move.
    let data = two_institutions();
    let before = &settle(&with_adjustment(Effective::YearStart), &data).unwrap().funds[0];
    let mut base = one_fund_policy();
    fixed_budget(&mut base, "12000");
    let plain = &settle(&base, &data).unwrap().funds[0];
    let after = &settle(&with_adjustment(Effective::YearEnd), &data).unwrap().funds[0];
    assert_eq!(after.budget.budget, d("13200"));
    assert_eq!(
        after.budget.monthly_budget, plain.budget.monthly_budget,
        "months keep 12,000 ÷ 12"
    );
    for (a, p) in after.units.iter().zip(&plain.units) {
        assert_eq!(a.months, p.months, "{}: the months as paid", a.code);
        assert_eq!(a.quarters, p.quarters, "{}: Q1–Q3 as cleared", a.code);
        assert_eq!(a.prepaid, p.prepaid);
    }
    let a = &after.units[0];
    // pool = 13,200 + 5,000 personal = 18,200; S_A = 18,200 × 90 ÷ 170 = 9,635.29 (B takes the cent:
    // 8,564.71); FS = 7,635.29; deposit 5% = 381.76 withheld and returned (score 100); prepaid as
    // before 2,850; net = 7,635.29 − 381.76 − 2,850 + 381.76 = 4,785.29 (was 7,000 − 2,850 = 4,150).
    assert_eq!((a.settlement, a.fund_settlement), (d("9635.29"), d("7635.29")));
    assert_eq!(a.prepaid, d("2850"));
    assert_eq!(a.net_to_pay, d("4785.29"));
    // The same 追加 in every period re-clears Q1 at the larger budget: Q1 pool = 3 × 1,100 + 2,000 =
    // 5,300, FS_Q1 = 3,300, clearing 95% × 3,300 − 7,600 = −4,465; prepaid 3,135, so the year end
    // pays 285 less: 4,500.29.
    let y = &before.units[0];
    assert_eq!((y.quarters[0].paid, y.prepaid), (d("-4465"), d("3135")));
    assert_eq!(y.net_to_pay, d("4500.29"));
    assert_eq!(y.settlement, a.settlement, "the year's S is the same either way");
}

#[test]
fn a_mid_year_adjustment_counts_from_its_month() {
    // From July: January–June keep 1,000 a month; the 1,200 is spread over July–December (200 each).
    let f = &settle(&with_adjustment(Effective::FromMonth { month: 7 }), &two_institutions())
        .unwrap()
        .funds[0];
    let months = &f.budget.monthly_budget;
    assert!(months[..6].iter().all(|m| *m == d("1000")), "{months:?}");
    assert!(months[6..].iter().all(|m| *m == d("1200")), "{months:?}");
    assert_eq!(months.iter().sum::<rust_decimal::Decimal>(), d("13200"));
    let step = f.budget.steps.iter().find(|s| s.key == "adjustment").unwrap();
    assert_eq!(
        (step.formula.as_str(), step.formula_en.as_str()),
        ("1,200.00（自 7 月起）", "1,200.00 (from month 7)")
    );
}

#[test]
fn an_effective_month_outside_the_year_is_refused() {
    let p = with_adjustment(Effective::FromMonth { month: 13 });
    let e = p.validate().unwrap_err();
    assert!(
        format!("{e:?}").contains("funds.employee.adjustments.0.effective.month"),
        "{e:?}"
    );
}

#[test]
fn xinyang_2019_3_7_quality_reserve_deduction_capped_at_the_institutions_reserve() {
    let mut p = one_fund_policy();
    let fp = p.funds.employee.as_mut().unwrap();
    fp.rule = BudgetRule::Packable;
    fp.quality_reserve = QualityReserve {
        rate: d("0.05"),
        base: QualityReserveBase::AfterDeductions,
    };
    let mut data = two_institutions();
    data.institutions[1].assessment_score = Some(d("80"));
    let deduct = |institution: &str, amount: &str| InstitutionAdjustment {
        institution: institution.into(),
        fund: Fund::Employee,
        label: "推诿拒收病人".into(),
        points: d("0"),
        amount: d("0"),
        basis: "信阳2019 三(七)".into(),
        quality_reserve_deduction: d(amount),
    };
    data.adjustments = vec![deduct("A", "1000"), deduct("B", "5000")];
    let s = settle(&p, &data).unwrap();
    let f = &s.funds[0];
    let (a, b) = (&f.units[0], &f.units[1]);
    // Reserve 7,500 by S (90 : 80): A holds 3,970.588…, B 3,529.411…
    // A: 1,000 deducted, the rest 2,970.588… returned × 100/100 → 2,970.59
    assert_eq!(
        (a.quality_reserve_deducted, a.quality_reserve_returned),
        (d("1000"), d("2970.59"))
    );
    // B: 5,000 asked, capped at its reserve 3,529.41; the rest 0.0017… × 0.8 → 0.00
    assert_eq!(
        (b.quality_reserve_deduction, b.quality_reserve_deducted),
        (d("5000"), d("3529.41"))
    );
    assert_eq!(b.quality_reserve_returned, d("0"));
    assert!(b.flags.contains(&"quality_reserve_deduction_capped".to_string()));
    let n = s
        .notices
        .iter()
        .find(|n| n.code == "quality_reserve_deduction_capped")
        .unwrap();
    assert_eq!(n.subject, "B");
    assert!(
        n.message_zh.contains("5,000.00") && n.message_zh.contains("3,529.41"),
        "{}",
        n.message_zh
    );
    // The trace shows what was deducted
    let line = b.trace.iter().find(|l| l.label == "扣减质量保证金").unwrap();
    assert_eq!(line.value, d("-3529.41"));
    // Without the deductions: 3,970.59 and 2,823.53 returned (the test above)
    assert!(!a.flags.contains(&"quality_reserve_deduction_capped".to_string()));
}
