//! Points of one case (SPEC §5): DIP cases with high/low outliers and 特例单议, 床日 and 项目
//! cases; outpatient points.

use super::coefficients::Coefficient;
use super::EngineError;
use crate::policy::{OutpatientPoints, Outliers, PointsPolicy};
use crate::records::{Case, CaseKind, Catalog, Group, OutpatientRecord, PerDiemGroup};
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

/// The points of one case and how they came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePoints {
    pub category: Category,
    /// The score before coefficient and scale (DIP cases).
    pub score: Decimal,
    /// The cost ratio r (DIP cases).
    pub ratio: Option<Decimal>,
    /// The coefficient applied.
    pub coefficient: Decimal,
    pub points: Decimal,
}

/// The catalog indexed for lookups, with the policy's points parameters.
pub struct PointsContext<'a> {
    pub policy: &'a PointsPolicy,
    groups: HashMap<&'a str, &'a Group>,
    per_diem: HashMap<&'a str, &'a PerDiemGroup>,
    /// The lowest DIP score of the catalog (QC-failed cases priced at the lowest weight).
    pub lowest_score: Decimal,
}

impl<'a> PointsContext<'a> {
    pub fn new(policy: &'a PointsPolicy, catalog: &'a Catalog) -> Result<Self, EngineError> {
        let mut groups = HashMap::with_capacity(catalog.groups.len());
        for g in &catalog.groups {
            if groups.insert(g.code.as_str(), g).is_some() {
                return Err(EngineError::new(
                    "duplicate_group",
                    &g.code,
                    format!("病种目录中病种编码 {} 重复", g.code),
                    format!("group code {} appears twice in the catalog", g.code),
                ));
            }
        }
        let per_diem = catalog.per_diem_groups.iter().map(|g| (g.code.as_str(), g)).collect();
        let lowest_score = catalog.groups.iter().map(|g| g.score).min().unwrap_or_default();
        Ok(PointsContext { policy, groups, per_diem, lowest_score })
    }

    pub fn group(&self, code: &str) -> Option<&'a Group> {
        self.groups.get(code).copied()
    }

    fn base_cost(&self, case: &Case, what: &str) -> Result<Decimal, EngineError> {
        match self.policy.base_cost {
            Some(b) if b.to_yuan() > Decimal::ZERO => Ok(b.to_yuan()),
            _ => Err(EngineError::case(
                "missing_base_cost",
                case,
                format!("{what}病例需要政策的基准费用（points.base_cost，既往三年全部病组次均住院费用）"),
                format!("{what} cases need the policy's base cost (points.base_cost)"),
            )),
        }
    }

    /// The points of one case (SPEC §5.1–§5.3).
    pub fn case_points(&self, case: &Case, level: &str, coef: &Coefficient) -> Result<CasePoints, EngineError> {
        let p = self.policy;
        let cost = case.total_cost - case.excluded_cost;
        match case.kind {
            CaseKind::Dip => {
                let group = self.group(&case.group).ok_or_else(|| {
                    EngineError::case(
                        "unknown_group",
                        case,
                        format!("病种编码“{}”不在病种目录中", case.group),
                        format!("group \"{}\" is not in the catalog", case.group),
                    )
                })?;
                let reference = reference_cost(group, level, p.reference_cost_by_level);
                if reference <= Decimal::ZERO {
                    return Err(EngineError::new(
                        "reference_cost",
                        &group.code,
                        format!("病种 {} 的次均费用为 {reference}，无法计算费用倍率", group.code),
                        format!("group {} has reference cost {reference}: the cost ratio cannot be computed", group.code),
                    ));
                }
                let coefficient = if group.grassroots { coef.grassroots } else { coef.combined };
                let r = cost / reference;
                // SPEC §5.1: high ≥ H, low ≤ L (inclusiveness a parameter), else the group's score.
                let high = high_ratio(&p.outliers, reference);
                let (category, mut score) = if is_high(&p.outliers, r, high) {
                    (Category::High, group.score * (r - high + Decimal::ONE))
                } else if is_low(&p.outliers, r) {
                    (Category::Low, group.score * r)
                } else {
                    (Category::Normal, group.score)
                };
                let mut category = category;
                if let Some(reviewed) = case.review.score {
                    score = reviewed;
                    category = Category::Reviewed;
                }
                let mut points = score * coefficient * p.scale;
                if let Some(delta) = case.review.points_delta {
                    points += delta;
                    category = Category::Reviewed;
                }
                Ok(CasePoints { category, score, ratio: Some(r), coefficient, points })
            }
            // 吉林2024 第十条: daily fund standard ÷ reimbursement ratio × days ÷ base cost.
            CaseKind::PerDiem => {
                let group = self.per_diem.get(case.group.as_str()).ok_or_else(|| {
                    EngineError::case(
                        "unknown_per_diem_group",
                        case,
                        format!("床日组编码“{}”不在目录中", case.group),
                        format!("per-diem group \"{}\" is not in the catalog", case.group),
                    )
                })?;
                let ratio = match p.per_diem_reimbursement_ratio {
                    Some(r) if r > Decimal::ZERO => r,
                    _ => {
                        return Err(EngineError::case(
                            "missing_reimbursement_ratio",
                            case,
                            "床日病例需要政策的平均报销比例（points.per_diem_reimbursement_ratio）".into(),
                            "per-diem cases need points.per_diem_reimbursement_ratio".into(),
                        ))
                    }
                };
                let base = self.base_cost(case, "床日")?;
                let daily_cost = group.daily_fund_standard / ratio;
                let score = daily_cost * case.days / base * p.base_points;
                let points = score * coef.combined * p.scale;
                Ok(CasePoints { category: Category::PerDiem, score, ratio: None, coefficient: coef.combined, points })
            }
            // 吉林2024 第十一条: cost ÷ base cost.
            CaseKind::FeeForService => {
                let base = self.base_cost(case, "项目")?;
                let score = cost / base * p.base_points;
                let points = score * coef.combined * p.scale;
                Ok(CasePoints { category: Category::FeeForService, score, ratio: None, coefficient: coef.combined, points })
            }
        }
    }

    /// A QC-failed case priced at the catalog's lowest weight (吉林2024 第二十一条 option).
    pub fn lowest_weight_points(&self, coef: &Coefficient) -> Decimal {
        self.lowest_score * coef.combined * self.policy.scale
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

/// H for a group: the first tier whose bound covers ref_g, else the policy's H.
pub fn high_ratio(o: &Outliers, reference: Decimal) -> Decimal {
    o.high_tiers
        .iter()
        .find(|t| reference <= t.max_reference_cost)
        .map(|t| t.high_ratio)
        .unwrap_or(o.high_ratio)
}

fn is_high(o: &Outliers, r: Decimal, h: Decimal) -> bool {
    if o.high_inclusive {
        r >= h
    } else {
        r > h
    }
}

fn is_low(o: &Outliers, r: Decimal) -> bool {
    if o.low_inclusive {
        r <= o.low_ratio
    } else {
        r < o.low_ratio
    }
}

/// Outpatient points of one record (SPEC §5.4): capitation converted to a total price, then 1:1;
/// fee-for-service by category ratio; other points as given.
pub fn outpatient_points(p: &OutpatientPoints, r: &OutpatientRecord) -> (Decimal, Decimal, Decimal) {
    let capitation = r.capitation_payment / p.capitation_fund_share;
    let fee_for_service = r.drugs * p.drugs_ratio + r.consumables * p.consumables_ratio + r.services * p.services_ratio;
    (capitation, fee_for_service, r.other_points)
}
