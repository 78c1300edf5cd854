//! SPEC §13 (国家DIP3.0 第五章第一节、第四节): the statistics the year start rests on — means,
//! the coefficient of variation, a square root in `Decimal`, and the two trimming rules
//! (percentile clipping, mean ± k·SD), each stated exactly.
//!
//! Costs are bounded on the way in ([`super::MAX_CASE_COST`]), so sums of costs cannot
//! overflow; deviations are taken relative to the mean (`x ÷ mean − 1`), so their squares stay
//! far from `Decimal`'s range whatever the money unit.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Square root by Newton's iteration in `Decimal` (no float on the way).
///
/// Precision: the iteration stops when a step no longer changes the estimate, which for
/// `Decimal`'s 28 significant digits leaves an error below 1 in the 26th significant digit
/// (each step at least doubles the correct digits once the estimate is within a factor of two,
/// and the start, a power of ten near the root, is within a factor of ~3.2). A CV is reported to
/// 6 decimals, so the last digits never show. `None` for a negative input.
pub fn sqrt(a: Decimal) -> Option<Decimal> {
    if a.is_sign_negative() && !a.is_zero() {
        return None;
    }
    if a.is_zero() {
        return Some(Decimal::ZERO);
    }
    // Start at 10^(digits/2): for a = m × 10^e, about √a within a factor of ~3.2.
    let digits = a.trunc().to_string().trim_start_matches('-').len() as i32;
    let mut x = if a >= Decimal::ONE {
        Decimal::from_i128_with_scale(10i128.pow((digits as u32).div_ceil(2)), 0)
    } else {
        Decimal::ONE
    };
    for _ in 0..200 {
        let next = (x + a / x) / Decimal::TWO;
        if next == x {
            break;
        }
        x = next;
    }
    Some(x)
}

/// Mean of a slice; `None` when empty. Callers bound the values (see the module note).
pub fn mean(xs: &[Decimal]) -> Option<Decimal> {
    if xs.is_empty() {
        return None;
    }
    let sum: Decimal = xs.iter().copied().sum();
    Some(sum / Decimal::from(xs.len()))
}

/// Coefficient of variation SD ÷ mean with the population SD (divide by n) [default]:
/// `CV = √(Σ (x ÷ mean − 1)² ÷ n)`. `None` when empty or the mean is not positive.
pub fn cv(xs: &[Decimal]) -> Option<Decimal> {
    let m = mean(xs)?;
    if m <= Decimal::ZERO {
        return None;
    }
    let sum_sq: Decimal = xs
        .iter()
        .map(|x| {
            let d = *x / m - Decimal::ONE;
            d * d
        })
        .sum();
    sqrt(sum_sq / Decimal::from(xs.len()))
}

/// How each group's extreme cases are left out (国家DIP3.0 第五章第四节二(1): percentile
/// clipping, 2.5% and 97.5% as its example) [seed example].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Trim {
    /// Keep every case.
    None,
    /// Of a group's n cases in one year, sorted by cost, drop the ⌊n × low⌋ cheapest and the
    /// ⌊n × (1 − high)⌋ dearest (so 2.5% / 97.5% drops one case at each end from n = 40 on,
    /// none below). Cases of equal cost are interchangeable, so which of them goes is moot.
    Percentile { low: Decimal, high: Decimal },
    /// Keep the cases with |x − mean| ≤ k × SD (population SD, both bounds inclusive), one pass.
    Sd { k: Decimal },
}

impl Default for Trim {
    /// 2.5% and 97.5%, the specification's example (国家DIP3.0 第五章第四节二(1)).
    fn default() -> Self {
        Trim::Percentile {
            low: Decimal::new(25, 3),
            high: Decimal::new(975, 3),
        }
    }
}

impl Trim {
    /// Which of `costs` are kept. `costs` need not be sorted.
    pub fn keep(&self, costs: &[Decimal]) -> Vec<bool> {
        let n = costs.len();
        match self {
            Trim::None => vec![true; n],
            Trim::Percentile { low, high } => {
                let count = Decimal::from(n);
                let drop_low = (count * *low).floor().to_usize().unwrap_or(0);
                let drop_high = (count * (Decimal::ONE - *high)).floor().to_usize().unwrap_or(0);
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|a, b| costs[*a].cmp(&costs[*b]).then(a.cmp(b)));
                let mut kept = vec![true; n];
                if drop_low + drop_high >= n {
                    return kept;
                }
                for i in order.iter().take(drop_low).chain(order.iter().rev().take(drop_high)) {
                    kept[*i] = false;
                }
                kept
            }
            Trim::Sd { k } => {
                let (Some(m), Some(cv)) = (mean(costs), cv(costs)) else {
                    return vec![true; n];
                };
                let band = *k * cv * m;
                costs.iter().map(|x| (*x - m).abs() <= band).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn sqrt_is_exact_on_squares_and_close_elsewhere() {
        assert_eq!(sqrt(d("144")), Some(d("12")));
        assert_eq!(sqrt(d("0.0004")), Some(d("0.02")));
        assert_eq!(sqrt(d("1e20")).map(|x| x.normalize()), Some(d("1e10")));
        let r2 = sqrt(d("2")).unwrap();
        assert!((r2 * r2 - d("2")).abs() < d("1e-25"));
        assert_eq!(sqrt(d("-1")), None);
        assert_eq!(sqrt(Decimal::ZERO), Some(Decimal::ZERO));
    }

    #[test]
    fn cv_of_a_two_point_spread() {
        // 8 and 12: mean 10, deviations ±0.2 of the mean → CV = √((0.04 + 0.04) ÷ 2) = 0.2
        assert_eq!(cv(&[d("8"), d("12")]), Some(d("0.2")));
        assert_eq!(cv(&[]), None);
    }

    #[test]
    fn percentile_drops_floor_n_times_p_at_each_end() {
        // n = 40: ⌊40 × 0.025⌋ = 1 at each end; n = 39: ⌊0.975⌋ = 0, nothing dropped.
        let costs: Vec<Decimal> = (1..=40).map(Decimal::from).collect();
        let kept = Trim::default().keep(&costs);
        assert!(!kept[0] && !kept[39] && kept[1..39].iter().all(|k| *k));
        assert!(Trim::default().keep(&costs[..39]).iter().all(|k| *k));
    }

    #[test]
    fn sd_band_is_inclusive() {
        // 1, 1, 1, 5: mean 2, SD = √((1+1+1+9) ÷ 4) = √3 ≈ 1.732; k = 1.5 → band 2.598:
        // 5 is 3 away (out), the 1s are 1 away (in).
        let kept = Trim::Sd { k: d("1.5") }.keep(&[d("1"), d("1"), d("1"), d("5")]);
        assert_eq!(kept, vec![true, true, true, false]);
    }
}
