//! Assessment at year end (SPEC §7.2, §7.4): the deposit and the quality reserve returned by score
//! bands (信阳2019 三(六)), raised above what was held (吉林2024 第二十七条 ¶3 倾斜), the 考核系数 and
//! 审核扣减 of the annual amount (国家DIP3.0 第七章第三节一(四)) and the 预付金 (第七章第二节一). The
//! arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

fn band(min_score: &str, rate: &str) -> ScoreBand {
    ScoreBand {
        min_score: d(min_score),
        rate: d(rate),
    }
}

/// SPEC §10's policy, one fund, a budget of 12,000 and A's score 90 (B has none: 100).
fn setup() -> (Policy, Dataset) {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut data = two_institutions();
    data.institutions[0].assessment_score = Some(d("90"));
    (p, data)
}

#[test]
fn xinyang_2019_3_6_quality_reserve_returned_by_score_bands() {
    // 信阳2019 三(六) "考核评估结果与预分额度确定、质量保证金返还等挂钩": ≥ 90 all, ≥ 75 60%, below nothing.
    let mut p = one_fund_policy();
    let fp = p.funds.employee.as_mut().unwrap();
    fp.rule = BudgetRule::Packable;
    fp.quality_reserve = QualityReserve {
        rate: d("0.05"),
        base: QualityReserveBase::AfterDeductions,
    };
    p.settlement.quality_reserve_return = ReturnRule::Bands;
    p.settlement.return_bands = Some(vec![band("90", "1"), band("75", "0.6")]);
    let mut data = two_institutions();
    data.institutions[0].assessment_score = Some(d("90"));
    data.institutions[1].assessment_score = Some(d("80"));
    let f = &settle(&p, &data).unwrap().funds[0];
    // reserve 7,500 shared by S (90 : 80): A 3,970.588…, B 3,529.411…
    // A: score 90 ≥ 90 → 100% = 3,970.59; B: 80 in [75, 90) → 60% × 3,529.41… = 2,117.65
    assert_eq!(f.units[0].quality_reserve_returned, d("3970.59"));
    assert_eq!(f.units[1].quality_reserve_returned, d("2117.65"));
    // Below the last band nothing comes back (三(七) "扣减质量保证金").
    data.institutions[1].assessment_score = Some(d("74.9"));
    let f = &settle(&p, &data).unwrap().funds[0];
    assert_eq!(f.units[1].quality_reserve_returned, d("0"));
}

#[test]
fn jilin_2024_article_27_deposit_returned_above_what_was_held() {
    // 吉林2024 第二十七条 ¶3 "根据考核评价结果，在年底清算…予以倾斜；反之，则予以调减".
    let (mut p, data) = setup();
    p.settlement.deposit.return_rule = ReturnRule::Bands;
    p.settlement.return_bands = Some(vec![band("95", "1.2"), band("85", "1"), band("0", "0.5")]);
    let f = &settle(&p, &data).unwrap().funds[0];
    // A: FS 7,000, deposit 5% = 350; score 90 → 100% = 350; net 7,000 − 350 − 2,850 + 350 = 4,150
    assert_eq!(f.units[0].deposit_returned, d("350"));
    assert_eq!(f.units[0].net_to_pay, d("4150"));
    // B: FS 8,000 − 3,000 = 5,000, deposit 250; score 100 → 120% = 300 (倾斜: 50 more than held)
    assert_eq!(
        (f.units[1].deposit_withheld, f.units[1].deposit_returned),
        (d("250"), d("300"))
    );
}

#[test]
fn dip3_7_3_1_4_assessment_factor_and_audit_deductions() {
    // 国家DIP3.0 第七章第三节一(四): 〔∑(病例分值×结算点值×医保基金支付比例)〕×考核系数－∑审核扣减费用.
    let (mut p, mut data) = setup();
    p.settlement.assessment_factor = Some(vec![band("95", "1"), band("85", "0.95"), band("0", "0.9")]);
    data.adjustments.push(InstitutionAdjustment {
        institution: "A".into(),
        fund: Fund::Employee,
        label: "审核扣减".into(),
        points: d("0"),
        amount: d("-200"),
        basis: "第七章第三节一(四)".into(),
        quality_reserve_deduction: Default::default(),
    });
    let r = settle(&p, &data).unwrap();
    let a = &r.funds[0].units[0];
    // A: FS = 9,000 − 2,000 = 7,000; score 90 → 考核系数 0.95: 7,000 × (0.95 − 1) = −350
    assert_eq!(a.assessment_factor, Some(d("0.95")));
    assert_eq!(a.assessment_adjustment, d("-350"));
    // annual amount 7,000 × 0.95 − 200 = 6,450; year end = 6,450 − 350 deposit − 2,850 prepaid + 315 returned = 3,565
    assert_eq!(a.net_to_pay, d("3565"));
    // B: score 100 → factor 1, no change; the zero adjustment is left out of the JSON.
    let b = serde_json::to_value(&r.funds[0].units[1]).unwrap();
    assert_eq!(b["assessment_factor"], "1");
    assert!(b.get("assessment_adjustment").is_none());
    assert_eq!(r.funds[0].totals.assessment_adjustment, d("-350"));
}

#[test]
fn dip3_7_2_1_advance_of_one_month_set_off_at_year_end() {
    // 国家DIP3.0 第七章第二节一 "预付规模应在 1 个月左右".
    let (mut p, mut data) = setup();
    p.settlement.advance = Some(Advance { months: d("1") });
    data.institutions[0].history = vec![d("12000"), d("11000")];
    let f = &settle(&p, &data).unwrap().funds[0];
    // A: 1 ÷ 12 × last year's 12,000 = 1,000; net 4,115 − 1,000 = 3,115
    assert_eq!(f.units[0].advance, d("1000"));
    assert_eq!(f.units[0].net_to_pay, d("3115"));
    // B gives no history: 1 ÷ 12 × this year's FS 5,000 = 416.67
    assert_eq!(f.units[1].advance, d("416.67"));
    assert_eq!(f.totals.advance, d("1416.67"));
}

#[test]
fn the_new_options_off_leave_the_result_json_as_it_was() {
    let (p, data) = setup();
    let text = serde_json::to_string(&settle(&p, &data).unwrap()).unwrap();
    for key in ["assessment_factor", "assessment_adjustment", "\"advance\"", "elastic"] {
        assert!(!text.contains(key), "{key} appears with the option off");
    }
    let policy = p.to_json();
    for key in ["return_bands", "assessment_factor", "advance", "elastic"] {
        assert!(
            !policy.contains(key),
            "{key} written into a policy that does not use it"
        );
    }
}

#[test]
fn score_bands_are_checked() {
    let (mut p, _) = setup();
    p.settlement.quality_reserve_return = ReturnRule::Bands;
    let e = p.validate().unwrap_err();
    assert_eq!(e.issues[0].path, "settlement.return_bands");
    p.settlement.return_bands = Some(vec![band("80", "1"), band("90", "2.5")]);
    let paths: Vec<String> = p.validate().unwrap_err().issues.into_iter().map(|i| i.path).collect();
    assert_eq!(
        paths,
        ["settlement.return_bands.1.min_score", "settlement.return_bands.1.rate"]
    );
    p.settlement.return_bands = Some(vec![band("90", "1.2"), band("60", "0.5")]);
    assert!(p.validate().is_ok());
    p.settlement.advance = Some(Advance { months: d("13") });
    assert_eq!(p.validate().unwrap_err().issues[0].path, "settlement.advance.months");
}
