//! Builders shared by the engine tests.
#![allow(dead_code)]

use dipcalc::engine::settle;
use dipcalc::policy::{Amount, BudgetRule, Policy};
use dipcalc::records::*;
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

pub fn group(code: &str, score: &str, reference: &str, grassroots: bool) -> Group {
    Group {
        code: code.into(),
        name: code.into(),
        score: d(score),
        grassroots,
        reference_cost: d(reference),
        reference_cost_by_level: vec![],
        category: None,
    }
}

pub fn institution(code: &str, level: &str, base: Option<&str>) -> Institution {
    Institution {
        code: code.into(),
        name: code.into(),
        level: level.into(),
        alliance: None,
        base_coefficient: base.map(d),
        bonuses: vec![],
        deductions: vec![],
        factors: vec![],
        assessment_score: None,
        primary_care: None,
        history: vec![],
        budget_inputs: Default::default(),
    }
}

pub fn case(inst: &str, fund: Fund, group: &str, cost: &str, personal: &str, month: u8) -> Case {
    Case {
        institution: inst.into(),
        fund,
        kind: CaseKind::Dip,
        group: group.into(),
        total_cost: d(cost),
        personal_burden: d(personal),
        excluded_cost: Decimal::ZERO,
        days: Decimal::ONE,
        month,
        review: Review::default(),
        qc_passed: true,
        supplemented: false,
        source_row: 0,
        extras: Default::default(),
    }
}

/// SPEC §10 as records.
pub fn spec10_dataset() -> Dataset {
    let mut h1 = institution("H1", "三甲", Some("1.10"));
    h1.bonuses = vec![d("0.05")];
    h1.deductions = vec![d("0.02")];
    let rows = [
        ("H1", "G3", "33000", "9000"),
        ("H1", "G3", "75000", "15000"),
        ("H1", "G1", "12500", "3000"),
        ("H1", "G2", "5200", "1200"),
        ("H2", "G1", "9800", "2500"),
        ("H2", "G1", "4000", "1000"),
        ("H2", "G3", "29000", "7000"),
        ("H2", "G2", "3900", "900"),
        ("H3", "G2", "3500", "700"),
        ("H3", "G2", "3600", "800"),
        ("H3", "G1", "9900", "1600"),
    ];
    Dataset {
        institutions: vec![
            h1,
            institution("H2", "二甲", Some("0.95")),
            institution("H3", "一级", Some("0.80")),
        ],
        catalog: Catalog {
            groups: vec![
                group("G1", "100", "10000", false),
                group("G2", "40", "4000", true),
                group("G3", "300", "30000", false),
            ],
            per_diem_groups: vec![],
        },
        cases: rows
            .iter()
            .enumerate()
            .map(|(n, (i, g, c, p))| case(i, Fund::Employee, g, c, p, (n + 1) as u8))
            .collect(),
        ..Default::default()
    }
}

pub fn spec10_policy() -> dipcalc::policy::Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/spec10/policy.json"
    ))
    .expect("fixture");
    dipcalc::policy::Policy::from_json(&text).expect("valid policy")
}

/// SPEC §10's policy without risk sharing.
pub fn one_fund_policy() -> Policy {
    let mut p = spec10_policy();
    p.settlement.risk_sharing.enabled = false;
    p
}

/// Each unit's total points in the first fund.
pub fn points_of(p: &Policy, data: &Dataset) -> Vec<Decimal> {
    settle(p, data).unwrap().funds[0]
        .units
        .iter()
        .map(|u| u.points.total)
        .collect()
}

/// Institution A (二甲, 0.9) with G1 (100, ref 10,000), G2 (200, ref 2,000) and per-diem group P1 (300 a day).
pub fn one_institution(cases: Vec<Case>) -> Dataset {
    Dataset {
        institutions: vec![institution("A", "二甲", Some("0.9"))],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false), group("G2", "200", "2000", false)],
            per_diem_groups: vec![PerDiemGroup {
                code: "P1".into(),
                name: "精神病床日".into(),
                daily_fund_standard: d("300"),
            }],
        },
        cases: cases.into(),
        ..Default::default()
    }
}

pub fn two_institutions() -> Dataset {
    // A: 90 points, cost 10,000, personal 2,000 (Jan); B: 100 × 0.8 = 80, cost 10,000, personal 3,000 (Apr)
    Dataset {
        institutions: vec![
            institution("A", "二甲", Some("0.9")),
            institution("B", "一级", Some("0.8")),
        ],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("A", Fund::Employee, "G1", "10000", "2000", 1),
            case("B", Fund::Employee, "G1", "10000", "3000", 4),
        ]
        .into(),
        ..Default::default()
    }
}

/// The employee fund's budget set to `amount`.
pub fn fixed_budget(p: &mut Policy, amount: &str) {
    p.funds.employee.as_mut().unwrap().rule = BudgetRule::Fixed {
        amount: Amount::yuan(d(amount)),
    };
}

/// A dataset's cases as records, edited, and read back into its table (the dataset holds them
/// compactly: a test that removes, reorders or changes cases does it on the records).
pub fn edit_cases(data: &mut Dataset, edit: impl FnOnce(&mut Vec<Case>)) {
    let mut cases: Vec<Case> = data.cases.cases().collect();
    edit(&mut cases);
    data.cases = cases.into();
}
