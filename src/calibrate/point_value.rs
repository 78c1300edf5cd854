//! SPEC §13 年初点值 (国家DIP3.0 第五章第四节): the year-start point value
//!
//! ```text
//! PV₀ = Σ_y w_y × C_y ÷ Σ_y w_y × P_y        C_y: cost of year y's kept cases (after trimming)
//!                                            P_y: their points under the new scores, coefficient 1
//! ```
//!
//! with the years' weights 1:2:7 [seed]. Points at coefficient 1 [reading]: the coefficients
//! are set in the same exercise, and a level table that averages 1 over the cases leaves PV₀ as
//! it is. 优值区间, one-dimensional [seed]: each institution's 每指数点值 v_i = Σ w C_i ÷ Σ w P_i;
//! the institutions with v_i below PV₀ (strictly) are kept and the value is theirs,
//! Σ_kept Σ w C ÷ Σ_kept Σ w P (their mean weighted by points) [reading]. The two-dimensional
//! 优值区间 needs a cost column the case data do not have (SPEC §13) and is not offered.

use super::{Obs, Prepared};
use crate::engine::rounding::round_point_value;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which cases make the year-start point value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointValueRule {
    /// Every kept case (default).
    #[default]
    All,
    /// 优值区间 (one-dimensional): the institutions whose 每指数点值 is below the region's.
    BelowMean,
}

/// One institution's 每指数点值.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionPointValue {
    pub code: String,
    /// Σ w C ÷ Σ w P, reported (6 significant decimals at least).
    pub value: Decimal,
    /// Counted in the 优值区间.
    pub below_mean: bool,
}

/// The year-start point value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearStartPointValue {
    pub rule: PointValueRule,
    /// Over every kept case, reported.
    pub all_cases: Decimal,
    /// By the rule, reported (`round_point_value`, 6 decimals).
    pub value: Decimal,
    /// By the rule, full precision.
    pub exact: Decimal,
    pub institutions: Vec<InstitutionPointValue>,
}

/// Σ_y w × cost and Σ_y w × points of each institution.
fn weighted_sums(p: &Prepared, rw: &[Decimal]) -> Vec<(Decimal, Decimal)> {
    let mut out = vec![(Decimal::ZERO, Decimal::ZERO); p.institutions.len()];
    for (w, obs) in &p.years {
        for o in obs.iter().filter(|o: &&Obs| o.kept) {
            let s = &mut out[o.institution as usize];
            s.0 += *w * o.cost;
            s.1 += *w * rw[o.group as usize];
        }
    }
    out
}

fn total(sums: &[(Decimal, Decimal)], keep: impl Fn(usize) -> bool) -> Decimal {
    let (c, p) = sums
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .fold((Decimal::ZERO, Decimal::ZERO), |(c, p), (_, s)| (c + s.0, p + s.1));
    crate::engine::ratio(c, p).unwrap_or_default()
}

/// PV₀ by the rule, with the scores `rw` (indexed as the prepared groups).
pub(crate) fn year_start(p: &Prepared, rw: &[Decimal], rule: &PointValueRule) -> YearStartPointValue {
    let sums = weighted_sums(p, rw);
    let all = total(&sums, |_| true);
    let per: Vec<Option<Decimal>> = sums.iter().map(|s| crate::engine::ratio(s.0, s.1)).collect();
    let below = |i: usize| per[i].is_some_and(|v| v < all);
    let exact = match rule {
        PointValueRule::All => all,
        PointValueRule::BelowMean => total(&sums, below),
    };
    YearStartPointValue {
        rule: *rule,
        all_cases: round_point_value(all, 6),
        value: round_point_value(exact, 6),
        exact,
        institutions: p
            .institutions
            .iter()
            .enumerate()
            .filter_map(|(i, code)| {
                per[i].map(|v| InstitutionPointValue {
                    code: code.clone(),
                    value: round_point_value(v, 6),
                    below_mean: below(i),
                })
            })
            .collect(),
    }
}

/// 预算点值 (budgeted point value, 国家DIP3.0 第五章第四节): the year's pool ÷ the points projected
/// for it, full precision; `None` without points. The pool is the fund's budget B priced in points
/// as the policy's cost basis says (SPEC §6: B + personal burden, B ÷ fund share, or B); the
/// projection is last year's cases under the new catalog and policy [reading], so this is the
/// point value the simulation settles at.
pub fn budgeted(pool: Decimal, projected_points: Decimal) -> Option<Decimal> {
    crate::engine::ratio(pool, projected_points)
}

/// 年初点值与结算点值差异率 (国家DIP3.0 第八章第二节二, a monitoring indicator): (PV − PV₀) ÷ PV₀,
/// the settlement's point value against the year-start one, 6 decimals (`round_ratio`); `None`
/// when PV₀ is not above zero. Positive: the year settled at a higher value than planned.
pub fn difference_rate(settlement: Decimal, year_start: Decimal) -> Option<Decimal> {
    if year_start <= Decimal::ZERO {
        return None;
    }
    crate::engine::ratio(settlement - year_start, year_start).map(crate::engine::rounding::round_ratio)
}
