//! The year start (SPEC §13, docs/calibrate.md): worked examples with the arithmetic in the
//! comments, a round trip through the catalog file and the engine, the simulation's identities
//! on SPEC §10, and the command line's import errors for history files.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{case, d, institution};
use dipcalc::calibrate::{
    self, output, simulate, Averaging, CalibrateOptions, GroupFlag, HistoryYear, Method, PointValueRule, Trim,
};
use dipcalc::engine::Settler;
use dipcalc::export::Lang;
use dipcalc::input::{self, ReadOptions, Source};
use dipcalc::policy::{Amount, BudgetRule, Policy, Unit};
use dipcalc::records::cases::CaseTable;
use dipcalc::records::{Dataset, Fund, Institution};
use dipcalc::synth::{Synth, SynthSize};
use rust_decimal::Decimal;
use std::process::Command;

/// Two groups, three years (weights 1:2:7), H1 三甲 and H2 一级. Costs in 元:
///
/// | year | A                                   | B            |
/// |------|-------------------------------------|--------------|
/// | Y1   | H2 800, H1 1200        (mean 1000)  | —            |
/// | Y2   | H2 1000, H1 1200       (mean 1100)  | H1 3000, 4200 (mean 3600) |
/// | Y3   | H2 1000 ×3, H1 1000 ×2, H1 7000     | H1 4000, 5000 (mean 4500) |
///
/// Y3's 7000 is the one trimmed case: with `p0,p80`, ⌊6 × 0.2⌋ = 1 dearest case goes; with
/// `sd=1.5`, mean 2000, SD = √((5 × 1000² + 5000²) ÷ 6) = √5,000,000 ≈ 2236.07, and
/// |7000 − 2000| = 5000 > 1.5 × 2236.07 = 3354.10 while |1000 − 2000| = 1000 stays. Kept A in Y3:
/// mean 1000.
fn history() -> Vec<HistoryYear> {
    let year = |label: &str, rows: &[(&str, &str, &str)]| HistoryYear {
        label: label.to_string(),
        cases: CaseTable::from_cases(
            &rows
                .iter()
                .map(|(i, g, c)| case(i, Fund::Employee, g, c, "0", 6))
                .collect::<Vec<_>>(),
        ),
    };
    vec![
        year("Y1", &[("H2", "A", "800"), ("H1", "A", "1200")]),
        year(
            "Y2",
            &[
                ("H2", "A", "1000"),
                ("H1", "A", "1200"),
                ("H1", "B", "3000"),
                ("H1", "B", "4200"),
            ],
        ),
        year(
            "Y3",
            &[
                ("H2", "A", "1000"),
                ("H2", "A", "1000"),
                ("H2", "A", "1000"),
                ("H1", "A", "1000"),
                ("H1", "A", "1000"),
                ("H1", "A", "7000"),
                ("H1", "B", "4000"),
                ("H1", "B", "5000"),
            ],
        ),
    ]
}

fn institutions() -> Vec<Institution> {
    vec![institution("H1", "三甲", None), institution("H2", "一级", None)]
}

fn options(method: Method, trim: Trim) -> CalibrateOptions {
    CalibrateOptions {
        method,
        trim,
        min_cases: 5,
        ..CalibrateOptions::default()
    }
}

fn p0_p80() -> Trim {
    Trim::Percentile {
        low: d("0"),
        high: d("0.8"),
    }
}

#[test]
fn mean_method_with_year_weights_and_one_trimmed_case() {
    let insts = institutions();
    let cal = calibrate::calibrate(&history(), Some(&insts), None, &options(Method::Mean, p0_p80())).unwrap();
    // m_A = (1 × 1000 + 2 × 1100 + 7 × 1000) ÷ 10 = 1020
    // m_B: no case in Y1, so its weights are 2 and 7 [reading]: (2 × 3600 + 7 × 4500) ÷ 9 = 4300
    // M: all kept cases, year means Y1 2000 ÷ 2 = 1000, Y2 9400 ÷ 4 = 2350, Y3 14000 ÷ 7 = 2000:
    //    (1000 + 2 × 2350 + 7 × 2000) ÷ 10 = 1970
    assert_eq!(cal.denominator, d("1970"));
    let (a, b) = (&cal.groups[0], &cal.groups[1]);
    assert_eq!((a.mean, b.mean), (d("1020.00"), d("4300.00")));
    // RW_A = 1020 ÷ 1970 × 1000 = 517.76649… → 517.7665; RW_B = 4300 ÷ 1970 × 1000 = 2182.74111… → 2182.7411
    assert_eq!((a.score, b.score), (d("517.7665"), d("2182.7411")));
    assert_eq!((a.cases, a.trimmed, a.years), (9, 1, 3));
    assert_eq!((b.cases, b.trimmed, b.years), (4, 0, 2));
    assert_eq!(
        a.year_means,
        vec![Some(d("1000.00")), Some(d("1100.00")), Some(d("1000.00"))]
    );
    assert_eq!(b.year_means[0], None);
    // CV_A over the 9 kept cases: mean 9200 ÷ 9, population SD ÷ mean = 0.110848…
    assert_eq!(a.cv, Some(d("0.110848")));
    // CV_B: 3000, 4200, 4000, 5000: mean 4050, SD 712.39… → 0.175899
    assert_eq!(b.cv, Some(d("0.175899")));
    // A: 5 of its 9 cases at H2 (一级) = 0.555556 ≥ 0.5 and CV ≤ 0.7 → 基层病种 candidate;
    // B: 4 cases < min 5 → 综合病种 candidate, none at a grassroots level.
    assert_eq!(a.grassroots_share, Some(d("0.555556")));
    assert_eq!(a.flags, vec![GroupFlag::GrassrootsCandidate]);
    assert_eq!(b.flags, vec![GroupFlag::FewCases]);
    let y3 = &cal.years[2];
    assert_eq!((y3.cases_read, y3.cases_used, y3.trimmed), (8, 7, 1));
    // The same case goes with mean ± 1.5 SD, so the same scores.
    let sd = calibrate::calibrate(
        &history(),
        Some(&insts),
        None,
        &options(Method::Mean, Trim::Sd { k: d("1.5") }),
    )
    .unwrap();
    assert_eq!(sd.groups, cal.groups);
    // Without an institution table there is no share: B (CV 0.18 ≤ 0.7) becomes a 基层病种
    // candidate by its CV alone, and the defaults say so.
    let bare = calibrate::calibrate(&history(), None, None, &options(Method::Mean, p0_p80())).unwrap();
    assert_eq!(
        bare.groups[1].flags,
        vec![GroupFlag::FewCases, GroupFlag::GrassrootsCandidate]
    );
    assert!(
        bare.levels.is_none()
            && bare
                .defaults
                .iter()
                .any(|n| n.message_en.contains("no institution table"))
    );
}

#[test]
fn base_group_and_fixed_methods() {
    let base = Method::BaseGroup { code: "A".into() };
    let cal = calibrate::calibrate(&history(), None, None, &options(base, p0_p80())).unwrap();
    // M = m_A = 1020: RW_A = 1000, RW_B = 4300 ÷ 1020 × 1000 = 4215.68627… → 4215.6863
    assert_eq!(cal.denominator, d("1020"));
    assert_eq!((cal.groups[0].score, cal.groups[1].score), (d("1000"), d("4215.6863")));
    let fixed = Method::Fixed { amount: d("2000") };
    let cal = calibrate::calibrate(&history(), None, None, &options(fixed, p0_p80())).unwrap();
    // RW_A = 1020 ÷ 2000 × 1000 = 510; RW_B = 4300 ÷ 2000 × 1000 = 2150
    assert_eq!((cal.groups[0].score, cal.groups[1].score), (d("510"), d("2150")));
    let missing = Method::BaseGroup { code: "Z".into() };
    let err = calibrate::calibrate(&history(), None, None, &options(missing, p0_p80())).unwrap_err();
    assert!(err.message_en.contains("base group Z"), "{}", err.message_en);
}

#[test]
fn pooled_averaging_weights_each_case_by_its_year() {
    let mut o = options(Method::Fixed { amount: d("2000") }, p0_p80());
    o.averaging = Averaging::Pooled;
    let cal = calibrate::calibrate(&history(), None, None, &o).unwrap();
    // m_A = (1 × 2000 + 2 × 2200 + 7 × 5000) ÷ (1 × 2 + 2 × 2 + 7 × 5) = 41400 ÷ 41 = 1009.7560…
    // RW_A = 1009.7560… ÷ 2000 × 1000 = 504.8780; m_B = (2 × 7200 + 7 × 9000) ÷ (2 × 2 + 7 × 2) = 4300
    assert_eq!(cal.groups[0].mean, d("1009.76"));
    assert_eq!(cal.groups[0].score, d("504.8780"));
    assert_eq!(cal.groups[1].score, d("2150"));
}

#[test]
fn year_start_point_value_all_cases_and_below_mean() {
    let mut o = options(Method::Fixed { amount: d("2000") }, p0_p80());
    let cal = calibrate::calibrate(&history(), None, None, &o).unwrap();
    // RW_A = 510, RW_B = 2150. Cost C_y: 2000, 9400, 14000; points P_y: 2 × 510 = 1020,
    // 2 × 510 + 2 × 2150 = 5320, 5 × 510 + 2 × 2150 = 6850.
    // PV₀ = (2000 + 2 × 9400 + 7 × 14000) ÷ (1020 + 2 × 5320 + 7 × 6850) = 118800 ÷ 59610 = 1.992954…
    assert_eq!(cal.point_value.value, d("1.992954"));
    // 每指数点值: H1 = (1200 + 2 × 8400 + 7 × 11000) ÷ (510 + 2 × 4810 + 7 × 5320) = 95000 ÷ 47370
    // = 2.005489…; H2 = (800 + 2 × 1000 + 7 × 3000) ÷ (510 + 2 × 510 + 7 × 1530) = 23800 ÷ 12240
    // = 1.944444… < PV₀: the 优值区间 holds H2 alone.
    o.point_value_rule = PointValueRule::BelowMean;
    let cal = calibrate::calibrate(&history(), None, None, &o).unwrap();
    assert_eq!(cal.point_value.all_cases, d("1.992954"));
    assert_eq!(cal.point_value.value, d("1.944444"));
    let flags: Vec<(String, bool)> = cal
        .point_value
        .institutions
        .iter()
        .map(|i| (i.code.clone(), i.below_mean))
        .collect();
    assert_eq!(flags, vec![("H1".into(), false), ("H2".into(), true)]);
    // With the mean method's scores (517.7665, 2182.7411): 118800 ÷ 60517.7663 = 1.963060
    let cal = calibrate::calibrate(&history(), None, None, &options(Method::Mean, p0_p80())).unwrap();
    assert_eq!(cal.point_value.value, d("1.963060"));
}

#[test]
fn level_indices_and_proposed_coefficients() {
    let insts = institutions();
    let cal = calibrate::calibrate(&history(), Some(&insts), None, &options(Method::Mean, p0_p80())).unwrap();
    let levels = cal.levels.unwrap();
    let sanjia = levels.levels.iter().find(|l| l.level == "三甲").unwrap();
    let yiji = levels.levels.iter().find(|l| l.level == "一级").unwrap();
    // 费用: 三甲 year means 1200, (1200 + 3000 + 4200) ÷ 3 = 2800, (1000 + 1000 + 4000 + 5000) ÷ 4
    // = 2750 → (1200 + 2 × 2800 + 7 × 2750) ÷ 10 = 2605; ÷ M 1970 = 1.322335
    assert_eq!(
        (sanjia.mean_cost, sanjia.cost_index),
        (d("2605.00"), Some(d("1.322335")))
    );
    // 一级: (800 + 2 × 1000 + 7 × 1000) ÷ 10 = 980; ÷ 1970 = 0.497462
    assert_eq!((yiji.mean_cost, yiji.cost_index), (d("980.00"), Some(d("0.497462"))));
    // 资源消耗: Σ w × actual ÷ Σ w × expected at m_A 1020, m_B 4300. 一级 (all A):
    // actual 800 + 2 × 1000 + 7 × 3000 = 23800; expected 1020 × (1 + 2 + 21) = 24480 → 0.972222
    assert_eq!(yiji.resource_index, Some(d("0.972222")));
    // 三甲: actual 1200 + 2 × 8400 + 7 × 11000 = 95000; expected 1020 + 2 × 10640 + 7 × 10640
    // = 94740 → 1.002744
    assert_eq!(sanjia.resource_index, Some(d("1.002744")));
    // CMI: Σ w × RW ÷ Σ w × n ÷ 1000. 一级: all A → 0.517767 (517.7665 ÷ 1000, rounded);
    // city: (1035.533 + 2 × 5401.0152 + 7 × 6954.3147) ÷ (2 + 8 + 49) ÷ 1000 = 1.025725
    assert_eq!(yiji.cmi, Some(d("0.517767")));
    assert_eq!(levels.city_cmi, Some(d("1.025725")));
    // Proposed (1:1:1): 一级 (0.497462 + 0.972222 + 0.504781) ÷ 3 = 0.658155 (unrounded inputs);
    // 三甲 (1.322335 + 1.002744 + 1.339579) ÷ 3 = 1.221553
    assert_eq!(yiji.proposed, Some(d("0.658155")));
    assert_eq!(sanjia.proposed, Some(d("1.221553")));
    assert_eq!((sanjia.institutions, yiji.institutions), (1, 1));
}

#[test]
fn options_from_text() {
    assert_eq!(calibrate::parse_weights("1,2,7").unwrap(), vec![d("1"), d("2"), d("7")]);
    assert_eq!(
        calibrate::parse_trim("p2.5,p97.5").unwrap(),
        Trim::Percentile {
            low: d("0.025"),
            high: d("0.975")
        }
    );
    assert_eq!(calibrate::parse_trim("sd=3").unwrap(), Trim::Sd { k: d("3") });
    assert_eq!(
        calibrate::parse_method("base-group=G1").unwrap(),
        Method::BaseGroup { code: "G1".into() }
    );
    assert!(calibrate::parse_method("median").is_err());
    // Two years take the latest two weights, 2:7, and say so.
    let two = calibrate::calibrate(&history()[1..], None, None, &CalibrateOptions::default()).unwrap();
    assert_eq!(
        two.years.iter().map(|y| y.weight).collect::<Vec<_>>(),
        vec![d("2"), d("7")]
    );
    assert_eq!(two.defaults.len(), 2); // the weights used; no institution table
    let bad = CalibrateOptions {
        trim: Trim::Percentile {
            low: d("0.9"),
            high: d("0.1"),
        },
        ..CalibrateOptions::default()
    };
    assert!(calibrate::calibrate(&history(), None, None, &bad).is_err());
}

#[test]
fn magnitudes_are_bounded_not_overflowed() {
    // A weight of 10^28 would overflow Σ w × cost: refused by name instead.
    let huge = CalibrateOptions {
        weights: vec![d("10000000000000000000000000000"), d("2"), d("7")],
        ..CalibrateOptions::default()
    };
    let err = calibrate::calibrate(&history(), None, None, &huge).unwrap_err();
    assert!(err.message_en.contains("year weights"), "{}", err.message_en);
    let tiny = CalibrateOptions {
        method: Method::Fixed {
            amount: d("0.00000000000000000001"),
        },
        ..CalibrateOptions::default()
    };
    assert!(calibrate::calibrate(&history(), None, None, &tiny).is_err());
    // A case cost of 10^20 元 is an error naming its year and row, not a panic.
    let mut years = history();
    let mut wild = case("H1", Fund::Employee, "A", "100000000000000000000", "0", 6);
    wild.source_row = 7;
    years[0].cases.push(&wild);
    let err = calibrate::calibrate(&years, None, None, &CalibrateOptions::default()).unwrap_err();
    assert_eq!(err.row, Some(7));
    assert!(err.message_en.contains("Y1"), "{}", err.message_en);
}

fn synth_year(seed: u64) -> HistoryYear {
    let synth = Synth::new(SynthSize::cases(3000), seed);
    let cases: Vec<_> = synth.cases().map(|c| synth.case_record(&c)).collect();
    HistoryYear {
        label: format!("seed {seed}"),
        cases: CaseTable::from_cases(&cases),
    }
}

fn fixed_budget_policy(budget: Decimal) -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/spec10/policy.json"
    ))
    .unwrap();
    let mut p = Policy::from_json(&text).unwrap();
    let fund = p.funds.employee.as_mut().unwrap();
    fund.rule = BudgetRule::Fixed {
        amount: Amount {
            value: budget,
            unit: Unit::Yuan,
        },
    };
    p
}

#[test]
fn round_trip_region_at_group_means_gets_its_means_back() {
    let history: Vec<HistoryYear> = (1..=3).map(synth_year).collect();
    let cal = calibrate::calibrate(&history, None, None, &CalibrateOptions::default()).unwrap();
    // The catalog file, read back by the catalog reader as `dipcalc run` reads it.
    let csv = output::table_csv(&output::catalog_table(&cal, Lang::Zh));
    let read = input::read_catalog(
        Source {
            name: "new.csv",
            bytes: csv.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(read.records, output::catalog_records(&cal));
    // The provenance columns (例数, 截尾例数, 年数, 变异系数, one mean per year, 标记, 测算方法) are
    // listed as unused, nothing else.
    assert_eq!(read.report.ignored_columns.len(), 4 + cal.years.len() + 2);
    let en = output::table_csv(&output::catalog_table(&cal, Lang::En));
    let read_en = input::read_catalog(
        Source {
            name: "new.csv",
            bytes: en.as_bytes(),
        },
        &ReadOptions::default(),
    );
    assert_eq!(read_en.unwrap().records, read.records);
    // A region whose cases sit at their group's mean: one case per group, coefficient 1, no
    // personal burden, budget = Σ cost, so PV = Σ m_g ÷ Σ RW_g.
    let cases: Vec<_> = read
        .records
        .groups
        .iter()
        .map(|g| case("R1", Fund::Employee, &g.code, &g.reference_cost.to_string(), "0", 6))
        .collect();
    let budget: Decimal = cases.iter().map(|c| c.total_cost).sum();
    let data = Dataset {
        institutions: vec![institution("R1", "三甲", Some("1"))],
        catalog: read.records.clone(),
        ..Dataset::default()
    };
    let result = Settler::from_parts(data, CaseTable::from_cases(&cases))
        .settle(&fixed_budget_policy(budget))
        .unwrap();
    let pv = result.funds[0].point_value_exact.unwrap();
    // PV × RW_g = m_g up to the rounding of the published figures: each score to 4 decimals
    // (relative error ≤ 0.00005 ÷ RW) and each mean to the fen, so the bound for group g is
    // m_g × (0.00005 ÷ RW_g + max_h 0.00005 ÷ RW_h) + 0.01.
    let worst = read
        .records
        .groups
        .iter()
        .map(|g| d("0.00005") / g.score)
        .max()
        .unwrap();
    for g in &read.records.groups {
        let bound = g.reference_cost * (d("0.00005") / g.score + worst) + d("0.01");
        let gap = (pv * g.score - g.reference_cost).abs();
        assert!(
            gap <= bound,
            "{}: PV × RW = {} vs mean {}",
            g.code,
            pv * g.score,
            g.reference_cost
        );
    }
    assert!(read.records.groups.len() > 100);
}

#[test]
fn simulation_on_spec10_adds_up() {
    let fix = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");
    let read = |f: &str| std::fs::read(format!("{fix}/{f}")).unwrap();
    let cases_bytes = read("cases.csv");
    let cases = input::read_cases(
        Source {
            name: "cases.csv",
            bytes: &cases_bytes,
        },
        &ReadOptions::default(),
    )
    .unwrap()
    .records;
    let inst_bytes = read("institutions.csv");
    let insts = input::read_institutions(
        Source {
            name: "i.csv",
            bytes: &inst_bytes,
        },
        &ReadOptions::default(),
    )
    .unwrap()
    .records;
    let policy = Policy::from_json(&String::from_utf8(read("policy.json")).unwrap()).unwrap();
    let history = vec![HistoryYear {
        label: "2024".into(),
        cases: CaseTable::from_cases(&cases),
    }];
    let cal = calibrate::calibrate(&history, Some(&insts), None, &CalibrateOptions::default()).unwrap();
    let data = Dataset {
        institutions: insts,
        catalog: output::catalog_records(&cal),
        ..Dataset::default()
    };
    let sim = simulate::simulate(&policy, data, CaseTable::from_cases(&cases), false).unwrap();
    let f = &sim.funds[0];
    // SPEC §10's pool: B 144,900 + personal 42,700 = 187,600, whatever the scores.
    assert_eq!(f.total.settlement, d("187600.00"));
    // C = 189,400; the data's fund payment A = C − personal = 189,400 − 42,700 = 146,700.
    assert_eq!(
        (f.total.total_cost, f.total.actual_fund_payment),
        (d("189400.00"), d("146700.00"))
    );
    assert_eq!(f.institutions.len(), 3);
    assert_eq!(f.levels.len(), 3);
    for l in f.institutions.iter().chain(&f.levels) {
        // F − A = (T − personal) − (C − personal) = −(C − T)
        assert_eq!(l.difference, -l.borne_cost, "{}", l.key);
        assert_eq!(
            l.payment_rate,
            Some(dipcalc::engine::rounding::round_ratio(l.target / l.total_cost))
        );
    }
    let shares: Decimal = f.institutions.iter().filter_map(|l| l.borne_share).sum();
    assert!((shares - Decimal::ONE).abs() <= d("0.000003"));
    // 预算点值 = pool ÷ projected points: the pool 187,600 over last year's points under the new
    // catalog, which is the point value the simulation settles at.
    assert_eq!((f.budget, f.pool), (d("144900.00"), d("187600.00")));
    assert_eq!(f.budgeted_point_value, f.point_value);
    assert_eq!(f.difference_rate, None);
    let mut sim = sim;
    simulate::with_year_start(&mut sim, &cal.point_value);
    let f = &sim.funds[0];
    // PV₀ = 189,400 ÷ the points at coefficient 1; the budgeted value = 187,600 ÷ the settled
    // points (the policy's coefficients); the rate (PV − PV₀) ÷ PV₀ from the exact values.
    let r = &sim.settlement.funds[0];
    let budgeted = r.pool_exact / r.total_points_exact;
    let expected = (budgeted - cal.point_value.exact) / cal.point_value.exact;
    assert_eq!(f.year_start_point_value, Some(cal.point_value.value));
    assert_eq!(
        f.difference_rate,
        Some(dipcalc::engine::rounding::round_ratio(expected))
    );
}

#[test]
fn budgeted_point_value_and_difference_rate() {
    use dipcalc::calibrate::point_value::{budgeted, difference_rate};
    // B ÷ projected points: 1,000,000 ÷ 80,000 = 12.5
    assert_eq!(budgeted(d("1000000"), d("80000")), Some(d("12.5")));
    assert_eq!(budgeted(d("1000000"), Decimal::ZERO), None);
    // (PV − PV₀) ÷ PV₀: settled at 11.7 against 12.5 planned = −0.064; 13 → +0.04
    assert_eq!(difference_rate(d("11.7"), d("12.5")), Some(d("-0.064")));
    assert_eq!(difference_rate(d("13"), d("12.5")), Some(d("0.04")));
    // 6 decimals, half away from zero: (10 − 3) ÷ 3 = 2.3333333… → 2.333333
    assert_eq!(difference_rate(d("10"), d("3")), Some(d("2.333333")));
    assert_eq!(difference_rate(d("10"), Decimal::ZERO), None);
}

#[test]
fn proposed_levels_as_a_scenario_against_the_table_in_force() {
    let insts = institutions(); // no 基本调节系数 of their own: the level table applies
    let cal = calibrate::calibrate(&history(), Some(&insts), None, &options(Method::Mean, p0_p80())).unwrap();
    let mut policy = fixed_budget_policy(d("10000"));
    policy.coefficients.levels = vec![
        dipcalc::policy::LevelCoefficient {
            level: "三甲".into(),
            coefficient: Some(d("1.1")),
        },
        dipcalc::policy::LevelCoefficient {
            level: "一级".into(),
            coefficient: Some(d("0.8")),
        },
    ];
    let last = history().pop().unwrap().cases;
    let data = Dataset {
        institutions: insts,
        catalog: output::catalog_records(&cal),
        ..Dataset::default()
    };
    let levels = cal.levels.as_ref().unwrap();
    let cmp = simulate::level_scenario(&policy, levels, data, last).unwrap();
    let units = &cmp.funds[0].units;
    assert_eq!(units.len(), 2);
    // The proposal moves 三甲 1.1 → 1.221553 and 一级 0.8 → 0.658155: with the pool fixed, H1
    // (三甲) gains what H2 (一级) loses.
    let (h1, h2) = (&units[0], &units[1]);
    assert_eq!((h1.code.as_str(), h2.code.as_str()), ("H1", "H2"));
    assert!(h1.settlement_after > h1.settlement_before && h2.settlement_after < h2.settlement_before);
    let moved = (h1.settlement_after - h1.settlement_before) + (h2.settlement_after - h2.settlement_before);
    assert_eq!(moved, Decimal::ZERO);
}

fn dipcalc_cmd(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(args)
        .output()
        .expect("run dipcalc")
}

#[test]
fn cli_history_import_errors_are_located() {
    let dir = std::env::temp_dir().join(format!("dipcalc-calibrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10/cases.csv");
    let text = std::fs::read_to_string(good).unwrap().replace("12500", "12x500");
    let bad = dir.join("2023.csv");
    std::fs::write(&bad, text).unwrap();
    let out = dipcalc_cmd(&[
        "calibrate",
        "--history",
        good,
        "--history",
        bad.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // File, row 4 (the header is row 1), the column and the value, as for any case file.
    assert!(
        err.contains("2023.csv") && err.contains("row 4") && err.contains("12x500"),
        "{err}"
    );
    assert!(err.contains("医疗总费用") || err.contains("total cost"), "{err}");
}

#[test]
fn cli_writes_a_catalog_run_reads_back() {
    let dir = std::env::temp_dir().join(format!("dipcalc-calibrate-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fix = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");
    let cases = format!("{fix}/cases.csv");
    let catalog = dir.join("new.csv");
    let out = dipcalc_cmd(&[
        "calibrate",
        "--history",
        &cases,
        "--institutions",
        &format!("{fix}/institutions.csv"),
        "--catalog",
        &format!("{fix}/catalog.csv"),
        "--policy",
        &format!("{fix}/policy.json"),
        "--simulate",
        "--catalog-out",
        catalog.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // SPEC §10's cases, one year, no trimming at n < 40: G1 = (12500 + 9800 + 4000 + 9900) ÷ 4
    // = 9050; all 11 cases: 189400 ÷ 11 = 17218.18…; RW_G1 = 9050 ÷ 17218.18… × 1000 = 525.6072
    let g1 = &report["calibration"]["groups"][0];
    assert_eq!(
        (g1["code"].as_str(), g1["score"].as_str()),
        (Some("G1"), Some("525.6072"))
    );
    assert_eq!(g1["name"], "示例病种一"); // kept from the catalog in force
    assert_eq!(report["simulation"][0]["total"]["settlement"], "187600.00");
    let run = dipcalc_cmd(&[
        "run",
        "--policy",
        &format!("{fix}/policy.json"),
        "--cases",
        &cases,
        "--catalog",
        catalog.to_str().unwrap(),
        "--institutions",
        &format!("{fix}/institutions.csv"),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("例数"));
}
