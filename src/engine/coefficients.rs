//! Institution coefficients (SPEC §4; 宁德2025答复 二 "综合调节系数由基本调节系数、加成权重系数和扣减权重系数构成";
//! 吉林2024 第九条: 多项系数可连乘或加和, each "原则上为0-200%").

use super::result::Notice;
use super::EngineError;
use crate::policy::{CoefficientMode, CoefficientPolicy, Severity};
use crate::records::Institution;
use rust_decimal::Decimal;

/// An institution's coefficients as the points computation uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coefficient {
    pub base: Decimal,
    /// combined_i (SPEC §4).
    pub combined: Decimal,
    /// What 基层病种 get at this institution: the grassroots coefficient, or `combined` where the
    /// rule is restricted to other levels.
    pub grassroots: Decimal,
}

/// The base coefficient: the policy's override for this institution (`coefficients.overrides`,
/// user input), else the institution's own, else its level's from the policy table.
fn base_coefficient(p: &CoefficientPolicy, inst: &Institution) -> Result<Decimal, EngineError> {
    if let Some(b) = p.overrides.get(&inst.code) {
        return Ok(*b);
    }
    if let Some(b) = inst.base_coefficient {
        return Ok(b);
    }
    p.levels
        .iter()
        .find(|l| l.level == inst.level)
        .and_then(|l| l.coefficient)
        .ok_or_else(|| {
            EngineError::new(
                "missing_coefficient",
                &inst.code,
                format!(
                    "机构 {}（{}）没有基本调节系数，政策的等级系数表中也没有等级“{}”",
                    inst.code, inst.name, inst.level
                ),
                format!(
                    "institution {} ({}) has no base coefficient and the policy's level table has no level \"{}\"",
                    inst.code, inst.name, inst.level
                ),
            )
        })
}

/// combined_i = base + Σ bonus − Σ deduction (sum) or base × Π factor (product) (SPEC §4),
/// with the 0–200% range check of 吉林2024 第九条(一).
pub fn institution_coefficient(
    p: &CoefficientPolicy,
    inst: &Institution,
    notices: &mut Vec<Notice>,
) -> Result<Coefficient, EngineError> {
    let base = base_coefficient(p, inst)?;
    let combined = match p.mode {
        CoefficientMode::Sum => base + inst.bonuses.iter().sum::<Decimal>() - inst.deductions.iter().sum::<Decimal>(),
        CoefficientMode::Product => inst.factors.iter().fold(base, |acc, f| acc * f),
    };
    let mut checked: Vec<(&str, Decimal)> = vec![("基本调节系数", base)];
    checked.extend(inst.bonuses.iter().map(|b| ("加成系数", *b)));
    checked.extend(inst.deductions.iter().map(|d| ("扣减系数", *d)));
    checked.extend(inst.factors.iter().map(|f| ("连乘系数", *f)));
    if p.range.check_combined {
        checked.push(("综合调节系数", combined));
    }
    for (what, value) in checked {
        if value < p.range.min || value > p.range.max {
            let zh = format!(
                "机构 {}（{}）的{what} {value} 超出范围 [{}, {}]（吉林2024 第九条(一)“原则上为0-200%”）",
                inst.code, inst.name, p.range.min, p.range.max
            );
            let en = format!(
                "institution {} ({}): {what} {value} is outside [{}, {}] (吉林2024 第九条(一))",
                inst.code, inst.name, p.range.min, p.range.max
            );
            match p.range.on_violation {
                Severity::Error => return Err(EngineError::new("coefficient_range", &inst.code, zh, en)),
                Severity::Warning => notices.push(Notice {
                    code: "coefficient_range".into(),
                    subject: inst.code.clone(),
                    message_zh: zh,
                    message_en: en,
                }),
            }
        }
    }
    let grassroots_applies = p.grassroots.enabled
        && p.grassroots
            .levels
            .as_ref()
            .is_none_or(|levels| levels.contains(&inst.level));
    let grassroots = if grassroots_applies {
        p.grassroots.coefficient
    } else {
        combined
    };
    Ok(Coefficient {
        base,
        combined,
        grassroots,
    })
}
