//! Settlement (SPEC §2, §7, §7.1): S_i = pool × points_i ÷ Σ points reconciled to the cent (吉林2024
//! 第十七条 "服务机构住院结算额度=预付点值×该服务机构住院付费总点数", "住院基金结算额度=服务机构住院结算额度-个人
//! 负担费用"), the period settlements, the 调剂金 second distribution (休宁2021 12), and risk
//! sharing (吉林2024 第二十七条 "超出结算额度10%（含，下同）以内的，追加超支60%…").

use super::allotment;
use super::ledger::{FundLedger, UnitLedger};
use super::point_value::PointValues;
use super::points::mul_div;
use super::result::{BandPosition, BudgetResult, Reconciliation};
use super::rounding::{floor_money, round_money};
use super::units::Unit;
use super::EngineError;
use crate::policy::{AdjustmentFund, SharingSide, SurplusBase};
use crate::policy::{Beyond, CostBasis, FundPolicy, MonthlyPointValue, Policy, RiskSharing, SettlementMode};
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

/// A fund's pool and budget shared among its units: S_i for the year and each period, and the
/// 调剂金 second distribution, each in the units' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundShares {
    /// S_i, reconciled to the cent (SPEC §7), or the allotment (SPEC §7.3).
    pub settlements: Vec<Decimal>,
    pub reconciliation: Reconciliation,
    /// Σ S_i.
    pub total: Decimal,
    /// Per month, per unit: S at the month's point value (informational).
    pub months: Vec<Vec<Decimal>>,
    /// Per quarter, per unit: S at the quarter's point value (SPEC §7.2 quarterly clearing).
    pub quarters: Vec<Vec<Decimal>>,
    /// Per unit: its part of the 调剂金 (休宁2021 12).
    pub adjustment_fund: Vec<Decimal>,
}

/// S_i of every unit (SPEC §7): pool × points share, or the allotment (SPEC §7.3), reconciled to
/// the cent; the same for each month and quarter; the 调剂金 by points.
pub fn fund_shares(
    policy: &Policy,
    fp: &FundPolicy,
    budget: &BudgetResult,
    units: &[Unit],
    ledger: &FundLedger,
    values: &PointValues,
) -> Result<FundShares, EngineError> {
    let ledgers = &ledger.units;
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let year_points = || codes.iter().copied().zip(ledgers.iter().map(|a| a.year.points));
    let (settlements, reconciliation) = if policy.settlement.mode == SettlementMode::Allotment {
        allotment::allotments(budget, units)?
    } else if let Some(weights) = &values.unit_weights {
        // 弹性点值 by institution: each unit's worth, which adds up to the pool settled.
        let pairs: Vec<(&str, Decimal)> = codes.iter().copied().zip(weights.iter().copied()).collect();
        reconcile(values.pool, &pairs)
    } else {
        reconcile(values.pool, &year_points().collect::<Vec<_>>())
    };
    let months = (0..12)
        .map(|m| {
            let points = ledgers.iter().map(|a| a.months[m].points);
            let month = &values.months[m];
            period_settlements(
                &codes,
                points,
                month.pool,
                values.month_basis[m],
                policy.point_value.monthly,
            )
        })
        .collect();
    let quarters = (0..4)
        .map(|q| {
            let points = ledgers
                .iter()
                .map(|a| a.months[q * 3..q * 3 + 3].iter().map(|b| b.points).sum());
            let quarter = &values.quarters[q];
            let basis = (quarter.pool, quarter.points);
            period_settlements(&codes, points, quarter.pool, basis, MonthlyPointValue::Month)
        })
        .collect();
    let adjustment_fund = match &fp.adjustment_fund {
        None => vec![Decimal::ZERO; units.len()],
        Some(af) => adjustment_fund_shares(af, af.amount.to_yuan(), &codes, ledgers),
    };
    Ok(FundShares {
        total: settlements.iter().sum(),
        settlements,
        reconciliation,
        months,
        quarters,
        adjustment_fund,
    })
}

/// Each unit's part of `amount` of the 调剂金 by points (休宁2021 12 "计算各医疗机构或县域医共体病种分值
/// 点数之和占市域内总点数的比例…进行二次付费").
pub fn adjustment_fund_shares(
    af: &AdjustmentFund,
    amount: Decimal,
    codes: &[&str],
    ledgers: &[UnitLedger],
) -> Vec<Decimal> {
    match af.city_total_points {
        // Points over all points of the city, some outside the data (SPEC §7.4).
        Some(city) => ledgers
            .iter()
            .map(|a| round_money(share_of(amount, a.year.points, city)))
            .collect(),
        None => {
            let points: Vec<(&str, Decimal)> = codes
                .iter()
                .copied()
                .zip(ledgers.iter().map(|a| a.year.points))
                .collect();
            reconcile(amount, &points).0
        }
    }
}

/// A period's settlement per unit: reconciled to the period pool (month point value), or
/// cumulative pool × points ÷ cumulative points, divided last and rounded (SPEC §6; issue 17).
fn period_settlements(
    codes: &[&str],
    points: impl Iterator<Item = Decimal>,
    pool: Decimal,
    (basis_pool, basis_points): (Decimal, Decimal),
    mode: MonthlyPointValue,
) -> Vec<Decimal> {
    let pts: Vec<Decimal> = points.collect();
    match mode {
        MonthlyPointValue::Month => {
            let pairs: Vec<(&str, Decimal)> = codes.iter().copied().zip(pts).collect();
            reconcile(pool, &pairs).0
        }
        MonthlyPointValue::Cumulative => pts
            .iter()
            .map(|p| {
                mul_div(basis_pool, *p, basis_points)
                    .map(round_money)
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// One unit's year figures from its reconciled S (SPEC §7, §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFigures {
    /// S_i.
    pub settlement: Decimal,
    /// FS_i = S_i − personal burden (fund-only basis or allotment: S_i).
    pub fund_settlement: Decimal,
    /// C_i: total cost (fund-only basis or allotment: cost − personal burden).
    pub compared_cost: Decimal,
    /// T_i, rounded to the cent.
    pub target: Decimal,
    pub band: BandPosition,
    /// T_i − personal burden (fund-only basis or allotment: T_i).
    pub fund_pays: Decimal,
}

/// S, FS, C, T and what the fund pays for a unit settled at `s` (SPEC §7, §7.1).
pub fn unit_figures(policy: &Policy, s: Decimal, ledger: &UnitLedger) -> UnitFigures {
    let fund_money =
        policy.point_value.cost_basis == CostBasis::FundOnly || policy.settlement.mode == SettlementMode::Allotment;
    let personal = ledger.year.personal;
    let cost = ledger.year.cost;
    let compared_cost = if fund_money { cost - personal } else { cost };
    let (t_exact, band) = risk_sharing_target(&policy.settlement.risk_sharing, s, compared_cost);
    let target = round_money(t_exact);
    UnitFigures {
        settlement: s,
        fund_settlement: if fund_money { s } else { s - personal },
        compared_cost,
        target,
        band,
        fund_pays: if fund_money { target } else { target - personal },
    }
}
