//! Invariants of the engine over generated regions (issue 3's property list).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::rounding::round_money;
use dipcalc::engine::settle;
use dipcalc::policy::{Beyond, Policy};
use dipcalc::records::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn cases_from_env() -> u32 {
    std::env::var("DIPCALC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// A region: institutions with coefficients, a catalog with some 基层病种, cases of both kinds
/// of cost (normal, high, low), all amounts in cents.
fn region() -> impl Strategy<Value = Dataset> {
    let insts = prop::collection::vec((80u32..=130, 0u32..=10, 0u32..=5), 1..6);
    let groups = prop::collection::vec((1u32..=500, 1000u32..=50_000, prop::bool::weighted(0.2)), 1..8);
    (insts, groups).prop_flat_map(|(insts, groups)| {
        let ni = insts.len();
        let ng = groups.len();
        let cases = prop::collection::vec((0..ni, 0..ng, 10u32..=400, 5u32..=60, 1u8..=12), 1..40);
        (Just(insts), Just(groups), cases).prop_map(|(insts, groups, cases)| {
            let institutions = insts
                .iter()
                .enumerate()
                .map(|(n, (base, bonus, deduction))| {
                    let mut i = institution(&format!("H{n:02}"), "三甲", None);
                    i.base_coefficient = Some(Decimal::new(i64::from(*base), 2));
                    i.bonuses = vec![Decimal::new(i64::from(*bonus), 2)];
                    i.deductions = vec![Decimal::new(i64::from(*deduction), 2)];
                    i
                })
                .collect();
            let catalog = Catalog {
                groups: groups
                    .iter()
                    .enumerate()
                    .map(|(n, (score, reference, grassroots))| Group {
                        code: format!("G{n:02}"),
                        name: String::new(),
                        score: Decimal::from(*score),
                        grassroots: *grassroots,
                        reference_cost: Decimal::from(*reference),
                        reference_cost_by_level: vec![],
                        category: None,
                    })
                    .collect(),
                per_diem_groups: vec![],
            };
            let cases = cases
                .iter()
                .map(|(i, g, ratio_pct, personal_pct, month)| {
                    let reference = Decimal::from(groups[*g].1);
                    // cost = ratio% × reference, to the cent; personal a share of it
                    let cost = round_money(reference * Decimal::from(*ratio_pct) / Decimal::ONE_HUNDRED);
                    let personal = round_money(cost * Decimal::from(*personal_pct) / Decimal::ONE_HUNDRED);
                    let mut c = case(
                        &format!("H{i:02}"),
                        Fund::Employee,
                        &format!("G{g:02}"),
                        "0",
                        "0",
                        *month,
                    );
                    c.total_cost = cost;
                    c.personal_burden = personal;
                    c
                })
                .collect();
            Dataset {
                institutions,
                catalog,
                cases,
                ..Default::default()
            }
        })
    })
}

fn without_risk_sharing() -> Policy {
    let mut p = spec10_policy();
    p.settlement.risk_sharing.enabled = false;
    p
}

fn fund_pays(p: &Policy, data: &Dataset) -> Vec<Decimal> {
    settle(p, data).unwrap().funds[0]
        .units
        .iter()
        .map(|u| u.fund_pays)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_from_env()))]

    /// With risk sharing off, fund payments add up to the fund budget exactly, and S to the pool.
    #[test]
    fn fund_payments_add_up_to_the_budget(data in region()) {
        let r = settle(&without_risk_sharing(), &data).unwrap();
        let f = &r.funds[0];
        let pays: Decimal = f.units.iter().map(|u| u.fund_pays).sum();
        prop_assert_eq!(pays, round_money(f.budget.inpatient_budget));
        let s: Decimal = f.units.iter().map(|u| u.settlement).sum();
        prop_assert_eq!(s, dipcalc::engine::rounding::round_money(f.pool));
    }

    /// Reconciliation is always exact, whatever the weights.
    #[test]
    fn reconciliation_is_exact(pool in 0i64..10_000_000_000, weights in prop::collection::vec(0i64..1_000_000_000, 1..30)) {
        let pool = Decimal::new(pool, 3);
        let codes: Vec<String> = (0..weights.len()).map(|n| format!("C{n:03}")).collect();
        let pairs: Vec<(&str, Decimal)> = codes.iter().map(String::as_str).zip(weights.iter().map(|w| Decimal::new(*w, 4))).collect();
        let (parts, rec) = dipcalc::engine::settlement::reconcile(pool, &pairs);
        let sum: Decimal = parts.iter().sum();
        if weights.iter().all(|w| *w == 0) {
            prop_assert_eq!(sum, Decimal::ZERO);
        } else {
            prop_assert_eq!(sum, dipcalc::engine::rounding::round_money(pool));
            prop_assert!(rec.cents_distributed as usize <= parts.len());
        }
    }

    /// Scaling every score by k (or `scale` × k) changes no payment. Scores go up to 500, so
    /// k ≤ 2,000 keeps them within the record limit of 10⁶.
    #[test]
    fn scaling_points_changes_no_payment(data in region(), k in 1u32..=2_000) {
        let p = spec10_policy();
        let base = fund_pays(&p, &data);
        let k = Decimal::from(k);
        let mut scaled = data.clone();
        for g in &mut scaled.catalog.groups { g.score *= k; }
        prop_assert_eq!(&fund_pays(&p, &scaled), &base);
        let mut q = p.clone();
        q.points.scale *= k;
        prop_assert_eq!(&fund_pays(&q, &data), &base);
    }

    /// 基层病种 points ignore coefficients.
    #[test]
    fn grassroots_points_ignore_coefficients(data in region(), bump in 1u32..=50) {
        let p = spec10_policy();
        let grassroots_points = |d: &Dataset| -> Vec<Decimal> {
            let only: Dataset = Dataset {
                cases: d.cases.cases().filter(|c| d.catalog.groups.iter().any(|g| g.code == c.group && g.grassroots)).collect(),
                ..d.clone()
            };
            if only.cases.is_empty() { return vec![]; }
            settle(&p, &only).unwrap().funds[0].units.iter().map(|u| u.points.total).collect()
        };
        let before = grassroots_points(&data);
        let mut changed = data.clone();
        for i in &mut changed.institutions {
            i.base_coefficient = i.base_coefficient.map(|b| b + Decimal::new(i64::from(bump), 2));
        }
        prop_assert_eq!(grassroots_points(&changed), before);
    }

    /// With risk sharing off, extra points for one institution raise its settlement by less than
    /// PV × the extra points and lower everyone else's.
    #[test]
    fn extra_points_dilute_the_others(data in region(), extra in 1u32..=1000) {
        prop_assume!(data.institutions.len() >= 2);
        let p = without_risk_sharing();
        let before = settle(&p, &data).unwrap();
        let f0 = &before.funds[0];
        prop_assume!(f0.units.iter().all(|u| u.points.total > Decimal::ZERO));
        let mut more = data.clone();
        more.adjustments.push(InstitutionAdjustment {
            institution: "H00".into(), fund: Fund::Employee, label: "test".into(),
            points: Decimal::from(extra), amount: Decimal::ZERO, basis: String::new(),
            quality_reserve_deduction: Decimal::ZERO,
        });
        let after = settle(&p, &more).unwrap();
        let f1 = &after.funds[0];
        let pv = f0.point_value_exact.unwrap();
        let gain = f1.units[0].settlement - f0.units[0].settlement;
        prop_assert!(gain <= pv * Decimal::from(extra));
        prop_assert!(gain >= Decimal::ZERO);
        let others_before: Decimal = f0.units[1..].iter().map(|u| u.settlement).sum();
        let others_after: Decimal = f1.units[1..].iter().map(|u| u.settlement).sum();
        prop_assert!(others_after <= others_before);
    }

    /// No panic for any policy the schema accepts: perturbed rates, bands and outlier ratios.
    #[test]
    fn no_panic_for_accepted_policies(
        data in region(),
        reserve in 0u32..=100, h in 100u32..=500, l in 0u32..=100, up in 1u32..=50, share in 0u32..=100,
        capped in any::<bool>(), basis in 0u8..3, sum_mode in any::<bool>(), scale in 1u32..=10_000,
    ) {
        let mut p = spec10_policy();
        if let dipcalc::policy::Reserve::Rate { rate } = &mut p.funds.employee.as_mut().unwrap().reserve {
            *rate = Decimal::new(i64::from(reserve), 2);
        }
        p.points.outliers.high_ratio = Decimal::new(i64::from(h), 2);
        p.points.outliers.low_ratio = Decimal::new(i64::from(l), 2);
        p.points.scale = Decimal::from(scale);
        p.settlement.risk_sharing.overspend.bands[0].up_to = Decimal::new(i64::from(up), 2);
        p.settlement.risk_sharing.overspend.bands[0].share = Decimal::new(i64::from(share), 2);
        p.settlement.risk_sharing.surplus.beyond = if capped { Beyond::Capped } else { Beyond::Nothing };
        p.point_value.cost_basis = match basis {
            0 => dipcalc::policy::CostBasis::FundPlusPersonal,
            1 => { p.funds.employee.as_mut().unwrap().fund_share_ratio = Some(Decimal::new(7, 1)); dipcalc::policy::CostBasis::FundShareRatio }
            _ => dipcalc::policy::CostBasis::FundOnly,
        };
        p.coefficients.mode = if sum_mode { dipcalc::policy::CoefficientMode::Sum } else { dipcalc::policy::CoefficientMode::Product };
        if p.validate().is_ok() {
            // A reserve near 100% leaves less than the §10 deductions: a negative budget is
            // an error naming it, never a negative point value (issue 11).
            let r = settle(&p, &data);
            let negative_budget = r.as_ref().err().is_some_and(|e| e.code == "negative_budget");
            prop_assert!(r.is_ok() || negative_budget, "{:?}", r.err());
        }
    }

    /// A Settler reusing its per-case pass gives exactly what a fresh settle gives, whether the
    /// next policy changes a budget parameter (cache kept) or an outlier threshold (redone).
    #[test]
    fn settler_cache_matches_a_fresh_settle(data in region(), reserve in 0u32..=50, h in 150u32..=400) {
        let mut settler = dipcalc::engine::Settler::new(data.clone());
        let mut p = spec10_policy();
        prop_assert_eq!(settler.settle(&p).unwrap(), settle(&p, &data).unwrap());
        if let dipcalc::policy::Reserve::Rate { rate } = &mut p.funds.employee.as_mut().unwrap().reserve {
            *rate = Decimal::new(i64::from(reserve), 2);
        }
        prop_assert_eq!(settler.settle(&p).unwrap(), settle(&p, &data).unwrap());
        p.points.outliers.high_ratio = Decimal::new(i64::from(h), 2);
        prop_assert_eq!(settler.settle(&p).unwrap(), settle(&p, &data).unwrap());
    }
}
