//! SPEC §13 Scores (国家DIP3.0 第五章第一节): RW_g = m_g ÷ M × scale, with
//!
//! - m_g the group's time-weighted mean cost: Σ_y w_y × mean_{g,y} ÷ Σ_{years with cases} w_y
//!   [reading of "1:2:7"], or pooled: Σ_y w_y × Σ cost_{g,y} ÷ Σ_y w_y × n_{g,y} (option);
//! - M by method: 平均费用法 the same mean over all cases [seed]; 基准病种费用法 a chosen base
//!   group's m [seed]; 标准定额法 a fixed amount [seed].
//!
//! Scores are published to 4 decimals (`round_points`); the mean m_g becomes the catalog's
//! 次均费用 to the fen. Per group also: kept and trimmed counts, the CV of its kept cases of
//! all years together (population SD ÷ mean, [`super::stats::cv`]), and the flags of
//! 第三章 (综合病种 candidates: few cases or a high CV; 基层病种 candidates, 第三章第四节一(二)).

use super::stats::{cv, mean};
use super::{CalibrateOptions, Obs, Prepared};
use crate::engine::rounding::{round_money, round_points, round_ratio};
use crate::engine::EngineError;
use crate::records::Catalog;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a group's years are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Averaging {
    /// Each year's mean, weighted [reading, default].
    #[default]
    YearMeans,
    /// The cases of all years pooled, each weighted by its year's weight.
    Pooled,
}

/// What the group means are divided by (国家DIP3.0 第五章第一节).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// 平均费用法: M = the mean over all cases.
    #[default]
    Mean,
    /// 基准病种费用法: M = this group's mean.
    BaseGroup { code: String },
    /// 标准定额法: M fixed (元).
    Fixed { amount: Decimal },
}

/// Why a group is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupFlag {
    /// Fewer kept cases than `min_cases`: a 综合病种 candidate (第三章).
    FewCases,
    /// CV above `max_cv`: a 综合病种 candidate (第三章).
    Variable,
    /// CV ≤ `grassroots_max_cv` and enough cases at grassroots levels (第三章第四节一(二)).
    GrassrootsCandidate,
}

impl GroupFlag {
    pub fn label_zh(self) -> &'static str {
        match self {
            GroupFlag::FewCases => "例数不足(综合病种候选)",
            GroupFlag::Variable => "变异系数高(综合病种候选)",
            GroupFlag::GrassrootsCandidate => "基层病种候选",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            GroupFlag::FewCases => "few cases (综合病种 candidate)",
            GroupFlag::Variable => "high CV (综合病种 candidate)",
            GroupFlag::GrassrootsCandidate => "基层病种 candidate",
        }
    }
}

/// One group's score and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupScore {
    pub code: String,
    /// From the catalog in force, when given.
    pub name: String,
    /// 基层病种 as the catalog in force says (the policy decides; candidates are only flagged).
    pub grassroots: bool,
    /// RW, 4 decimals.
    pub score: Decimal,
    /// m_g to the fen: the catalog's 次均费用.
    pub mean: Decimal,
    /// Each year's mean of kept cases, to the fen (`None`: no case that year).
    pub year_means: Vec<Option<Decimal>>,
    /// Kept cases, all years.
    pub cases: u64,
    pub trimmed: u64,
    /// Years with cases.
    pub years: u32,
    /// CV of the kept cases (6 decimals).
    pub cv: Option<Decimal>,
    /// Share of kept cases at grassroots levels (6 decimals; `None` without levels).
    pub grassroots_share: Option<Decimal>,
    pub flags: Vec<GroupFlag>,
}

/// Kept costs of each group in each year (`[group][year]`), and each group's trimmed count.
fn costs_by_group(p: &Prepared) -> (Vec<Vec<Vec<Decimal>>>, Vec<u64>) {
    let mut out = vec![vec![Vec::new(); p.years.len()]; p.groups.len()];
    let mut trimmed = vec![0u64; p.groups.len()];
    for (y, (_, obs)) in p.years.iter().enumerate() {
        for o in obs {
            if o.kept {
                out[o.group as usize][y].push(o.cost);
            } else {
                trimmed[o.group as usize] += 1;
            }
        }
    }
    (out, trimmed)
}

/// The time-weighted mean of per-year cost lists (`None` when no year has a case).
fn weighted_mean(p: &Prepared, by_year: &[Vec<Decimal>], averaging: Averaging) -> Option<Decimal> {
    match averaging {
        Averaging::YearMeans => {
            let mut y = 0;
            p.weighted(|_| {
                y += 1;
                mean(&by_year[y - 1])
            })
        }
        Averaging::Pooled => {
            let (mut num, mut den) = (Decimal::ZERO, Decimal::ZERO);
            for ((w, _), costs) in p.years.iter().zip(by_year) {
                num += *w * costs.iter().copied().sum::<Decimal>();
                den += *w * Decimal::from(costs.len());
            }
            crate::engine::ratio(num, den)
        }
    }
}

/// M, by the chosen method.
fn denominator(p: &Prepared, o: &CalibrateOptions, means: &[Option<Decimal>]) -> Result<Decimal, EngineError> {
    let m = match &o.method {
        Method::Mean => {
            let all: Vec<Vec<Decimal>> = p
                .years
                .iter()
                .map(|(_, obs)| obs.iter().filter(|o| o.kept).map(|o| o.cost).collect())
                .collect();
            weighted_mean(p, &all, o.averaging)
        }
        Method::BaseGroup { code } => {
            let found = p.groups.binary_search(code).ok().and_then(|i| means[i]);
            Some(found.ok_or_else(|| {
                EngineError::new(
                    "calibrate_base_group",
                    code,
                    format!("基准病种 {code} 在历史数据中没有病例"),
                    format!("base group {code} has no case in the history"),
                )
            })?)
        }
        Method::Fixed { amount } => Some(*amount),
    };
    match m {
        Some(m) if m > Decimal::ZERO => Ok(m),
        _ => Err(EngineError::new(
            "calibrate_denominator",
            "method",
            "分值的分母须为正数（历史数据中没有可用病例，或定额不是正数）".into(),
            "the scores' denominator must be positive (no usable case in the history, or a fixed amount ≤ 0)".into(),
        )),
    }
}

/// Kept cases and those at grassroots levels, per group.
fn grassroots_counts(p: &Prepared, levels: &[String], o: &CalibrateOptions) -> Vec<(u64, u64)> {
    let mut out = vec![(0u64, 0u64); p.groups.len()];
    let grassroots: Vec<bool> = levels.iter().map(|l| o.grassroots_levels.contains(l)).collect();
    for o in p.years.iter().flat_map(|(_, obs)| obs.iter()).filter(|o: &&Obs| o.kept) {
        let c = &mut out[o.group as usize];
        c.0 += 1;
        c.1 += u64::from(grassroots[o.institution as usize]);
    }
    out
}

fn flags(o: &CalibrateOptions, cases: u64, cv: Option<Decimal>, share: Option<Decimal>) -> Vec<GroupFlag> {
    let mut flags = Vec::new();
    if cases < o.min_cases {
        flags.push(GroupFlag::FewCases);
    }
    if cv.is_some_and(|c| c > o.max_cv) {
        flags.push(GroupFlag::Variable);
    }
    if cv.is_some_and(|c| c <= o.grassroots_max_cv) && share.is_none_or(|s| s >= o.grassroots_min_share) {
        flags.push(GroupFlag::GrassrootsCandidate);
    }
    flags
}

/// M and every group's score, in group code order.
pub(crate) fn scores(
    p: &Prepared,
    o: &CalibrateOptions,
    levels: Option<&[String]>,
    current: Option<&Catalog>,
) -> Result<(Decimal, Vec<GroupScore>), EngineError> {
    let (costs, trimmed) = costs_by_group(p);
    let means: Vec<Option<Decimal>> = costs.iter().map(|c| weighted_mean(p, c, o.averaging)).collect();
    let m = denominator(p, o, &means)?;
    let shares = levels.map(|l| grassroots_counts(p, l, o));
    let mut out = Vec::with_capacity(p.groups.len());
    for (g, code) in p.groups.iter().enumerate() {
        let by_year = &costs[g];
        let all: Vec<Decimal> = by_year.iter().flatten().copied().collect();
        let mean_g = means[g].unwrap_or_default();
        let cv_g = cv(&all);
        let share = shares
            .as_ref()
            .and_then(|s| crate::engine::ratio(Decimal::from(s[g].1), Decimal::from(s[g].0)));
        let found = current.and_then(|c| c.groups.iter().find(|x| &x.code == code));
        out.push(GroupScore {
            code: code.clone(),
            name: found.map(|x| x.name.clone()).unwrap_or_default(),
            grassroots: found.is_some_and(|x| x.grassroots),
            score: round_points(mean_g / m * o.scale),
            mean: round_money(mean_g),
            year_means: by_year.iter().map(|c| mean(c).map(round_money)).collect(),
            cases: all.len() as u64,
            trimmed: trimmed[g],
            years: by_year.iter().filter(|c| !c.is_empty()).count() as u32,
            cv: cv_g.map(round_ratio),
            grassroots_share: share.map(round_ratio),
            flags: flags(o, all.len() as u64, cv_g, share),
        });
    }
    Ok((m, out))
}
