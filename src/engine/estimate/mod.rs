//! SPEC §11: the year-end estimate from the months so far (年终清算预估). Everything here is
//! [default] unless marked: the seeds settle complete years only.
//!
//! The observed months are cut at k per fund ([`ledger`]), the rest of the year is projected
//! from them (seasonal run-rate, growth), and the projected ledger is settled by the same stage
//! 2 as a complete year ([`crate::engine::settle_aggregated`]): point value (§6), S, T, fund
//! payment, prepayments and year-end net (§7). With only one hospital's data the rest of the
//! region comes from the bureau's published figures or the hospital's own share ([`region`]).
//! The interval resamples the observed months ([`draws`]) and, predictive, lets each projected
//! month take an observed month's rate ([`Interval`]). With every month observed nothing is
//! projected: the estimate is the exact settlement and its interval has zero width.

pub mod draws;
pub mod ledger;
pub mod region;

use super::aggregate::{CaseAggregates, Cell};
use super::result::{Notice, Settlement};
use super::rounding::round_ratio;
use super::{settle_aggregated, settle_aggregated_without_traces, EngineError};
use crate::policy::Policy;
use crate::records::{Dataset, Fund, PublishedMonth};
use draws::{band_key, nearest_edge, EdgeDistance, Range, SplitMix64};
pub use ledger::PreviousYear;
use ledger::{Draw, FundDraw, FundMonths, Ledger};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the monthly weights w_m come from (SPEC §11).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// The fund's `monthly_profile`, else a previous year's monthly shares, else even.
    #[default]
    Auto,
    Policy,
    PreviousYear,
    Even,
}

/// How the interval's draws project the months still to come (SPEC §11).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// SPEC §11 as written: the observed months resampled, r recomputed; every projected month
    /// follows the resampled r. Measures only how uncertain r is: its P10–P90 held the exact
    /// year-end net for 25–46% of institutions in the backtest (BENCHMARKS.md).
    RunRate,
    /// [reading] The resampled r, and each projected month also takes the rate of an observed
    /// month drawn at random (the same month for every unit and the region): the months still
    /// to come vary from month to month as the observed ones did. The default: in the backtest
    /// (BENCHMARKS.md) its P10–P90 covers the exact year-end net far closer to the nominal 80%.
    #[default]
    Predictive,
}

/// The draws of the interval (SPEC §11: 2,000).
pub const DEFAULT_DRAWS: usize = 2000;
/// The fixed seed of the resampling, so an estimate is the same every time.
pub const DEFAULT_SEED: u64 = 2024;
/// At most this many draws (each settles the projected year once).
pub const MAX_DRAWS: usize = 100_000;

/// What the user sets; every default is reported in the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EstimateOptions {
    /// The cut-off month k for every fund; `None` = each fund's last month with data.
    pub through: Option<u8>,
    /// Months ≤ k without data are projected instead of refused.
    pub accept_missing_months: bool,
    pub profile: Profile,
    /// g: growth of the projected months' run-rate over the observed one (0 = none).
    pub growth: Decimal,
    /// The loaded units' own share of the region's points last year, when only their own data
    /// are loaded and no published figures (method 3 of the issue).
    pub own_share: Option<Decimal>,
    /// How the draws project the remaining months.
    pub interval: Interval,
    pub draws: usize,
    pub seed: u64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            through: None,
            accept_missing_months: false,
            profile: Profile::Auto,
            growth: Decimal::ZERO,
            own_share: None,
            interval: Interval::default(),
            draws: DEFAULT_DRAWS,
            seed: DEFAULT_SEED,
        }
    }
}

/// The inputs beyond the year's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct EstimateInputs<'a> {
    /// 区域公布数据 (may be empty).
    pub published: &'a [PublishedMonth],
    /// The monthly shares of a previous year settled under the same policy
    /// ([`PreviousYear::from_settlement`]).
    pub previous_year: Option<&'a PreviousYear>,
}

/// The estimate: the central settlement of the projected year and the ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// `cases` (the whole region is loaded), `published` or `own_share`.
    pub region: String,
    /// How the draws projected the remaining months.
    pub interval: Interval,
    pub draws: usize,
    pub seed: u64,
    pub funds: Vec<FundEstimate>,
    /// The projected year settled (SPEC §6–§7), the central figures.
    pub settlement: Settlement,
    pub notices: Vec<Notice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundEstimate {
    pub months: FundMonths,
    /// The annual point value (reported decimals).
    pub point_value: Range,
    /// The central point value at full precision: what `point_value.central` was rounded from.
    #[serde(with = "crate::engine::result::report::exact")]
    pub point_value_exact: Decimal,
    pub total_points: Range,
    pub units: Vec<UnitEstimate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitEstimate {
    pub code: String,
    pub name: String,
    /// S, T (after risk sharing), fund payment and year-end net (negative: to recover).
    pub settlement: Range,
    pub target: Range,
    pub fund_pays: Range,
    pub net_to_pay: Range,
    /// Share of the draws in each band (`band_key`); the central band when nothing is projected.
    pub bands: BTreeMap<String, Decimal>,
    pub nearest_edge: Option<EdgeDistance>,
}

/// Estimate the year from the months so far. `data` and `agg` are as a [`super::Settler`] holds
/// them (the year's data, cases in `agg`).
pub fn estimate(
    policy: &Policy,
    data: &Dataset,
    agg: &CaseAggregates,
    inputs: EstimateInputs<'_>,
    opts: &EstimateOptions,
) -> Result<Estimate, EngineError> {
    check_options(opts)?;
    let mut notices = Vec::new();
    let (ledger, region) = build_ledger(policy, data, agg, inputs, opts, &mut notices)?;
    let central: Draw = [Fund::Employee, Fund::Resident].map(|f| FundDraw {
        times: vec![1; ledger.fund(f).map_or(0, |m| m.observed.len())],
        picks: Vec::new(),
    });
    let (d, a) = ledger.project(&central)?;
    let settlement = settle_aggregated(policy, &d, &a)?;
    let samples = run_draws(policy, &ledger, opts)?;
    let funds = assemble(policy, &ledger, &settlement, samples);
    notices.extend(settlement.notices.iter().cloned());
    Ok(Estimate {
        region,
        interval: opts.interval,
        draws: if ledger.months.iter().all(|m| m.projected.is_empty()) {
            0
        } else {
            opts.draws
        },
        seed: opts.seed,
        funds,
        settlement,
        notices,
    })
}

fn check_options(opts: &EstimateOptions) -> Result<(), EngineError> {
    let bad =
        |subject: &str, zh: &str, en: &str| Err(EngineError::new("bad_estimate_option", subject, zh.into(), en.into()));
    if opts.growth <= -Decimal::ONE || opts.growth > Decimal::TEN {
        return bad(
            "growth",
            "增长率应大于 −100% 且不超过 1000%",
            "growth must be above −100% and at most 1000%",
        );
    }
    if opts.own_share.is_some_and(|s| s <= Decimal::ZERO || s > Decimal::ONE) {
        return bad(
            "own_share",
            "本院上年点数占比应在 (0, 1] 之间",
            "the own share must be in (0, 1]",
        );
    }
    if opts.draws == 0 || opts.draws > MAX_DRAWS {
        return bad("draws", "抽样次数应在 1–100000 之间", "draws must be 1–100000");
    }
    Ok(())
}

/// The observed ledger: months cut at k per fund, data after k left out (with a notice), and
/// the rest of the region added when only some units are loaded.
fn build_ledger(
    policy: &Policy,
    data: &Dataset,
    agg: &CaseAggregates,
    inputs: EstimateInputs<'_>,
    opts: &EstimateOptions,
    notices: &mut Vec<Notice>,
) -> Result<(Ledger, String), EngineError> {
    let mut months = Vec::new();
    for fund in Fund::ALL.into_iter().filter(|f| policy.funds.get(*f).is_some()) {
        let has = ledger::months_with_data(data, agg, fund);
        if !has.contains(&true) {
            continue;
        }
        let mut fm = ledger::cut_off(fund, has, opts)?;
        (fm.weights, fm.profile) = ledger::weights(policy, fund, inputs.previous_year, opts.profile, notices)?;
        months.push(fm);
    }
    if months.is_empty() {
        return Err(EngineError::new(
            "no_data_before_cut_off",
            "estimate",
            "政策结算的险种都没有数据，无法预估".into(),
            "no fund the policy settles has data; nothing to estimate from".into(),
        ));
    }
    let mut cut = data.without_cases();
    let mut cut_agg = agg.clone();
    let left_out = cut_months(&mut cut, &mut cut_agg, &months);
    if left_out > 0 {
        notices.push(Notice {
            code: "cases_after_cut_off".into(),
            subject: "estimate".into(),
            message_zh: format!("截止月份之后的 {left_out} 条病例/汇总未计入，这些月份按推算"),
            message_en: format!(
                "{left_out} cases or summaries after the cut-off are left out; those months are projected"
            ),
        });
    }
    let region = if !inputs.published.is_empty() {
        "published"
    } else if opts.own_share.is_some() {
        "own_share"
    } else {
        "cases"
    };
    if region != "cases" {
        add_rest_of_region(
            policy,
            &mut cut,
            &mut cut_agg,
            &months,
            inputs.published,
            opts.own_share,
            notices,
        )?;
    }
    Ok((
        Ledger {
            data: cut,
            agg: cut_agg,
            months,
        },
        region.to_string(),
    ))
}

/// Empties every month not observed (after k, or accepted as missing) and drops the monthly
/// summaries outside the observed months; returns how many cases and summaries were dropped.
fn cut_months(data: &mut Dataset, agg: &mut CaseAggregates, months: &[FundMonths]) -> u64 {
    let mut dropped = 0;
    for fm in months {
        for i in 0..agg.institutions() {
            for &m in &fm.projected {
                for held in [false, true] {
                    let cell = agg.cell_mut(i, fm.fund, usize::from(m - 1), held);
                    dropped += cell.cases();
                    *cell = Cell::default();
                }
            }
        }
    }
    let before = data.summaries.len();
    data.summaries
        .retain(|s| match (s.month, months.iter().find(|f| f.fund == s.fund)) {
            (Some(m), Some(fm)) => fm.observed.contains(&m),
            _ => true,
        });
    dropped + (before - data.summaries.len()) as u64
}

/// The rest of the region as one more unit (SPEC §11, [`region`]).
fn add_rest_of_region(
    policy: &Policy,
    data: &mut Dataset,
    agg: &mut CaseAggregates,
    months: &[FundMonths],
    published: &[PublishedMonth],
    share: Option<Decimal>,
    notices: &mut Vec<Notice>,
) -> Result<(), EngineError> {
    region::check_published(policy, published, months, notices)?;
    if data.institutions.iter().any(|i| i.code == region::REST_CODE) {
        return Err(EngineError::new(
            "reserved_code",
            region::REST_CODE,
            format!("机构编码“{}”留给区域其他机构，请改用别的编码", region::REST_CODE),
            format!(
                "institution code \"{}\" is reserved for the rest of the region",
                region::REST_CODE
            ),
        ));
    }
    let observed = settle_aggregated_without_traces(policy, data, agg)?;
    let mut rest = Vec::new();
    for fm in months {
        let Some(own) = region::Own::of(&observed, fm.fund) else {
            continue;
        };
        let budget = observed
            .funds
            .iter()
            .find(|f| f.fund == fm.fund)
            .map(|f| f.budget.monthly_budget.clone())
            .unwrap_or_default();
        rest.extend(region::rest_summaries(fm, &own, published, share, &budget)?);
    }
    data.institutions.push(region::rest_institution());
    agg.push_institution();
    data.summaries.extend(rest);
    notices.push(Notice {
        code: "estimate_rest_of_region".into(),
        subject: region::REST_CODE.into(),
        message_zh: "区域其他机构的点数由公布数据（或本院占比）推算，其个人负担与费用按本院每点数水平估计 [reading]".into(),
        message_en: "the rest of the region's points come from the published figures (or the own share); its personal burden and cost per point are taken as the loaded units' [reading]".into(),
    });
    Ok(())
}

/// One draw's figures per fund: point value, total points, and per unit S, T, fund pays, net
/// and band.
#[derive(Default)]
struct Sample {
    pv: Vec<Decimal>,
    points: Vec<Decimal>,
    units: Vec<[Vec<Decimal>; 4]>,
    bands: Vec<BTreeMap<String, u64>>,
}

/// The draws (SPEC §11): `opts.draws` resamples of the observed months (and, predictive, a
/// picked month per projected month), each settled; none when nothing is projected.
fn run_draws(policy: &Policy, ledger: &Ledger, opts: &EstimateOptions) -> Result<Vec<Sample>, EngineError> {
    let mut samples: Vec<Sample> = Vec::new();
    if ledger.months.iter().all(|m| m.projected.is_empty()) {
        return Ok(samples);
    }
    let mut rng = SplitMix64::new(opts.seed);
    for _ in 0..opts.draws {
        let draw: Draw = [Fund::Employee, Fund::Resident].map(|f| match ledger.fund(f) {
            Some(fm) => draws::draw(&mut rng, fm, opts.interval),
            None => FundDraw::default(),
        });
        let (d, a) = ledger.project(&draw)?;
        let s = settle_aggregated_without_traces(policy, &d, &a)?;
        if samples.is_empty() {
            samples = s
                .funds
                .iter()
                .map(|f| Sample {
                    pv: Vec::with_capacity(opts.draws),
                    points: Vec::with_capacity(opts.draws),
                    units: vec![Default::default(); f.units.len()],
                    bands: vec![BTreeMap::new(); f.units.len()],
                })
                .collect();
        }
        for (sample, f) in samples.iter_mut().zip(&s.funds) {
            sample.pv.push(f.point_value_exact.unwrap_or_default());
            sample.points.push(f.total_points);
            for ((figs, bands), u) in sample.units.iter_mut().zip(&mut sample.bands).zip(&f.units) {
                for (v, x) in figs.iter_mut().zip([u.settlement, u.target, u.fund_pays, u.net_to_pay]) {
                    v.push(x);
                }
                *bands.entry(band_key(u.band)).or_default() += 1;
            }
        }
    }
    Ok(samples)
}

/// The central settlement and the draws as ranges per fund and unit.
fn assemble(policy: &Policy, ledger: &Ledger, central: &Settlement, mut samples: Vec<Sample>) -> Vec<FundEstimate> {
    let rs = &policy.settlement.risk_sharing;
    let decimals = policy.point_value.decimals;
    let mut out = Vec::new();
    for (n, f) in central.funds.iter().enumerate() {
        let Some(months) = ledger.months.iter().find(|m| m.fund == f.fund) else {
            continue;
        };
        let mut sample = samples.get_mut(n).map(std::mem::take).unwrap_or_default();
        let draws = sample.pv.len();
        let units = f
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.code != region::REST_CODE)
            .map(|(i, u)| {
                let [s, t, fp, net] = sample.units.get_mut(i).map(std::mem::take).unwrap_or_default();
                let bands = match sample.bands.get(i) {
                    Some(b) if draws > 0 => b
                        .iter()
                        .map(|(k, c)| (k.clone(), round_ratio(Decimal::from(*c) / Decimal::from(draws))))
                        .collect(),
                    _ => BTreeMap::from([(band_key(u.band), Decimal::ONE)]),
                };
                UnitEstimate {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    settlement: Range::money(u.settlement, s),
                    target: Range::money(u.target, t),
                    fund_pays: Range::money(u.fund_pays, fp),
                    net_to_pay: Range::money(u.net_to_pay, net),
                    bands,
                    nearest_edge: nearest_edge(rs, u),
                }
            })
            .collect();
        let pv_exact = f.point_value_exact.unwrap_or_default();
        out.push(FundEstimate {
            months: months.clone(),
            point_value: Range::point_value(pv_exact, std::mem::take(&mut sample.pv), decimals),
            point_value_exact: pv_exact,
            total_points: Range::points(f.total_points, std::mem::take(&mut sample.points)),
            units,
        });
    }
    out
}
