//! Settlement units (SPEC §4, §7.4; 休宁2021 13 "开展区域内县域医共体及各医疗机构按病种分值付费清算工作"):
//! each institution with its coefficient, grouped into the units that are settled — the
//! institutions themselves, or each 医共体 as one — with the unit's assessment score and
//! allotment weight (SPEC §7.3).

use super::allotment::{allotment_weights, months_fallback_notice, unit_months};
use super::coefficients::{self, Coefficient};
use super::result::Notice;
use super::EngineError;
use crate::policy::{ElasticBase, MonthlyShares, Policy, SettlementMode, SettlementUnit};
use crate::records::Institution;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One settlement unit: an institution, or a 医共体 settled as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Member institutions (indices in the dataset).
    pub members: Vec<usize>,
    /// Member institution codes when the unit is a 医共体.
    pub member_codes: Vec<String>,
    pub coefficient: Option<Decimal>,
    /// Mean assessment score of the members (100 when not given).
    pub score: Decimal,
    /// Σ w_k × history_k over the members, primary care tilted (allotment mode, SPEC §7.3).
    pub allotment_weight: Decimal,
    /// Each member's (level, 机构类别): what assigns the unit to a sub-budget (吉林2024 第八条).
    pub member_groups: Vec<(String, Option<String>)>,
    /// Σ the members' 上年合理服务点数, when any member gives them: the unit's 基准点数 under a 弹性点值
    /// rule with base `institution` (国家DIP3.0 第四章第三节一(二) 1).
    pub base_points: Option<Decimal>,
    /// Σ the members' last-year months (上年各月统筹费用), when the policy spreads allotments by
    /// them and a member gives them (信阳2019 三(三)).
    pub months: Option<[Decimal; 12]>,
    /// Σ the members' last-year fund payment (历史基金支付, most recent), when any member gives one:
    /// the base of the 预付金 (国家DIP3.0 第七章第二节一).
    pub last_year: Option<Decimal>,
}

/// The institutions of a dataset, their coefficients and the units they are settled in.
#[derive(Debug)]
pub struct Units<'d> {
    pub units: Vec<Unit>,
    /// The unit of each institution (dataset order).
    pub unit_of: Vec<usize>,
    /// Each institution's coefficient (SPEC §4). A missing base coefficient is an error only when
    /// a case needs it: summaries, adjustments and outpatient records are already points, so
    /// summary-only data settles without one.
    pub coefficients: Vec<Result<Coefficient, EngineError>>,
    index: HashMap<&'d str, usize>,
}

impl<'d> Units<'d> {
    /// The settlement units of `institutions` under the policy (SPEC §4; 休宁2021 12–13).
    pub fn new(
        policy: &Policy,
        institutions: &'d [Institution],
        notices: &mut Vec<Notice>,
    ) -> Result<Self, EngineError> {
        let (index, coefficients) = institution_coefficients(policy, institutions, notices)?;
        let (mut units, unit_of) = group_units(policy, institutions, &coefficients);
        let allotment = match &policy.settlement.allotment {
            Some(a) => Some(allotment_weights(a, institutions)?),
            None => None,
        };
        let own_months = policy.settlement.mode == SettlementMode::Allotment
            && policy
                .settlement
                .allotment
                .as_ref()
                .is_some_and(|a| a.monthly_shares == MonthlyShares::Institution);
        let mut from_profile = Vec::new();
        let elastic_by_institution = policy
            .point_value
            .elastic
            .as_ref()
            .is_some_and(|e| e.base == ElasticBase::Institution);
        let mut without_base = Vec::new();
        for unit in &mut units {
            let total: Decimal = unit
                .members
                .iter()
                .map(|&m| institutions[m].assessment_score.unwrap_or(Decimal::ONE_HUNDRED))
                .sum();
            unit.score = total / Decimal::from(unit.members.len().max(1));
            let last: Vec<Decimal> = unit
                .members
                .iter()
                .filter_map(|&m| institutions[m].history.first().copied())
                .collect();
            unit.last_year = (!last.is_empty()).then(|| last.iter().sum());
            if let Some(w) = &allotment {
                unit.allotment_weight = unit.members.iter().map(|&m| w[m]).sum();
            }
            unit.member_groups = unit
                .members
                .iter()
                .map(|&m| {
                    let inst = &institutions[m];
                    (inst.level.clone(), inst.budget_inputs.category.clone())
                })
                .collect();
            let bases: Vec<Decimal> = unit
                .members
                .iter()
                .filter_map(|&m| institutions[m].budget_inputs.base_points)
                .collect();
            unit.base_points = (!bases.is_empty()).then(|| bases.iter().sum());
            if elastic_by_institution && unit.base_points.is_none() {
                without_base.push(unit.code.as_str());
            }
            if own_months {
                unit.months = unit_months(institutions, &unit.members);
                if unit.months.is_none() {
                    from_profile.push(unit.code.as_str());
                }
            }
        }
        notices.extend(months_fallback_notice(&from_profile));
        notices.extend(super::point_value::base_missing_notice(&without_base));
        Ok(Units {
            units,
            unit_of,
            coefficients,
            index,
        })
    }

    /// The index of institution `code` named in another file (`file`: its name as [Chinese,
    /// English], e.g. ["汇总表", "the summary"]), or the error naming both.
    pub fn institution(&self, code: &str, file: [&str; 2]) -> Result<usize, EngineError> {
        let [zh, en] = file;
        self.index.get(code).copied().ok_or_else(|| {
            EngineError::new(
                "unknown_institution",
                code,
                format!("{zh}中的机构编码“{code}”不在机构表中"),
                format!("institution \"{code}\" of {en} is not in the institutions file"),
            )
        })
    }

    /// Per unit: whether any member is flagged in `by_institution`.
    pub fn any_member(&self, by_institution: &[bool]) -> Vec<bool> {
        self.units
            .iter()
            .map(|u| u.members.iter().any(|&m| by_institution[m]))
            .collect()
    }
}

type Coefficients<'d> = (HashMap<&'d str, usize>, Vec<Result<Coefficient, EngineError>>);

/// The institutions by code, each with its coefficient (SPEC §4); a code given twice is an error.
fn institution_coefficients<'d>(
    policy: &Policy,
    institutions: &'d [Institution],
    notices: &mut Vec<Notice>,
) -> Result<Coefficients<'d>, EngineError> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(institutions.len());
    let mut coefs = Vec::with_capacity(institutions.len());
    for (n, inst) in institutions.iter().enumerate() {
        if index.insert(inst.code.as_str(), n).is_some() {
            return Err(EngineError::new(
                "duplicate_institution",
                &inst.code,
                format!("机构编码 {} 重复", inst.code),
                format!("institution code {} appears twice", inst.code),
            ));
        }
        let coef = match coefficients::institution_coefficient(&policy.coefficients, inst, notices) {
            // Allotment mode pays by history: coefficients only shape the reported points.
            Err(e) if e.code == "missing_coefficient" && policy.settlement.mode == SettlementMode::Allotment => {
                Ok(Coefficient {
                    base: Decimal::ONE,
                    combined: Decimal::ONE,
                    grassroots: Decimal::ONE,
                })
            }
            Err(e) if e.code == "missing_coefficient" => Err(e),
            other => Ok(other?),
        };
        coefs.push(coef);
    }
    Ok((index, coefs))
}

/// Institutions grouped into settlement units, in order of first appearance: each on its own,
/// or one unit per 医共体 when the policy settles 医共体 as one (休宁2021 12–13).
fn group_units(
    policy: &Policy,
    institutions: &[Institution],
    coefs: &[Result<Coefficient, EngineError>],
) -> (Vec<Unit>, Vec<usize>) {
    let mut units: Vec<Unit> = Vec::new();
    let mut unit_of: Vec<usize> = Vec::with_capacity(institutions.len());
    let mut unit_index: HashMap<String, usize> = HashMap::new();
    for (n, inst) in institutions.iter().enumerate() {
        let alliance = match policy.settlement.unit {
            SettlementUnit::Alliance => inst.alliance.as_ref().filter(|a| !a.trim().is_empty()),
            SettlementUnit::Institution => None,
        };
        let key = match alliance {
            Some(a) => format!("医共体:{a}"),
            None => inst.code.clone(),
        };
        let u = *unit_index.entry(key).or_insert_with(|| {
            units.push(Unit {
                code: alliance.cloned().unwrap_or_else(|| inst.code.clone()),
                name: alliance.map(|a| a.to_string()).unwrap_or_else(|| inst.name.clone()),
                level: if alliance.is_some() {
                    "医共体".into()
                } else {
                    inst.level.clone()
                },
                members: Vec::new(),
                member_codes: Vec::new(),
                coefficient: if alliance.is_some() {
                    None
                } else {
                    coefs[n].as_ref().ok().map(|c| c.combined)
                },
                score: Decimal::ZERO,
                allotment_weight: Decimal::ZERO,
                member_groups: Vec::new(),
                base_points: None,
                months: None,
                last_year: None,
            });
            units.len() - 1
        });
        units[u].members.push(n);
        if alliance.is_some() {
            units[u].member_codes.push(inst.code.clone());
        }
        unit_of.push(u);
    }
    (units, unit_of)
}
