//! SPEC §11, the projected ledger: which months are observed (the cut-off k per fund), the
//! monthly weights w_m, and the year projected from the observed months by the seasonal
//! run-rate X̂ = X_{1..k} + r × (1 + g) × (1 − W_k), r = X_{1..k} ÷ W_k, applied to every sum of
//! the per-case pass (points, cost, personal burden, case counts) and to monthly summaries.

use super::{EstimateOptions, Profile};
use crate::engine::aggregate::{CaseAggregates, Cell};
use crate::engine::result::{Notice, Settlement};
use crate::engine::EngineError;
use crate::policy::Policy;
use crate::records::{Dataset, Fund, InstitutionSummary};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The months of one fund: observed (≤ k, with data) and projected (the rest), and the weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundMonths {
    pub fund: Fund,
    /// The cut-off month k.
    pub through: u8,
    /// Months 1–12 whose data are used.
    pub observed: Vec<u8>,
    /// Months 1–12 projected: after k, and any month ≤ k without data when that was accepted.
    pub projected: Vec<u8>,
    /// w_1 … w_12, summing to 1.
    pub weights: Vec<Decimal>,
    /// Where the weights come from: `policy_profile`, `previous_year` or `even`.
    pub profile: String,
    /// g, the growth of the projected months' run-rate.
    pub growth: Decimal,
}

/// Which months of a fund hold data: cases in the per-case pass, or monthly summaries.
pub(super) fn months_with_data(data: &Dataset, agg: &CaseAggregates, fund: Fund) -> [bool; 12] {
    let mut has = [false; 12];
    for (m, slot) in has.iter_mut().enumerate() {
        *slot = (0..agg.institutions()).any(|i| [false, true].iter().any(|&h| agg.cell(i, fund, m, h).cases() > 0));
    }
    for s in data.summaries.iter().filter(|s| s.fund == fund) {
        if let Some(m) = s.month.filter(|m| (1..=12).contains(m)) {
            has[usize::from(m - 1)] = true;
        }
    }
    has
}

/// The cut-off month and the observed and projected months of a fund (SPEC §11): k is the
/// user's, else the last month with data; a month ≤ k without data is an error unless accepted
/// (it is then projected like the months after k).
pub(super) fn cut_off(fund: Fund, has: [bool; 12], opts: &EstimateOptions) -> Result<FundMonths, EngineError> {
    let last = has.iter().rposition(|&h| h).map(|m| m as u8 + 1);
    let through = match (opts.through, last) {
        (Some(k), _) if !(1..=12).contains(&k) => {
            return Err(EngineError::new(
                "bad_cut_off",
                "through",
                format!("截止月份 {k} 不在 1–12 之间"),
                format!("the cut-off month {k} is not 1–12"),
            ))
        }
        (Some(k), _) => k,
        (None, Some(k)) => k,
        (None, None) => return Err(no_data(fund, None)),
    };
    let observed: Vec<u8> = (1..=through).filter(|m| has[usize::from(m - 1)]).collect();
    if observed.is_empty() {
        return Err(no_data(fund, Some(through)));
    }
    let missing: Vec<u8> = (1..=through).filter(|m| !has[usize::from(m - 1)]).collect();
    if !missing.is_empty() && !opts.accept_missing_months {
        let list = missing.iter().map(u8::to_string).collect::<Vec<_>>().join("、");
        return Err(EngineError::new(
            "months_missing",
            fund.key(),
            format!(
                "{}：截止 {through} 月，{list} 月没有数据；请补齐，或确认按缺失月份推算（accept_missing_months）",
                fund.label_zh()
            ),
            format!(
                "{}: months {list} up to the cut-off {through} have no data; load them, or accept them as missing to be projected (accept_missing_months)",
                fund.key()
            ),
        ));
    }
    let projected = (1..=12u8).filter(|m| !observed.contains(m)).collect();
    Ok(FundMonths {
        fund,
        through,
        observed,
        projected,
        weights: Vec::new(),
        profile: String::new(),
        growth: opts.growth,
    })
}

fn no_data(fund: Fund, through: Option<u8>) -> EngineError {
    let (zh, en) = match through {
        Some(k) => (
            format!("{}：截止 {k} 月之前（含）没有任何数据", fund.label_zh()),
            format!("{}: no data in months 1–{k}", fund.key()),
        ),
        None => (
            format!("{}：没有任何月份的数据，无法预估", fund.label_zh()),
            format!("{}: no month has data; nothing to estimate from", fund.key()),
        ),
    };
    EngineError::new("no_data_before_cut_off", fund.key(), zh, en)
}

/// The weights w_m (SPEC §11): the fund's `monthly_profile`, else the previous year's monthly
/// shares of the region's points, else 1/12 each; `opts.profile` may name one. Which one was
/// used is reported.
pub(super) fn weights(
    policy: &Policy,
    fund: Fund,
    previous: Option<&PreviousYear>,
    choice: Profile,
    notices: &mut Vec<Notice>,
) -> Result<(Vec<Decimal>, String), EngineError> {
    let from_policy = policy.funds.get(fund).and_then(|f| f.monthly_profile.clone());
    let from_previous = previous.and_then(|p| p.shares(fund)).map(<[Decimal]>::to_vec);
    let even = || vec![Decimal::ONE / Decimal::from(12); 12];
    let (w, source) = match choice {
        Profile::Auto => match (from_policy, from_previous) {
            (Some(w), _) => (w, "policy_profile"),
            (None, Some(w)) => (w, "previous_year"),
            (None, None) => (even(), "even"),
        },
        Profile::Policy => (
            from_policy.ok_or_else(|| missing_profile(fund, "monthly_profile"))?,
            "policy_profile",
        ),
        Profile::PreviousYear => (
            from_previous.ok_or_else(|| missing_profile(fund, "previous_year"))?,
            "previous_year",
        ),
        Profile::Even => (even(), "even"),
    };
    notices.push(Notice {
        code: "estimate_profile".into(),
        subject: fund.key().into(),
        message_zh: format!("{}：月度权重取自{}", fund.label_zh(), profile_zh(source)),
        message_en: format!("{}: monthly weights from {}", fund.key(), source.replace('_', " ")),
    });
    Ok((w, source.to_string()))
}

fn profile_zh(source: &str) -> &'static str {
    match source {
        "policy_profile" => "政策的月度分布（monthly_profile）",
        "previous_year" => "上一年度各月区域点数占比",
        _ => "平均分配（各月 1/12）[default]",
    }
}

fn missing_profile(fund: Fund, what: &str) -> EngineError {
    EngineError::new(
        "no_profile",
        what,
        format!("{}：没有可用的月度权重（{what}）", fund.label_zh()),
        format!("{}: no monthly weights available ({what})", fund.key()),
    )
}

/// What the estimate keeps of a previous year (SPEC §11): per fund, the monthly shares of the
/// region's points, w_m = P_m ÷ Σ P, from that year settled under the policy. The command line
/// (`--previous-year`) and the page (`Session::finish_previous_year`) both derive it here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PreviousYear {
    /// Funds whose twelve months add up to more than zero points, with their shares.
    pub funds: Vec<(Fund, Vec<Decimal>)>,
}

impl PreviousYear {
    /// The monthly shares of every fund of a settled year whose months add up to more than zero.
    pub fn from_settlement(previous: &Settlement) -> Self {
        let funds = previous
            .funds
            .iter()
            .filter_map(|f| {
                let points: Vec<Decimal> = f.months.iter().map(|m| m.points).collect();
                let total: Decimal = points.iter().sum();
                (points.len() == 12 && total > Decimal::ZERO)
                    .then(|| (f.fund, points.iter().map(|p| p / total).collect()))
            })
            .collect();
        PreviousYear { funds }
    }

    /// One fund's w_1 … w_12, if that year gives them.
    pub fn shares(&self, fund: Fund) -> Option<&[Decimal]> {
        self.funds.iter().find(|(f, _)| *f == fund).map(|(_, w)| w.as_slice())
    }
}

/// One fund's part of a draw (SPEC §11): how often each observed month is drawn for the
/// run-rate r (1 each for the central estimate; a resample for a bootstrap draw), and for the
/// predictive interval the observed month (its position in `observed`) whose rate each
/// projected month takes; `picks` is empty for the central estimate and the run-rate interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FundDraw {
    pub times: Vec<u64>,
    pub picks: Vec<usize>,
}

/// A draw per fund slot ([`slot`]).
pub(super) type Draw = [FundDraw; 2];

/// The observed ledger and the way to project it: the cut dataset and per-case sums, and each
/// fund's months.
pub(super) struct Ledger {
    pub data: Dataset,
    pub agg: CaseAggregates,
    pub months: Vec<FundMonths>,
}

impl Ledger {
    /// The months of a fund the estimate covers.
    pub fn fund(&self, fund: Fund) -> Option<&FundMonths> {
        self.months.iter().find(|m| m.fund == fund)
    }

    /// The ledger with the projected months filled for one draw (SPEC §11): for each
    /// institution, fund and month m projected, X_m = Σ_j n_j X_j × w_m (1 + g) ÷ Σ_j n_j w_j over
    /// the observed months j drawn n_j times; with picks, each X_m is further × ρ_p ÷ ρ̄, the
    /// rate ρ_p = X_p ÷ w_p of the observed month p it picked over the mean rate of the
    /// observed months ([`predictive_month`]).
    pub fn project(&self, draw: &Draw) -> Result<(Dataset, CaseAggregates), EngineError> {
        let mut agg = self.agg.clone();
        let mut data = self.data.clone();
        for fm in &self.months {
            let d = &draw[slot(fm.fund)];
            let factors = factors(fm, &d.times)?;
            for i in 0..agg.institutions() {
                for held in [false, true] {
                    let observed: Vec<&Cell> = fm
                        .observed
                        .iter()
                        .map(|&j| self.agg.cell(i, fm.fund, usize::from(j - 1), held))
                        .collect();
                    let mut sum = Cell::default();
                    for (cell, &n) in observed.iter().zip(&d.times) {
                        sum.add_times(cell, n).ok_or_else(overflow)?;
                    }
                    if d.picks.is_empty() {
                        for (&m, &f) in fm.projected.iter().zip(&factors) {
                            *agg.cell_mut(i, fm.fund, usize::from(m - 1), held) = sum.scaled(f).ok_or_else(overflow)?;
                        }
                        continue;
                    }
                    let rates = Rates::of(fm, observed.iter().map(|c| c.sums()).collect())?;
                    let sum = sum.sums();
                    for ((&m, &f), &p) in fm.projected.iter().zip(&factors).zip(&d.picks) {
                        let x = predictive_month(&sum, f, &rates, p)?;
                        *agg.cell_mut(i, fm.fund, usize::from(m - 1), held) =
                            Cell::from_sums(&x, observed[p]).ok_or_else(overflow)?;
                    }
                }
            }
            data.summaries
                .extend(project_summaries(&self.data.summaries, fm, d, &factors)?);
        }
        Ok((data, agg))
    }
}

/// The observed months' rates ρ_j = X_j ÷ w_j, sum by sum, and their mean ρ̄ over the months
/// of positive weight (a month of weight 0 says nothing about the rate and is never picked).
struct Rates<const N: usize> {
    rate: Vec<[Decimal; N]>,
    mean: [Decimal; N],
}

impl<const N: usize> Rates<N> {
    fn of(fm: &FundMonths, observed: Vec<[Decimal; N]>) -> Result<Self, EngineError> {
        let mut rate = Vec::with_capacity(observed.len());
        let mut mean = [Decimal::ZERO; N];
        let mut n = 0u32;
        for (&j, x) in fm.observed.iter().zip(observed) {
            let w = fm.weights[usize::from(j - 1)];
            let mut r = [Decimal::ZERO; N];
            if w > Decimal::ZERO {
                n += 1;
                for ((r, x), m) in r.iter_mut().zip(x).zip(mean.iter_mut()) {
                    *r = x.checked_div(w).ok_or_else(overflow)?;
                    *m = m.checked_add(*r).ok_or_else(overflow)?;
                }
            }
            rate.push(r);
        }
        if n > 0 {
            for m in &mut mean {
                *m /= Decimal::from(n);
            }
        }
        Ok(Rates { rate, mean })
    }
}

/// A projected month of a predictive draw (SPEC §11 [reading]), sum by sum: the resampled
/// run-rate's month Σ_j n_j X_j × f (f = w_m (1 + g) ÷ Σ_j n_j w_j) times ρ_p ÷ ρ̄, the picked
/// month's rate relative to the mean rate; 0 when every observed month is 0.
fn predictive_month<const N: usize>(
    sum: &[Decimal; N],
    factor: Decimal,
    rates: &Rates<N>,
    pick: usize,
) -> Result<[Decimal; N], EngineError> {
    let mut out = [Decimal::ZERO; N];
    for (k, o) in out.iter_mut().enumerate() {
        if rates.mean[k].is_zero() {
            continue;
        }
        let rel = rates.rate[pick][k].checked_div(rates.mean[k]).ok_or_else(overflow)?;
        *o = sum[k]
            .checked_mul(factor)
            .and_then(|x| x.checked_mul(rel))
            .ok_or_else(overflow)?;
    }
    Ok(out)
}

/// w_m (1 + g) ÷ Σ_j n_j w_j for each projected month m.
fn factors(fm: &FundMonths, times: &[u64]) -> Result<Vec<Decimal>, EngineError> {
    let drawn: Decimal = fm
        .observed
        .iter()
        .zip(times)
        .map(|(&j, &n)| fm.weights[usize::from(j - 1)] * Decimal::from(n))
        .sum();
    if drawn <= Decimal::ZERO {
        return Err(EngineError::new(
            "zero_weight",
            fm.fund.key(),
            format!("{}：已有月份的月度权重之和为 0，无法推算", fm.fund.label_zh()),
            format!(
                "{}: the observed months' weights add up to 0; nothing to project from",
                fm.fund.key()
            ),
        ));
    }
    let up = Decimal::ONE + fm.growth;
    fm.projected
        .iter()
        .map(|&m| {
            (fm.weights[usize::from(m - 1)] * up)
                .checked_div(drawn)
                .ok_or_else(overflow)
        })
        .collect()
}

/// Monthly summaries of the projected months: per institution, the drawn observed months' sums
/// × each month's factor, and with picks × the picked month's relative rate (as
/// [`Ledger::project`]).
fn project_summaries(
    summaries: &[InstitutionSummary],
    fm: &FundMonths,
    draw: &FundDraw,
    factors: &[Decimal],
) -> Result<Vec<InstitutionSummary>, EngineError> {
    // Per institution, each observed month's points, cost, personal burden and cases.
    let mut months: BTreeMap<&str, Vec<[Decimal; 4]>> = BTreeMap::new();
    for s in summaries.iter().filter(|s| s.fund == fm.fund) {
        let Some(pos) = s.month.and_then(|m| fm.observed.iter().position(|&j| j == m)) else {
            continue;
        };
        let e = months
            .entry(s.institution.as_str())
            .or_insert_with(|| vec![[Decimal::ZERO; 4]; fm.observed.len()]);
        let cases = Decimal::from(s.cases.unwrap_or(0));
        for (slot, x) in e[pos]
            .iter_mut()
            .zip([s.points, s.total_cost, s.personal_burden, cases])
        {
            *slot = slot.checked_add(x).ok_or_else(overflow)?;
        }
    }
    let mut out = Vec::new();
    for (inst, observed) in months {
        let mut sum = [Decimal::ZERO; 4];
        for (x, &n) in observed.iter().zip(&draw.times) {
            for (s, v) in sum.iter_mut().zip(x) {
                *s = s
                    .checked_add(v.checked_mul(Decimal::from(n)).ok_or_else(overflow)?)
                    .ok_or_else(overflow)?;
            }
        }
        let rates = if draw.picks.is_empty() {
            None
        } else {
            Some(Rates::of(fm, observed)?)
        };
        for (n, (&m, &f)) in fm.projected.iter().zip(factors).enumerate() {
            let [points, cost, personal, cases] = match (&rates, draw.picks.get(n)) {
                (Some(r), Some(&p)) => predictive_month(&sum, f, r, p)?,
                _ => {
                    let mut x = sum;
                    for v in &mut x {
                        *v = v.checked_mul(f).ok_or_else(overflow)?;
                    }
                    x
                }
            };
            out.push(InstitutionSummary {
                institution: inst.to_string(),
                fund: fm.fund,
                month: Some(m),
                points,
                total_cost: cost,
                personal_burden: personal,
                prepaid: None,
                cases: crate::engine::rounding::round_count(cases),
            });
        }
    }
    Ok(out)
}

pub(super) fn slot(fund: Fund) -> usize {
    match fund {
        Fund::Employee => 0,
        Fund::Resident => 1,
    }
}

pub(super) fn overflow() -> EngineError {
    EngineError::new(
        "estimate_overflow",
        "estimate",
        "推算结果超出可表示的范围（输入的金额或点数过大）".into(),
        "the projection overflows (the amounts or points given are too large)".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Months 1–3 observed, 4–12 projected, with the weights given for months 1–4 (the rest
    /// share what is left, which these tests do not read).
    fn months(w: [&str; 4], growth: &str) -> FundMonths {
        let mut weights: Vec<Decimal> = w.iter().map(|x| d(x)).collect();
        let rest = (Decimal::ONE - weights.iter().sum::<Decimal>()) / Decimal::from(8);
        weights.extend(std::iter::repeat_n(rest, 8));
        FundMonths {
            fund: Fund::Employee,
            through: 3,
            observed: vec![1, 2, 3],
            projected: (4..=12).collect(),
            weights,
            profile: "even".into(),
            growth: d(growth),
        }
    }

    /// One unit's month 4 in a predictive draw, to 20 decimals.
    fn month4(fm: &FundMonths, x: [&str; 3], times: [u64; 3], pick: usize) -> Decimal {
        let observed: Vec<[Decimal; 1]> = x.iter().map(|v| [d(v)]).collect();
        let mut sum = Decimal::ZERO;
        for (o, n) in observed.iter().zip(times) {
            sum += o[0] * Decimal::from(n);
        }
        let f = factors(fm, &times).unwrap()[0];
        let rates = Rates::of(fm, observed).unwrap();
        // 28 digits: 4 ÷ 3 is not exact; the figures agree to 20 decimals.
        predictive_month(&[sum], f, &rates, pick).unwrap()[0].round_dp(20)
    }

    #[test]
    fn predictive_month_even_weights() {
        // w = 1/12; X_1..3 = 10, 20, 30: ρ = X ÷ w = 120, 240, 360, ρ̄ = 240.
        let twelfth = "0.0833333333333333333333333333";
        let fm = months([twelfth; 4], "0");
        // Every month once: the run-rate month is 60 × (1/12) ÷ (3/12) = 20; month 3 picked:
        // 20 × 360 ÷ 240 = 30, month 3's own rate × w_4.
        assert_eq!(month4(&fm, ["10", "20", "30"], [1, 1, 1], 2), d("30"));
        // Month 3 drawn three times (r = 90 ÷ 3/12, its month 30), month 1 picked:
        // 30 × 120 ÷ 240 = 15.
        assert_eq!(month4(&fm, ["10", "20", "30"], [0, 0, 3], 0), d("15"));
    }

    #[test]
    fn predictive_month_seasonal_weights_and_growth() {
        // w_1..4 = 0.05, 0.05, 0.10, 0.10; X = 10, 20, 30: ρ = 200, 400, 300, ρ̄ = 300;
        // r = 60 ÷ 0.2 = 300, the run-rate month 4 = 300 × 0.1 = 30.
        let fm = months(["0.05", "0.05", "0.1", "0.1"], "0");
        // Month 2 picked: 30 × 400 ÷ 300 = 40.
        assert_eq!(month4(&fm, ["10", "20", "30"], [1, 1, 1], 1), d("40"));
        // g = 10%: 30 × 1.1 × 200 ÷ 300 = 22 with month 1 picked.
        let fm = months(["0.05", "0.05", "0.1", "0.1"], "0.1");
        assert_eq!(month4(&fm, ["10", "20", "30"], [1, 1, 1], 0), d("22"));
        // A sum that is 0 in every month stays 0.
        assert_eq!(month4(&fm, ["0", "0", "0"], [1, 1, 1], 0), Decimal::ZERO);
    }

    #[test]
    fn a_cell_survives_its_sums() {
        let mut c = Cell::default();
        c.score[2][0] = d("81.5");
        c.cost = d("12000");
        c.personal = d("3000");
        c.count[2] = 4;
        c.grassroots = 1;
        assert_eq!(Cell::from_sums(&c.sums(), &c), Some(c.clone()));
        // A quarter of a case rounds to none, but a month with cases keeps one.
        let quarter = c.sums().map(|x| x / Decimal::from(16));
        assert_eq!(Cell::from_sums(&quarter, &c).unwrap().cases(), 1);
    }
}
