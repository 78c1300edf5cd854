//! SPEC §13 (国家DIP3.0 第五章; 第一章第三节二 6): the bureau's year start — disease-group
//! scores, the year-start point value and level coefficients computed from one to three past
//! years of cases, and the new year's policy simulated on last year's cases.
//!
//! Pure: the history comes in as the engine's case tables (one per year, oldest first), read by
//! the same case reader as `dipcalc run`; nothing here touches files. One file per rule:
//! [`stats`] (means, CV, square root, trimming), [`scores`] (病种分值), [`point_value`] (年初点值),
//! [`levels`] (等级系数, CMI), [`simulate`] (模拟测算), [`output`] (the catalog file and tables).
//!
//! Which cases count [default]: DIP cases (结算类型 DIP) with a group code, that passed QC or were
//! supplemented (SPEC §7.2), at cost = 医疗总费用 − 先进医疗技术 excluded cost (宁德2024 第七条(一));
//! a case of cost ≤ 0 is left out. Both funds together: one catalog serves both. What is left
//! out is counted per year in [`YearSummary`].

pub mod levels;
pub mod output;
pub mod point_value;
pub mod scores;
pub mod simulate;
pub mod stats;

use crate::engine::EngineError;
use crate::records::cases::CaseTable;
use crate::records::{CaseKind, Catalog, Institution};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use levels::{LevelWeights, LevelsResult};
pub use point_value::{PointValueRule, YearStartPointValue};
pub use scores::{Averaging, GroupFlag, GroupScore, Method};
pub use stats::Trim;

/// A case cost above this (元) is an input error: no stay costs ten billion 元, and the bound
/// keeps every sum of costs far inside `Decimal`'s range.
pub const MAX_CASE_COST: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10^10

/// One past year of cases.
#[derive(Debug, Clone, Default)]
pub struct HistoryYear {
    /// How the year is named in results (its file name or year).
    pub label: String,
    pub cases: CaseTable,
}

/// Everything the year start can be told; [`Default`] is the specification's choice or ours,
/// each marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalibrateOptions {
    /// Year weights, oldest to latest: 1:2:7 (国家DIP3.0 第五章第一节) [seed]. With fewer years
    /// than weights the latest weights are used (two years: 2:7) [reading].
    pub weights: Vec<Decimal>,
    /// Year means averaged (default) or cases pooled with year weights (SPEC §13) [reading].
    pub averaging: Averaging,
    /// 平均费用法 (default), 基准病种费用法 or 标准定额法 (国家DIP3.0 第五章第一节) [seed].
    pub method: Method,
    /// RW = m ÷ M × scale: 1000 (国家DIP3.0 第五章第一节) [seed]; 100 is also used.
    pub scale: Decimal,
    /// Each group's extreme cases per year: 2.5% / 97.5% (第五章第四节二(1)) [seed example].
    pub trim: Trim,
    /// A group with fewer kept cases (all years) is flagged for 综合病种 (第三章) [default 15;
    /// the threshold is local].
    pub min_cases: u64,
    /// A group with a higher CV is flagged for 综合病种 [default 1; the threshold is local].
    pub max_cv: Decimal,
    /// 基层病种 candidates: CV at most this (第三章第四节一(二)) [seed 0.7] …
    pub grassroots_max_cv: Decimal,
    /// … and at least this share of their cases at grassroots levels [default 0.5] …
    pub grassroots_min_share: Decimal,
    /// … the levels counted as grassroots [default 二乙, 一级].
    pub grassroots_levels: Vec<String>,
    /// The year-start point value over all cases or the 优值区间 (第五章第四节) [seed].
    pub point_value_rule: PointValueRule,
    /// Weights of 费用, 资源消耗 and CMI in the proposed level coefficient (宁德2025答复 二)
    /// [default 1:1:1].
    pub level_weights: LevelWeights,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            weights: vec![Decimal::ONE, Decimal::TWO, Decimal::from(7)],
            averaging: Averaging::YearMeans,
            method: Method::Mean,
            scale: Decimal::from(1000),
            trim: Trim::default(),
            min_cases: 15,
            max_cv: Decimal::ONE,
            grassroots_max_cv: Decimal::new(7, 1),
            grassroots_min_share: Decimal::new(5, 1),
            grassroots_levels: vec!["二乙".to_string(), "一级".to_string()],
            point_value_rule: PointValueRule::All,
            level_weights: LevelWeights::default(),
        }
    }
}

/// What was read and used of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSummary {
    pub label: String,
    pub weight: Decimal,
    /// Rows in the year's table.
    pub cases_read: u64,
    /// DIP cases kept after trimming.
    pub cases_used: u64,
    pub trimmed: u64,
    /// Left out: not a DIP case (床日, 项目) or no group code.
    pub not_dip: u64,
    /// Left out: failed QC and never supplemented.
    pub qc_failed: u64,
    /// Left out: cost ≤ 0.
    pub non_positive: u64,
    /// Σ cost of the kept cases (元).
    pub cost: Decimal,
    /// Σ scores of the kept cases (the new catalog, coefficient 1).
    pub points: Decimal,
}

/// A filled-in default, reported (the project reports every default that fills a missing input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultNote {
    pub message_zh: String,
    pub message_en: String,
}

/// The year start's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calibration {
    pub options: CalibrateOptions,
    pub years: Vec<YearSummary>,
    /// M: the denominator of the scores (元).
    pub denominator: Decimal,
    pub groups: Vec<GroupScore>,
    pub point_value: YearStartPointValue,
    /// `None` without an institution table (levels unknown).
    pub levels: Option<LevelsResult>,
    pub defaults: Vec<DefaultNote>,
}

/// One kept or trimmed observation, codes as indices into [`Prepared`]'s lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obs {
    pub institution: u32,
    pub group: u32,
    pub cost: Decimal,
    pub kept: bool,
}

/// The history with codes shared across years, weights attached and trimming applied.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub groups: Vec<String>,
    pub institutions: Vec<String>,
    /// Per year, oldest first: its weight and observations.
    pub years: Vec<(Decimal, Vec<Obs>)>,
}

impl Prepared {
    /// Σ_{years present} w_y × f(year) ÷ Σ_{years present} w_y, a year being present when `f`
    /// gives a value [reading of 第五章第一节's 1:2:7].
    pub fn weighted(&self, mut f: impl FnMut(&[Obs]) -> Option<Decimal>) -> Option<Decimal> {
        let (mut num, mut den) = (Decimal::ZERO, Decimal::ZERO);
        for (w, obs) in &self.years {
            if let Some(v) = f(obs) {
                num += *w * v;
                den += *w;
            }
        }
        crate::engine::ratio(num, den)
    }
}

/// A decimal from option text, or a message naming the option.
fn option_decimal(option: &str, text: &str) -> Result<Decimal, String> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| format!("{option}: “{text}” 不是数字 / is not a number"))
}

/// `1,2,7` (also `1:2:7`): year weights, oldest first.
pub fn parse_weights(text: &str) -> Result<Vec<Decimal>, String> {
    text.split([',', ':', '，'])
        .map(|w| option_decimal("weights", w))
        .collect()
}

/// `mean`, `base-group=CODE` or `fixed=AMOUNT`.
pub fn parse_method(text: &str) -> Result<Method, String> {
    match text.split_once('=') {
        None if text == "mean" => Ok(Method::Mean),
        Some(("base-group", code)) if !code.trim().is_empty() => Ok(Method::BaseGroup {
            code: code.trim().to_string(),
        }),
        Some(("fixed", amount)) => Ok(Method::Fixed {
            amount: option_decimal("method fixed", amount)?,
        }),
        _ => Err(format!(
            "method: “{text}” 应为 mean、base-group=编码 或 fixed=金额 / expected mean, base-group=CODE or fixed=AMOUNT"
        )),
    }
}

/// `p2.5,p97.5` (percentiles), `sd=3` (mean ± 3 SD) or `none`.
pub fn parse_trim(text: &str) -> Result<Trim, String> {
    if text == "none" {
        return Ok(Trim::None);
    }
    if let Some(k) = text.strip_prefix("sd=") {
        return Ok(Trim::Sd {
            k: option_decimal("trim sd", k)?,
        });
    }
    let percent = |p: &str| -> Result<Decimal, String> {
        let v = p.trim().strip_prefix('p').ok_or_else(|| {
            format!("trim: “{text}” 应为 p2.5,p97.5、sd=3 或 none / expected p2.5,p97.5, sd=3 or none")
        })?;
        Ok(option_decimal("trim", v)? / Decimal::ONE_HUNDRED)
    };
    match text.split_once(',') {
        Some((low, high)) => Ok(Trim::Percentile {
            low: percent(low)?,
            high: percent(high)?,
        }),
        None => Err(format!(
            "trim: “{text}” 应为 p2.5,p97.5、sd=3 或 none / expected p2.5,p97.5, sd=3 or none"
        )),
    }
}

/// The weights the years get: the last `years` of `weights` (oldest first).
fn year_weights(weights: &[Decimal], years: usize) -> Result<Vec<Decimal>, EngineError> {
    if years == 0 || weights.len() < years {
        return Err(EngineError::new(
            "calibrate_weights",
            "weights",
            format!(
                "年份权重需为非负数且不少于年份数：{} 年，{} 个权重",
                years,
                weights.len()
            ),
            format!(
                "year weights must be non-negative and at least one per year: {} years, {} weights",
                years,
                weights.len()
            ),
        ));
    }
    Ok(weights[weights.len() - years..].to_vec())
}

/// The options' bounds keep every sum inside `Decimal`'s range (costs ≤ 10^10 元 each): weights
/// and level weights ≤ 1000, scale ≤ 10000, k ≤ 1000, a fixed M between 1 and 10^10 元.
fn check_options(o: &CalibrateOptions) -> Result<(), EngineError> {
    let bad = |what: &str, zh: &str| {
        Err(EngineError::new(
            "calibrate_option",
            what,
            zh.to_string(),
            what.to_string(),
        ))
    };
    let thousand = Decimal::from(1000);
    let lw = &o.level_weights;
    if o.weights.iter().any(|w| *w < Decimal::ZERO || *w > thousand) {
        return bad("year weights must be between 0 and 1000", "年份权重须在 0 到 1000 之间");
    }
    if [lw.cost, lw.resource, lw.cmi]
        .iter()
        .any(|w| *w < Decimal::ZERO || *w > thousand)
    {
        return bad(
            "level weights must be between 0 and 1000",
            "等级系数指标权重须在 0 到 1000 之间",
        );
    }
    if o.scale <= Decimal::ZERO || o.scale > Decimal::from(10_000) {
        return bad(
            "scale must be above 0 and at most 10000",
            "分值倍数须大于 0 且不超过 10000",
        );
    }
    match (&o.trim, &o.method) {
        (Trim::Percentile { low, high }, _) if !(Decimal::ZERO <= *low && low < high && *high <= Decimal::ONE) => bad(
            "percentile trimming needs 0 ≤ low < high ≤ 1",
            "百分位截尾须满足 0 ≤ 下限 < 上限 ≤ 1",
        ),
        (Trim::Sd { k }, _) if *k <= Decimal::ZERO || *k > thousand => {
            bad("SD trimming needs 0 < k ≤ 1000", "标准差截尾须满足 0 < k ≤ 1000")
        }
        (_, Method::Fixed { amount }) if *amount < Decimal::ONE || *amount > MAX_CASE_COST => bad(
            "a fixed M must be between 1 and 10^10 元",
            "标准定额须在 1 到 10^10 元之间",
        ),
        _ => Ok(()),
    }
}

/// Left-out counts of one year as it is read.
#[derive(Default)]
struct LeftOut {
    not_dip: u64,
    qc_failed: u64,
    non_positive: u64,
}

/// One year's DIP cases as observations, with the codes interned in the shared maps.
fn year_obs(
    year: &HistoryYear,
    groups: &mut BTreeMap<String, u32>,
    institutions: &mut BTreeMap<String, u32>,
) -> Result<(Vec<Obs>, LeftOut), EngineError> {
    let mut out = Vec::with_capacity(year.cases.len());
    let mut left = LeftOut::default();
    for row in &year.cases.rows {
        let group = year.cases.group_of(row);
        if row.kind != CaseKind::Dip || group.is_empty() {
            left.not_dip += 1;
            continue;
        }
        if !row.qc_passed && !row.supplemented {
            left.qc_failed += 1;
            continue;
        }
        let institution = year.cases.institution_of(row);
        if row.total_cost.abs() > MAX_CASE_COST || row.excluded_cost.abs() > MAX_CASE_COST {
            return Err(EngineError::at_row(
                "calibrate_cost",
                row.source_row,
                institution,
                format!(
                    "{}：费用 {} 元超过 10^10 元，不可能是一次住院",
                    year.label, row.total_cost
                ),
                format!(
                    "{}: cost {} 元 above 10^10 元 cannot be one stay",
                    year.label, row.total_cost
                ),
            ));
        }
        let cost = row.total_cost - row.excluded_cost;
        if cost <= Decimal::ZERO {
            left.non_positive += 1;
            continue;
        }
        let next = groups.len() as u32;
        let group = *groups.entry(group.to_string()).or_insert(next);
        let next = institutions.len() as u32;
        let institution = *institutions.entry(institution.to_string()).or_insert(next);
        out.push(Obs {
            institution,
            group,
            cost,
            kept: true,
        });
    }
    Ok((out, left))
}

/// Applies the trimming rule to each group's cases of one year.
fn trim_year(obs: &mut [Obs], trim: &Trim) -> u64 {
    let mut by_group: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, o) in obs.iter().enumerate() {
        by_group.entry(o.group).or_default().push(i);
    }
    let mut trimmed = 0;
    for idx in by_group.values() {
        let costs: Vec<Decimal> = idx.iter().map(|i| obs[*i].cost).collect();
        for (i, keep) in idx.iter().zip(trim.keep(&costs)) {
            obs[*i].kept = keep;
            trimmed += u64::from(!keep);
        }
    }
    trimmed
}

/// Codes renumbered in sorted order (the maps gave them in order of first appearance).
fn renumber(prepared: &mut Prepared, groups: BTreeMap<String, u32>, institutions: BTreeMap<String, u32>) {
    let remap = |m: &BTreeMap<String, u32>| {
        let mut to = vec![0u32; m.len()];
        for (sorted, old) in m.values().enumerate() {
            to[*old as usize] = sorted as u32;
        }
        to
    };
    let (g, i) = (remap(&groups), remap(&institutions));
    for (_, obs) in &mut prepared.years {
        for o in obs.iter_mut() {
            o.group = g[o.group as usize];
            o.institution = i[o.institution as usize];
        }
    }
    prepared.groups = groups.into_keys().collect();
    prepared.institutions = institutions.into_keys().collect();
}

/// The history prepared: codes shared, weights attached, trimmed; and what each year gave.
pub(crate) fn prepare(
    history: &[HistoryYear],
    o: &CalibrateOptions,
) -> Result<(Prepared, Vec<YearSummary>), EngineError> {
    check_options(o)?;
    let weights = year_weights(&o.weights, history.len())?;
    let (mut groups, mut institutions) = (BTreeMap::new(), BTreeMap::new());
    let mut prepared = Prepared {
        groups: Vec::new(),
        institutions: Vec::new(),
        years: Vec::new(),
    };
    let mut summaries = Vec::new();
    for (year, w) in history.iter().zip(weights) {
        let (mut obs, left) = year_obs(year, &mut groups, &mut institutions)?;
        let trimmed = trim_year(&mut obs, &o.trim);
        summaries.push(YearSummary {
            label: year.label.clone(),
            weight: w,
            cases_read: year.cases.len() as u64,
            cases_used: obs.iter().filter(|x| x.kept).count() as u64,
            trimmed,
            not_dip: left.not_dip,
            qc_failed: left.qc_failed,
            non_positive: left.non_positive,
            cost: obs.iter().filter(|x| x.kept).map(|x| x.cost).sum(),
            points: Decimal::ZERO,
        });
        prepared.years.push((w, obs));
    }
    renumber(&mut prepared, groups, institutions);
    Ok((prepared, summaries))
}

/// The year start from the history (oldest year first). `institutions` gives the levels (level
/// coefficients, 基层病种 shares); `current` the catalog in force (names and 基层病种 flags kept).
pub fn calibrate(
    history: &[HistoryYear],
    institutions: Option<&[Institution]>,
    current: Option<&Catalog>,
    options: &CalibrateOptions,
) -> Result<Calibration, EngineError> {
    let (prepared, mut years) = prepare(history, options)?;
    let mut defaults = Vec::new();
    if history.len() < options.weights.len() {
        let used: Vec<String> = years.iter().map(|y| y.weight.normalize().to_string()).collect();
        defaults.push(DefaultNote {
            message_zh: format!(
                "历史年份 {} 个，按最近年份的权重 {} 计算",
                history.len(),
                used.join(":")
            ),
            message_en: format!(
                "{} history years: the latest weights {} used",
                history.len(),
                used.join(":")
            ),
        });
    }
    let levels_of = institutions.map(|list| level_index(&prepared, list));
    let (denominator, groups) = scores::scores(&prepared, options, levels_of.as_deref(), current)?;
    let rw: Vec<Decimal> = groups.iter().map(|g| g.score).collect();
    for (summary, (_, obs)) in years.iter_mut().zip(&prepared.years) {
        summary.points = obs.iter().filter(|o| o.kept).map(|o| rw[o.group as usize]).sum();
    }
    let point_value = point_value::year_start(&prepared, &rw, &options.point_value_rule);
    let levels = levels_of.map(|lv| levels::levels(&prepared, &groups, &lv, options));
    if institutions.is_none() {
        defaults.push(DefaultNote {
            message_zh: "未提供机构表：不计算等级系数，基层病种候选只看变异系数".into(),
            message_en: "no institution table: no level coefficients; 基层病种 candidates by CV only".into(),
        });
    }
    Ok(Calibration {
        options: options.clone(),
        years,
        denominator,
        groups,
        point_value,
        levels,
        defaults,
    })
}

/// Each prepared institution's level ("" when the table does not list it).
fn level_index(prepared: &Prepared, list: &[Institution]) -> Vec<String> {
    let by_code: BTreeMap<&str, &str> = list.iter().map(|i| (i.code.as_str(), i.level.as_str())).collect();
    prepared
        .institutions
        .iter()
        .map(|c| by_code.get(c.as_str()).copied().unwrap_or_default().to_string())
        .collect()
}
