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

/// A region with what makes the outlier revisit hard: 特例单议 scores and changes, QC-failed
/// cases (supplemented or not), excluded costs, scores and costs of several scales, and cases
/// on the bounds themselves.
fn region_with_reviews() -> impl Strategy<Value = Dataset> {
    let extras = prop::collection::vec((0u8..12, 0u32..=3, 0u8..4, 0u32..=999), 40);
    (region(), extras).prop_map(|(mut data, extras)| {
        for (n, g) in data.catalog.groups.iter_mut().enumerate() {
            // Scores with 0–3 places.
            g.score = Decimal::new(
                g.score.mantissa() as i64 * 10i64.pow(n as u32 % 4) + n as i64,
                n as u32 % 4,
            );
        }
        let references: Vec<Decimal> = data.catalog.groups.iter().map(|g| g.reference_cost).collect();
        let codes: Vec<String> = data.catalog.groups.iter().map(|g| g.code.clone()).collect();
        let mut cases: Vec<Case> = data.cases.cases().collect();
        for (c, (what, places, qc, tail)) in cases.iter_mut().zip(extras) {
            let g = codes.iter().position(|x| *x == c.group).unwrap_or(0);
            match what {
                0 => c.review.score = Some(Decimal::new(i64::from(tail), 1)),
                1 => c.review.points_delta = Some(Decimal::new(i64::from(tail) - 500, 2)),
                // Exactly on a bound: 2 × ref, 0.5 × ref, 1.5 × ref.
                2 => c.total_cost = references[g] * Decimal::TWO,
                3 => c.total_cost = references[g] / Decimal::TWO,
                4 => c.total_cost = references[g] * Decimal::new(15, 1),
                5 => c.excluded_cost = Decimal::new(i64::from(tail), 2).min(c.total_cost),
                // Costs with more places than cents.
                6 => c.total_cost += Decimal::new(i64::from(tail), 2 + places),
                _ => {}
            }
            match qc {
                1 => c.qc_passed = false,
                2 => {
                    c.qc_passed = false;
                    c.supplemented = true;
                }
                _ => {}
            }
        }
        data.cases = cases.into();
        data
    })
}

/// Every sum of every cell, by its digits and scale (`Decimal`'s `==` ignores the scale).
fn aggregate_digits(agg: &dipcalc::engine::aggregate::CaseAggregates) -> Vec<[u8; 16]> {
    let mut out = Vec::new();
    for i in 0..agg.institutions() {
        for fund in [Fund::Employee, Fund::Resident] {
            out.push(Decimal::from(agg.qc_excluded(i, fund)).serialize());
            out.push(Decimal::from(agg.review_applications(i, fund)).serialize());
            for month in 0..12 {
                for held in [false, true] {
                    out.extend(agg.cell(i, fund, month, held).sums().iter().map(|x| x.serialize()));
                }
            }
        }
    }
    out.push(agg.lowest_score.serialize());
    out
}

fn thresholds() -> impl Strategy<Value = dipcalc::policy::Outliers> {
    (
        (100u32..=400, 0u32..=1),
        (0u32..=100, 0u32..=1),
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of((1000u32..=50_000, 100u32..=400)),
    )
        .prop_map(|((h, hp), (l, lp), hi, li, tier)| dipcalc::policy::Outliers {
            high_ratio: Decimal::new(i64::from(h) * 10i64.pow(hp), 2 + hp),
            high_inclusive: hi,
            low_ratio: Decimal::new(i64::from(l) * 10i64.pow(lp), 2 + lp),
            low_inclusive: li,
            high_tiers: tier
                .map(|(max, h)| {
                    vec![dipcalc::policy::HighTier {
                        max_reference_cost: Decimal::from(max),
                        high_ratio: Decimal::new(i64::from(h), 2),
                    }]
                })
                .unwrap_or_default(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_from_env()))]

    /// A change of the outlier thresholds revisits only the outliers and the 特例单议 cases, and
    /// gives the cells a full per-case pass gives, digit for digit and scale for scale; a Settler
    /// doing it settles exactly as a fresh settle (the output text compared).
    #[test]
    fn outlier_revisit_equals_a_full_pass(data in region_with_reviews(), changes in prop::collection::vec((thresholds(), 0u8..3), 1..6)) {
        use dipcalc::engine::aggregate::{aggregate_cases, revisit_outliers, OutlierIndex};
        let table = data.cases.clone();
        let mut p = spec10_policy();
        let first = aggregate_cases(&p.points, &data.institutions, &data.catalog, &table).unwrap();
        let index = OutlierIndex::build(&p.points, &data.institutions, &data.catalog, &table);
        prop_assert!(index.is_some(), "every generated group has its bounds");
        let index = index.unwrap();
        let mut settler = dipcalc::engine::Settler::new(data.clone());
        settler.revisit_outliers(true);
        settler.settle(&p).unwrap();
        // A page's Settler, its index built while idle after the first settle (not at the
        // first change of H or L).
        let mut prepared = dipcalc::engine::Settler::new(data.clone());
        prepared.revisit_outliers(true);
        prepared.settle(&p).unwrap();
        prop_assert!(prepared.prepare_outlier_index(&p.points), "the index is built under the pass cached");
        let mut before = first;
        for (outliers, which) in changes {
            // Both thresholds moved, H alone (L kept as it was) or L alone.
            let was = p.points.outliers.clone();
            p.points.outliers = match which {
                0 => outliers,
                1 => dipcalc::policy::Outliers { low_ratio: was.low_ratio, low_inclusive: was.low_inclusive, ..outliers },
                _ => dipcalc::policy::Outliers { low_ratio: outliers.low_ratio, low_inclusive: outliers.low_inclusive, ..was },
            };
            let full = aggregate_cases(&p.points, &data.institutions, &data.catalog, &table);
            let revisited = revisit_outliers(&before, &index, &p.points, &data.institutions, &data.catalog, &table);
            match &full {
                Ok(full) => {
                    let revisited = revisited.expect("a change the full pass takes is revisited");
                    prop_assert_eq!(aggregate_digits(&revisited), aggregate_digits(full));
                    before = revisited;
                }
                Err(_) => prop_assert!(revisited.is_none(), "a change the full pass refuses is not revisited"),
            }
            let text = |r: &Result<dipcalc::engine::result::Settlement, dipcalc::engine::EngineError>| {
                r.as_ref().map(|s| serde_json::to_string(s).unwrap()).map_err(|e| e.code.clone())
            };
            let fresh = text(&settle(&p, &data));
            prop_assert_eq!(&text(&settler.settle(&p)), &fresh);
            prop_assert_eq!(&text(&prepared.settle(&p)), &fresh);
        }
    }
}

/// The group breakdown as it was computed before the walk was kept: every case of the unit
/// priced on its own and added to a line found by its text. The reference for
/// [`dipcalc::engine::analysis::BreakdownCases`].
fn breakdown_case_by_case(
    policy: &Policy,
    data: &Dataset,
    cases: &dipcalc::records::cases::CaseTable,
    fund: &dipcalc::engine::result::FundResult,
    unit: &str,
) -> Vec<dipcalc::engine::analysis::GroupLine> {
    use dipcalc::engine::analysis::GroupLine;
    use dipcalc::engine::coefficients::institution_coefficient;
    use dipcalc::engine::points::{mul_div, PointsContext};
    let members: Vec<&str> = match fund.units.iter().find(|u| u.code == unit) {
        Some(u) if !u.members.is_empty() => u.members.iter().map(String::as_str).collect(),
        _ => vec![unit],
    };
    let mut member_of = vec![None; cases.institutions.len()];
    let (mut levels, mut coefs) = (Vec::new(), Vec::new());
    for code in members {
        let (Some(inst), Some(i)) = (
            data.institutions.iter().find(|i| i.code == code),
            cases.institutions.find(code),
        ) else {
            continue;
        };
        member_of[i as usize] = Some(levels.len());
        levels.push(&inst.level);
        coefs.push(institution_coefficient(&policy.coefficients, inst, &mut Vec::new()).unwrap());
    }
    let ctx = PointsContext::new(&policy.points, &data.catalog, &cases.groups).unwrap();
    let mut lines: std::collections::BTreeMap<String, GroupLine> = Default::default();
    for row in cases.rows.iter().filter(|r| r.fund == fund.fund) {
        let Some(m) = member_of[row.institution as usize] else {
            continue;
        };
        if !row.qc_passed && !row.supplemented {
            continue;
        }
        let raw = ctx.raw_points(cases, row, levels[m]).unwrap();
        let group = cases.group_of(row);
        let (key, name, grassroots) = match row.kind {
            CaseKind::Dip => (
                group.to_string(),
                ctx.group(group).map(|g| g.name.clone()).unwrap_or_default(),
                raw.grassroots,
            ),
            CaseKind::PerDiem => (format!("床日:{group}"), "床日付费".to_string(), false),
            CaseKind::FeeForService => ("项目".to_string(), "按项目付费".to_string(), false),
        };
        let line = lines.entry(key.clone()).or_insert_with(|| GroupLine {
            group: key,
            name,
            grassroots,
            cases: 0,
            points: Decimal::ZERO,
            payment: Decimal::ZERO,
            cost: Decimal::ZERO,
            gain: Decimal::ZERO,
        });
        line.cases += 1;
        line.points += raw.points(&coefs[m], policy.points.scale);
        line.cost += row.total_cost - row.excluded_cost;
    }
    let mut out: Vec<GroupLine> = lines
        .into_values()
        .map(|mut l| {
            l.payment = mul_div(l.points, fund.pool, fund.total_points)
                .map(round_money)
                .unwrap_or_default();
            l.gain = l.payment - l.cost;
            l
        })
        .collect();
    out.sort_by(|a, b| a.gain.cmp(&b.gain).then_with(|| a.group.cmp(&b.group)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_from_env()))]

    /// The breakdown from a kept walk, under the policy it was made with and then under other
    /// coefficients, scale and budgets, is the case-by-case breakdown, as text.
    #[test]
    fn kept_breakdown_equals_case_by_case(mut data in region_with_reviews(), scale in 1u32..=2000, base in 50u32..=150, reserve in 0u32..=30, alliance in prop::bool::ANY) {
        use dipcalc::engine::analysis::{group_breakdown, BreakdownCases};
        if alliance && data.institutions.len() > 1 {
            for i in &mut data.institutions[..2] {
                i.alliance = Some("医共体".into());
            }
        }
        let table = data.cases.clone();
        let mut p = spec10_policy();
        if alliance {
            p.settlement.unit = dipcalc::policy::SettlementUnit::Alliance;
        }
        let s = settle(&p, &data).unwrap();
        let f = &s.funds[0];
        let text = |l: &[dipcalc::engine::analysis::GroupLine]| serde_json::to_string(l).unwrap();
        for unit in f.units.iter().map(|u| u.code.clone()).collect::<Vec<_>>() {
            let mut kept = BreakdownCases::new(&p, &data, &table, f, &unit).unwrap();
            prop_assert_eq!(text(&kept.lines(&p, &data, f).unwrap()), text(&breakdown_case_by_case(&p, &data, &table, f, &unit)));
            prop_assert_eq!(text(&group_breakdown(&p, &data, &table, f, &unit).unwrap()), text(&breakdown_case_by_case(&p, &data, &table, f, &unit)));
            let mut q = p.clone();
            q.points.scale = Decimal::new(i64::from(scale), 3);
            // One institution's coefficient overridden (the coefficient sliders change the
            // policy, not the data).
            q.coefficients.overrides.insert("H00".into(), Decimal::new(i64::from(base), 2));
            if let dipcalc::policy::Reserve::Rate { rate } = &mut q.funds.employee.as_mut().unwrap().reserve {
                *rate = Decimal::new(i64::from(reserve), 2);
            }
            let s2 = settle(&q, &data).unwrap();
            let f2 = s2.funds.iter().find(|x| x.fund == f.fund).unwrap();
            prop_assert!(kept.fits(&q, f2, &unit));
            prop_assert_eq!(text(&kept.lines(&q, &data, f2).unwrap()), text(&breakdown_case_by_case(&q, &data, &table, f2, &unit)));
            // And back: the lines of the first policy again.
            prop_assert_eq!(text(&kept.lines(&p, &data, f).unwrap()), text(&breakdown_case_by_case(&p, &data, &table, f, &unit)));
        }
    }
}
