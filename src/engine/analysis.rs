//! Analyses that make the numbers useful (SPEC §8): point-value dilution, gain and loss by
//! disease group for one institution, baseline-versus-scenario comparison, the risk-sharing
//! rule drawn around one unit's settlement (SPEC §7.1, 吉林2024 第二十七条 "超出结算额度10%（含，下同）
//! 以内的，追加超支60%…超支、结余10%以上的，不予追加、返还": the cliff shows), and each unit's
//! points by the catalog's 病种类型 (SPEC §12, the year's points).

use super::aggregate::{CaseAggregates, PointsKey};
use super::coefficients::{institution_coefficient, Coefficient};
use super::points::{mul_div, Category, PointsContext};
use super::result::{BandPosition, FundResult, Settlement, UnitResult};
use super::rounding::{round_money, round_ratio};
use super::settlement::risk_sharing_target;
use super::{ratio, EngineError};
use crate::policy::{Policy, RiskSharing};
use crate::records::cases::{CaseRow, CaseTable};
use crate::records::{CaseKind, Dataset, Fund, GroupCategory};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What extra points are worth to one unit and cost the others, with the pool fixed (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dilution {
    pub code: String,
    pub extra_points: Decimal,
    /// pool × (p + x) ÷ (P + x) − pool × p ÷ P.
    pub own_gain: Decimal,
    /// What all the other units lose together (= own gain: the pool is fixed).
    pub others_loss: Decimal,
    /// What the extra points would be worth at the current point value (PV × x): the gain is less.
    pub naive_value: Decimal,
    /// The marginal rate PV × (1 − share): what one more point is worth to the unit.
    pub marginal_value_per_point: Decimal,
    pub point_value_before: Decimal,
    pub point_value_after: Decimal,
}

/// Dilution for `extra_points` more points at unit `code` (SPEC §8).
pub fn dilution(fund: &FundResult, code: &str, extra_points: Decimal) -> Option<Dilution> {
    let unit = fund.units.iter().find(|u| u.code == code)?;
    let total = fund.total_points;
    let p = unit.points.total;
    if total.is_zero() || (total + extra_points).is_zero() {
        return None;
    }
    let pv_before = fund.pool / total;
    let pv_after = fund.pool / (total + extra_points);
    let before = fund.pool * p / total;
    let after = fund.pool * (p + extra_points) / (total + extra_points);
    let gain = round_money(after - before);
    Some(Dilution {
        code: code.to_string(),
        extra_points,
        own_gain: gain,
        others_loss: gain,
        // Divided last (issue 17): pool × x ÷ P, and pool × (P − p) ÷ P ÷ P.
        naive_value: round_money(mul_div(fund.pool, extra_points, total)?),
        marginal_value_per_point: mul_div(fund.pool, total - p, total)? / total,
        point_value_before: pv_before,
        point_value_after: pv_after,
    })
}

/// One disease group's payment against its cost at one institution (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLine {
    pub group: String,
    pub name: String,
    pub grassroots: bool,
    pub cases: u64,
    pub points: Decimal,
    /// points × PV (full precision, rounded to the fen).
    pub payment: Decimal,
    pub cost: Decimal,
    /// payment − cost: positive = 盈, negative = 亏.
    pub gain: Decimal,
}

/// Gain and loss by disease group for one settlement unit in one fund: each group's points
/// priced at the fund's point value against the group's actual cost. A 医共体 settled as one
/// unit counts the cases of all its members, each at its own coefficient. 床日 and 项目 cases
/// are grouped under their kind. QC-excluded cases are left out, as in the settlement. `cases`
/// is the dataset's cases ([`CaseTable::from_cases`], or a [`super::Settler`]'s table).
pub fn group_breakdown(
    policy: &Policy,
    data: &Dataset,
    cases: &CaseTable,
    fund: &FundResult,
    unit: &str,
) -> Result<Vec<GroupLine>, EngineError> {
    BreakdownCases::new(policy, data, cases, fund, unit)?.lines(policy, data, fund)
}

/// A case's line of the breakdown: its key (the group code; `床日:` and the code for a 床日 case;
/// `项目`), the line's name and whether it is a 基层病种.
fn line_name(ctx: &PointsContext<'_>, cases: &CaseTable, row: &CaseRow, grassroots: bool) -> (String, String, bool) {
    let group = cases.group_of(row);
    match row.kind {
        CaseKind::Dip => (
            group.to_string(),
            // Not in the catalog: an ungrouped case the policy prices (SPEC §12).
            ctx.group(group)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| "未入组".to_string()),
            grassroots,
        ),
        CaseKind::PerDiem => (format!("床日:{group}"), "床日付费".to_string(), false),
        CaseKind::FeeForService => ("项目".to_string(), "按项目付费".to_string(), false),
    }
}

impl GroupLine {
    /// A line with nothing counted yet.
    fn empty(group: String, name: String, grassroots: bool) -> Self {
        GroupLine {
            group,
            name,
            grassroots,
            cases: 0,
            points: Decimal::ZERO,
            payment: Decimal::ZERO,
            cost: Decimal::ZERO,
            gain: Decimal::ZERO,
        }
    }
}

/// The member institutions of a settlement unit (a 医共体's members, else the unit itself).
fn member_codes<'f>(fund: &'f FundResult, unit: &'f str) -> Vec<&'f str> {
    match fund.units.iter().find(|u| u.code == unit) {
        Some(u) if !u.members.is_empty() => u.members.iter().map(String::as_str).collect(),
        _ => vec![unit],
    }
}

/// One unit's cases in one fund as [`group_breakdown`] counts them, with their raw points:
/// what the breakdown keeps while only the coefficients, `scale` or the point value change.
/// Built once per points parameters ([`PointsKey`]), fund and unit ([`BreakdownCases::fits`]),
/// it gives the breakdown again ([`BreakdownCases::lines`]) without walking the cases: a
/// budget or risk-sharing change prices the lines kept, a coefficient change adds the cases'
/// points again in case order from the distinct raw scores. The figures are those of a walk
/// over the cases: every case's points are the same products, added to its line in the same
/// order.
#[derive(Debug, Clone)]
pub struct BreakdownCases {
    key: PointsKey,
    fund: Fund,
    unit: String,
    members: Vec<String>,
    /// Per member found in the data: its index in the dataset's institutions.
    institutions: Vec<usize>,
    /// One line per group, in the order of their first case: cases and cost counted, points,
    /// payment and gain zero.
    lines: Vec<GroupLine>,
    /// The distinct (raw score, 加成分值, grassroots, member) of the cases.
    terms: Vec<(Decimal, Decimal, bool, usize)>,
    /// The cases counted, in case order: line, term, 特例单议 change.
    cases: Vec<(u32, u32, Decimal)>,
    /// The lines with their points under the last coefficients and scale (by their digits).
    pointed: Option<(Vec<[u8; 16]>, Vec<GroupLine>)>,
}

impl BreakdownCases {
    /// Walks the unit's cases in `fund`. The errors are those of [`group_breakdown`], in its
    /// order: a member's coefficient, the catalog, then the first case that cannot be scored.
    pub fn new(
        policy: &Policy,
        data: &Dataset,
        cases: &CaseTable,
        fund: &FundResult,
        unit: &str,
    ) -> Result<Self, EngineError> {
        let members = member_codes(fund, unit);
        // Per interned institution of the case table: the member's index.
        let mut member_of: Vec<Option<usize>> = vec![None; cases.institutions.len()];
        let mut levels = Vec::new();
        let mut institutions = Vec::new();
        for &code in &members {
            let (Some((n, inst)), Some(i)) = (
                data.institutions.iter().enumerate().find(|(_, i)| i.code == code),
                cases.institutions.find(code),
            ) else {
                continue;
            };
            member_of[i as usize] = Some(levels.len());
            levels.push(&inst.level);
            institutions.push(n);
            // Checked here so that a coefficient's error comes first, as it always has.
            institution_coefficient(&policy.coefficients, inst, &mut Vec::new())?;
        }
        let mut out = BreakdownCases {
            key: PointsKey::of(&policy.points),
            fund: fund.fund,
            unit: unit.to_string(),
            members: members.iter().map(|m| m.to_string()).collect(),
            institutions,
            lines: Vec::new(),
            terms: Vec::new(),
            cases: Vec::new(),
            pointed: None,
        };
        if levels.is_empty() {
            return Ok(out);
        }
        let ctx = PointsContext::new(&policy.points, &data.catalog, &cases.groups)?;
        const NONE: u32 = u32::MAX;
        // The line of each table group's DIP and 床日 cases, and of the 项目 cases.
        let mut dip = vec![NONE; cases.groups.len()];
        let mut per_diem = vec![NONE; cases.groups.len()];
        let mut fee_for_service = NONE;
        let mut by_key: HashMap<String, u32> = HashMap::new();
        let mut terms: HashMap<([u8; 16], [u8; 16], bool, usize), u32> = HashMap::new();
        for row in cases.rows.iter().filter(|r| r.fund == fund.fund) {
            let Some(m) = member_of[row.institution as usize] else {
                continue;
            };
            if !row.qc_passed && !row.supplemented {
                continue;
            }
            let raw = ctx.raw_points(cases, row, levels[m])?;
            let slot = match row.kind {
                CaseKind::Dip => &mut dip[row.group as usize],
                CaseKind::PerDiem => &mut per_diem[row.group as usize],
                CaseKind::FeeForService => &mut fee_for_service,
            };
            if *slot == NONE {
                let (key, name, grassroots) = line_name(&ctx, cases, row, raw.grassroots);
                // Lines are by their text: a DIP code that reads like another kind's line
                // shares it, named by the first case, as a map by text gives.
                let lines = &mut out.lines;
                *slot = *by_key.entry(key.clone()).or_insert_with(|| {
                    lines.push(GroupLine::empty(key, name, grassroots));
                    (lines.len() - 1) as u32
                });
            }
            let line = &mut out.lines[*slot as usize];
            line.cases += 1;
            line.cost += row.total_cost - row.excluded_cost;
            let next = out.terms.len() as u32;
            let term = *terms
                .entry((raw.score.serialize(), raw.bonus.serialize(), raw.grassroots, m))
                .or_insert(next);
            if term == next {
                out.terms.push((raw.score, raw.bonus, raw.grassroots, m));
            }
            out.cases.push((*slot, term, raw.delta));
        }
        Ok(out)
    }

    /// Whether this walk is the one [`BreakdownCases::new`] would make under `policy` for `unit`
    /// in `fund`, over the same data and cases.
    pub fn fits(&self, policy: &Policy, fund: &FundResult, unit: &str) -> bool {
        self.fund == fund.fund
            && self.unit == unit
            && self.key == PointsKey::of(&policy.points)
            && self.members.iter().map(String::as_str).eq(member_codes(fund, unit))
    }

    /// The breakdown under `policy`'s coefficients and scale, priced at `fund`'s point value:
    /// what [`group_breakdown`] gives. `policy`, `data` and `fund` as for [`BreakdownCases::new`]
    /// (the points parameters, the members and the data unchanged).
    pub fn lines(&mut self, policy: &Policy, data: &Dataset, fund: &FundResult) -> Result<Vec<GroupLine>, EngineError> {
        let scale = policy.points.scale;
        let mut coefs = Vec::with_capacity(self.institutions.len());
        let mut digits = vec![scale.serialize()];
        for &n in &self.institutions {
            let c = institution_coefficient(&policy.coefficients, &data.institutions[n], &mut Vec::new())?;
            digits.push(c.combined.serialize());
            digits.push(c.grassroots.serialize());
            coefs.push(c);
        }
        if self.pointed.as_ref().is_none_or(|(d, _)| *d != digits) {
            // Each case's points as `RawPoints::points` gives them: (score × c + 加成分值) × scale
            // + delta.
            let products: Vec<Decimal> = self
                .terms
                .iter()
                .map(|&(score, bonus, grassroots, m)| {
                    let c = if grassroots {
                        coefs[m].grassroots
                    } else {
                        coefs[m].combined
                    };
                    (score * c + bonus) * scale
                })
                .collect();
            let mut lines = self.lines.clone();
            for &(line, term, delta) in &self.cases {
                lines[line as usize].points += products[term as usize] + delta;
            }
            self.pointed = Some((digits, lines));
        }
        let pointed = self.pointed.as_ref().map_or(&[][..], |(_, l)| l.as_slice());
        let mut out: Vec<GroupLine> = pointed
            .iter()
            .map(|l| {
                // points × pool ÷ Σ points, divided last (issue 17).
                let payment = mul_div(l.points, fund.pool, fund.total_points)
                    .map(round_money)
                    .unwrap_or_default();
                GroupLine {
                    payment,
                    gain: payment - l.cost,
                    ..l.clone()
                }
            })
            .collect();
        out.sort_by(|a, b| a.gain.cmp(&b.gain).then_with(|| a.group.cmp(&b.group)));
        Ok(out)
    }
}

/// One settlement unit's DIP points of one 病种类型 in one fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPoints {
    pub fund: Fund,
    pub unit: String,
    /// `None`: groups the catalog gives no 病种类型.
    pub category: Option<GroupCategory>,
    /// The category's Chinese name (未分类 for none).
    pub label: String,
    pub cases: u64,
    /// Σ score × coefficient × scale (+ 特例单议 changes), as the settlement counts them.
    #[serde(with = "super::result::report::points")]
    pub points: Decimal,
}

/// Each unit's DIP points by the catalog's 病种类型 (SPEC §12: the year's points are the sum of
/// 核心, 综合, 中医优势, 基层 … points), counted as [`group_breakdown`] counts them: QC-excluded cases left
/// out, each member of a 医共体 at its own coefficient. Empty when no group has a category.
/// `cases` is the dataset's cases (a [`super::Settler`]'s table).
pub fn points_by_category(
    policy: &Policy,
    data: &Dataset,
    cases: &CaseTable,
    settlement: &Settlement,
) -> Result<Vec<CategoryPoints>, EngineError> {
    if data.catalog.groups.iter().all(|g| g.category.is_none()) {
        return Ok(Vec::new());
    }
    let ctx = PointsContext::new(&policy.points, &data.catalog, &cases.groups)?;
    // Per interned institution of the case table: its level and coefficient.
    let mut member: Vec<Option<(&str, Coefficient)>> = vec![None; cases.institutions.len()];
    for inst in &data.institutions {
        if let Some(slot) = cases
            .institutions
            .find(&inst.code)
            .and_then(|i| member.get_mut(i as usize))
        {
            let coef = institution_coefficient(&policy.coefficients, inst, &mut Vec::new())?;
            *slot = Some((inst.level.as_str(), coef));
        }
    }
    type Key = (Fund, String, Option<GroupCategory>);
    let mut sums: BTreeMap<Key, (u64, Decimal)> = BTreeMap::new();
    for fund in &settlement.funds {
        let unit_of: BTreeMap<&str, &str> = fund
            .units
            .iter()
            .flat_map(|u| {
                let codes: Vec<&str> = if u.members.is_empty() {
                    vec![u.code.as_str()]
                } else {
                    u.members.iter().map(String::as_str).collect()
                };
                codes.into_iter().map(move |c| (c, u.code.as_str()))
            })
            .collect();
        for row in cases
            .rows
            .iter()
            .filter(|r| r.fund == fund.fund && r.kind == CaseKind::Dip)
        {
            let Some((level, coef)) = member.get(row.institution as usize).and_then(Option::as_ref) else {
                continue;
            };
            let Some(unit) = unit_of.get(cases.institution_of(row)) else {
                continue;
            };
            if !row.qc_passed && !row.supplemented {
                continue;
            }
            let raw = ctx.raw_points(cases, row, level)?;
            let category = ctx.group(cases.group_of(row)).and_then(|g| g.category);
            let sum = sums.entry((fund.fund, unit.to_string(), category)).or_default();
            sum.0 += 1;
            sum.1 += raw.points(coef, policy.points.scale);
        }
    }
    Ok(sums
        .into_iter()
        .map(|((fund, unit, category), (cases, points))| CategoryPoints {
            fund,
            unit,
            category,
            label: category.map_or("未分类", GroupCategory::label_zh).to_string(),
            cases,
            points,
        })
        .collect())
}

/// The 基层病种 rule's effect on one institution level (SPEC §8; 宁德2025答复 二): how many of
/// the level's DIP cases are in grassroots groups, and how the rule (those cases at the
/// grassroots coefficient, not the institution's) moves the level's effective coefficient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelGrassroots {
    pub level: String,
    /// Institutions of this level with DIP cases in the fund.
    pub institutions: u64,
    /// DIP cases counted in the settlement (QC-excluded cases left out).
    pub dip_cases: u64,
    pub grassroots_cases: u64,
    /// grassroots_cases ÷ dip_cases (6 decimals, as the other ratios).
    pub grassroots_share: Option<Decimal>,
    /// Σ score × scale of the DIP cases: their points at coefficient 1.
    pub weight: Decimal,
    /// DIP points as settled: score × (the grassroots coefficient for 基层病种, else the
    /// institution's) × scale, 特例单议 changes left out.
    pub points: Decimal,
    /// The same cases all at the institution's coefficient.
    pub points_without_rule: Decimal,
    /// points ÷ weight.
    pub effective_coefficient: Option<Decimal>,
    /// points_without_rule ÷ weight: the level's case-weighted institution coefficient.
    pub nominal_coefficient: Option<Decimal>,
    /// points − points_without_rule: what the rule gives the level (negative: takes away).
    pub points_moved: Decimal,
    /// effective − nominal coefficient.
    pub coefficient_change: Option<Decimal>,
}

/// The 基层病种 effect per institution level in one fund (SPEC §8): grassroots share of DIP
/// cases and effective against nominal coefficient, from the per-case pass's sums (no case is
/// read again: a [`super::Settler`] gives them with [`super::Settler::aggregates`]). Levels in
/// the order of the policy's level table, then any others in the order the institutions list them.
pub fn grassroots_by_level(
    policy: &Policy,
    data: &Dataset,
    agg: &CaseAggregates,
    fund: Fund,
) -> Result<Vec<LevelGrassroots>, EngineError> {
    let mut order: Vec<&str> = policy.coefficients.levels.iter().map(|l| l.level.as_str()).collect();
    for i in &data.institutions {
        if !order.contains(&i.level.as_str()) {
            order.push(&i.level);
        }
    }
    let mut lines: Vec<LevelGrassroots> = order
        .iter()
        .map(|l| LevelGrassroots {
            level: l.to_string(),
            ..LevelGrassroots::default()
        })
        .collect();
    let dip = [Category::Normal, Category::High, Category::Low, Category::Reviewed].map(Category::index);
    let scale = policy.points.scale;
    for (i, inst) in data.institutions.iter().enumerate().take(agg.institutions()) {
        let (mut cases, mut grassroots, mut other_score, mut grassroots_score) =
            (0u64, 0u64, Decimal::ZERO, Decimal::ZERO);
        for month in 0..12 {
            for held in [false, true] {
                let c = agg.cell(i, fund, month, held);
                cases += dip.iter().map(|&k| c.count[k]).sum::<u64>();
                grassroots += c.grassroots;
                other_score += dip.iter().map(|&k| c.score[k][0]).sum::<Decimal>();
                grassroots_score += dip.iter().map(|&k| c.score[k][1]).sum::<Decimal>();
            }
        }
        if cases == 0 {
            continue;
        }
        let coef = institution_coefficient(&policy.coefficients, inst, &mut Vec::new())?;
        let line = &mut lines[order.iter().position(|l| *l == inst.level).unwrap_or_default()];
        line.institutions += 1;
        line.dip_cases += cases;
        line.grassroots_cases += grassroots;
        line.weight += (other_score + grassroots_score) * scale;
        line.points += (other_score * coef.combined + grassroots_score * coef.grassroots) * scale;
        line.points_without_rule += (other_score + grassroots_score) * coef.combined * scale;
    }
    lines.retain(|l| l.dip_cases > 0);
    for l in &mut lines {
        l.grassroots_share = ratio(Decimal::from(l.grassroots_cases), Decimal::from(l.dip_cases)).map(round_ratio);
        l.effective_coefficient = ratio(l.points, l.weight).map(round_ratio);
        l.nominal_coefficient = ratio(l.points_without_rule, l.weight).map(round_ratio);
        l.points_moved = l.points - l.points_without_rule;
        l.coefficient_change = l.effective_coefficient.zip(l.nominal_coefficient).map(|(e, n)| e - n);
    }
    Ok(lines)
}

/// Baseline against scenario, per fund and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub funds: Vec<FundComparison>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundComparison {
    pub fund: Fund,
    pub point_value_before: Option<Decimal>,
    pub point_value_after: Option<Decimal>,
    pub budget_before: Decimal,
    pub budget_after: Decimal,
    pub units: Vec<UnitDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDelta {
    pub code: String,
    pub name: String,
    pub settlement_before: Decimal,
    pub settlement_after: Decimal,
    pub fund_pays_before: Decimal,
    pub fund_pays_after: Decimal,
    pub net_before: Decimal,
    pub net_after: Decimal,
    /// fund pays after − before.
    pub delta: Decimal,
}

/// Per-unit deltas between two settlements of the same data (units matched by code; a unit
/// present on one side only counts as zero on the other).
pub fn compare(baseline: &Settlement, scenario: &Settlement) -> Comparison {
    let mut funds = Vec::new();
    for fund in Fund::ALL {
        let before = baseline.funds.iter().find(|f| f.fund == fund);
        let after = scenario.funds.iter().find(|f| f.fund == fund);
        if before.is_none() && after.is_none() {
            continue;
        }
        let mut codes: Vec<(String, String)> = Vec::new();
        for f in before.iter().chain(after.iter()) {
            for u in &f.units {
                if !codes.iter().any(|(c, _)| *c == u.code) {
                    codes.push((u.code.clone(), u.name.clone()));
                }
            }
        }
        let find =
            |f: Option<&FundResult>, code: &str| f.and_then(|f| f.units.iter().find(|u| u.code == code)).cloned();
        let units = codes
            .into_iter()
            .map(|(code, name)| {
                let b = find(before, &code);
                let a = find(after, &code);
                let get = |u: &Option<super::result::UnitResult>, f: fn(&super::result::UnitResult) -> Decimal| {
                    u.as_ref().map(f).unwrap_or_default()
                };
                let fund_pays_before = get(&b, |u| u.fund_pays);
                let fund_pays_after = get(&a, |u| u.fund_pays);
                UnitDelta {
                    code,
                    name,
                    settlement_before: get(&b, |u| u.settlement),
                    settlement_after: get(&a, |u| u.settlement),
                    fund_pays_before,
                    fund_pays_after,
                    net_before: get(&b, |u| u.net_to_pay),
                    net_after: get(&a, |u| u.net_to_pay),
                    delta: fund_pays_after - fund_pays_before,
                }
            })
            .collect();
        funds.push(FundComparison {
            fund,
            point_value_before: before.and_then(|f| f.point_value),
            point_value_after: after.and_then(|f| f.point_value),
            budget_before: before.map(|f| f.budget.budget).unwrap_or_default(),
            budget_after: after.map(|f| f.budget.budget).unwrap_or_default(),
            units,
        });
    }
    Comparison { funds }
}

/// One cost on the risk-sharing curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurvePoint {
    /// The cost compared with S.
    pub cost: Decimal,
    /// T at that cost.
    pub target: Decimal,
    /// Where that cost lands.
    pub band: BandPosition,
}

/// The risk-sharing rule around one unit's S, and where the unit itself lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Curve {
    pub settlement: Decimal,
    pub compared_cost: Decimal,
    pub target: Decimal,
    pub band: BandPosition,
    /// T over costs around S, with both sides of every band edge, so the cliffs show.
    pub points: Vec<CurvePoint>,
    /// The band edges as costs (S × (1 ± up_to)).
    pub edges: Vec<Decimal>,
}

/// The risk-sharing rule of a policy around one unit's settlement S (SPEC §7.1): T for costs
/// from S × (1 − w) to S × (1 + w), w reaching past the widest band, with both sides of each
/// band edge so the cliff shows; and where the unit itself lands.
pub fn risk_sharing_curve(rs: &RiskSharing, unit: &UnitResult) -> Curve {
    let settlement = unit.settlement;
    let mut edges = Vec::new();
    for b in &rs.overspend.bands {
        edges.push(round_money(settlement * (Decimal::ONE + b.up_to)));
    }
    for b in &rs.surplus.bands {
        edges.push(round_money(settlement * (Decimal::ONE - b.up_to)));
    }
    let points = curve_costs(rs, settlement, unit.compared_cost, &edges)
        .into_iter()
        .map(|cost| {
            let (t, band) = risk_sharing_target(rs, settlement, cost);
            CurvePoint {
                cost: round_money(cost),
                target: round_money(t),
                band,
            }
        })
        .collect();
    edges.sort();
    Curve {
        settlement,
        compared_cost: unit.compared_cost,
        target: unit.target,
        band: unit.band,
        points,
        edges,
    }
}

/// The costs a curve is drawn at: 81 steps over S × (1 ± reach), a cent either side of each
/// band edge, the unit's own cost and S; sorted, without negatives or repeats.
fn curve_costs(rs: &RiskSharing, settlement: Decimal, compared: Decimal, edges: &[Decimal]) -> Vec<Decimal> {
    let widest = rs
        .overspend
        .bands
        .iter()
        .chain(&rs.surplus.bands)
        .map(|b| b.up_to)
        .max()
        .unwrap_or(Decimal::new(10, 2));
    let gap = (compared - settlement).abs() / settlement.max(Decimal::ONE);
    let reach = (widest + Decimal::new(5, 2))
        .max(gap + Decimal::new(2, 2))
        .min(Decimal::ONE);
    let cent = Decimal::new(1, 2);
    let steps = 80;
    let mut costs: Vec<Decimal> = (0..=steps)
        .map(|k| settlement * (Decimal::ONE + (-reach + reach * Decimal::from(2 * k) / Decimal::from(steps))))
        .collect();
    for e in edges {
        costs.extend([*e - cent, *e, *e + cent]);
    }
    costs.push(compared);
    costs.push(settlement);
    costs.retain(|c| *c >= Decimal::ZERO);
    costs.sort();
    costs.dedup();
    costs
}
