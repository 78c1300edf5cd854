//! The pure settlement engine: no I/O, no wasm, `Decimal` everywhere.
//!
//! [`settle`] takes a validated [`Policy`] and a [`Dataset`] and returns a [`Settlement`]:
//! per fund the budget waterfall (SPEC §3), pool and point values (§6), and per settlement unit
//! the points (§5), settlement, risk sharing and payment flow (§7).

pub mod aggregate;
pub mod analysis;
pub mod budget;
pub mod cases;
pub mod coefficients;
pub mod disclosure;
pub mod points;
pub mod result;
pub mod rounding;
pub mod settlement;

use crate::policy::{CostBasis, FundPolicy, MonthlyPointValue, OutpatientMode, OutpatientSplit, Policy, QcFailed, Ref};
use crate::policy::{ReturnRule, SettlementMode, SettlementUnit};
use crate::records::{Dataset, Fund};
use cases::CaseTable;
use coefficients::Coefficient;
use points::Category;
use result::*;
use rounding::{round_money, round_point_value, round_ratio};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// Why a settlement could not be computed, located (institution, group or case row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineError {
    pub code: String,
    /// Institution, group or policy path.
    pub subject: String,
    /// The case's row in its file, when a case is at fault.
    pub row: Option<u64>,
    pub message_zh: String,
    pub message_en: String,
}

impl EngineError {
    pub fn new(code: &str, subject: &str, zh: String, en: String) -> Self {
        EngineError {
            code: code.into(),
            subject: subject.into(),
            row: None,
            message_zh: zh,
            message_en: en,
        }
    }

    /// An error about one case, naming its row (0 = unknown) and institution.
    pub fn at_row(code: &str, row: u64, institution: &str, zh: String, en: String) -> Self {
        let row = (row > 0).then_some(row);
        let (zh, en) = match row {
            Some(r) => (
                format!("病例第 {r} 行（机构 {institution}）：{zh}"),
                format!("case row {r} (institution {institution}): {en}"),
            ),
            None => (
                format!("机构 {institution} 的病例：{zh}"),
                format!("a case of institution {institution}: {en}"),
            ),
        };
        EngineError {
            code: code.into(),
            subject: institution.into(),
            row,
            message_zh: zh,
            message_en: en,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en)
    }
}

impl std::error::Error for EngineError {}

/// The ref of a policy path; else the first ref below it (a step citing `reserve` is explained by
/// `reserve.rate`); else the ref of its nearest ancestor.
pub(crate) fn cite<'p>(policy: &'p Policy, path: &str) -> Option<&'p Ref> {
    if let Some(r) = policy.refs.get(path) {
        return Some(r);
    }
    let below = format!("{path}.");
    if let Some((_, r)) = policy
        .refs
        .range(below.clone()..)
        .next()
        .filter(|(k, _)| k.starts_with(&below))
    {
        return Some(r);
    }
    let mut p = path;
    loop {
        if let Some(r) = policy.refs.get(p) {
            return Some(r);
        }
        p = &p[..p.rfind('.')?];
    }
}

/// A formula that reads the same in both languages (figures and operators only), as the
/// [Chinese, English] pair budget steps and trace lines take.
pub(crate) fn same(formula: String) -> [String; 2] {
    [formula.clone(), formula]
}

/// Money for formulas: 1,234,567.89.
pub(crate) fn fmt_money(x: Decimal) -> String {
    let rounded = round_money(x);
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (n, ch) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{frac}")
}

/// A rate as a percentage: 0.1 → "10%".
pub(crate) fn fmt_rate(r: Decimal) -> String {
    format!("{}%", (r * Decimal::ONE_HUNDRED).normalize())
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    points: Decimal,
    cost: Decimal,
    personal: Decimal,
    cases: u64,
}

impl Bucket {
    fn add(&mut self, points: Decimal, cost: Decimal, personal: Decimal, cases: u64) {
        self.points += points;
        self.cost += cost;
        self.personal += personal;
        self.cases += cases;
    }
}

/// What one settlement unit accumulated in one fund.
#[derive(Debug, Clone, Default)]
struct UnitAgg {
    /// Year end: QC-passed and supplemented cases, summaries, point adjustments.
    year: Bucket,
    /// Prepayment months: QC-passed cases (QC-failed ones at the lowest weight, if so chosen).
    months: [Bucket; 12],
    /// Fund amount incurred by the month's QC-passed cases (cost − personal), for prepayment.
    claimed: [Decimal; 12],
    by_kind: PointsByKind,
    counts: CaseCounts,
    excluded: Decimal,
    prepaid: Option<Decimal>,
    amount_adjustments: Decimal,
    outpatient: [Decimal; 5],
    has_outpatient: bool,
}

struct Unit {
    code: String,
    name: String,
    level: String,
    members: Vec<usize>,
    /// Member institution codes when the unit is a 医共体.
    member_codes: Vec<String>,
    coefficient: Option<Decimal>,
    /// Mean assessment score of the members (100 when not given).
    score: Decimal,
    /// Σ w_k × history_k over the members, primary care tilted (allotment mode, SPEC §7.3).
    allotment_weight: Decimal,
}

/// Settle a dataset under a policy. The policy is validated first; a case whose institution or
/// group is unknown is an error naming its row. (To settle the same cases under many policies,
/// keep a [`Settler`]: it runs the per-case pass only when the points parameters change.)
pub fn settle(policy: &Policy, data: &Dataset) -> Result<Settlement, EngineError> {
    checked_policy(policy)?;
    let table = CaseTable::from_cases(&data.cases);
    let agg = aggregate::aggregate_cases(&policy.points, &data.institutions, &data.catalog, &table)?;
    settle_aggregated(policy, data, &agg)
}

/// Cases kept compactly with their stage-1 aggregates, for settling them again and again as a
/// user moves parameters: only a change of the points parameters ([`aggregate::PointsKey`])
/// runs the per-case pass again.
#[derive(Debug, Clone, Default)]
pub struct Settler {
    data: Dataset,
    cases: CaseTable,
    cache: Option<aggregate::CaseAggregates>,
}

impl Settler {
    /// Take a dataset; its cases move into a compact table.
    pub fn new(mut data: Dataset) -> Self {
        let cases = CaseTable::from_cases(&data.cases);
        data.cases = Vec::new();
        Settler {
            data,
            cases,
            cache: None,
        }
    }

    /// A dataset without cases and a table the import filled case by case.
    pub fn from_parts(mut data: Dataset, cases: CaseTable) -> Self {
        data.cases = Vec::new();
        Settler {
            data,
            cases,
            cache: None,
        }
    }

    /// The dataset (its `cases` is empty: they are in [`Settler::cases`]).
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Change the non-case data (institutions, catalog, summaries…); the aggregates are redone.
    pub fn data_mut(&mut self) -> &mut Dataset {
        self.cache = None;
        &mut self.data
    }

    pub fn cases(&self) -> &CaseTable {
        &self.cases
    }

    /// Replace the cases; the aggregates are redone.
    pub fn set_cases(&mut self, cases: CaseTable) {
        self.cases = cases;
        self.cache = None;
    }

    /// Settle under `policy`, reusing the per-case pass when the points parameters are unchanged.
    pub fn settle(&mut self, policy: &Policy) -> Result<Settlement, EngineError> {
        checked_policy(policy)?;
        let (data, agg) = self.aggregates(policy)?;
        settle_aggregated(policy, data, agg)
    }

    /// [`Settler::settle`] with every unit's `trace` left empty: what a page needs after a
    /// parameter change. [`unit_trace`] gives a unit's trace from the settlement when asked.
    pub fn settle_without_traces(&mut self, policy: &Policy) -> Result<Settlement, EngineError> {
        checked_policy(policy)?;
        let (data, agg) = self.aggregates(policy)?;
        settle_aggregated_without_traces(policy, data, agg)
    }

    /// The dataset with the per-case pass under `policy`'s points parameters: cached, redone
    /// when they change.
    pub fn aggregates(&mut self, policy: &Policy) -> Result<(&Dataset, &aggregate::CaseAggregates), EngineError> {
        let key = aggregate::PointsKey::of(&policy.points);
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            self.cache = None;
            let agg =
                aggregate::aggregate_cases(&policy.points, &self.data.institutions, &self.data.catalog, &self.cases)?;
            self.cache = Some(agg);
        }
        match &self.cache {
            Some(agg) => Ok((&self.data, agg)),
            None => Err(unreachable_aggregates()),
        }
    }
}

fn unreachable_aggregates() -> EngineError {
    EngineError::new(
        "stale_aggregates",
        "points",
        "病例汇总缺失".into(),
        "the case aggregates are missing".into(),
    )
}

/// The policy's warnings as notices, or the error that refuses it.
fn checked_policy(policy: &Policy) -> Result<Vec<Notice>, EngineError> {
    let issues = policy.validate().map_err(|e| {
        let first = e.issues.first();
        EngineError::new(
            "invalid_policy",
            first.map(|i| i.path.as_str()).unwrap_or(""),
            e.issues
                .iter()
                .map(|i| format!("{}：{}", i.path, i.message_zh))
                .collect::<Vec<_>>()
                .join("；"),
            e.to_string(),
        )
    })?;
    Ok(issues
        .into_iter()
        .map(|i| Notice {
            code: "policy_warning".into(),
            subject: i.path,
            message_zh: i.message_zh,
            message_en: i.message_en,
        })
        .collect())
}

/// Stage 2 (SPEC §3–§7): everything after the per-case pass, on its aggregates. The dataset's
/// own `cases` are not read here (they are in `agg`); summaries, adjustments and outpatient
/// records are.
pub fn settle_aggregated(
    policy: &Policy,
    data: &Dataset,
    agg: &aggregate::CaseAggregates,
) -> Result<Settlement, EngineError> {
    let mut settlement = settle_aggregated_without_traces(policy, data, agg)?;
    for fund in &mut settlement.funds {
        let traces: Vec<Vec<TraceLine>> = fund.units.iter().map(|u| unit_trace(policy, fund, u)).collect();
        for (unit, trace) in fund.units.iter_mut().zip(traces) {
            unit.trace = trace;
        }
    }
    Ok(settlement)
}

/// [`settle_aggregated`] with every unit's `trace` empty: formatting the traces is most of the
/// text stage 2 writes, and a page shows one only for a unit it opens ([`unit_trace`]).
pub fn settle_aggregated_without_traces(
    policy: &Policy,
    data: &Dataset,
    agg: &aggregate::CaseAggregates,
) -> Result<Settlement, EngineError> {
    let mut notices = checked_policy(policy)?;

    // Institutions and their coefficients (SPEC §4).
    let mut inst_index: HashMap<&str, usize> = HashMap::with_capacity(data.institutions.len());
    // A missing base coefficient is an error only when a case needs it: summaries, adjustments
    // and outpatient records are already points, so summary-only data settles without one.
    let mut coefs: Vec<Result<Coefficient, EngineError>> = Vec::with_capacity(data.institutions.len());
    for (n, inst) in data.institutions.iter().enumerate() {
        if inst_index.insert(inst.code.as_str(), n).is_some() {
            return Err(EngineError::new(
                "duplicate_institution",
                &inst.code,
                format!("机构编码 {} 重复", inst.code),
                format!("institution code {} appears twice", inst.code),
            ));
        }
        let coef = match coefficients::institution_coefficient(&policy.coefficients, inst, &mut notices) {
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

    // Settlement units: institutions, or 医共体 settled as one (休宁2021 12–13).
    let mut units: Vec<Unit> = Vec::new();
    let mut unit_of: Vec<usize> = Vec::with_capacity(data.institutions.len());
    let mut unit_index: HashMap<String, usize> = HashMap::new();
    for (n, inst) in data.institutions.iter().enumerate() {
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
            });
            units.len() - 1
        });
        units[u].members.push(n);
        if alliance.is_some() {
            units[u].member_codes.push(inst.code.clone());
        }
        unit_of.push(u);
    }
    let allotment = policy
        .settlement
        .allotment
        .as_ref()
        .map(|a| allotment_weights(a, &data.institutions));
    for unit in &mut units {
        let total: Decimal = unit
            .members
            .iter()
            .map(|&m| data.institutions[m].assessment_score.unwrap_or(Decimal::ONE_HUNDRED))
            .sum();
        unit.score = total / Decimal::from(unit.members.len().max(1));
        if let Some(w) = &allotment {
            unit.allotment_weight = unit.members.iter().map(|&m| w[m]).sum();
        }
    }

    if agg.institutions() != data.institutions.len() || agg.key != aggregate::PointsKey::of(&policy.points) {
        return Err(EngineError::new(
            "stale_aggregates",
            "points",
            "病例汇总与当前数据或政策不符，请重新计算".into(),
            "the case aggregates do not belong to this data or policy; aggregate again".into(),
        ));
    }
    let fund_slot = |f: Fund| match f {
        Fund::Employee => 0usize,
        Fund::Resident => 1,
    };
    let mut aggs: [Vec<UnitAgg>; 2] = [
        vec![UnitAgg::default(); units.len()],
        vec![UnitAgg::default(); units.len()],
    ];
    let mut months_complete = [true, true];
    let mut ignored_cases = [0u64, 0];
    let mut review_apps = vec![0u64; data.institutions.len()];
    let mut case_counts = vec![0u64; data.institutions.len()];
    let lowest_weight = policy.settlement.qc_failed == QcFailed::LowestWeight;
    let scale = policy.points.scale;

    // Points of the cases (SPEC §5): stage 1's raw scores × the institution's coefficient × scale.
    for (i, inst) in data.institutions.iter().enumerate() {
        for fund in Fund::ALL {
            let excluded = agg.qc_excluded(i, fund);
            let applications = agg.review_applications(i, fund);
            let included: u64 = (0..12)
                .flat_map(|m| [false, true].map(|h| agg.cell(i, fund, m, h).cases()))
                .sum();
            if included + excluded == 0 {
                continue;
            }
            if policy.funds.get(fund).is_none() {
                ignored_cases[fund_slot(fund)] += included + excluded;
                continue;
            }
            let u = &mut aggs[fund_slot(fund)][unit_of[i]];
            case_counts[i] += included + excluded;
            review_apps[i] += applications;
            u.counts.total += included + excluded;
            u.counts.review_applications += applications;
            u.counts.qc_excluded += excluded;
            if included == 0 {
                continue;
            }
            let coef = coefs[i].as_ref().map_err(|e| {
                EngineError::new(
                    &e.code,
                    &inst.code,
                    format!("{}（该机构有病例）", e.message_zh),
                    format!("{} (it has cases)", e.message_en),
                )
            })?;
            for m in 0..12 {
                for held in [false, true] {
                    let cell = agg.cell(i, fund, m, held);
                    let n = cell.cases();
                    if n == 0 {
                        continue;
                    }
                    let mut points = Decimal::ZERO;
                    for k in Category::ALL {
                        let [combined, grassroots] = cell.score[k.index()];
                        let mut p = (combined * coef.combined + grassroots * coef.grassroots) * scale;
                        if k == Category::Reviewed {
                            p += cell.delta;
                        }
                        points += p;
                        let count = cell.count[k.index()];
                        let (bucket, counter) = match k {
                            Category::Normal => (&mut u.by_kind.normal, &mut u.counts.normal),
                            Category::High => (&mut u.by_kind.high, &mut u.counts.high),
                            Category::Low => (&mut u.by_kind.low, &mut u.counts.low),
                            Category::Reviewed => (&mut u.by_kind.reviewed, &mut u.counts.reviewed),
                            Category::PerDiem => (&mut u.by_kind.per_diem, &mut u.counts.per_diem),
                            Category::FeeForService => (&mut u.by_kind.fee_for_service, &mut u.counts.fee_for_service),
                        };
                        *bucket += p;
                        *counter += count;
                    }
                    u.excluded += cell.excluded;
                    u.year.add(points, cell.cost, cell.personal, n);
                    if held {
                        // Held from prepayment, back at year end (吉林2024 第二十一条).
                        u.counts.qc_supplemented += n;
                        if lowest_weight {
                            let lowest = agg.lowest_score * coef.combined * scale * Decimal::from(n);
                            u.months[m].add(lowest, Decimal::ZERO, Decimal::ZERO, 0);
                        }
                    } else {
                        u.months[m].add(points, cell.cost, cell.personal, n);
                        u.claimed[m] += cell.cost - cell.personal;
                    }
                }
            }
        }
    }

    // Institution summaries: totals already in points.
    for s in &data.summaries {
        let &i = inst_index.get(s.institution.as_str()).ok_or_else(|| {
            EngineError::new(
                "unknown_institution",
                &s.institution,
                format!("汇总表中的机构编码“{}”不在机构表中", s.institution),
                format!(
                    "institution \"{}\" of the summary is not in the institutions file",
                    s.institution
                ),
            )
        })?;
        if policy.funds.get(s.fund).is_none() {
            continue;
        }
        let slot = fund_slot(s.fund);
        let agg = &mut aggs[slot][unit_of[i]];
        let cases = s.cases.unwrap_or(0);
        agg.year.add(s.points, s.total_cost, s.personal_burden, cases);
        agg.by_kind.summary += s.points;
        agg.counts.total += cases;
        match s.month {
            Some(m) if (1..=12).contains(&m) => {
                let m = usize::from(m - 1);
                agg.months[m].add(s.points, s.total_cost, s.personal_burden, cases);
                agg.claimed[m] += s.total_cost - s.personal_burden;
            }
            _ => months_complete[slot] = false,
        }
        if let Some(p) = s.prepaid {
            *agg.prepaid.get_or_insert(Decimal::ZERO) += p;
        }
    }

    // Year-end adjustments (吉林2024 第二十七条; 信阳2019 三(二)(三)).
    for a in &data.adjustments {
        let &i = inst_index.get(a.institution.as_str()).ok_or_else(|| {
            EngineError::new(
                "unknown_institution",
                &a.institution,
                format!("调整表中的机构编码“{}”不在机构表中", a.institution),
                format!(
                    "institution \"{}\" of the adjustments is not in the institutions file",
                    a.institution
                ),
            )
        })?;
        if policy.funds.get(a.fund).is_none() {
            continue;
        }
        let agg = &mut aggs[fund_slot(a.fund)][unit_of[i]];
        agg.year.points += a.points;
        agg.by_kind.adjustments += a.points;
        agg.amount_adjustments += a.amount;
    }

    // Outpatient records (SPEC §5.4).
    for r in &data.outpatient {
        let &i = inst_index.get(r.institution.as_str()).ok_or_else(|| {
            EngineError::new(
                "unknown_institution",
                &r.institution,
                format!("门诊表中的机构编码“{}”不在机构表中", r.institution),
                format!(
                    "institution \"{}\" of the outpatient file is not in the institutions file",
                    r.institution
                ),
            )
        })?;
        if policy.funds.get(r.fund).is_none() {
            continue;
        }
        let agg = &mut aggs[fund_slot(r.fund)][unit_of[i]];
        let (cap, ffs, other) = points::outpatient_points(&policy.points.outpatient, r);
        for (slot, v) in agg
            .outpatient
            .iter_mut()
            .zip([cap, ffs, other, r.total_cost, r.personal_burden])
        {
            *slot += v;
        }
        agg.has_outpatient = true;
    }

    for agg in aggs.iter_mut().flatten() {
        let k = &mut agg.by_kind;
        k.total = k.normal + k.high + k.low + k.reviewed + k.per_diem + k.fee_for_service + k.summary + k.adjustments;
    }

    // 特例单议 applications over 3% of the year's cases (吉林2024 第二十六条).
    let limit = policy.points.review_share_limit;
    let mut review_flag = vec![false; data.institutions.len()];
    for (i, inst) in data.institutions.iter().enumerate() {
        if review_apps[i] > 0 && Decimal::from(review_apps[i]) > limit * Decimal::from(case_counts[i]) {
            review_flag[i] = true;
            notices.push(Notice {
                code: "review_over_limit".into(),
                subject: inst.code.clone(),
                message_zh: format!(
                    "机构 {}（{}）特例单议申请 {} 例，占年度病例 {} 例的 {}，超过 {}（吉林2024 第二十六条）",
                    inst.code,
                    inst.name,
                    review_apps[i],
                    case_counts[i],
                    fmt_rate(round_ratio(
                        Decimal::from(review_apps[i]) / Decimal::from(case_counts[i])
                    )),
                    fmt_rate(limit)
                ),
                message_en: format!(
                    "institution {} ({}) applied for special review on {} of {} cases, over {} (吉林2024 第二十六条)",
                    inst.code,
                    inst.name,
                    review_apps[i],
                    case_counts[i],
                    fmt_rate(limit)
                ),
            });
        }
    }

    let mut funds = Vec::new();
    for fund in Fund::ALL {
        let slot = fund_slot(fund);
        if ignored_cases[slot] > 0 {
            notices.push(Notice {
                code: "fund_not_in_policy".into(),
                subject: fund.key().into(),
                message_zh: format!(
                    "政策没有{}预算，{} 条{}病例未计算",
                    fund.label_zh(),
                    ignored_cases[slot],
                    fund.label_zh()
                ),
                message_en: format!(
                    "the policy has no {} budget: {} cases left out",
                    fund.key(),
                    ignored_cases[slot]
                ),
            });
        }
        let Some(fp) = policy.funds.get(fund) else { continue };
        let unit_flags: Vec<bool> = units
            .iter()
            .map(|u| u.members.iter().any(|&m| review_flag[m]))
            .collect();
        let fr = settle_fund(
            policy,
            fund,
            fp,
            &units,
            &aggs[slot],
            &unit_flags,
            months_complete[slot],
            &mut notices,
        )?;
        funds.push(fr);
    }

    Ok(Settlement {
        engine_version: crate::VERSION.to_string(),
        policy_name: policy.name.clone(),
        year: policy.year,
        funds,
        notices,
    })
}

/// The pool a budget buys in points under the cost basis (SPEC §6).
fn pool_for(basis: CostBasis, budget: Decimal, personal: Decimal, fp: &FundPolicy) -> Decimal {
    match basis {
        CostBasis::FundPlusPersonal => budget + personal,
        CostBasis::FundShareRatio => match fp.fund_share_ratio {
            Some(r) if !r.is_zero() => budget / r,
            _ => budget,
        },
        CostBasis::FundOnly => budget,
    }
}

/// num ÷ den, or `None` when den is zero.
pub(crate) fn ratio(num: Decimal, den: Decimal) -> Option<Decimal> {
    (!den.is_zero()).then(|| num / den)
}

#[allow(clippy::too_many_arguments)]
fn settle_fund(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    units: &[Unit],
    aggs: &[UnitAgg],
    review_flag: &[bool],
    months_complete: bool,
    notices: &mut Vec<Notice>,
) -> Result<FundResult, EngineError> {
    let budget = budget::fund_budget(policy, fund, fp);
    let basis = policy.point_value.cost_basis;
    let decimals = policy.point_value.decimals;
    let fund_only = basis == CostBasis::FundOnly;
    let allotment = policy.settlement.mode == SettlementMode::Allotment;
    let d = policy.settlement.deposit.rate;
    let keep = Decimal::ONE - d;
    let report_pv = |x: Option<Decimal>| {
        if allotment {
            None
        } else {
            x.map(|v| round_point_value(v, decimals))
        }
    };

    // Year: pool and point value (SPEC §6).
    let personal_year: Decimal = aggs.iter().map(|a| a.year.personal).sum();
    let total_points: Decimal = aggs.iter().map(|a| a.year.points).sum();
    let pool = pool_for(basis, budget.inpatient_budget, personal_year, fp);
    let pv_exact = ratio(pool, total_points);

    // Months and quarters (SPEC §6: month's budget ÷ month's points, or cumulative).
    let mut months = Vec::with_capacity(12);
    let mut month_pool = [Decimal::ZERO; 12];
    let mut month_points = [Decimal::ZERO; 12];
    let (mut cum_pool, mut cum_points) = (Decimal::ZERO, Decimal::ZERO);
    let mut month_pv_used = [None; 12];
    for m in 0..12 {
        let personal: Decimal = aggs.iter().map(|a| a.months[m].personal).sum();
        month_points[m] = aggs.iter().map(|a| a.months[m].points).sum();
        month_pool[m] = pool_for(basis, budget.monthly_budget[m], personal, fp);
        cum_pool += month_pool[m];
        cum_points += month_points[m];
        let pv = ratio(month_pool[m], month_points[m]);
        let cum = ratio(cum_pool, cum_points);
        month_pv_used[m] = match policy.point_value.monthly {
            MonthlyPointValue::Month => pv,
            MonthlyPointValue::Cumulative => cum,
        };
        months.push(PeriodValue {
            period: format!("{}-{:02}", policy.year, m + 1),
            budget: budget.monthly_budget[m],
            pool: month_pool[m],
            points: month_points[m],
            point_value: report_pv(pv),
            cumulative_point_value: report_pv(cum),
        });
    }
    let mut quarters = Vec::with_capacity(4);
    let mut quarter_pool = [Decimal::ZERO; 4];
    let mut quarter_points = [Decimal::ZERO; 4];
    for q in 0..4 {
        let range = q * 3..q * 3 + 3;
        let qbudget: Decimal = budget.monthly_budget[range.clone()].iter().sum();
        quarter_pool[q] = month_pool[range.clone()].iter().sum();
        quarter_points[q] = month_points[range].iter().sum();
        quarters.push(PeriodValue {
            period: format!("{}-Q{}", policy.year, q + 1),
            budget: qbudget,
            pool: quarter_pool[q],
            points: quarter_points[q],
            point_value: report_pv(ratio(quarter_pool[q], quarter_points[q])),
            cumulative_point_value: None,
        });
    }
    if !months_complete {
        notices.push(Notice {
            code: "months_incomplete".into(),
            subject: fund.key().into(),
            message_zh: format!("{}：部分机构只有全年汇总，月度与季度点值不完整", fund.label_zh()),
            message_en: format!(
                "{}: some institutions gave only annual totals; monthly and quarterly point values are partial",
                fund.key()
            ),
        });
    }

    // S_i (SPEC §7): pool × points share, or the allotment (SPEC §7.3); reconciled to the cent.
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let (settlements, reconciliation) = if allotment {
        let weights = unit_allotment_weights(units)?;
        let pairs: Vec<(&str, Decimal)> = codes.iter().copied().zip(weights).collect();
        settlement::reconcile(budget.inpatient_budget, &pairs)
    } else {
        let pairs: Vec<(&str, Decimal)> = codes.iter().copied().zip(aggs.iter().map(|a| a.year.points)).collect();
        settlement::reconcile(pool, &pairs)
    };
    let total_settlement: Decimal = settlements.iter().sum();

    // Monthly and quarterly settlements at the period point value (informational S, FS).
    let month_s: Vec<Vec<Decimal>> = (0..12)
        .map(|m| {
            period_settlements(
                &codes,
                aggs.iter().map(|a| a.months[m].points),
                month_pool[m],
                month_pv_used[m],
                policy.point_value.monthly,
            )
        })
        .collect();
    let quarter_s: Vec<Vec<Decimal>> = (0..4)
        .map(|q| {
            let pts = aggs
                .iter()
                .map(|a| a.months[q * 3..q * 3 + 3].iter().map(|b| b.points).sum());
            period_settlements(
                &codes,
                pts,
                quarter_pool[q],
                ratio(quarter_pool[q], quarter_points[q]),
                MonthlyPointValue::Month,
            )
        })
        .collect();

    // Adjustment fund (调剂金) second distribution by points (休宁2021 12).
    let adjustment_fund: Vec<Decimal> = match &fp.adjustment_fund {
        None => vec![Decimal::ZERO; units.len()],
        Some(af) => {
            let amount = af.amount.to_yuan();
            match af.city_total_points {
                Some(city) => aggs
                    .iter()
                    .map(|a| round_money(amount * a.year.points / city))
                    .collect(),
                None => {
                    let pairs: Vec<(&str, Decimal)> =
                        codes.iter().copied().zip(aggs.iter().map(|a| a.year.points)).collect();
                    settlement::reconcile(amount, &pairs).0
                }
            }
        }
    };

    let rs = &policy.settlement.risk_sharing;
    let mut results = Vec::with_capacity(units.len());
    let mut totals = Totals::default();
    for (u, unit) in units.iter().enumerate() {
        let agg = &aggs[u];
        let s = settlements[u];
        let personal = agg.year.personal;
        let cost = agg.year.cost;
        let fs = if fund_only || allotment { s } else { s - personal };
        let compared = if fund_only || allotment { cost - personal } else { cost };
        let (t_exact, band) = settlement::risk_sharing_target(rs, s, compared);
        let target = round_money(t_exact);
        let fund_pays = if fund_only || allotment {
            target
        } else {
            target - personal
        };
        let score = unit.score;
        let deposit_withheld = round_money(d * fs);
        let deposit_returned = match policy.settlement.deposit.return_rule {
            ReturnRule::ByScore => round_money(d * fs * score / Decimal::ONE_HUNDRED),
            ReturnRule::Full => deposit_withheld,
            ReturnRule::Withheld => Decimal::ZERO,
        };
        let quality_share = ratio(s, total_settlement).unwrap_or_default() * budget.quality_reserve;
        let quality_reserve_returned = match policy.settlement.quality_reserve_return {
            ReturnRule::ByScore => round_money(quality_share * score / Decimal::ONE_HUNDRED),
            ReturnRule::Full => round_money(quality_share),
            ReturnRule::Withheld => Decimal::ZERO,
        };

        // Payment flow (SPEC §7.2): monthly prepayment of the audited fund amount less the
        // deposit; Q1–Q3 cleared at the quarter's point value; Q4 with the year (吉林2024 第二十四条).
        let mut month_lines = Vec::with_capacity(12);
        let mut paid_by_month = [Decimal::ZERO; 12];
        for m in 0..12 {
            let b = &agg.months[m];
            let sm = month_s[m][u];
            let fsm = if fund_only { sm } else { sm - b.personal };
            let claimed = if allotment {
                agg.claimed[m].min(round_money(
                    s * budget.monthly_budget[m] / nonzero(budget.inpatient_budget),
                ))
            } else {
                agg.claimed[m]
            };
            paid_by_month[m] = round_money(keep * claimed);
            month_lines.push(PaymentLine {
                period: months[m].period.clone(),
                points: b.points,
                settlement: sm,
                personal_burden: b.personal,
                fund_settlement: fsm,
                paid: paid_by_month[m],
            });
        }
        let mut quarter_lines = Vec::with_capacity(3);
        if !allotment {
            for q in 0..3 {
                let range = q * 3..q * 3 + 3;
                let points: Decimal = agg.months[range.clone()].iter().map(|b| b.points).sum();
                let personal_q: Decimal = agg.months[range.clone()].iter().map(|b| b.personal).sum();
                let sq = quarter_s[q][u];
                let fsq = if fund_only { sq } else { sq - personal_q };
                let already: Decimal = paid_by_month[range].iter().sum();
                quarter_lines.push(PaymentLine {
                    period: quarters[q].period.clone(),
                    points,
                    settlement: sq,
                    personal_burden: personal_q,
                    fund_settlement: fsq,
                    paid: round_money(keep * fsq) - already,
                });
            }
        }
        let computed_prepaid: Decimal =
            paid_by_month.iter().sum::<Decimal>() + quarter_lines.iter().map(|l| l.paid).sum::<Decimal>();
        let prepaid = agg.prepaid.unwrap_or(computed_prepaid);
        let net_to_pay = fund_pays - deposit_withheld - prepaid
            + deposit_returned
            + quality_reserve_returned
            + adjustment_fund[u]
            + agg.amount_adjustments;

        let mut flags = Vec::new();
        if review_flag[u] {
            flags.push("review_over_limit".to_string());
        }
        if settlement::near_band_edge(rs, s, compared) {
            flags.push("near_band_edge".to_string());
        }
        if agg.counts.qc_supplemented > 0 {
            flags.push("qc_held".to_string());
        }
        if agg.prepaid.is_some() {
            flags.push("prepaid_from_input".to_string());
        }

        let share = ratio(agg.year.points, total_points).unwrap_or_default();
        let r = UnitResult {
            code: unit.code.clone(),
            name: unit.name.clone(),
            level: unit.level.clone(),
            members: unit.member_codes.clone(),
            coefficient: unit.coefficient,
            points: agg.by_kind.clone(),
            cases: agg.counts.clone(),
            total_cost: cost,
            personal_burden: personal,
            excluded_cost: agg.excluded,
            share: round_ratio(share),
            settlement: s,
            fund_settlement: fs,
            compared_cost: compared,
            gap_ratio: ratio(compared - s, s).map(round_ratio),
            band,
            sharing: target - s,
            target,
            fund_pays,
            deposit_withheld,
            deposit_returned,
            quality_reserve_returned,
            adjustment_fund: adjustment_fund[u],
            amount_adjustments: agg.amount_adjustments,
            prepaid,
            net_to_pay,
            assessment_score: score,
            months: month_lines,
            quarters: quarter_lines,
            flags,
            trace: Vec::new(),
        };
        totals.points += r.points.total;
        totals.cases += r.cases.total;
        totals.total_cost += cost;
        totals.personal_burden += personal;
        totals.settlement += s;
        totals.fund_settlement += fs;
        totals.target += target;
        totals.fund_pays += fund_pays;
        totals.deposit_withheld += deposit_withheld;
        totals.deposit_returned += deposit_returned;
        totals.quality_reserve_returned += quality_reserve_returned;
        totals.adjustment_fund += adjustment_fund[u];
        totals.amount_adjustments += agg.amount_adjustments;
        totals.prepaid += prepaid;
        totals.net_to_pay += net_to_pay;
        results.push(r);
    }

    let outpatient = outpatient_settlement(policy, fund, fp, &budget, units, aggs, notices)?;
    let risk_sharing_effect = totals.fund_pays - totals.fund_settlement;

    Ok(FundResult {
        fund,
        pool,
        total_points,
        point_value: report_pv(pv_exact),
        point_value_exact: if allotment { None } else { pv_exact },
        months,
        quarters,
        months_complete,
        units: results,
        totals,
        reconciliation,
        risk_sharing_effect,
        outpatient,
        budget,
    })
}

fn nonzero(x: Decimal) -> Decimal {
    if x.is_zero() {
        Decimal::ONE
    } else {
        x
    }
}

/// A period's settlement per unit: reconciled to the period pool (month point value), or the
/// cumulative point value × points, rounded (SPEC §6).
fn period_settlements(
    codes: &[&str],
    points: impl Iterator<Item = Decimal>,
    pool: Decimal,
    pv: Option<Decimal>,
    mode: MonthlyPointValue,
) -> Vec<Decimal> {
    let pts: Vec<Decimal> = points.collect();
    match mode {
        MonthlyPointValue::Month => {
            let pairs: Vec<(&str, Decimal)> = codes.iter().copied().zip(pts).collect();
            settlement::reconcile(pool, &pairs).0
        }
        MonthlyPointValue::Cumulative => pts
            .iter()
            .map(|p| pv.map(|v| round_money(v * p)).unwrap_or_default())
            .collect(),
    }
}

/// Each institution's allotment weight: its share of the region's reasonable fund payments in
/// each past year, weighted over the years (SPEC §7.3), primary care × (1 + tilt) (信阳2019 三(二)
/// "向基层医疗卫生机构适当倾斜" [default]). Reconciliation renormalises the weights to 1.
fn allotment_weights(a: &crate::policy::Allotment, institutions: &[crate::records::Institution]) -> Vec<Decimal> {
    let year_totals: Vec<Decimal> = (0..a.history_weights.len())
        .map(|k| institutions.iter().filter_map(|i| i.history.get(k)).sum())
        .collect();
    institutions
        .iter()
        .map(|inst| {
            let share: Decimal = a
                .history_weights
                .iter()
                .zip(&year_totals)
                .zip(&inst.history)
                .filter(|((_, total), _)| !total.is_zero())
                .map(|((w, total), h)| w * h / total)
                .sum();
            let primary = inst
                .primary_care
                .unwrap_or_else(|| a.primary_care_levels.contains(&inst.level));
            if primary {
                share * (Decimal::ONE + a.primary_care_tilt)
            } else {
                share
            }
        })
        .collect()
}

/// The units' allotment weights; reconciliation renormalises them to shares of the budget.
fn unit_allotment_weights(units: &[Unit]) -> Result<Vec<Decimal>, EngineError> {
    let weights: Vec<Decimal> = units.iter().map(|u| u.allotment_weight).collect();
    if weights.iter().all(|w| w.is_zero()) {
        return Err(EngineError::new(
            "no_history",
            "institutions.history",
            "定额分配需要各机构历年合理基金支付（机构表“历史基金支付”）".into(),
            "allotment needs each institution's past fund payments (institutions: history)".into(),
        ));
    }
    Ok(weights)
}

/// The arithmetic of one unit's figures in a fund's settlement, each line citing where its
/// formula lives: everything it shows is in the settlement (SPEC §5–§7.2), so it is written only
/// when asked ([`settle_aggregated`] does it for every unit).
pub fn unit_trace(policy: &Policy, fund: &FundResult, t: &UnitResult) -> Vec<TraceLine> {
    let allotment = policy.settlement.mode == SettlementMode::Allotment;
    let fund_only = policy.point_value.cost_basis == CostBasis::FundOnly;
    let deposit_rate = fmt_rate(policy.settlement.deposit.rate);
    let k = &t.points;
    // Labels and formulas as [Chinese, English].
    let line = |label: [&str; 2], formula: [String; 2], value: Decimal, cite: &str| {
        let [label, label_en] = label;
        let [formula, formula_en] = formula;
        TraceLine {
            label: label.into(),
            label_en: label_en.into(),
            formula,
            formula_en,
            value,
            cite: cite.into(),
        }
    };
    let kinds = [
        k.normal.normalize(),
        k.high.normalize(),
        k.low.normalize(),
        k.reviewed.normalize(),
        k.per_diem.normalize(),
        k.fee_for_service.normalize(),
        k.summary.normalize(),
        k.adjustments.normalize(),
    ];
    let [n, hi, lo, rv, pd, ffs, sm, adj] = kinds;
    let mut out = vec![line(
        ["点数", "Points"],
        [
            format!("正常 {n} + 高倍率 {hi} + 低倍率 {lo} + 特例单议 {rv} + 床日 {pd} + 项目 {ffs} + 汇总 {sm} + 调整 {adj}"),
            format!("normal {n} + high-cost {hi} + low-cost {lo} + special review {rv} + per-diem {pd} + fee-for-service {ffs} + summary {sm} + adjustments {adj}"),
        ],
        k.total,
        "SPEC §5; 吉林2024 第十二条",
    )];
    if allotment {
        out.push(line(
            ["定额 S", "Allotment S"],
            [
                "住院预算 × 历史基金支付份额（对账到分）".into(),
                "inpatient budget × historical share of fund payments (reconciled to the fen)".into(),
            ],
            t.settlement,
            "SPEC §7.3; 信阳2019 三(二)",
        ));
    } else {
        let f = format!(
            "{} × {} ÷ {}",
            fmt_money(fund.pool),
            k.total.normalize(),
            fund.total_points.normalize()
        );
        out.push(line(
            ["结算额度 S", "Settlement S"],
            [format!("{f}（对账到分）"), format!("{f} (reconciled to the fen)")],
            t.settlement,
            "SPEC §7, §2; 吉林2024 第十七条",
        ));
    }
    if !(fund_only || allotment) {
        out.push(line(
            ["基金结算额度 FS", "Fund settlement FS"],
            same(format!(
                "{} − {}",
                fmt_money(t.settlement),
                fmt_money(t.personal_burden)
            )),
            t.fund_settlement,
            "吉林2024 第十七条",
        ));
    }
    out.push(line(
        ["比较费用 C", "Compared cost C"],
        if fund_only || allotment {
            ["医疗总费用 − 个人负担".into(), "total cost − personal burden".into()]
        } else {
            ["医疗总费用".into(), "total cost".into()]
        },
        t.compared_cost,
        "SPEC §7.1",
    ));
    let band = match t.band {
        BandPosition::None => ["不分担".to_string(), "no sharing".to_string()],
        BandPosition::OverspendShared { band } => [
            format!("超支第 {} 档内，按比例追加", band + 1),
            format!("overspent within band {}: shared by its rate", band + 1),
        ],
        BandPosition::OverspendBeyond => ["超支超出末档".to_string(), "overspent beyond the last band".to_string()],
        BandPosition::SurplusShared { band } => [
            format!("结余第 {} 档内，按比例返还", band + 1),
            format!("surplus within band {}: returned by its rate", band + 1),
        ],
        BandPosition::SurplusBeyond => ["结余超出末档".to_string(), "surplus beyond the last band".to_string()],
    };
    let gap = fmt_money(t.compared_cost - t.settlement);
    let [band_zh, band_en] = band;
    out.push(line(
        ["风险分担后 T", "After risk sharing T"],
        [
            format!("{band_zh}（C − S = {gap}）"),
            format!("{band_en} (C − S = {gap})"),
        ],
        t.target,
        "SPEC §7.1; 吉林2024 第二十七条",
    ));
    out.push(line(
        ["基金支付", "Fund pays"],
        same(if fund_only || allotment {
            "T".into()
        } else {
            format!("{} − {}", fmt_money(t.target), fmt_money(t.personal_burden))
        }),
        t.fund_pays,
        "SPEC §7.1",
    ));
    out.push(line(
        ["保证金", "Deposit withheld"],
        same(format!("{} × {deposit_rate}", fmt_money(t.fund_settlement))),
        t.deposit_withheld,
        "吉林2024 第二十二条(五)",
    ));
    out.push(line(
        ["返还保证金", "Deposit returned"],
        [
            "保证金 × 考核得分 ÷ 100".into(),
            "deposit × assessment score ÷ 100".into(),
        ],
        t.deposit_returned,
        "SPEC §7.2 [default]",
    ));
    out.push(line(
        ["已预付", "Prepaid"],
        [
            "月度预付 + 一至三季度清算".into(),
            "monthly prepayments + clearing of quarters 1–3".into(),
        ],
        t.prepaid,
        "吉林2024 第二十二–二十四条",
    ));
    let net = format!(
        "{} − {} − {} + {}",
        fmt_money(t.fund_pays),
        fmt_money(t.deposit_withheld),
        fmt_money(t.prepaid),
        fmt_money(t.deposit_returned)
    );
    out.push(line(
        ["年终应付（负数为应收回）", "Due at year end (negative: to recover)"],
        [format!("{net} + 其他"), format!("{net} + other")],
        t.net_to_pay,
        "SPEC §7.2",
    ));
    out
}

/// Outpatient settlement of one fund (SPEC §5.4, 吉林2024 第十六、十九条).
fn outpatient_settlement(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    budget: &BudgetResult,
    units: &[Unit],
    aggs: &[UnitAgg],
    notices: &mut Vec<Notice>,
) -> Result<Option<OutpatientResult>, EngineError> {
    let any = aggs.iter().any(|a| a.has_outpatient);
    if matches!(fp.outpatient, OutpatientSplit::None) {
        if any {
            notices.push(Notice {
                code: "outpatient_ignored".into(),
                subject: fund.key().into(),
                message_zh: format!("政策没有{}门诊预算，门诊数据未计算", fund.label_zh()),
                message_en: format!(
                    "the policy has no {} outpatient budget: outpatient records left out",
                    fund.key()
                ),
            });
        }
        return Ok(None);
    }
    let op = &policy.points.outpatient;
    let personal: Decimal = aggs.iter().map(|a| a.outpatient[4]).sum();
    let pool = pool_for(policy.point_value.cost_basis, budget.outpatient_budget, personal, fp);
    let cap_points: Decimal = aggs.iter().map(|a| a.outpatient[0]).sum();
    let other_points: Decimal = aggs.iter().map(|a| a.outpatient[1] + a.outpatient[2]).sum();
    let cap_payment = cap_points * op.capitation_point_value;
    let pv = match op.mode {
        OutpatientMode::FixedCapitation => {
            if cap_payment >= pool && !other_points.is_zero() {
                return Err(EngineError::new(
                    "capitation_exceeds_budget",
                    fund.key(),
                    format!(
                        "{}人头付费 {} 不小于门诊可分配额 {}",
                        fund.label_zh(),
                        fmt_money(cap_payment),
                        fmt_money(pool)
                    ),
                    format!(
                        "{} capitation payments {} are not below the outpatient pool {}",
                        fund.key(),
                        fmt_money(cap_payment),
                        fmt_money(pool)
                    ),
                ));
            }
            ratio(pool - cap_payment, other_points)
        }
        OutpatientMode::Literal => ratio(pool, cap_points + other_points),
    };
    let pv_used = pv.unwrap_or_default();
    let exact: Vec<Decimal> = aggs
        .iter()
        .map(|a| a.outpatient[0] * op.capitation_point_value + pv_used * (a.outpatient[1] + a.outpatient[2]))
        .collect();
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let settlements = match op.mode {
        OutpatientMode::FixedCapitation if !other_points.is_zero() => {
            settlement::distribute_cents(round_money(pool), &exact, codes.clone()).0
        }
        _ => exact.iter().map(|x| round_money(*x)).collect(),
    };
    let difference = pool - exact.iter().sum::<Decimal>();
    let institutions = units
        .iter()
        .zip(aggs)
        .zip(&settlements)
        .filter(|((_, a), _)| a.has_outpatient)
        .map(|((u, a), s)| OutpatientLine {
            code: u.code.clone(),
            capitation_points: a.outpatient[0],
            fee_for_service_points: a.outpatient[1],
            other_points: a.outpatient[2],
            settlement: *s,
            personal_burden: a.outpatient[4],
            fund_settlement: *s - a.outpatient[4],
        })
        .collect();
    Ok(Some(OutpatientResult {
        budget: budget.outpatient_budget,
        pool,
        capitation_points: cap_points,
        capitation_payment: cap_payment,
        other_points,
        point_value: pv.map(|v| round_point_value(v, policy.point_value.decimals)),
        difference,
        institutions,
    }))
}
