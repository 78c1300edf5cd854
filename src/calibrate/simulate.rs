//! SPEC §13 Simulation (国家DIP3.0 第一章第三节二 6 模拟测算): last year's cases settled under the
//! new year's policy (with the engine, unchanged) and compared with what was actually paid, by
//! institution and by level, per fund:
//!
//! ```text
//! actual fund payment A = C − personal burden      the case data's fund payment (统筹基金支付; the
//!                                                  reader derives one from the other, SPEC §7)
//! simulated payment   F = T − personal burden      the engine's fund payment (SPEC §7.1)
//! 结付率               = T ÷ C                      the share of the cost DIP pays, patient included [reading]
//! 承担费用 (borne)     = C − T                      what the institution bears (negative: a surplus)
//! borne share         = borne_i ÷ Σ_j borne_j      its part of the fund's total borne cost [reading]
//! difference          = F − A                      against what the fund actually paid
//! ```

use crate::engine::analysis::{compare, Comparison};
use crate::engine::ratio;
use crate::engine::result::{FundResult, Settlement, UnitResult};
use crate::engine::rounding::{round_money, round_ratio};
use crate::engine::{EngineError, Settler};
use crate::policy::{LevelCoefficient, Policy};
use crate::records::cases::CaseTable;
use crate::records::{Dataset, Fund};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::levels::LevelsResult;
use super::point_value::{self, YearStartPointValue};
use crate::engine::rounding::{round_point_value, round_points};

/// One row of the simulation table (an institution, a level or the fund's total).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationLine {
    /// Institution code, level, or "" for the total.
    pub key: String,
    pub level: String,
    pub cases: u64,
    /// C (元).
    pub total_cost: Decimal,
    pub personal_burden: Decimal,
    /// S, the DIP settlement (reconciled).
    pub settlement: Decimal,
    /// T, after risk sharing.
    pub target: Decimal,
    /// F = T − personal burden.
    pub simulated_fund_payment: Decimal,
    /// A = C − personal burden.
    pub actual_fund_payment: Decimal,
    /// T ÷ C (6 decimals).
    pub payment_rate: Option<Decimal>,
    /// C − T.
    pub borne_cost: Decimal,
    /// borne ÷ the fund's total borne (6 decimals).
    pub borne_share: Option<Decimal>,
    /// F − A.
    pub difference: Decimal,
}

impl SimulationLine {
    fn add(&mut self, u: &UnitResult) {
        self.cases += u.cases.total;
        self.total_cost += u.total_cost;
        self.personal_burden += u.personal_burden;
        self.settlement += u.settlement;
        self.target += u.target;
        self.simulated_fund_payment += u.fund_pays;
    }

    /// The derived columns, once the sums are in; money to the fen.
    fn finish(mut self, fund_borne: Decimal) -> Self {
        self.actual_fund_payment = round_money(self.total_cost - self.personal_burden);
        self.payment_rate = ratio(self.target, self.total_cost).map(round_ratio);
        self.borne_cost = round_money(self.total_cost - self.target);
        self.borne_share = ratio(self.total_cost - self.target, fund_borne).map(round_ratio);
        self.difference = round_money(self.simulated_fund_payment - self.actual_fund_payment);
        for x in [
            &mut self.total_cost,
            &mut self.personal_burden,
            &mut self.settlement,
            &mut self.target,
            &mut self.simulated_fund_payment,
        ] {
            *x = round_money(*x);
        }
        self
    }
}

/// The simulation of one fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundSimulation {
    pub fund: Fund,
    /// The settlement's point value (reported).
    pub point_value: Option<Decimal>,
    /// The fund's budget B (元).
    pub budget: Decimal,
    /// B priced in points by the policy's cost basis (SPEC §6; 元).
    pub pool: Decimal,
    /// Σ points of last year's cases under the new catalog and policy: the projection.
    pub projected_points: Decimal,
    /// 预算点值 = pool ÷ projected points ([`point_value::budgeted`]), reported.
    pub budgeted_point_value: Option<Decimal>,
    /// The year-start point value PV₀ it is set against (filled by [`with_year_start`]).
    pub year_start_point_value: Option<Decimal>,
    /// (budgeted − PV₀) ÷ PV₀ ([`point_value::difference_rate`]).
    pub difference_rate: Option<Decimal>,
    pub institutions: Vec<SimulationLine>,
    pub levels: Vec<SimulationLine>,
    pub total: SimulationLine,
}

/// The simulation, and the settlement it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Whether the proposed level coefficients replaced the policy's level table.
    pub proposed_levels: bool,
    pub funds: Vec<FundSimulation>,
    pub settlement: Settlement,
}

fn fund_simulation(f: &FundResult) -> FundSimulation {
    let fund_borne: Decimal = f.units.iter().map(|u| u.total_cost - u.target).sum();
    let mut levels: BTreeMap<String, SimulationLine> = BTreeMap::new();
    let mut total = SimulationLine::default();
    let mut institutions = Vec::with_capacity(f.units.len());
    for u in &f.units {
        let mut line = SimulationLine {
            key: u.code.clone(),
            level: u.level.clone(),
            ..SimulationLine::default()
        };
        line.add(u);
        institutions.push(line.finish(fund_borne));
        let level = levels.entry(u.level.clone()).or_insert_with(|| SimulationLine {
            key: u.level.clone(),
            level: u.level.clone(),
            ..SimulationLine::default()
        });
        level.add(u);
        total.add(u);
    }
    FundSimulation {
        fund: f.fund,
        point_value: f.point_value,
        budget: f.budget.budget,
        pool: round_money(f.pool_exact),
        projected_points: round_points(f.total_points_exact),
        budgeted_point_value: point_value::budgeted(f.pool_exact, f.total_points_exact)
            .map(|v| round_point_value(v, 6)),
        year_start_point_value: None,
        difference_rate: None,
        institutions,
        levels: levels.into_values().map(|l| l.finish(fund_borne)).collect(),
        total: total.finish(fund_borne),
    }
}

/// Sets each fund's budgeted point value against the year-start one, at full precision: the
/// 差异率 the monitoring reports for the settlement later in the year (国家DIP3.0 第八章第二节二),
/// here in advance for the plan.
pub fn with_year_start(sim: &mut Simulation, year_start: &YearStartPointValue) {
    for (f, r) in sim.funds.iter_mut().zip(&sim.settlement.funds) {
        f.year_start_point_value = Some(year_start.value);
        f.difference_rate = point_value::budgeted(r.pool_exact, r.total_points_exact)
            .and_then(|b| point_value::difference_rate(b, year_start.exact));
    }
}

/// The policy with its level table set to the proposed coefficients (levels the proposal has;
/// an institution row that gives its own 基本调节系数 keeps it, SPEC §4).
pub fn with_proposed_levels(policy: &Policy, proposal: &LevelsResult) -> Policy {
    let mut p = policy.clone();
    for line in &proposal.levels {
        let Some(c) = line.proposed else { continue };
        match p.coefficients.levels.iter_mut().find(|l| l.level == line.level) {
            Some(l) => l.coefficient = Some(c),
            None => p.coefficients.levels.push(LevelCoefficient {
                level: line.level.clone(),
                coefficient: Some(c),
            }),
        }
    }
    p
}

/// Settles `cases` (last year's) under `policy` with `data`'s institutions and catalog, and
/// compares with what the case data say the fund paid.
pub fn simulate(
    policy: &Policy,
    data: Dataset,
    cases: CaseTable,
    proposed_levels: bool,
) -> Result<Simulation, EngineError> {
    let settlement = Settler::from_parts(data, cases).settle(policy)?;
    Ok(Simulation {
        proposed_levels,
        funds: settlement.funds.iter().map(fund_simulation).collect(),
        settlement,
    })
}

/// The proposed level table as a scenario against the policy's (宁德2025答复 二's table as the
/// issue asks: every institution's settlement before and after): `cases` settled under both,
/// compared unit by unit (SPEC §8's comparison). One per-case pass serves both settlements.
pub fn level_scenario(
    policy: &Policy,
    proposal: &LevelsResult,
    data: Dataset,
    cases: CaseTable,
) -> Result<Comparison, EngineError> {
    let mut settler = Settler::from_parts(data, cases);
    let before = settler.settle_without_traces(policy)?;
    let after = settler.settle_without_traces(&with_proposed_levels(policy, proposal))?;
    Ok(compare(&before, &after))
}
