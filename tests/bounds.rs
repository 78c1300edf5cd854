//! Issue 11, panics from magnitudes: each value that made `Decimal` overflow is now an error
//! naming it (the policy limits in `policy::limits`, the record limits in `records::limits`),
//! a negative budget is an error naming the fund and its steps, and the largest values the
//! limits allow settle without a panic.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::{settle, EngineError};
use dipcalc::input::{check_dataset, ErrorKind};
use dipcalc::policy::{
    limits, Band, Beyond, BudgetAdjustment, CoefficientMode, HistoryYear, LabelledAmount, Policy, Reserve, Unit,
};
use dipcalc::records::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A value that passed every check before and overflowed: 7 × 10²⁸ is just below Decimal::MAX.
fn huge() -> Decimal {
    d("70000000000000000000000000000")
}

fn employee(p: &mut Policy) -> &mut dipcalc::policy::FundPolicy {
    p.funds.employee.as_mut().expect("the §10 policy has an employee fund")
}

/// The policy is refused with an error at `path`, and settling under it returns that error.
fn refused_at(p: &Policy, path: &str) {
    let e = p.validate().expect_err("the policy should be refused");
    assert!(e.issues.iter().any(|i| i.path == path), "no error at {path}: {e}");
    let err = settle(p, &spec10_dataset()).expect_err("settle must refuse the policy");
    assert_eq!(err.code, "invalid_policy");
}

#[test]
fn raised_near_the_decimal_ceiling_is_refused_not_a_panic() {
    // 7 × 10²³ 亿元 = 7 × 10³¹ 元: converting it overflowed. The limit is 1 万亿元 = 10⁴ 亿元.
    let mut p = spec10_policy();
    let raised = employee(&mut p).raised.as_mut().unwrap();
    raised.value = d("700000000000000000000000");
    raised.unit = Unit::YiYuan;
    refused_at(&p, "funds.employee.raised.value");
    // 10⁴ 亿元 is exactly the limit and passes; 10,000.01 亿元 does not.
    let mut ok = spec10_policy();
    employee(&mut ok).raised = Some(dipcalc::policy::Amount {
        value: d("10000"),
        unit: Unit::YiYuan,
    });
    assert!(ok.validate().is_ok());
    employee(&mut ok).raised.as_mut().unwrap().value = d("10000.01");
    assert!(ok.validate().is_err());
}

#[test]
fn forecast_weights_are_range_checked_before_they_are_summed() {
    let mut p = spec10_policy();
    let f = employee(&mut p).forecast.as_mut().unwrap();
    f.history[0].weight = huge();
    f.history[1].weight = huge();
    refused_at(&p, "funds.employee.forecast.history.0.weight");
}

#[test]
fn monthly_profile_weights_are_range_checked_before_they_are_summed() {
    let mut p = spec10_policy();
    employee(&mut p).monthly_profile = Some(vec![huge(); 12]);
    refused_at(&p, "funds.employee.monthly_profile.0");
}

#[test]
fn band_bound_above_ten_times_s_is_refused() {
    let mut p = spec10_policy();
    p.settlement.risk_sharing.overspend.bands[0].up_to = huge();
    refused_at(&p, "settlement.risk_sharing.overspend.bands.0.up_to");
    // 10 × S is the limit.
    p.settlement.risk_sharing.overspend.bands[0].up_to = limits::band();
    assert!(p.validate().is_ok());
}

#[test]
fn scale_above_the_limit_is_refused() {
    let mut p = spec10_policy();
    p.points.scale = huge();
    refused_at(&p, "points.scale");
    // 吉林2024's ×10000 is well inside.
    p.points.scale = d("10000");
    assert!(p.validate().is_ok());
}

#[test]
fn a_dividing_ratio_below_one_percent_is_refused() {
    // pool = B ÷ fund_share_ratio: 10⁻²⁸ would multiply B by 10²⁸.
    let mut p = spec10_policy();
    employee(&mut p).fund_share_ratio = Some(d("0.0000000000000000000000000001"));
    refused_at(&p, "funds.employee.fund_share_ratio");
}

#[test]
fn cases_costing_1e16_are_an_input_error_and_an_engine_error_not_a_panic() {
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| {
        for (n, c) in cases.iter_mut().enumerate() {
            c.total_cost = d("1e16");
            c.personal_burden = d("1e15");
            c.source_row = n as u64 + 2;
        }
    });
    // The input check names every case's row and the field (the limit: 1 亿元 a case).
    let errors = check_dataset(&data);
    assert_eq!(errors.len(), 11, "{errors:#?}");
    assert_eq!(errors[0].row, Some(2));
    assert_eq!(errors[0].value.as_deref(), Some("10000000000000000"));
    assert!(matches!(&errors[0].kind, ErrorKind::OutOfRange { field, .. } if field == "total_cost"));
    let message = errors[0].message(dipcalc::input::Lang::En);
    assert!(message.contains("row 2") && message.contains("100000000"), "{message}");
    // The engine refuses them too, naming the first row.
    let e: EngineError = settle(&spec10_policy(), &data).unwrap_err();
    assert_eq!((e.code.as_str(), e.row), ("out_of_range", Some(2)));
}

#[test]
fn cases_within_their_limit_but_too_many_in_total_are_an_error() {
    // 110,000 cases of 1 亿元 add up to 11 万亿元 > the 10 万亿元 limit of a dataset.
    let mut data = spec10_dataset();
    let template = data.cases.cases().next().unwrap();
    data.cases = (0..110_000u64)
        .map(|n| Case {
            total_cost: d("100000000"),
            personal_burden: d("0"),
            source_row: n + 2,
            extras: Default::default(),
            ..template.clone()
        })
        .collect();
    let errors = check_dataset(&data);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(matches!(&errors[0].kind, ErrorKind::TotalOutOfRange { field, .. } if field == "total_cost"));
    assert_eq!(settle(&spec10_policy(), &data).unwrap_err().code, "out_of_range");
}

#[test]
fn catalog_and_institution_values_beyond_their_limits_name_the_code() {
    let mut data = spec10_dataset();
    data.catalog.groups[1].reference_cost = d("0.0001");
    data.institutions[2].factors = vec![d("5"), d("5")];
    let errors = check_dataset(&data);
    let described: Vec<(Option<String>, String)> = errors
        .iter()
        .map(|e| match &e.kind {
            ErrorKind::OutOfRange { field, code, .. } => (code.clone(), field.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    // G2's reference cost divides a case's cost (below 1 元); H3's factors multiply to 25 > 10.
    assert_eq!(
        described,
        vec![
            (Some("H3".into()), "factors".into()),
            (Some("G2".into()), "reference_cost".into())
        ]
    );
    let e = settle(&spec10_policy(), &data).unwrap_err();
    assert_eq!((e.code.as_str(), e.subject.as_str()), ("out_of_range", "G2"));
}

#[test]
fn deductions_above_the_amount_available_are_a_negative_budget_error() {
    // SPEC §10: A = 300,000 − 10% = 270,000; deductions 40,000 + 80,000, and now a third of
    // 200,000: P = 270,000 − 320,000 = −50,000.
    let mut p = spec10_policy();
    employee(&mut p).deductions.push(LabelledAmount {
        label: "生育医疗".into(),
        amount: dipcalc::policy::Amount::yuan(d("200000")),
    });
    let e = settle(&p, &spec10_dataset()).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.subject.as_str()),
        ("negative_budget", "funds.employee")
    );
    for step in ["270,000.00", "−200,000.00", "−50,000.00", "生育医疗"] {
        assert!(e.message_zh.contains(step), "{step} missing: {}", e.message_zh);
    }
    assert!(
        e.message_en.contains("Regional DIP package P −50,000.00"),
        "{}",
        e.message_en
    );
}

#[test]
fn an_adjustment_below_the_budget_is_a_negative_budget_error() {
    // B = 144,900 (SPEC §10); an adjustment of −150,000 leaves −5,100.
    let mut p = spec10_policy();
    employee(&mut p).adjustments.push(BudgetAdjustment {
        label: "年终调整".into(),
        amount: dipcalc::policy::Amount::yuan(d("-150000")),
        effective: None,
    });
    let e = settle(&p, &spec10_dataset()).unwrap_err();
    assert_eq!(e.code, "negative_budget");
    assert!(e.message_en.contains("−5,100.00"), "{}", e.message_en);
}

/// The §10 policy with every parameter at the end of its range that makes figures largest:
/// 1 万亿元 raised and forecast, growth ×11, coefficients and factors at 10, scale 10⁵, H = 1
/// (every case above its reference cost is a high outlier), bands up to 10 × S.
fn largest_policy(mode: CoefficientMode) -> Policy {
    let mut p = spec10_policy();
    let money = dipcalc::policy::Amount::yuan(limits::money());
    let f = employee(&mut p);
    f.raised = Some(money);
    f.reserve = Reserve::None;
    f.deductions.clear();
    let fc = f.forecast.as_mut().unwrap();
    fc.history = vec![HistoryYear {
        year: 2023,
        amount: money,
        weight: Decimal::ONE,
    }];
    fc.proposed_growth = Decimal::TEN;
    fc.growth_cap = None;
    p.coefficients.mode = mode;
    p.coefficients.range.max = limits::coefficient();
    p.points.scale = limits::scale();
    p.points.outliers.high_ratio = Decimal::ONE;
    p.points.outliers.low_ratio = d("0.5");
    for side in [
        &mut p.settlement.risk_sharing.overspend,
        &mut p.settlement.risk_sharing.surplus,
    ] {
        side.bands = vec![Band {
            up_to: limits::band(),
            share: Decimal::ONE,
        }];
        side.beyond = Beyond::Capped;
    }
    p.validate().expect("the largest policy is allowed");
    p
}

/// Cases at the record limits: each costs up to 1 亿元 against a reference cost of 1 元 (a cost
/// ratio of 10⁸), scores 10⁶, coefficient 10 × Π factors 10; personal burden up to the cost.
fn largest_region() -> impl Strategy<Value = Dataset> {
    let cases = prop::collection::vec((0usize..3, 0usize..2, 0u32..=100, 0u32..=100, 1u8..=12), 1..30);
    cases.prop_map(|cases| {
        let max_cost = dipcalc::records::limits::case_money();
        let mut data = spec10_dataset();
        for (n, inst) in data.institutions.iter_mut().enumerate() {
            inst.base_coefficient = Some(dipcalc::records::limits::coefficient());
            inst.bonuses = vec![];
            inst.deductions = vec![];
            inst.factors = if n == 0 { vec![d("10")] } else { vec![d("2"), d("5")] };
        }
        for (n, g) in data.catalog.groups.iter_mut().enumerate() {
            g.score = dipcalc::records::limits::score();
            g.reference_cost = if n == 0 { Decimal::ONE } else { max_cost };
        }
        data.cases = cases
            .iter()
            .enumerate()
            .map(|(row, (i, g, cost_pct, personal_pct, month))| {
                let cost = max_cost * Decimal::from(*cost_pct) / Decimal::ONE_HUNDRED;
                let mut c = case(
                    &format!("H{}", i + 1),
                    Fund::Employee,
                    &format!("G{}", g + 1),
                    "0",
                    "0",
                    *month,
                );
                c.total_cost = cost;
                c.personal_burden = cost * Decimal::from(*personal_pct) / Decimal::ONE_HUNDRED;
                c.source_row = row as u64 + 2;
                c
            })
            .collect();
        data
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The largest values the limits allow settle without a panic, in both coefficient modes,
    /// and the settlements still add up to the pool (SPEC §2).
    #[test]
    fn the_largest_allowed_values_settle_without_overflow(data in largest_region(), product in any::<bool>()) {
        let mode = if product { CoefficientMode::Product } else { CoefficientMode::Sum };
        prop_assert!(check_dataset(&data).is_empty(), "{:#?}", check_dataset(&data));
        let r = settle(&largest_policy(mode), &data).expect("settles");
        let f = &r.funds[0];
        let s: Decimal = f.units.iter().map(|u| u.settlement).sum();
        prop_assert_eq!(s, dipcalc::engine::rounding::round_money(f.pool));
    }
}
