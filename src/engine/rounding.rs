//! The one place where figures are rounded (SPEC §2): money to the fen and point values to a
//! number of decimals, always half away from zero (四舍五入). Intermediate results are never
//! rounded.

use rust_decimal::{Decimal, RoundingStrategy};

/// Money to 0.01 元, half away from zero (SPEC §2).
pub fn round_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Money down to the fen (toward −∞), the first step of reconciliation (SPEC §2).
pub fn floor_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::ToNegativeInfinity)
}

/// A point value for reporting: `decimals` places, but at least 6 significant digits after the
/// leading zeros, so 0.0115908… is not shown as 0.011591 (SPEC §2).
pub fn round_point_value(value: Decimal, decimals: u32) -> Decimal {
    let mut places = decimals;
    let abs = value.abs();
    if !abs.is_zero() && abs < Decimal::ONE {
        // Count the zeros after the decimal point before the first significant digit.
        let mut zeros = 0u32;
        let mut probe = abs * Decimal::TEN;
        while probe < Decimal::ONE && zeros < 27 {
            zeros += 1;
            probe *= Decimal::TEN;
        }
        places = places.max(zeros + 6);
    }
    value.round_dp_with_strategy(places.min(28), RoundingStrategy::MidpointAwayFromZero)
}

/// A ratio for reporting (shares, percentages as fractions): 6 decimals, half away from zero.
pub fn round_ratio(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
}

/// Points for reporting: 4 decimals, half away from zero. Sums use the exact points.
pub fn round_points(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// A projected count of cases to a whole number, half away from zero (SPEC §11); `None` when
/// negative or too large.
pub fn round_count(value: Decimal) -> Option<u64> {
    use rust_decimal::prelude::ToPrimitive;
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(round_money(d("0.005")), d("0.01"));
        assert_eq!(round_money(d("0.015")), d("0.02"));
        assert_eq!(round_money(d("-0.005")), d("-0.01"));
        assert_eq!(round_money(d("53086.6868")), d("53086.69"));
    }

    #[test]
    fn floor_goes_down() {
        assert_eq!(floor_money(d("53086.6868")), d("53086.68"));
        assert_eq!(floor_money(d("-1.001")), d("-1.01"));
    }

    #[test]
    fn point_value_keeps_six_significant_digits() {
        // SPEC §10: 187,600 ÷ 1,618.5
        assert_eq!(round_point_value(d("187600") / d("1618.5"), 6), d("115.909793"));
        // SPEC §2: scale 10000 makes the point value small; 0.011591 would be too coarse.
        assert_eq!(round_point_value(d("0.01159083"), 6), d("0.0115908"));
        assert_eq!(round_point_value(d("0.5"), 6), d("0.5"));
    }
}
