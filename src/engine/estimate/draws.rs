//! SPEC §11, the interval: the observed months resampled with replacement (the same months for
//! every unit and the region, so their correlation is kept), a fixed seed, nearest-rank
//! percentiles; and the distance of a unit to its nearest risk-sharing band edge (SPEC §7.1).

use super::ledger::{FundDraw, FundMonths};
use super::Interval;
use crate::engine::result::{BandPosition, UnitResult};
use crate::engine::rounding::{round_money, round_point_value, round_points, round_ratio};
use crate::policy::RiskSharing;
use rust_decimal::Decimal;
use serde::Serialize;

/// SplitMix64 (Steele, Lea and Flood 2014): a 64-bit state advanced by the golden-ratio
/// increment and mixed by two xor-shift-multiply rounds. Small, fast, and the same sequence on
/// every platform for a seed, which is all a reproducible resampling needs (not cryptographic).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n by the high half of a 64 × 64-bit product (Lemire); the bias is below
    /// n ÷ 2⁶⁴, nothing for twelve months.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// How often each of `k` observed months is drawn in one resample of `k` months.
pub fn resample(rng: &mut SplitMix64, k: usize) -> Vec<u64> {
    let mut times = vec![0u64; k];
    for _ in 0..k {
        times[rng.below(k)] += 1;
    }
    times
}

/// One fund's draw: the observed months resampled (SPEC §11), then, for the predictive
/// interval, one observed month of positive weight picked for each projected month, in the
/// order of `projected`; the same draw serves every unit and the region, so their months stay
/// together.
pub(super) fn draw(rng: &mut SplitMix64, fm: &FundMonths, interval: Interval) -> FundDraw {
    let times = resample(rng, fm.observed.len());
    let picks = match interval {
        Interval::RunRate => Vec::new(),
        Interval::Predictive => {
            let eligible: Vec<usize> = (0..fm.observed.len())
                .filter(|&p| fm.weights[usize::from(fm.observed[p] - 1)] > Decimal::ZERO)
                .collect();
            if eligible.is_empty() {
                Vec::new()
            } else {
                fm.projected
                    .iter()
                    .map(|_| eligible[rng.below(eligible.len())])
                    .collect()
            }
        }
    };
    FundDraw { times, picks }
}

/// A figure's central estimate and its 10th, 50th and 90th percentiles over the draws, each
/// rounded as the settlement reports the figure (SPEC §2): [`Range::money`], [`Range::points`],
/// [`Range::point_value`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Range {
    pub central: Decimal,
    pub p10: Decimal,
    pub p50: Decimal,
    pub p90: Decimal,
}

impl Range {
    /// Nearest rank: the p-th percentile of n sorted values is the ⌈p × n ÷ 100⌉-th. No draws
    /// (nothing projected): every percentile is the central figure, an interval of zero width.
    /// Full precision; the reported ranges round it.
    pub fn of(central: Decimal, mut draws: Vec<Decimal>) -> Range {
        if draws.is_empty() {
            return Range {
                central,
                p10: central,
                p50: central,
                p90: central,
            };
        }
        draws.sort_unstable();
        let n = draws.len();
        let at = |p: usize| draws[((p * n).div_ceil(100)).clamp(1, n) - 1];
        Range {
            central,
            p10: at(10),
            p50: at(50),
            p90: at(90),
        }
    }

    /// Every figure through `round` (rounding keeps the order of the percentiles).
    fn rounded(self, round: impl Fn(Decimal) -> Decimal) -> Range {
        Range {
            central: round(self.central),
            p10: round(self.p10),
            p50: round(self.p50),
            p90: round(self.p90),
        }
    }

    /// Money: to the fen, half away from zero, always two places as the settlement prints it.
    pub fn money(central: Decimal, draws: Vec<Decimal>) -> Range {
        Range::of(central, draws).rounded(|x| {
            let mut r = round_money(x);
            r.rescale(2);
            r
        })
    }

    /// Points: four decimals.
    pub fn points(central: Decimal, draws: Vec<Decimal>) -> Range {
        Range::of(central, draws).rounded(round_points)
    }

    /// A point value: the policy's decimals, at least six significant digits.
    pub fn point_value(central: Decimal, draws: Vec<Decimal>, decimals: u32) -> Range {
        Range::of(central, draws).rounded(|x| round_point_value(x, decimals))
    }
}

/// A band as a key: `none`, `overspend_1`, `overspend_beyond`, `surplus_1`, `surplus_beyond`.
pub fn band_key(b: BandPosition) -> String {
    match b {
        BandPosition::None => "none".into(),
        BandPosition::OverspendShared { band } => format!("overspend_{}", band + 1),
        BandPosition::OverspendBeyond => "overspend_beyond".into(),
        BandPosition::SurplusShared { band } => format!("surplus_{}", band + 1),
        BandPosition::SurplusBeyond => "surplus_beyond".into(),
    }
}

/// The nearest band edge of a unit, from its central figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeDistance {
    /// The edge as a signed fraction of S: +0.1 is C = 1.1 × S, −0.1 is C = 0.9 × S.
    pub edge: Decimal,
    /// How much more (+) or less (−) compared cost C would put the unit on the edge, S unchanged.
    pub cost: Decimal,
    /// How many more (+) or fewer (−) cases of the unit's average case (its C ÷ cases and points
    /// ÷ cases, S growing at its own S ÷ points) would; `None` when such cases never reach it.
    pub cases: Option<Decimal>,
}

/// The edges are C = (1 ± up_to) × S for every band of both sides (SPEC §7.1, 吉林2024 第二十七条:
/// the last one is the cliff). For x average cases: C + x c̄ = (1 + t)(S + x v p̄), v = S ÷ P, so
/// x = ((1 + t) S − C) ÷ (c̄ − (1 + t) v p̄).
pub fn nearest_edge(rs: &RiskSharing, u: &UnitResult) -> Option<EdgeDistance> {
    let s = u.settlement;
    if !rs.enabled || s <= Decimal::ZERO {
        return None;
    }
    let c = u.compared_cost;
    let edges = rs
        .overspend
        .bands
        .iter()
        .map(|b| b.up_to)
        .chain(rs.surplus.bands.iter().map(|b| -b.up_to));
    let (edge, cost) = edges
        .map(|t| (t, (Decimal::ONE + t) * s - c))
        .min_by_key(|(_, d)| d.abs())?;
    let n = Decimal::from(u.cases.total);
    let cases = (!n.is_zero() && !u.points.total.is_zero())
        .then(|| {
            let per_case_cost = c / n;
            let per_case_pay = s / n; // v × p̄ = (S ÷ P) × (P ÷ n)
            let den = per_case_cost - (Decimal::ONE + edge) * per_case_pay;
            cost.checked_div(den).map(round_ratio)
        })
        .flatten();
    Some(EdgeDistance {
        edge,
        cost: round_money(cost),
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // The first outputs for seed 0 in the reference implementation (Vigna's splitmix64.c).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn resample_draws_k_months() {
        let mut r = SplitMix64::new(2024);
        for _ in 0..100 {
            let t = resample(&mut r, 9);
            assert_eq!(t.len(), 9);
            assert_eq!(t.iter().sum::<u64>(), 9);
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        // 1..=20: P10 is the ⌈2⌉nd = 2, P50 the 10th = 10, P90 the 18th = 18.
        let v: Vec<Decimal> = (1..=20).rev().map(Decimal::from).collect();
        let r = Range::of(Decimal::from(7), v);
        assert_eq!((r.p10, r.p50, r.p90), (2.into(), 10.into(), 18.into()));
        assert_eq!(Range::of(Decimal::ONE, Vec::new()).p90, Decimal::ONE);
    }

    #[test]
    fn ranges_are_reported_as_the_settlement_reports_them() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // A money sum of projected months carries 24 zeros after the fen; reported: the fen.
        let r = Range::money(d("-27362.220000000000000000000000"), vec![d("-1.005"), d("7")]);
        assert_eq!(r.central.to_string(), "-27362.22");
        assert_eq!(r.p10.to_string(), "-1.01");
        assert_eq!(r.p90.to_string(), "7.00");
        let r = Range::points(d("1765.636363636363636363636364"), Vec::new());
        assert_eq!(r.p50.to_string(), "1765.6364");
        // 175,525 ÷ 1,618.5 at full precision, six decimals.
        let r = Range::point_value(d("175525") / d("1618.5"), Vec::new(), 6);
        assert_eq!(r.central.to_string(), "108.449181");
    }
}
