//! Points of one case (SPEC §5): DIP cases with high/low outliers and 特例单议, 床日 and 项目
//! cases; outpatient points. A group's reference cost, derived from its score where the catalog
//! has none (SPEC §12, 费用超低).

use super::aggregate::Cell;
use super::coefficients::Coefficient;
use super::deviant::{self, Deviant};
use super::{bonus, subtype, EngineError};
use crate::policy::{Outliers, OutpatientPoints, PointsPolicy, Pricing, PricingMethod};
use crate::records::cases::{CaseRow, CaseTable, Codes};
use crate::records::{limits, CaseKind, Catalog, Group, OutpatientRecord, PerDiemGroup};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// How a case was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Normal,
    High,
    Low,
    Reviewed,
    PerDiem,
    FeeForService,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Normal,
        Category::High,
        Category::Low,
        Category::Reviewed,
        Category::PerDiem,
        Category::FeeForService,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The points of one case before the institution coefficient and `scale` (SPEC §5):
/// points = score × coefficient × scale + delta, where the coefficient is the institution's
/// combined one, or the 基层病种 one for a grassroots group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPoints {
    pub category: Category,
    /// The score before coefficient and scale (per-diem and fee-for-service: × base_points).
    pub score: Decimal,
    /// The group is a 基层病种.
    pub grassroots: bool,
    /// 特例单议 change in points, after coefficient and scale (吉林2024 第二十六条).
    pub delta: Decimal,
    /// The deviant-case rule that priced it (SPEC §12, deviant.rs).
    pub special: Option<Deviant>,
    /// Its score took a 辅助分型调节系数 (SPEC §12, subtype.rs).
    pub subtype: bool,
    /// 新药新技术加成分值, before `scale`, no coefficient (SPEC §12, bonus.rs).
    pub bonus: Decimal,
}

impl RawPoints {
    /// A case's raw points of `category` with nothing else.
    fn plain(category: Category, score: Decimal, delta: Decimal) -> Self {
        RawPoints {
            category,
            score,
            grassroots: false,
            delta,
            special: None,
            subtype: false,
            bonus: Decimal::ZERO,
        }
    }

    /// The case's points at an institution's coefficients.
    pub fn points(&self, coef: &Coefficient, scale: Decimal) -> Decimal {
        let c = if self.grassroots {
            coef.grassroots
        } else {
            coef.combined
        };
        (self.score * c + self.bonus) * scale + self.delta
    }
}

/// The catalog indexed by a case table's group indices, with the policy's points parameters.
pub struct PointsContext<'a> {
    pub policy: &'a PointsPolicy,
    /// Catalog row of each of the table's group codes (`None`: not in the catalog).
    groups: Vec<Option<&'a Group>>,
    per_diem: Vec<Option<&'a PerDiemGroup>>,
    by_code: HashMap<&'a str, &'a Group>,
    per_diem_by_code: HashMap<&'a str, &'a PerDiemGroup>,
    /// Each table group's outlier bounds, worked out once per group rather than per case
    /// (`None`: by level, not in the catalog, or a figure that needs the case's error).
    bounds: Vec<Option<Bounds>>,
    /// The lowest DIP score of the catalog (QC-failed cases priced at the lowest weight).
    pub lowest_score: Decimal,
}

impl<'a> PointsContext<'a> {
    pub fn new(policy: &'a PointsPolicy, catalog: &'a Catalog, group_codes: &Codes) -> Result<Self, EngineError> {
        let mut by_code = HashMap::with_capacity(catalog.groups.len());
        for g in &catalog.groups {
            if by_code.insert(g.code.as_str(), g).is_some() {
                return Err(EngineError::new(
                    "duplicate_group",
                    &g.code,
                    format!("病种目录中病种编码 {} 重复", g.code),
                    format!("group code {} appears twice in the catalog", g.code),
                ));
            }
        }
        let per_diem_by_code: HashMap<&str, &PerDiemGroup> =
            catalog.per_diem_groups.iter().map(|g| (g.code.as_str(), g)).collect();
        let groups: Vec<Option<&Group>> = group_codes.iter().map(|c| by_code.get(c).copied()).collect();
        let per_diem = group_codes.iter().map(|c| per_diem_by_code.get(c).copied()).collect();
        let lowest_score = catalog.groups.iter().map(|g| g.score).min().unwrap_or_default();
        let bounds = groups
            .iter()
            .map(|g| {
                let g = g.filter(|_| !policy.reference_cost_by_level)?;
                Bounds::of(&policy.outliers, g.reference_cost)
            })
            .collect();
        Ok(PointsContext {
            policy,
            groups,
            per_diem,
            by_code,
            per_diem_by_code,
            bounds,
            lowest_score,
        })
    }

    /// The catalog row of a table group, and its outlier bounds when they are per group (not by
    /// level, a reference cost stated, the bounds within range): what a case of that group is
    /// priced by ([`PointsContext::raw_points`]).
    pub(crate) fn group_bounds(&self, table_group: u32) -> Option<(&'a Group, Bounds)> {
        let g = self.groups.get(table_group as usize).copied().flatten()?;
        let b = self.bounds.get(table_group as usize).copied().flatten()?;
        Some((g, b))
    }

    pub fn group(&self, code: &str) -> Option<&'a Group> {
        self.by_code.get(code).copied()
    }

    fn base_cost(&self, t: &CaseTable, row: &CaseRow, what: &str) -> Result<Decimal, EngineError> {
        match self.policy.base_cost {
            Some(b) if b.to_yuan() > Decimal::ZERO => Ok(b.to_yuan()),
            _ => Err(EngineError::at_row(
                "missing_base_cost",
                row.source_row,
                t.institution_of(row),
                format!("{what}病例需要政策的基准费用（points.base_cost，既往三年全部病组次均住院费用）"),
                format!("{what} cases need the policy's base cost (points.base_cost)"),
            )),
        }
    }

    /// The raw points of one case (SPEC §5.1–§5.3).
    pub fn raw_points(&self, t: &CaseTable, row: &CaseRow, level: &str) -> Result<RawPoints, EngineError> {
        let p = self.policy;
        let cost = row.total_cost - row.excluded_cost;
        let delta = row.review_delta.unwrap_or_default();
        let (category, score) = match row.kind {
            CaseKind::Dip => return self.dip_points(t, row, level, cost),
            // 吉林2024 第十条: daily fund standard ÷ reimbursement ratio × days ÷ base cost.
            CaseKind::PerDiem => (Category::PerDiem, self.per_diem_score(t, row)?),
            // 吉林2024 第十一条: cost ÷ base cost.
            CaseKind::FeeForService => {
                // Divided last (issue 17): cost × base_points ÷ base cost.
                let base = self.base_cost(t, row, "项目")?;
                let score = mul_div(cost, p.base_points, base).ok_or_else(|| magnitude_error(t, row, "项目"))?;
                (Category::FeeForService, score)
            }
        };
        Ok(RawPoints::plain(category, score, delta))
    }

    /// A DIP case (SPEC §5.1): the group's score (× its 辅助分型调节系数, SPEC §12), high/low
    /// outliers by the cost ratio, or the 特例单议 score; a deviant case as its rule prices it
    /// (SPEC §12); plus its 新药新技术加成分值.
    fn dip_points(&self, t: &CaseTable, row: &CaseRow, level: &str, cost: Decimal) -> Result<RawPoints, EngineError> {
        let p = self.policy;
        let Some(group) = self.groups.get(row.group as usize).copied().flatten() else {
            return match &p.ungrouped {
                Some(pricing) => self.deviant_points(t, row, cost, Deviant::Ungrouped, pricing),
                None => Err(EngineError::at_row(
                    "unknown_group",
                    row.source_row,
                    t.institution_of(row),
                    format!("病种编码“{}”不在病种目录中", t.group_of(row)),
                    format!("group \"{}\" is not in the catalog", t.group_of(row)),
                )),
            };
        };
        let deviant = deviant::classify(p, row);
        if let Some((kind, pricing)) = deviant.filter(|(_, pr)| pr.method != PricingMethod::CostRatio) {
            return self.deviant_points(t, row, cost, kind, pricing);
        }
        let too_large = || magnitude_error(t, row, &group.code);
        let k = subtype::coefficient(p, row);
        let low_ratio = deviant.map(|(_, pr)| pr.ratio);
        // Worked out once per group where the catalog states the reference cost; by level, or
        // derived from the score (SPEC §12, a catalog without 次均费用), here; per case under a
        // 辅助分型调节系数 or a deviant rule's L (SPEC §12).
        let cached = self.bounds.get(row.group as usize).copied().flatten();
        let b = match cached.filter(|_| k.is_none() && low_ratio.is_none()) {
            Some(b) => b,
            None => {
                let mut reference = resolved_reference_cost(p, group, level)?;
                if let Some(k) = k {
                    reference = reference.checked_mul(k).ok_or_else(too_large)?;
                }
                let b = Bounds::of(&p.outliers, reference).ok_or_else(too_large)?;
                match low_ratio {
                    Some(l) => b.with_low(l).ok_or_else(too_large)?,
                    None => b,
                }
            }
        };
        let group_score = match k {
            Some(k) => group.score.checked_mul(k).ok_or_else(too_large)?,
            None => group.score,
        };
        // SPEC §5.1, tested by multiplication (cost ≥ H × ref, not a rounded ratio) and divided
        // last, so a score that is an exact decimal comes out exact (issue 17):
        // high RW × (cost − (H − 1) × ref) ÷ ref, low RW × cost ÷ ref.
        let o = &p.outliers;
        // The same functions decide and score a case when only the thresholds change
        // (`aggregate`'s revisit of the outliers).
        let (mut category, mut score) = if is_high_at(o, cost, &b) {
            (Category::High, high_score(group_score, cost, &b).ok_or_else(too_large)?)
        } else if is_low_at(o, cost, &b) {
            (Category::Low, low_score(group_score, cost, &b).ok_or_else(too_large)?)
        } else {
            (Category::Normal, group_score)
        };
        if let Some(reviewed) = row.review_score {
            score = reviewed;
            category = Category::Reviewed;
        }
        if row.review_delta.is_some() {
            category = Category::Reviewed;
        }
        Ok(RawPoints {
            category,
            score,
            grassroots: group.grassroots,
            delta: row.review_delta.unwrap_or_default(),
            special: deviant.map(|(kind, _)| kind),
            subtype: k.is_some() && row.review_score.is_none(),
            bonus: bonus::bonus_score(p, row),
        })
    }

    /// A deviant case priced by 项目 or 床日 (SPEC §12): cost × base_points × ratio ÷ base cost, or
    /// the named 床日组's score for the case's days. No 加成分值: its items or days are paid.
    fn deviant_points(
        &self,
        t: &CaseTable,
        row: &CaseRow,
        cost: Decimal,
        kind: Deviant,
        pricing: &Pricing,
    ) -> Result<RawPoints, EngineError> {
        let p = self.policy;
        let delta = row.review_delta.unwrap_or_default();
        let (category, score) = match pricing.method {
            PricingMethod::FeeForService => {
                let base = self.base_cost(t, row, "按项目结算的")?;
                let too_large = || magnitude_error(t, row, t.group_of(row));
                let priced = cost.checked_mul(pricing.ratio).ok_or_else(too_large)?;
                let score = mul_div(priced, p.base_points, base).ok_or_else(too_large)?;
                (Category::FeeForService, score)
            }
            PricingMethod::PerDiem => {
                let code = pricing.per_diem_group.as_deref().unwrap_or_default().trim();
                let group = self.per_diem_by_code.get(code).copied().ok_or_else(|| {
                    EngineError::at_row(
                        "unknown_per_diem_group",
                        row.source_row,
                        t.institution_of(row),
                        format!("政策指定的床日组编码“{code}”不在目录中"),
                        format!("the policy's per-diem group \"{code}\" is not in the catalog"),
                    )
                })?;
                (Category::PerDiem, self.per_diem_group_score(t, row, group)?)
            }
            PricingMethod::CostRatio => {
                return Err(EngineError::at_row(
                    "ungrouped_cost_ratio",
                    row.source_row,
                    t.institution_of(row),
                    "未入组病例没有病种分值，不能按费用倍率折算".into(),
                    "an ungrouped case has no group score to scale by its cost ratio".into(),
                ))
            }
        };
        Ok(RawPoints {
            special: Some(kind),
            ..RawPoints::plain(category, score, delta)
        })
    }

    /// A 床日 case's score (SPEC §5.2): daily_cost_std × days ÷ base_cost × base_points.
    fn per_diem_score(&self, t: &CaseTable, row: &CaseRow) -> Result<Decimal, EngineError> {
        let group = self
            .per_diem
            .get(row.group as usize)
            .copied()
            .flatten()
            .ok_or_else(|| {
                EngineError::at_row(
                    "unknown_per_diem_group",
                    row.source_row,
                    t.institution_of(row),
                    format!("床日组编码“{}”不在目录中", t.group_of(row)),
                    format!("per-diem group \"{}\" is not in the catalog", t.group_of(row)),
                )
            })?;
        self.per_diem_group_score(t, row, group)
    }

    /// The score of `row`'s days at a 床日 group's daily standard (SPEC §5.2).
    fn per_diem_group_score(&self, t: &CaseTable, row: &CaseRow, group: &PerDiemGroup) -> Result<Decimal, EngineError> {
        let p = self.policy;
        let ratio = match p.per_diem_reimbursement_ratio {
            Some(r) if r > Decimal::ZERO => r,
            _ => {
                return Err(EngineError::at_row(
                    "missing_reimbursement_ratio",
                    row.source_row,
                    t.institution_of(row),
                    "床日病例需要政策的平均报销比例（points.per_diem_reimbursement_ratio）".into(),
                    "per-diem cases need points.per_diem_reimbursement_ratio".into(),
                ))
            }
        };
        let base = self.base_cost(t, row, "床日")?;
        // Divided last (issue 17): daily fund standard × days × base_points ÷ (ratio × base cost).
        let too_large = || magnitude_error(t, row, &group.code);
        let numerator = group.daily_fund_standard.checked_mul(row.days).ok_or_else(too_large)?;
        let denominator = ratio.checked_mul(base).ok_or_else(too_large)?;
        mul_div(numerator, p.base_points, denominator).ok_or_else(too_large)
    }
}

/// Whether a DIP case of cost `cost` (total − excluded), without 特例单议, is a high outlier at
/// bounds `b`, as [`PointsContext::raw_points`] decides.
pub(crate) fn is_high_at(o: &Outliers, cost: Decimal, b: &Bounds) -> bool {
    is_high(o, cost, b.high)
}

/// Whether such a case is a low outlier (when it is not a high one).
pub(crate) fn is_low_at(o: &Outliers, cost: Decimal, b: &Bounds) -> bool {
    is_low(o, cost, b.low)
}

/// A high outlier's score, as [`PointsContext::raw_points`] gives it (`None`: too large).
pub(crate) fn high_score(score: Decimal, cost: Decimal, b: &Bounds) -> Option<Decimal> {
    mul_div(score, cost - b.high_less_reference, b.reference)
}

/// A low outlier's score, as [`PointsContext::raw_points`] gives it (`None`: too large).
pub(crate) fn low_score(score: Decimal, cost: Decimal, b: &Bounds) -> Option<Decimal> {
    mul_div(score, cost, b.reference)
}

/// Whether a per-case national rule (SPEC §12: 辅助分型, 加成分值, deviant or ungrouped cases)
/// prices some cases apart from their group's bounds: then a change of the thresholds cannot
/// be revisited from the group's cases by cost, and the per-case pass runs again.
pub(crate) fn has_case_rules(p: &PointsPolicy) -> bool {
    p.subtype_coefficients
        || p.bonus_scores
        || p.abnormal_discharge.is_some()
        || p.short_stay.is_some()
        || p.long_stay.is_some()
        || p.ungrouped.is_some()
}

/// A group's outlier bounds at its reference cost (SPEC §5.1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    reference: Decimal,
    /// H × ref.
    high: Decimal,
    /// L × ref.
    low: Decimal,
    /// H × ref − ref, what a high case's cost is reduced by.
    high_less_reference: Decimal,
}

impl Bounds {
    /// `None` when ref ≤ 0 or a bound is too large for a decimal (the case reports which).
    fn of(o: &Outliers, reference: Decimal) -> Option<Bounds> {
        if reference <= Decimal::ZERO {
            return None;
        }
        let high = high_ratio(o, reference).checked_mul(reference)?;
        Some(Bounds {
            reference,
            high,
            low: o.low_ratio.checked_mul(reference)?,
            high_less_reference: high - reference,
        })
    }

    /// The same bounds with L = `low` (a deviant rule's cost ratio, SPEC §12).
    fn with_low(self, low: Decimal) -> Option<Bounds> {
        Some(Bounds {
            low: low.checked_mul(self.reference)?,
            ..self
        })
    }
}

/// ref_g, or the institution level's reference cost when the policy asks for it (SPEC §5.1).
pub fn reference_cost(group: &Group, level: &str, by_level: bool) -> Decimal {
    if by_level {
        if let Some((_, cost)) = group.reference_cost_by_level.iter().find(|(l, _)| l == level) {
            return *cost;
        }
    }
    group.reference_cost
}

/// ref_g as the cost ratio uses it: the catalog's (per level when asked), else, for a group
/// without one, score × reference point value × level coefficient when the policy says so (SPEC
/// §12, 费用超低: the same-level payment standard [reading]).
pub fn resolved_reference_cost(p: &PointsPolicy, group: &Group, level: &str) -> Result<Decimal, EngineError> {
    let stated = reference_cost(group, level, p.reference_cost_by_level);
    if stated > Decimal::ZERO {
        return Ok(stated);
    }
    let Some(rule) = p.reference_cost_from_score.as_ref().filter(|_| stated.is_zero()) else {
        return Err(EngineError::new(
            "reference_cost",
            &group.code,
            format!(
                "病种 {} 的次均费用为 {stated}，无法计算费用倍率（目录没有次均费用时，可在政策中设置 points.reference_cost_from_score：参考费用 = 分值 × 参考点值）",
                group.code
            ),
            format!(
                "group {} has reference cost {stated}: the cost ratio cannot be computed (for a catalog without 次均费用, set the policy's points.reference_cost_from_score: reference cost = score × reference point value)",
                group.code
            ),
        ));
    };
    let coefficient = if rule.level_coefficients.is_empty() {
        Decimal::ONE
    } else {
        match rule.level_coefficients.iter().find(|l| l.level == level) {
            Some(l) => l.coefficient,
            None => {
                return Err(EngineError::new(
                    "reference_level",
                    level,
                    format!("points.reference_cost_from_score.level_coefficients 没有等级“{level}”的系数"),
                    format!(
                        "points.reference_cost_from_score.level_coefficients has no coefficient for level \"{level}\""
                    ),
                ))
            }
        }
    };
    let derived = group
        .score
        .checked_mul(rule.point_value)
        .and_then(|v| v.checked_mul(coefficient))
        // The limits a stated reference cost has (records::limits): it divides a case's cost.
        .filter(|v| *v >= limits::min_reference_cost() && *v <= limits::case_money());
    derived.ok_or_else(|| {
        let (low, high) = (limits::min_reference_cost(), limits::case_money());
        EngineError::new(
            "reference_cost",
            &group.code,
            format!(
                "病种 {} 的参考费用 = 分值 {} × 参考点值 {} × 系数 {coefficient}，不在 {low}–{high} 元之间",
                group.code, group.score, rule.point_value
            ),
            format!(
                "group {}: reference cost = score {} × reference point value {} × coefficient {coefficient} is outside {low}–{high} 元",
                group.code, group.score, rule.point_value
            ),
        )
    })
}

/// H for a group: the first tier whose bound covers ref_g, else the policy's H.
pub fn high_ratio(o: &Outliers, reference: Decimal) -> Decimal {
    o.high_tiers
        .iter()
        .find(|t| reference <= t.max_reference_cost)
        .map(|t| t.high_ratio)
        .unwrap_or(o.high_ratio)
}

/// High outlier: cost ≥ H × ref (or > when not inclusive).
fn is_high(o: &Outliers, cost: Decimal, bound: Decimal) -> bool {
    if o.high_inclusive {
        cost >= bound
    } else {
        cost > bound
    }
}

/// Low outlier: cost ≤ L × ref (or < when not inclusive).
fn is_low(o: &Outliers, cost: Decimal, bound: Decimal) -> bool {
    if o.low_inclusive {
        cost <= bound
    } else {
        cost < bound
    }
}

/// a × b ÷ c, divided last: exact whenever the result is a decimal of at most 28 digits and
/// a × b fits (issue 17). `None` when a figure is too large for a decimal (or c is zero).
pub fn mul_div(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    a.checked_mul(b)?.checked_div(c)
}

/// A case whose figures are too large to compute with, named by its row.
fn magnitude_error(t: &CaseTable, row: &CaseRow, group: &str) -> EngineError {
    EngineError::at_row(
        "too_large",
        row.source_row,
        t.institution_of(row),
        format!("病种 {group} 的费用或分值过大，无法计算点数"),
        format!("the cost or score of group {group} is too large to compute points with"),
    )
}

/// Outpatient points of one record (SPEC §5.4): capitation converted to a total price, then 1:1;
/// fee-for-service by category ratio; other points as given.
pub fn outpatient_points(p: &OutpatientPoints, r: &OutpatientRecord) -> (Decimal, Decimal, Decimal) {
    let capitation = r.capitation_payment / p.capitation_fund_share;
    let fee_for_service = r.drugs * p.drugs_ratio + r.consumables * p.consumables_ratio + r.services * p.services_ratio;
    (capitation, fee_for_service, r.other_points)
}

/// The points of one category's sums at an institution (SPEC §5.1 "points = score × coef_{i,g} ×
/// scale", coef = 1 for 基层病种, else combined_i): Σ score × coefficient × scale, plus the 特例单议
/// changes for the reviewed category (吉林2024 第二十六条; a change in points, after coefficient
/// and scale).
pub fn category_points(cell: &Cell, k: Category, coef: &Coefficient, scale: Decimal) -> Decimal {
    let [combined, grassroots] = cell.score[k.index()];
    let points = (combined * coef.combined + grassroots * coef.grassroots) * scale;
    if k == Category::Reviewed {
        points + cell.delta
    } else {
        points
    }
}

/// `n` QC-failed cases priced at the catalog's lowest score for prepayment (SPEC §7.2 option).
pub fn lowest_weight_points(lowest_score: Decimal, coef: &Coefficient, scale: Decimal, n: u64) -> Decimal {
    lowest_score * coef.combined * scale * Decimal::from(n)
}
