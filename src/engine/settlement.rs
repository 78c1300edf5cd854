//! Settlement arithmetic (SPEC §2, §7): reconciliation to the cent, risk-sharing bands,
//! allotment shares.

use super::result::{BandPosition, Reconciliation};
use super::rounding::{floor_money, round_money};
use crate::policy::{Beyond, RiskSharing, SharingSide, SurplusBase};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Split `pool` in proportion to `weights` and round to the cent so that the parts add up to the
/// rounded pool exactly: floor each, then give the missing cents to the largest remainders, ties
/// by code ascending (SPEC §2).
pub fn reconcile(pool: Decimal, weights: &[(&str, Decimal)]) -> (Vec<Decimal>, Reconciliation) {
    let total: Decimal = weights.iter().map(|(_, w)| *w).sum();
    let exact: Vec<Decimal> = if total.is_zero() {
        vec![Decimal::ZERO; weights.len()]
    } else {
        weights.iter().map(|(_, w)| share_of(pool, *w, total)).collect()
    };
    let target = if total.is_zero() {
        Decimal::ZERO
    } else {
        round_money(pool)
    };
    distribute_cents(target, &exact, weights.iter().map(|(c, _)| *c).collect())
}

/// pool × part ÷ total, in that order (one rounding, as SPEC §7 writes it). When pool × part
/// would pass `Decimal`'s ceiling (points near the record limits' worst case), pool × (part ÷
/// total) instead: part ÷ total ≤ 1, so the product stays below the pool, and it differs from
/// the first form in the 28th significant digit only.
pub fn share_of(pool: Decimal, part: Decimal, total: Decimal) -> Decimal {
    match pool.checked_mul(part) {
        Some(product) => product / total,
        None => pool * (part / total),
    }
}

/// Round exact parts that add up to `target` (already rounded) by largest remainder (SPEC §2).
/// The missing cents go round the parts by remainder descending, code ascending (then position,
/// so the order is total); only the parts that receive a cent are put in order, and each
/// remainder is computed once.
pub fn distribute_cents(target: Decimal, exact: &[Decimal], codes: Vec<&str>) -> (Vec<Decimal>, Reconciliation) {
    let mut parts: Vec<Decimal> = exact.iter().map(|x| floor_money(*x)).collect();
    let sum_of_floors: Decimal = parts.iter().sum();
    let cent = Decimal::new(1, 2);
    let missing = ((target - sum_of_floors) / cent).round();
    let mut recipients = Vec::new();
    let mut cents_distributed = 0u64;
    if !parts.is_empty() && missing > Decimal::ZERO {
        let n = missing.to_u64().unwrap_or(0);
        let remainders: Vec<i128> = exact.iter().zip(&parts).map(|(x, p)| remainder_key(x - p)).collect();
        let before = |a: &usize, b: &usize| {
            remainders[*b]
                .cmp(&remainders[*a])
                .then_with(|| codes[*a].cmp(codes[*b]))
                .then(a.cmp(b))
        };
        let mut order: Vec<usize> = (0..parts.len()).collect();
        // Fewer cents than parts (the usual case): only the first `n` need ordering.
        let ordered = usize::try_from(n).map_or(order.len(), |n| n.min(order.len()));
        if ordered < order.len() {
            order.select_nth_unstable_by(ordered, before);
        }
        order[..ordered].sort_unstable_by(before);
        for k in 0..n {
            let i = order[(k as usize) % ordered];
            parts[i] += cent;
            recipients.push(codes[i].to_string());
            cents_distributed += 1;
        }
    }
    (
        parts,
        Reconciliation {
            pool: target,
            sum_of_floors,
            cents_distributed,
            recipients,
        },
    )
}

/// A remainder below the cent (0 ≤ r < 0.01) as an integer of 10⁻²⁸ units: exact, since its
/// mantissa times 10^(28 − scale) stays below 10²⁶, and ordered as the remainders are.
fn remainder_key(r: Decimal) -> i128 {
    let key = r.mantissa().checked_mul(10i128.pow(28 - r.scale()));
    debug_assert!(
        key.is_some() && r >= Decimal::ZERO && r < Decimal::new(1, 2),
        "remainder {r}"
    );
    key.unwrap_or(i128::MAX)
}

/// The shared part of a gap `gap` (≥ 0) against S over the bands of one side, or `None` when
/// the gap lies beyond the last band. Bands are tested by multiplication (SPEC §7.1):
/// `gap ≤ up_to × S` is inside, so an exact 10% is shared "（含）".
/// `Ok((band, shared))` inside band `band`; `Err(full)` beyond the last band, with the part the
/// bands would share in full.
fn shared_part(side: &SharingSide, s: Decimal, gap: Decimal) -> Result<(usize, Decimal), Decimal> {
    let mut shared = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    for (k, band) in side.bands.iter().enumerate() {
        let upper = band.up_to * s;
        if gap <= upper {
            return Ok((k, shared + band.share * (gap - lower)));
        }
        shared += band.share * (upper - lower);
        lower = upper;
    }
    Err(shared)
}

/// T_i from S_i and C_i (SPEC §7.1, 吉林2024 第二十七条).
pub fn risk_sharing_target(rs: &RiskSharing, s: Decimal, c: Decimal) -> (Decimal, BandPosition) {
    if !rs.enabled || c == s || s <= Decimal::ZERO {
        return (s, BandPosition::None);
    }
    if c > s {
        match shared_part(&rs.overspend, s, c - s) {
            Ok((band, shared)) => (s + shared, BandPosition::OverspendShared { band }),
            Err(full) => match rs.overspend.beyond {
                Beyond::Nothing => (s, BandPosition::OverspendBeyond),
                Beyond::Capped => (s + full, BandPosition::OverspendBeyond),
            },
        }
    } else {
        let part = shared_part(&rs.surplus, s, s - c);
        let position = match part {
            Ok((band, _)) => BandPosition::SurplusShared { band },
            Err(_) => BandPosition::SurplusBeyond,
        };
        let shared = match (part, rs.surplus.beyond) {
            (Ok((_, shared)), _) => Some(shared),
            (Err(full), Beyond::Capped) => Some(full),
            (Err(_), Beyond::Nothing) => None,
        };
        let t = match (rs.surplus_base, shared) {
            // Reading (a): the fund pays the cost and gives back the shared part of the surplus.
            (SurplusBase::Cost, Some(shared)) => c + shared,
            (SurplusBase::Cost, None) => c,
            // Reading (b): the institution returns the shared part from S.
            (SurplusBase::Settlement, Some(shared)) => s - shared,
            (SurplusBase::Settlement, None) => s,
        };
        (t, position)
    }
}

/// Whether C − S lies within `near` × S of a band edge on either side (SPEC issue: flag).
pub fn near_band_edge(rs: &RiskSharing, s: Decimal, c: Decimal) -> bool {
    if !rs.enabled || s <= Decimal::ZERO {
        return false;
    }
    let gap = c - s;
    let tolerance = rs.near_edge * s;
    let over = rs
        .overspend
        .bands
        .iter()
        .any(|b| (gap - b.up_to * s).abs() <= tolerance);
    let under = rs.surplus.bands.iter().any(|b| (-gap - b.up_to * s).abs() <= tolerance);
    over || under
}
