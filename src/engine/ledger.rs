//! Ledgers (SPEC §5, §7.2): what each settlement unit accumulated in each fund — points by kind
//! (吉林2024 第十二条 "某个服务机构住院付费点数=该服务机构DRG/DIP住院点数+床日付费住院点数+项目付费住院点数"),
//! cost, personal burden and the fund amount claimed, for the year and each month, with
//! institution summaries, year-end adjustments and outpatient records. The later stages (point
//! value, settlement, payment) read only ledgers, so a ledger that did not come from cases (a
//! projection) settles the same way.

use super::aggregate::{CaseAggregates, Cell, PointsKey};
use super::coefficients::Coefficient;
use super::points::{self, Category};
use super::result::{AdjustmentLine, CaseCounts, Notice, PointsByKind, SpecialCases};
use super::rounding::round_ratio;
use super::special::{SpecialKind, Tallies, KINDS};
use super::units::Units;
use super::{fmt_rate, EngineError};
use crate::policy::{Policy, QcFailed};
use crate::records::{Dataset, Fund, Institution};
use rust_decimal::Decimal;

/// Points, cost, personal burden and cases of one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bucket {
    pub points: Decimal,
    pub cost: Decimal,
    pub personal: Decimal,
    pub cases: u64,
}

impl Bucket {
    pub fn add(&mut self, points: Decimal, cost: Decimal, personal: Decimal, cases: u64) {
        self.points += points;
        self.cost += cost;
        self.personal += personal;
        self.cases += cases;
    }
}

/// What one settlement unit accumulated in one fund.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitLedger {
    /// Year end: QC-passed and supplemented cases, summaries, point adjustments.
    pub year: Bucket,
    /// Prepayment months: QC-passed cases (QC-failed ones at the lowest weight, if so chosen).
    pub months: [Bucket; 12],
    /// Fund amount incurred by the month's QC-passed cases (cost − personal), for prepayment.
    pub claimed: [Decimal; 12],
    pub by_kind: PointsByKind,
    pub counts: CaseCounts,
    pub excluded: Decimal,
    /// Prepayments as given by a summary (else computed, SPEC §7.2).
    pub prepaid: Option<Decimal>,
    pub amount_adjustments: Decimal,
    /// Σ 扣减质量保证金 of the unit's institutions (信阳2019 三(七)), before the cap.
    pub quality_reserve_deduction: Decimal,
    /// Each year-end adjustment of the unit's institutions, in input order (SPEC §7.2).
    pub adjustment_lines: Vec<AdjustmentLine>,
    /// The unit's 基准点数 under a 弹性点值 rule with base `institution` (上年合理服务点数).
    pub base_points: Option<Decimal>,
    /// Outpatient: capitation, fee-for-service and other points, total cost, personal burden.
    pub outpatient: [Decimal; 5],
    pub has_outpatient: bool,
    /// The same figures by quarter, from records that name a month (吉林2024 第二十三条(二)).
    pub outpatient_quarters: [[Decimal; 5]; 4],
    /// Some outpatient record gave the whole year (no month), so quarters are incomplete.
    pub outpatient_annual: bool,
    /// Cases and points of each kind a national rule touched (SPEC §12).
    pub special: [(u64, Decimal); KINDS],
}

impl UnitLedger {
    /// The kinds a national rule touched, with their cases and points (SPEC §12).
    pub fn special_cases(&self) -> Vec<SpecialCases> {
        SpecialKind::ALL
            .iter()
            .zip(&self.special)
            .filter(|(_, (cases, _))| *cases > 0)
            .map(|(k, &(cases, points))| SpecialCases {
                kind: k.key().into(),
                cases,
                points,
            })
            .collect()
    }
}

/// The units' ledgers of one fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundLedger {
    /// One per settlement unit, in the units' order.
    pub units: Vec<UnitLedger>,
    /// False when some summary gave only annual totals (no month).
    pub months_complete: bool,
    /// Cases of this fund left out because the policy has no budget for it.
    pub ignored_cases: u64,
}

/// Both funds' ledgers, with each institution's 特例单议 applications and cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// [employee, resident].
    pub funds: [FundLedger; 2],
    /// Per institution: 特例单议 applications (吉林2024 第二十六条).
    pub review_applications: Vec<u64>,
    /// Per institution: cases, QC-excluded included.
    pub case_counts: Vec<u64>,
}

fn slot(fund: Fund) -> usize {
    match fund {
        Fund::Employee => 0,
        Fund::Resident => 1,
    }
}

impl Ledger {
    /// Empty ledgers for `units` units and `institutions` institutions.
    pub fn empty(units: usize, institutions: usize) -> Self {
        let fund = FundLedger {
            units: vec![UnitLedger::default(); units],
            months_complete: true,
            ignored_cases: 0,
        };
        Ledger {
            funds: [fund.clone(), fund],
            review_applications: vec![0; institutions],
            case_counts: vec![0; institutions],
        }
    }

    pub fn fund(&self, fund: Fund) -> &FundLedger {
        &self.funds[slot(fund)]
    }

    /// The ledgers of a dataset: stage 1's case sums at each institution's coefficient (SPEC
    /// §5), then summaries, adjustments and outpatient records; points totalled by kind.
    pub fn from_data(
        policy: &Policy,
        data: &Dataset,
        units: &Units,
        agg: &CaseAggregates,
    ) -> Result<Ledger, EngineError> {
        if agg.institutions() != data.institutions.len() || agg.key != PointsKey::of(&policy.points) {
            return Err(EngineError::new(
                "stale_aggregates",
                "points",
                "病例汇总与当前数据或政策不符，请重新计算".into(),
                "the case aggregates do not belong to this data or policy; aggregate again".into(),
            ));
        }
        let mut ledger = Ledger::empty(units.units.len(), data.institutions.len());
        for (i, inst) in data.institutions.iter().enumerate() {
            for fund in Fund::ALL {
                ledger.add_cases(policy, agg, units, i, inst, fund)?;
            }
        }
        ledger.add_summaries(policy, data, units)?;
        ledger.add_adjustments(policy, data, units)?;
        ledger.add_outpatient(policy, data, units)?;
        for fund in &mut ledger.funds {
            for (u, unit) in fund.units.iter_mut().zip(&units.units) {
                u.base_points = unit.base_points;
            }
        }
        for u in ledger.funds.iter_mut().flat_map(|f| f.units.iter_mut()) {
            let k = &mut u.by_kind;
            k.total = k.normal
                + k.high
                + k.low
                + k.reviewed
                + k.per_diem
                + k.fee_for_service
                + k.summary
                + k.adjustments
                + k.bonus;
        }
        Ok(ledger)
    }

    /// One institution's cases in one fund (SPEC §5): counts, then each month's cells priced at
    /// its coefficient. A missing coefficient is an error here, where cases need it.
    fn add_cases(
        &mut self,
        policy: &Policy,
        agg: &CaseAggregates,
        units: &Units,
        i: usize,
        inst: &Institution,
        fund: Fund,
    ) -> Result<(), EngineError> {
        let excluded = agg.qc_excluded(i, fund);
        let applications = agg.review_applications(i, fund);
        let included: u64 = (0..12)
            .flat_map(|m| [false, true].map(|h| agg.cell(i, fund, m, h).cases()))
            .sum();
        if included + excluded == 0 {
            return Ok(());
        }
        let fl = &mut self.funds[slot(fund)];
        if policy.funds.get(fund).is_none() {
            fl.ignored_cases += included + excluded;
            return Ok(());
        }
        let u = &mut fl.units[units.unit_of[i]];
        self.case_counts[i] += included + excluded;
        self.review_applications[i] += applications;
        u.counts.total += included + excluded;
        u.counts.review_applications += applications;
        u.counts.qc_excluded += excluded;
        if included == 0 {
            return Ok(());
        }
        let coef = units.coefficients[i].as_ref().map_err(|e| {
            EngineError::new(
                &e.code,
                &inst.code,
                format!("{}（该机构有病例）", e.message_zh),
                format!("{} (it has cases)", e.message_en),
            )
        })?;
        add_special(u, agg.special(i, fund), coef, policy.points.scale);
        let lowest = (policy.settlement.qc_failed == QcFailed::LowestWeight).then_some(agg.lowest_score);
        for m in 0..12 {
            for held in [false, true] {
                let cell = agg.cell(i, fund, m, held);
                if cell.cases() > 0 {
                    add_cell(u, cell, coef, policy.points.scale, m, held, lowest);
                }
            }
        }
        Ok(())
    }

    /// Institution summaries: totals already in points.
    fn add_summaries(&mut self, policy: &Policy, data: &Dataset, units: &Units) -> Result<(), EngineError> {
        for s in &data.summaries {
            let i = units.institution(&s.institution, ["汇总表", "the summary"])?;
            if policy.funds.get(s.fund).is_none() {
                continue;
            }
            let fl = &mut self.funds[slot(s.fund)];
            let u = &mut fl.units[units.unit_of[i]];
            let cases = s.cases.unwrap_or(0);
            u.year.add(s.points, s.total_cost, s.personal_burden, cases);
            u.by_kind.summary += s.points;
            u.counts.total += cases;
            match s.month {
                Some(m) if (1..=12).contains(&m) => {
                    let m = usize::from(m - 1);
                    u.months[m].add(s.points, s.total_cost, s.personal_burden, cases);
                    u.claimed[m] += s.total_cost - s.personal_burden;
                }
                _ => fl.months_complete = false,
            }
            if let Some(p) = s.prepaid {
                *u.prepaid.get_or_insert(Decimal::ZERO) += p;
            }
        }
        Ok(())
    }

    /// Year-end adjustments (吉林2024 第二十七条; 信阳2019 三(二)(三)).
    fn add_adjustments(&mut self, policy: &Policy, data: &Dataset, units: &Units) -> Result<(), EngineError> {
        for a in &data.adjustments {
            let i = units.institution(&a.institution, ["调整表", "the adjustments"])?;
            if policy.funds.get(a.fund).is_none() {
                continue;
            }
            let u = &mut self.funds[slot(a.fund)].units[units.unit_of[i]];
            u.year.points += a.points;
            u.by_kind.adjustments += a.points;
            u.amount_adjustments += a.amount;
            u.quality_reserve_deduction += a.quality_reserve_deduction;
            u.adjustment_lines.push(AdjustmentLine {
                institution: a.institution.clone(),
                label: a.label.clone(),
                basis: a.basis.clone(),
                points: a.points,
                amount: a.amount,
            });
        }
        Ok(())
    }

    /// Outpatient records (SPEC §5.4).
    fn add_outpatient(&mut self, policy: &Policy, data: &Dataset, units: &Units) -> Result<(), EngineError> {
        for r in &data.outpatient {
            let i = units.institution(&r.institution, ["门诊表", "the outpatient file"])?;
            if policy.funds.get(r.fund).is_none() {
                continue;
            }
            let u = &mut self.funds[slot(r.fund)].units[units.unit_of[i]];
            let (cap, ffs, other) = points::outpatient_points(&policy.points.outpatient, r);
            let figures = [cap, ffs, other, r.total_cost, r.personal_burden];
            add_figures(&mut u.outpatient, figures);
            match r.month {
                Some(m @ 1..=12) => add_figures(&mut u.outpatient_quarters[usize::from(m - 1) / 3], figures),
                _ => u.outpatient_annual = true,
            }
            u.has_outpatient = true;
        }
        Ok(())
    }

    /// Institutions whose 特例单议 applications exceed the share limit of their cases (吉林2024
    /// 第二十六条 "申请特例单议的病例数原则上不超过年度实际发生病例数的3%"), each with a notice.
    pub fn review_flags(&self, policy: &Policy, institutions: &[Institution], notices: &mut Vec<Notice>) -> Vec<bool> {
        let limit = policy.points.review_share_limit;
        let mut flags = vec![false; institutions.len()];
        for (i, inst) in institutions.iter().enumerate() {
            let (apps, cases) = (self.review_applications[i], self.case_counts[i]);
            if apps > 0 && Decimal::from(apps) > limit * Decimal::from(cases) {
                flags[i] = true;
                notices.push(Notice {
                    code: "review_over_limit".into(),
                    subject: inst.code.clone(),
                    message_zh: format!(
                        "机构 {}（{}）特例单议申请 {} 例，占年度病例 {} 例的 {}，超过 {}（吉林2024 第二十六条）",
                        inst.code,
                        inst.name,
                        apps,
                        cases,
                        fmt_rate(round_ratio(Decimal::from(apps) / Decimal::from(cases))),
                        fmt_rate(limit)
                    ),
                    message_en: format!(
                        "institution {} ({}) applied for special review on {} of {} cases, over {} (吉林2024 第二十六条)",
                        inst.code,
                        inst.name,
                        apps,
                        cases,
                        fmt_rate(limit)
                    ),
                });
            }
        }
        flags
    }
}

fn add_figures(sums: &mut [Decimal; 5], figures: [Decimal; 5]) {
    for (slot, v) in sums.iter_mut().zip(figures) {
        *slot += v;
    }
}

/// Each kind's cases and points at the institution's coefficient (SPEC §12); the 加成分值 takes no
/// coefficient.
fn add_special(u: &mut UnitLedger, tallies: &Tallies, coef: &Coefficient, scale: Decimal) {
    for (kind, t) in SpecialKind::ALL.iter().zip(tallies) {
        let [combined, grassroots] = t.score;
        let points = match kind {
            SpecialKind::Bonus => combined * scale,
            _ => (combined * coef.combined + grassroots * coef.grassroots) * scale,
        };
        let slot = &mut u.special[kind.index()];
        slot.0 += t.cases;
        slot.1 += points;
    }
}

/// The points bucket and case counter of one category.
fn kind_slot<'a>(
    by_kind: &'a mut PointsByKind,
    counts: &'a mut CaseCounts,
    k: Category,
) -> (&'a mut Decimal, &'a mut u64) {
    match k {
        Category::Normal => (&mut by_kind.normal, &mut counts.normal),
        Category::High => (&mut by_kind.high, &mut counts.high),
        Category::Low => (&mut by_kind.low, &mut counts.low),
        Category::Reviewed => (&mut by_kind.reviewed, &mut counts.reviewed),
        Category::PerDiem => (&mut by_kind.per_diem, &mut counts.per_diem),
        Category::FeeForService => (&mut by_kind.fee_for_service, &mut counts.fee_for_service),
    }
}

/// One month's cell of an institution's cases into its unit's ledger. A cell `held` (failed QC,
/// supplemented) counts at year end only (吉林2024 第二十一条), or at the lowest weight in its
/// month when `lowest` gives the catalog's lowest score.
fn add_cell(
    u: &mut UnitLedger,
    cell: &Cell,
    coef: &Coefficient,
    scale: Decimal,
    m: usize,
    held: bool,
    lowest: Option<Decimal>,
) {
    let n = cell.cases();
    // 新药新技术加成分值 × scale, no coefficient (SPEC §12, bonus.rs).
    let bonus = cell.bonus * scale;
    u.by_kind.bonus += bonus;
    let mut total = bonus;
    for k in Category::ALL {
        let p = points::category_points(cell, k, coef, scale);
        total += p;
        let (bucket, counter) = kind_slot(&mut u.by_kind, &mut u.counts, k);
        *bucket += p;
        *counter += cell.count[k.index()];
    }
    u.excluded += cell.excluded;
    u.year.add(total, cell.cost, cell.personal, n);
    if held {
        // Held from prepayment, back at year end (吉林2024 第二十一条).
        u.counts.qc_supplemented += n;
        if let Some(lowest) = lowest {
            let points = points::lowest_weight_points(lowest, coef, scale, n);
            u.months[m].add(points, Decimal::ZERO, Decimal::ZERO, 0);
        }
    } else {
        u.months[m].add(total, cell.cost, cell.personal, n);
        u.claimed[m] += cell.cost - cell.personal;
    }
}
