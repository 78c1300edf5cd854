//! SPEC §13 Institution coefficients (国家DIP3.0 第五章第二节一; 宁德2025答复 二): per level and per
//! institution, over the kept cases of the history with the years' weights w_y,
//!
//! ```text
//! 费用 (cost index)       = level's time-weighted mean cost ÷ the city's             [seed]
//! 资源消耗 (standardised) = Σ_y w_y × actual_y ÷ Σ_y w_y × expected_y               [default]
//!                           expected = Σ over the cases of their group's m_g (the city's mean)
//! CMI                     = Σ_y w_y × Σ RW ÷ Σ_y w_y × n_y ÷ scale   (index: ÷ the city's CMI)
//! proposed coefficient    = (a × 费用 + b × 资源消耗 + c × CMI index) ÷ (a + b + c)
//! ```
//!
//! The raw cost ratio mixes price level with case mix; the standardised index compares each
//! level with the city on the same groups. 宁德2025答复 二 names the three indicators (医疗费用、
//! 资源消耗、CMI) and leaves their weights to the city: a : b : c is a parameter [default 1:1:1].
//! A mean is the time-weighted one of the scores (the years' means weighted, or pooled).

use super::scores::{Averaging, GroupScore};
use super::{CalibrateOptions, Prepared};
use crate::engine::ratio;
use crate::engine::rounding::{round_money, round_ratio};
use crate::policy::Policy;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Weights of the three indicators (宁德2025答复 二) [default 1:1:1].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelWeights {
    pub cost: Decimal,
    pub resource: Decimal,
    pub cmi: Decimal,
}

impl Default for LevelWeights {
    fn default() -> Self {
        LevelWeights {
            cost: Decimal::ONE,
            resource: Decimal::ONE,
            cmi: Decimal::ONE,
        }
    }
}

/// One level's (or institution's) indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelLine {
    /// The level, or the institution code.
    pub key: String,
    /// The institution's level (institution lines), else the level.
    pub level: String,
    pub institutions: u64,
    pub cases: u64,
    /// Time-weighted mean cost (元, to the fen).
    pub mean_cost: Decimal,
    pub cost_index: Option<Decimal>,
    pub resource_index: Option<Decimal>,
    pub cmi: Option<Decimal>,
    pub cmi_index: Option<Decimal>,
    pub proposed: Option<Decimal>,
    /// The policy's level coefficient in force, when a policy was given (level lines).
    pub current: Option<Decimal>,
}

/// Level coefficients proposed from the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelsResult {
    pub city_mean_cost: Decimal,
    pub city_cmi: Option<Decimal>,
    pub levels: Vec<LevelLine>,
    pub institutions: Vec<LevelLine>,
}

/// Per year: cases, actual cost, expected cost, points.
#[derive(Debug, Clone, Default)]
struct Acc {
    years: Vec<[Decimal; 4]>,
    institutions: u64,
}

impl Acc {
    fn weighted(&self, p: &Prepared, averaging: Averaging) -> (Decimal, Decimal, Decimal, Decimal) {
        let (mut n, mut c, mut e, mut pts, mut means, mut present) = (
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
        );
        for ((w, _), [yn, yc, ye, yp]) in p.years.iter().zip(&self.years) {
            n += *w * yn;
            c += *w * yc;
            e += *w * ye;
            pts += *w * yp;
            if !yn.is_zero() {
                means += *w * *yc / *yn;
                present += *w;
            }
        }
        let mean = match averaging {
            Averaging::YearMeans => ratio(means, present),
            Averaging::Pooled => ratio(c, n),
        };
        (mean.unwrap_or_default(), c, e, ratio(pts, n).unwrap_or_default())
    }
}

fn accumulate(p: &Prepared, groups: &[GroupScore], key: impl Fn(usize) -> String) -> BTreeMap<String, Acc> {
    let mut out: BTreeMap<String, Acc> = BTreeMap::new();
    let years = p.years.len();
    for (y, (_, obs)) in p.years.iter().enumerate() {
        for o in obs.iter().filter(|o| o.kept) {
            let acc = out.entry(key(o.institution as usize)).or_default();
            acc.years.resize(years, [Decimal::ZERO; 4]);
            let g = &groups[o.group as usize];
            let slot = &mut acc.years[y];
            slot[0] += Decimal::ONE;
            slot[1] += o.cost;
            slot[2] += g.mean;
            slot[3] += g.score;
        }
    }
    out
}

fn line(
    key: String,
    level: String,
    acc: &Acc,
    city: (Decimal, Decimal),
    p: &Prepared,
    o: &CalibrateOptions,
) -> LevelLine {
    let (mean, actual, expected, score_mean) = acc.weighted(p, o.averaging);
    let cost_index = ratio(mean, city.0);
    let resource_index = ratio(actual, expected);
    let cmi = score_mean / o.scale;
    let cmi_index = ratio(cmi, city.1);
    let w = &o.level_weights;
    let proposed = match (cost_index, resource_index, cmi_index) {
        (Some(a), Some(b), Some(c)) => ratio(w.cost * a + w.resource * b + w.cmi * c, w.cost + w.resource + w.cmi),
        _ => None,
    };
    let cases: Decimal = acc.years.iter().map(|y| y[0]).sum();
    LevelLine {
        key,
        level,
        institutions: acc.institutions,
        cases: cases.to_u64().unwrap_or(0),
        mean_cost: round_money(mean),
        cost_index: cost_index.map(round_ratio),
        resource_index: resource_index.map(round_ratio),
        cmi: Some(round_ratio(cmi)),
        cmi_index: cmi_index.map(round_ratio),
        proposed: proposed.map(round_ratio),
        current: None,
    }
}

/// Level and institution indicators; `levels` gives each prepared institution's level.
pub(crate) fn levels(p: &Prepared, groups: &[GroupScore], levels: &[String], o: &CalibrateOptions) -> LevelsResult {
    let city = accumulate(p, groups, |_| String::new());
    let (city_mean, _, _, city_points) = city.get("").map(|a| a.weighted(p, o.averaging)).unwrap_or_default();
    let city_cmi = city_points / o.scale;
    let pair = (city_mean, city_cmi);
    let mut by_level = accumulate(p, groups, |i| levels[i].clone());
    let by_institution = accumulate(p, groups, |i| p.institutions[i].clone());
    for code in by_institution.keys() {
        if let Ok(i) = p.institutions.binary_search(code) {
            if let Some(acc) = by_level.get_mut(&levels[i]) {
                acc.institutions += 1;
            }
        }
    }
    let level_of = |code: &str| {
        p.institutions
            .binary_search_by(|c| c.as_str().cmp(code))
            .ok()
            .map(|i| levels[i].clone())
            .unwrap_or_default()
    };
    LevelsResult {
        city_mean_cost: round_money(city_mean),
        city_cmi: (!city_cmi.is_zero()).then(|| round_ratio(city_cmi)),
        levels: by_level
            .iter()
            .map(|(l, acc)| line(l.clone(), l.clone(), acc, pair, p, o))
            .collect(),
        institutions: by_institution
            .iter()
            .map(|(c, acc)| {
                let mut l = line(c.clone(), level_of(c), acc, pair, p, o);
                l.institutions = 1;
                l
            })
            .collect(),
    }
}

/// Puts the policy's level coefficients in force beside the proposal.
pub fn with_current(result: &mut LevelsResult, policy: &Policy) {
    for line in &mut result.levels {
        line.current = policy
            .coefficients
            .levels
            .iter()
            .find(|l| l.level == line.level)
            .and_then(|l| l.coefficient);
    }
}
