//! Exact running sums of decimals in integers: the `Decimal` that adding the terms one by one
//! with `+` gives, at an integer add per term. The per-case pass sums every case's cost,
//! burden and score into its cell, and the limit checks sum every case's cost, burden and days;
//! `Decimal`'s `+` on sums past 32 bits was a tenth of a run's instructions.

use rust_decimal::Decimal;

/// 10⁰ … 10²⁸.
const POWERS_OF_TEN: [u128; 29] = {
    let mut p = [1u128; 29];
    let mut k = 1;
    while k < 29 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// A running sum of non-negative decimals held as an integer and a scale, giving exactly the
/// `Decimal` that adding them one by one with `+` gives (the same digits and the same scale):
/// `Decimal`'s `+` is exact while the sum fits in 96 bits at the larger scale of the two, the
/// sum takes that scale, a zero term leaves a non-zero sum as it is, and a zero sum is replaced
/// by the term. An integer add instead of a `Decimal` one per case and cell sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ExactSum {
    mantissa: u128,
    scale: u32,
}

impl ExactSum {
    /// Adds a term; `false` when this sum cannot follow `Decimal`'s (a negative term, or a sum
    /// beyond 96 bits), and the caller must add `Decimal`s instead: the sum is then left as it
    /// was before the term.
    #[inline]
    pub(crate) fn add(&mut self, d: Decimal) -> bool {
        if d.is_sign_negative() {
            return false;
        }
        let (m, s) = (d.mantissa().unsigned_abs(), d.scale());
        if self.mantissa == 0 {
            (self.mantissa, self.scale) = (m, s);
            return true;
        }
        if m == 0 {
            return true;
        }
        let (sum, scale) = if s == self.scale {
            (self.mantissa.checked_add(m), s)
        } else if s > self.scale {
            let up = POWERS_OF_TEN[(s - self.scale) as usize];
            (self.mantissa.checked_mul(up).and_then(|a| a.checked_add(m)), s)
        } else {
            let up = POWERS_OF_TEN[(self.scale - s) as usize];
            (m.checked_mul(up).and_then(|b| b.checked_add(self.mantissa)), self.scale)
        };
        match sum {
            Some(v) if v < 1u128 << 96 => {
                (self.mantissa, self.scale) = (v, scale);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn get(self) -> Decimal {
        Decimal::from_i128_with_scale(self.mantissa as i128, self.scale)
    }

    /// Whether the sum is beyond a whole-number limit (`limit` of scale 0), as `sum > limit`.
    #[inline]
    pub(crate) fn exceeds(self, limit: Decimal) -> bool {
        match limit
            .mantissa()
            .unsigned_abs()
            .checked_mul(POWERS_OF_TEN[self.scale as usize])
        {
            Some(bound) if limit.scale() == 0 && !limit.is_sign_negative() => self.mantissa > bound,
            // Beyond 128 bits: more than any sum held (< 2⁹⁶).
            None if limit.scale() == 0 && !limit.is_sign_negative() => false,
            _ => self.get() > limit,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal_sum(terms: &[Decimal]) -> Decimal {
        terms.iter().fold(Decimal::default(), |a, b| a + b)
    }

    fn exact_sum(terms: &[Decimal]) -> Option<Decimal> {
        let mut s = ExactSum::default();
        terms.iter().all(|t| s.add(*t)).then(|| s.get())
    }

    /// Same digits, same scale, same sign: what the output's text would show.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.serialize() == b.serialize()
    }

    #[test]
    fn zeros_and_scales_follow_decimal_addition() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        for terms in [
            vec![],
            vec![d("0.00")],
            vec![d("0.00"), d("5")],
            vec![d("5"), d("0.00")],
            vec![d("1.5"), d("2.25"), d("3")],
            vec![d("0"), d("0.000"), d("7.10")],
            vec![d("12345.67"), d("0.001"), d("1000000")],
        ] {
            let exact = exact_sum(&terms).unwrap();
            assert!(
                same(exact, decimal_sum(&terms)),
                "{terms:?}: {exact} vs {}",
                decimal_sum(&terms)
            );
        }
        assert_eq!(exact_sum(&[d("1"), d("-0.5")]), None);
        assert_eq!(exact_sum(&[Decimal::MAX, Decimal::ONE]), None);
    }

    #[test]
    fn a_term_it_cannot_take_leaves_the_sum_and_limits_compare_as_decimals() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let mut s = ExactSum::default();
        assert!(s.add(d("9999999999999.99")));
        let before = s;
        // 28 places would need more than 96 bits at this size.
        assert!(!s.add(d("0.0000000000000000000000000001")));
        assert_eq!(s, before);
        let limit = d("10000000000000");
        assert!(!s.exceeds(limit));
        assert!(s.add(d("0.01")));
        assert!(!s.exceeds(limit), "equal to the limit is within it");
        assert!(s.add(d("0.001")));
        assert!(s.exceeds(limit));
        assert_eq!(s.get(), d("10000000000000.001"));
        assert!(
            s.exceeds(d("10000000000000.0009")),
            "a limit with places compares as decimals"
        );
        assert!(!ExactSum::default().exceeds(Decimal::ZERO));
    }

    proptest! {
        /// Any non-negative terms of up to 4 places and 12 digits: the integer sum is the
        /// `Decimal` sum, digit for digit and scale for scale.
        #[test]
        fn exact_sum_is_the_decimal_sum(terms in prop::collection::vec((0i64..1_000_000_000_000, 0u32..5, 0u8..4), 0..60)) {
            let terms: Vec<Decimal> = terms
                .into_iter()
                .map(|(m, s, zero)| Decimal::new(if zero == 0 { 0 } else { m }, s))
                .collect();
            let exact = exact_sum(&terms).expect("small terms fit");
            prop_assert!(same(exact, decimal_sum(&terms)), "{:?}: {} vs {}", terms, exact, decimal_sum(&terms));
        }
    }
}
