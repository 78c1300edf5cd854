//! One worked example per preset: the preset's own rules on a small region with a small budget,
//! so the arithmetic fits in the comments. (The presets' budget waterfalls are worked through in
//! tests/policy_presets.rs.)
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::BandPosition;
use dipcalc::engine::rounding::round_points;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

fn preset_with_budget(name: &str, fund: Fund, amount: &str) -> Policy {
    let mut p = preset(name).unwrap().unwrap();
    let fp = p.funds.get_mut(fund).unwrap();
    fp.rule = BudgetRule::Fixed {
        amount: Amount::yuan(d(amount)),
    };
    fp.adjustments.clear();
    fp.earmarks.clear();
    p
}

fn col<T: Clone>(
    r: &dipcalc::engine::result::FundResult,
    f: impl Fn(&dipcalc::engine::result::UnitResult) -> T,
) -> Vec<T> {
    r.units.iter().map(f).collect()
}

#[test]
fn ningde_2024_sum_coefficients_grassroots_and_the_cliff() {
    let p = preset_with_budget("宁德2024", Fund::Employee, "20000");
    let mut n1 = institution("N1", "三甲", None);
    n1.bonuses = vec![d("0.05")];
    let data = Dataset {
        institutions: vec![n1, institution("N2", "二甲", None), institution("N3", "一级", None)],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false), group("G2", "40", "4000", true)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("N1", Fund::Employee, "G1", "10000", "2000", 1), // 100 × (1.10 + 0.05) = 115
            case("N1", Fund::Employee, "G2", "4000", "800", 2),   // 基层: 40 × 1 = 40
            case("N2", Fund::Employee, "G1", "10000", "2500", 3), // 100 × 0.8638 = 86.38
            case("N3", Fund::Employee, "G2", "4000", "1000", 4),  // 40
            case("N3", Fund::Employee, "G1", "4000", "1000", 5),  // r = 0.4 ≤ 0.5: 100 × 0.4 × 0.75 = 30
        ]
        .into(),
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    assert_eq!(col(f, |u| u.points.total), [d("155"), d("86.38"), d("70")]);
    // pool = 20,000 + (2,800 + 2,500 + 2,000) = 27,300; PV = 27,300 ÷ 311.38 = 87.674224
    assert_eq!(f.pool, d("27300"));
    assert_eq!(f.point_value, Some(d("87.674224")));
    // S = 27,300 × points ÷ 311.38, reconciled: 13,589.50 + 7,573.30 + 6,137.20 = 27,300.00
    assert_eq!(col(f, |u| u.settlement), [d("13589.50"), d("7573.30"), d("6137.20")]);
    // N1: C 14,000 over S by 3.02% → T = S + 60% × 410.50 = 13,835.80; fund pays − 2,800
    // N2: over by 32.0% > 10% → the cliff: T = S; N3 likewise (30.4%)
    assert_eq!(col(f, |u| u.target), [d("13835.80"), d("7573.30"), d("6137.20")]);
    assert_eq!(col(f, |u| u.fund_pays), [d("11035.80"), d("5073.30"), d("4137.20")]);
    assert_eq!(f.units[1].band, BandPosition::OverspendBeyond);
}

#[test]
fn ningde_2025_reply_alliance_outpatient_lump_sum() {
    // 宁德2025答复 一: N2 and N3 form 蕉城医共体 with an employee outpatient lump sum of 12,000 元,
    // prepaid 1,000 a month; their outpatient fund cost 7,000 + 5,800 = 12,800 is over by 800 =
    // 6.67% ≤ 10%: the preset's bands share 60% → T = 12,480, 480 paid at year end.
    let mut p = preset_with_budget("宁德2024", Fund::Employee, "20000");
    p.funds.employee.as_mut().unwrap().alliance_lump_sums = vec![AllianceLumpSum {
        alliance: "蕉城医共体".into(),
        amount: Amount::yuan(d("12000")),
    }];
    let mut n2 = institution("N2", "二甲", None);
    let mut n3 = institution("N3", "一级", None);
    n2.alliance = Some("蕉城医共体".into());
    n3.alliance = Some("蕉城医共体".into());
    let data = Dataset {
        institutions: vec![institution("N1", "三甲", None), n2, n3],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false)],
            per_diem_groups: vec![],
        },
        cases: vec![case("N1", Fund::Employee, "G1", "10000", "2000", 1)].into(),
        outpatient: vec![
            outpatient_cost("N2", 2, "9000", "2000"),
            outpatient_cost("N3", 6, "7000", "1200"),
            outpatient_cost("N1", 6, "5000", "1000"), // not a member
        ],
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    let l = &f.alliance_lump_sums[0];
    assert_eq!((l.fund_cost, l.target, l.year_end), (d("12800"), d("12480"), d("480")));
    assert_eq!(l.monthly, vec![d("1000"); 12]);
    // The DIP settlement is untouched: the preset deducts 门诊 before the pool (第七条(三)).
    assert_eq!(f.pool, d("22000"));
}

fn outpatient_cost(inst: &str, month: u8, cost: &str, personal: &str) -> OutpatientRecord {
    OutpatientRecord {
        total_cost: d(cost),
        personal_burden: d(personal),
        ..outpatient(inst, month, "0", "0")
    }
}

#[test]
fn jilin_2024_scale_product_per_diem_fee_for_service_and_fund_share() {
    let p = preset_with_budget("吉林2024", Fund::Employee, "100000");
    let mut j1 = institution("J1", "三甲", None);
    j1.factors = vec![d("1.05")];
    let mut per_diem = case("J1", Fund::Employee, "P1", "5000", "1500", 2);
    per_diem.kind = CaseKind::PerDiem;
    per_diem.days = d("10");
    let mut ffs = case("J1", Fund::Employee, "", "4900", "1000", 3);
    ffs.kind = CaseKind::FeeForService;
    let data = Dataset {
        institutions: vec![j1, institution("J2", "二甲", None)],
        catalog: Catalog {
            groups: vec![group("G1", "1.2", "12000", false), group("G2", "0.5", "5000", true)],
            per_diem_groups: vec![PerDiemGroup {
                code: "P1".into(),
                name: "床日".into(),
                daily_fund_standard: d("310"),
            }],
        },
        cases: vec![
            case("J1", Fund::Employee, "G1", "12000", "3000", 1), // 1.2 × (1.00 × 1.05) × 10,000 = 12,600
            per_diem, // 310 ÷ 0.62 = 500 a day × 10 ÷ 9,800 × 1.05 × 10,000 = 5,357.142857…
            ffs,      // 4,900 ÷ 9,800 × 1.05 × 10,000 = 5,250
            case("J2", Fund::Employee, "G2", "5000", "1000", 4), // 基层: 0.5 × 1 × 10,000 = 5,000
            case("J2", Fund::Employee, "G1", "30000", "6000", 5), // r = 2.5: 1.2 × 1.5 × 0.88 × 10,000 = 15,840
        ]
        .into(),
        outpatient: vec![
            outpatient("J1", 2, "650", "2000"), // capitation 650 ÷ 0.65 = 1,000 points; drugs 2,000
            outpatient("J2", 5, "0", "3000"),
        ],
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    // 门诊 35% of 100,000 = 35,000; 住院 65,000; pool in total-cost terms 65,000 ÷ 0.72 = 90,277.78
    assert_eq!(f.budget.outpatient_budget, d("35000"));
    assert_eq!(f.budget.inpatient_budget, d("65000"));
    assert_eq!(dipcalc::engine::rounding::round_money(f.pool), d("90277.78"));
    // 床日 points as reported (4 decimals, half away from zero): 5,357.142857… → 5,357.1429
    assert_eq!(round_points(f.units[0].points.per_diem), d("5357.1429"));
    // PV = 90,277.78 ÷ 44,047.142857 = 2.049572 (scale 10,000 keeps it readable)
    assert_eq!(f.point_value, Some(d("2.049572")));
    assert_eq!(col(f, |u| u.settlement), [d("47564.70"), d("42713.08")]);
    // Both cost far less than S (−54%, −18%): beyond the 10% band, T = C (第二十七条)
    assert_eq!(col(f, |u| u.target), [d("21900"), d("35000")]);
    assert_eq!(col(f, |u| u.fund_pays), [d("16400"), d("28000")]);
    // Quarterly outpatient point value (第二十三条(二)): each quarter 35,000 ÷ 4 = 8,750, pool
    // 8,750 ÷ 0.72 = 12,152.78. Q1: (12,152.78 − 1,000) ÷ 2,000 = 5.576389, J1 gets the pool;
    // Q2: 12,152.78 ÷ 3,000 = 4.050926, J2 gets it; Q3, Q4 no points.
    let o = f.outpatient.as_ref().unwrap();
    let pv: Vec<_> = o.quarters.iter().map(|q| q.point_value).collect();
    assert_eq!(pv, [Some(d("5.576389")), Some(d("4.050926")), None, None]);
    assert_eq!(
        o.institutions[0].quarter_settlements,
        [d("12152.78"), d("0"), d("0"), d("0")]
    );
    assert_eq!(
        o.institutions[1].quarter_settlements,
        [d("0"), d("12152.78"), d("0"), d("0")]
    );
    // The year: (48,611.11 − 1,000) ÷ 5,000 = 9.522222; J1 1,000 + 2,000 × PV = 20,044.44
    assert_eq!(o.point_value, Some(d("9.522222")));
    assert_eq!(o.institutions[0].settlement, d("20044.44"));
}

/// Outpatient figures of one institution and month (employee fund, no personal burden).
fn outpatient(inst: &str, month: u8, capitation: &str, drugs: &str) -> OutpatientRecord {
    OutpatientRecord {
        institution: inst.into(),
        fund: Fund::Employee,
        month: Some(month),
        capitation_payment: d(capitation),
        drugs: d(drugs),
        consumables: d("0"),
        services: d("0"),
        other_points: d("0"),
        total_cost: d("0"),
        personal_burden: d("0"),
    }
}

#[test]
fn xinyang_2019_allotment_by_history_with_quality_reserve() {
    let mut p = preset("信阳2019").unwrap().unwrap();
    let fp = p.funds.resident.as_mut().unwrap();
    fp.raised = Some(Amount::yuan(d("1000000")));
    fp.deductions = vec![LabelledAmount {
        label: "大病保险".into(),
        amount: Amount::yuan(d("200000")),
    }];
    fp.adjustments.clear();
    let mut x1 = institution("X1", "二甲", None);
    let mut x2 = institution("X2", "一级", None);
    let mut x3 = institution("X3", "一级", None);
    x1.history = vec![d("600000"), d("550000"), d("500000")];
    x2.history = vec![d("300000"), d("320000"), d("280000")];
    x3.history = vec![d("100000"), d("130000"), d("120000")];
    x1.assessment_score = Some(d("95"));
    x3.assessment_score = Some(d("80"));
    let data = Dataset {
        institutions: vec![x1, x2, x3],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("X1", Fund::Resident, "G1", "10000", "4000", 1),
            case("X3", Fund::Resident, "G1", "8000", "3000", 2),
        ]
        .into(),
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = &r.funds[0];
    // 800,000 after deductions; 质量保证金 5% = 40,000; B = 760,000 (三(一))
    assert_eq!((f.budget.quality_reserve, f.budget.budget), (d("40000"), d("760000")));
    // Shares over three years (totals 1,000,000, 1,000,000, 900,000), weights 0.5/0.3/0.2:
    // X1 0.5 × 0.6 + 0.3 × 0.55 + 0.2 × 5/9 = 0.576111; X2 (一级) 0.308222 × 1.1 = 0.339044;
    // X3 (一级) 0.115667 × 1.1 = 0.127233; renormalised, × 760,000:
    assert_eq!(
        col(f, |u| u.settlement),
        [d("420039.44"), d("247195.44"), d("92765.12")]
    );
    // 结余留用、超支自负: the fund pays the allotment; no point value in this mode
    assert_eq!(col(f, |u| u.fund_pays), col(f, |u| u.settlement));
    assert_eq!(f.point_value, None);
    // Quality reserve back by settlement share × score: X1 40,000 × 0.552684 × 0.95 = 21,001.97
    assert_eq!(
        col(f, |u| u.quality_reserve_returned),
        [d("21001.97"), d("13010.29"), d("3905.90")]
    );
}

#[test]
fn xiuning_2021_alliance_unit_and_adjustment_fund() {
    let mut p = preset_with_budget("休宁2021", Fund::Employee, "30000");
    p.funds.employee.as_mut().unwrap().adjustment_fund = Some(AdjustmentFund {
        amount: Amount::yuan(d("1000")),
        city_total_points: None,
        uses: vec![],
        pays_alliance_overspend: true, // as the preset (休宁2021 12)
    });
    let mut b = institution("B", "二甲", None);
    let mut c = institution("C", "一级", None);
    b.alliance = Some("城关医共体".into());
    c.alliance = Some("城关医共体".into());
    let data = Dataset {
        institutions: vec![institution("A", "三甲", None), b, c],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false), group("G2", "40", "4000", true)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("A", Fund::Employee, "G1", "10000", "2000", 1), // 100 × 1.10 = 110
            case("A", Fund::Employee, "G2", "4000", "800", 2),   // 基层 40 (休宁2021 6)
            case("B", Fund::Employee, "G1", "9000", "1800", 3),  // 100 × 0.90 = 90
            case("C", Fund::Employee, "G2", "4000", "600", 4),   // 40
            case("C", Fund::Employee, "G1", "10000", "1500", 5), // 100 × 0.70 = 70
        ]
        .into(),
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    // The 医共体 is one settlement unit (休宁2021 12–13): 90 + 40 + 70 = 200 points
    assert_eq!(col(f, |u| u.code.clone()), ["A", "城关医共体"]);
    assert_eq!(col(f, |u| u.points.total), [d("150"), d("200")]);
    // pool = 30,000 + 6,700 = 36,700; PV = 36,700 ÷ 350 = 104.857143
    assert_eq!(f.point_value, Some(d("104.857143")));
    assert_eq!(col(f, |u| u.settlement), [d("15728.57"), d("20971.43")]);
    // A: under by 11.0% > 10% → T = C = 14,000. 医共体: over by 9.67% → S + 60% × 2,028.57
    assert_eq!(col(f, |u| u.target), [d("14000"), d("22188.57")]);
    assert!(f.units[1].flags.contains(&"near_band_edge".to_string()));
    // 休宁2021 12: the 调剂金 first pays the 医共体's shared overspend, 60% × 2,028.57 = 1,217.14:
    // all of its 1,000, the fund the other 217.14; nothing is left to distribute by points.
    let u = f.adjustment_fund_use.as_ref().unwrap();
    assert_eq!(
        (u.alliance_overspend, u.alliance_overspend_paid),
        (d("1217.14"), d("1000"))
    );
    assert_eq!((u.alliance_overspend_by_fund, u.distributed), (d("217.14"), d("0")));
    assert_eq!(col(f, |u| u.adjustment_fund), [d("0"), d("0")]);
    // Without the switch the 1,000 goes by points 150 : 200.
    let af = p.funds.employee.as_mut().unwrap().adjustment_fund.as_mut().unwrap();
    af.pays_alliance_overspend = false;
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    assert_eq!(col(f, |u| u.adjustment_fund), [d("428.57"), d("571.43")]);
}

#[test]
fn national_dip3_fund_share_from_data_region_review_cap_advance_and_monitoring() {
    let p = preset_with_budget("国家DIP3.0", Fund::Employee, "20000");
    let mut applied = case("N2", Fund::Employee, "G1", "10000", "3000", 3);
    applied.review.applied = true;
    let data = Dataset {
        institutions: vec![institution("N1", "三甲", None), institution("N2", "二甲", None)],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("N1", Fund::Employee, "G1", "10000", "2000", 1), // 100 × 1.00
            case("N1", Fund::Employee, "G1", "10000", "2000", 2), // 100
            applied,                                              // 100 × 0.88 = 88
        ]
        .into(),
        ..Default::default()
    };
    let r = settle(&p, &data).unwrap();
    let f = r.funds.iter().find(|f| f.fund == Fund::Employee).unwrap();
    // 第七章第三节一(三): 医保支付比例 = (30,000 − 7,000) ÷ 30,000; pool = 20,000 × 30,000 ÷ 23,000
    // = 26,086.96; 结算点值 = 26,086.9565… ÷ 288 = 90.579710
    assert_eq!(f.point_value, Some(d("90.579710")));
    // S: 18,115.94 and 7,971.01 + the missing cent (larger remainder) = 7,971.02. Both over S by
    // more than 10%: T = S; the fund pays T − personal = 14,115.94 + 4,971.02 = 19,086.96.
    assert_eq!(col(f, |u| u.settlement), [d("18115.94"), d("7971.02")]);
    assert_eq!(f.totals.fund_pays, d("19086.96"));
    // 预付金 one month of FS (no last-year payment given): 14,115.94 ÷ 12 and 4,971.02 ÷ 12
    assert_eq!(col(f, |u| u.advance), [d("1176.33"), d("414.25")]);
    // 运行监测: 总额准确度 20,000 ÷ 19,086.96 = 1.047836; 医保结算支付比 23,000 ÷ 19,086.96 = 1.205011
    let m = f.monitoring.as_ref().unwrap();
    assert_eq!(
        (m.budget_accuracy, m.payment_ratio),
        (Some(d("1.047836")), Some(d("1.205011")))
    );
    // 特例单议: 1 application of 3 DIP discharges > 5‰ × 3 — the region is over its cap, and no
    // institution is flagged on its own (review_share_limit 100%).
    let v = r.review.as_ref().unwrap();
    assert_eq!((v.dip_cases, v.applications, v.over_limit), (3, 1, true));
    assert!(r.notices.iter().any(|n| n.code == "review_region_over_limit"));
    assert!(!r.notices.iter().any(|n| n.code == "review_over_limit"));
}
