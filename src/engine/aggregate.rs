//! Stage 1 of a settlement: the one pass over every case (SPEC §5), summing raw scores by
//! institution, fund, month and QC status. It depends only on the catalog and the points
//! parameters in [`PointsKey`]; coefficients, `scale`, budgets, point values and settlement
//! (stage 2) work on these few cells, so moving a budget or risk-sharing slider re-settles a
//! million cases without touching them again.

use super::points::{has_case_rules, high_score, is_high_at, is_low_at, low_score, Category, PointsContext, RawPoints};
use super::special::{self, Tallies};
use super::EngineError;
use crate::exact_sum::ExactSum;
use crate::policy::{AbnormalDischarge, Amount, Outliers, PointsPolicy, Pricing, ReferenceCostFromScore, StayRule};
use crate::records::cases::{CaseRow, CaseTable};
use crate::records::{
    check_case_extras, check_case_values, CaseKind, CaseTotals, Catalog, Fund, Institution, OutOfRange,
};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The points parameters the per-case pass reads. Two policies with equal keys share stage 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsKey {
    outliers: Outliers,
    reference_cost_by_level: bool,
    reference_cost_from_score: Option<ReferenceCostFromScore>,
    base_cost: Option<Amount>,
    per_diem_reimbursement_ratio: Option<Decimal>,
    base_points: Decimal,
    subtype_coefficients: bool,
    bonus_scores: bool,
    abnormal_discharge: Option<AbnormalDischarge>,
    short_stay: Option<StayRule>,
    long_stay: Option<StayRule>,
    ungrouped: Option<Pricing>,
}

impl PointsKey {
    pub fn of(p: &PointsPolicy) -> Self {
        PointsKey {
            outliers: p.outliers.clone(),
            reference_cost_by_level: p.reference_cost_by_level,
            reference_cost_from_score: p.reference_cost_from_score.clone(),
            base_cost: p.base_cost,
            per_diem_reimbursement_ratio: p.per_diem_reimbursement_ratio,
            base_points: p.base_points,
            subtype_coefficients: p.subtype_coefficients,
            bonus_scores: p.bonus_scores,
            abnormal_discharge: p.abnormal_discharge.clone(),
            short_stay: p.short_stay.clone(),
            long_stay: p.long_stay.clone(),
            ungrouped: p.ungrouped.clone(),
        }
    }

    /// The outlier thresholds of the pass.
    pub fn outliers(&self) -> &Outliers {
        &self.outliers
    }

    /// Whether `other` differs from this key in the outlier thresholds only (H, L, their
    /// tiers and inclusiveness): then [`revisit_outliers`] can redo the per-case pass.
    pub fn same_but_outliers(&self, other: &PointsKey) -> bool {
        PointsKey {
            outliers: other.outliers.clone(),
            ..self.clone()
        } == *other
    }
}

/// Sums over the cases of one institution, fund, month and QC status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// Σ raw score by category: `[0]` takes the combined coefficient, `[1]` the 基层病种 one.
    pub score: [[Decimal; 2]; 6],
    /// Σ 特例单议 point changes (after coefficient and scale).
    pub delta: Decimal,
    /// Σ (total cost − excluded cost).
    pub cost: Decimal,
    pub personal: Decimal,
    pub excluded: Decimal,
    pub count: [u64; 6],
    /// Cases in 基层病种 groups (SPEC §8, the grassroots effect by level).
    pub grassroots: u64,
    /// Σ 新药新技术加成分值 (SPEC §12), before `scale`, taking no coefficient.
    pub bonus: Decimal,
}

impl Cell {
    pub fn cases(&self) -> u64 {
        self.count.iter().sum()
    }

    /// Adds `times` × `other` (a month drawn `times` times, SPEC §11), or `None` on overflow.
    pub fn add_times(&mut self, other: &Cell, times: u64) -> Option<()> {
        let t = Decimal::from(times);
        for (mine, theirs) in self.score.iter_mut().flatten().zip(other.score.iter().flatten()) {
            *mine = mine.checked_add(theirs.checked_mul(t)?)?;
        }
        for (mine, theirs) in [
            (&mut self.delta, other.delta),
            (&mut self.cost, other.cost),
            (&mut self.personal, other.personal),
            (&mut self.excluded, other.excluded),
            (&mut self.bonus, other.bonus),
        ] {
            *mine = mine.checked_add(theirs.checked_mul(t)?)?;
        }
        for (mine, theirs) in self.count.iter_mut().zip(other.count) {
            *mine = mine.checked_add(theirs.checked_mul(times)?)?;
        }
        self.grassroots = self.grassroots.checked_add(other.grassroots.checked_mul(times)?)?;
        Some(())
    }

    /// Every sum × `factor` (a projected month, SPEC §11): exact for the Decimal sums, case
    /// counts rounded half away from zero (at least one when there were cases); `None` on
    /// overflow.
    pub fn scaled(&self, factor: Decimal) -> Option<Cell> {
        let mut out = Cell::default();
        for (o, x) in out.score.iter_mut().flatten().zip(self.score.iter().flatten()) {
            *o = x.checked_mul(factor)?;
        }
        out.delta = self.delta.checked_mul(factor)?;
        out.cost = self.cost.checked_mul(factor)?;
        out.personal = self.personal.checked_mul(factor)?;
        out.excluded = self.excluded.checked_mul(factor)?;
        out.bonus = self.bonus.checked_mul(factor)?;
        for (o, n) in out.count.iter_mut().zip(self.count) {
            *o = super::rounding::round_count(Decimal::from(n).checked_mul(factor)?)?;
        }
        out.grassroots = super::rounding::round_count(Decimal::from(self.grassroots).checked_mul(factor)?)?;
        // Stage 2 skips a cell without cases: a projected month of a small unit (4 cases × 1/11)
        // keeps one case in its largest category, so its exact sums are settled.
        if out.cases() == 0 && self.cases() > 0 && !factor.is_zero() {
            let largest = (0..6).max_by_key(|&k| self.count[k]).unwrap_or(0);
            out.count[largest] = 1;
        }
        Some(out)
    }

    /// Every sum as a number, the case counts last (SPEC §11's predictive draw combines months
    /// sum by sum).
    pub fn sums(&self) -> [Decimal; CELL_SUMS] {
        let mut out = [Decimal::ZERO; CELL_SUMS];
        let counts = self.count.iter().chain([&self.grassroots]).map(|&n| Decimal::from(n));
        let all = self
            .score
            .iter()
            .flatten()
            .copied()
            .chain([self.delta, self.cost, self.personal, self.excluded, self.bonus])
            .chain(counts);
        for (o, x) in out.iter_mut().zip(all) {
            *o = x;
        }
        out
    }

    /// The cell of [`Cell::sums`], case counts rounded half away from zero (at least one case,
    /// in `like`'s largest category, when `like` had cases); `None` when a count is negative
    /// or too large.
    pub fn from_sums(sums: &[Decimal; CELL_SUMS], like: &Cell) -> Option<Cell> {
        let mut out = Cell::default();
        let mut it = sums.iter().copied();
        for (o, x) in out.score.iter_mut().flatten().zip(&mut it) {
            *o = x;
        }
        for (o, x) in [
            &mut out.delta,
            &mut out.cost,
            &mut out.personal,
            &mut out.excluded,
            &mut out.bonus,
        ]
        .into_iter()
        .zip(&mut it)
        {
            *o = x;
        }
        for (o, x) in out.count.iter_mut().chain([&mut out.grassroots]).zip(&mut it) {
            *o = super::rounding::round_count(x)?;
        }
        if out.cases() == 0 && like.cases() > 0 && sums.iter().any(|x| !x.is_zero()) {
            let largest = (0..6).max_by_key(|&k| like.count[k]).unwrap_or(0);
            out.count[largest] = 1;
        }
        Some(out)
    }
}

/// How many sums a [`Cell`] holds: 12 scores, 4 amounts, the 加成分值, 6 counts and the 基层病种
/// count.
pub const CELL_SUMS: usize = 24;

/// Stage 1's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAggregates {
    pub key: PointsKey,
    institutions: usize,
    cells: Vec<Cell>,
    /// Per institution and fund: failed QC and never supplemented (out of everything).
    qc_excluded: Vec<u64>,
    /// Per institution and fund: 特例单议 applications.
    review_applications: Vec<u64>,
    /// Per institution and fund: the cases each national rule touched (SPEC §12).
    special: Vec<Tallies>,
    /// Cases carrying a 离院方式, a 辅助分型调节系数 or a 新药新技术加成分值 that no rule of the policy
    /// reads (SPEC §12): reported, so a column is never ignored silently.
    pub unread: [u64; 3],
    /// The catalog's lowest DIP score (QC-failed cases at the lowest weight).
    pub lowest_score: Decimal,
}

fn slot(fund: Fund) -> usize {
    match fund {
        Fund::Employee => 0,
        Fund::Resident => 1,
    }
}

impl CaseAggregates {
    fn index(&self, institution: usize, fund: Fund, month: usize, held: bool) -> usize {
        ((institution * 2 + slot(fund)) * 12 + month) * 2 + usize::from(held)
    }

    /// The cell of an institution (index in the dataset), fund, month (0–11), and QC status
    /// (`held`: failed QC, supplemented before year end).
    pub fn cell(&self, institution: usize, fund: Fund, month: usize, held: bool) -> &Cell {
        &self.cells[self.index(institution, fund, month, held)]
    }

    pub fn qc_excluded(&self, institution: usize, fund: Fund) -> u64 {
        self.qc_excluded[institution * 2 + slot(fund)]
    }

    pub fn review_applications(&self, institution: usize, fund: Fund) -> u64 {
        self.review_applications[institution * 2 + slot(fund)]
    }

    /// The cases each national rule touched (SPEC §12).
    pub fn special(&self, institution: usize, fund: Fund) -> &Tallies {
        &self.special[institution * 2 + slot(fund)]
    }

    pub fn institutions(&self) -> usize {
        self.institutions
    }

    /// The cell to change, for a projected ledger (SPEC §11).
    pub fn cell_mut(&mut self, institution: usize, fund: Fund, month: usize, held: bool) -> &mut Cell {
        let ix = self.index(institution, fund, month, held);
        &mut self.cells[ix]
    }

    /// One more institution without cases (the rest of the region of an estimate from
    /// published figures, SPEC §11), so the aggregates fit a dataset with it appended.
    pub fn push_institution(&mut self) {
        self.institutions += 1;
        self.cells.extend(std::iter::repeat_n(Cell::default(), 2 * 12 * 2));
        self.qc_excluded.extend([0, 0]);
        self.review_applications.extend([0, 0]);
        self.special.extend([Tallies::default(); 2]);
    }
}

/// A record value beyond its limit (`records::limits`) as an engine error naming it.
fn out_of_range(e: OutOfRange, institution: &str) -> EngineError {
    let subject = e.code.clone().unwrap_or_else(|| institution.to_string());
    let (zh, en) = if e.below {
        (
            format!("{} = {} 低于下限 {}", e.field, e.value, e.limit),
            format!("{} = {} is below the smallest allowed {}", e.field, e.value, e.limit),
        )
    } else {
        (
            format!("{} = {} 超出上限 {}（绝对值）", e.field, e.value, e.limit),
            format!(
                "{} = {} is beyond the limit of {} (in magnitude)",
                e.field, e.value, e.limit
            ),
        )
    };
    match e.row {
        Some(row) => EngineError::at_row("out_of_range", row, institution, zh, en),
        None => EngineError::new(
            "out_of_range",
            &subject,
            format!("{subject}：{zh}"),
            format!("{subject}: {en}"),
        ),
    }
}

/// The catalog and institutions against the record limits, before any case is priced.
fn check_records(institutions: &[Institution], catalog: &Catalog) -> Result<(), EngineError> {
    let groups = catalog.groups.iter().filter_map(|g| g.out_of_range());
    let per_diem = catalog.per_diem_groups.iter().filter_map(|g| g.out_of_range());
    let insts = institutions.iter().filter_map(|i| i.out_of_range());
    match groups.chain(per_diem).chain(insts).next() {
        Some(e) => Err(out_of_range(e, "")),
        None => Ok(()),
    }
}

/// The per-case pass (SPEC §5.1–§5.3). Errors name the case's row: an institution not in the
/// institutions file, a group not in the catalog, a month outside 1–12, a missing parameter,
/// a value beyond its record limit (`records::limits`, so no sum here or in stage 2 overflows).
pub fn aggregate_cases(
    points: &PointsPolicy,
    institutions: &[Institution],
    catalog: &Catalog,
    table: &CaseTable,
) -> Result<CaseAggregates, EngineError> {
    check_records(institutions, catalog)?;
    match pass(points, institutions, catalog, table, true)? {
        Some(agg) => Ok(agg),
        // A sum the integer accumulators could not hold as `Decimal` would: the plain pass.
        None => pass(points, institutions, catalog, table, false)?.ok_or_else(|| {
            EngineError::new(
                "out_of_range",
                "",
                "病例合计超出可计算范围".into(),
                "the cases' sums are beyond what can be computed".into(),
            )
        }),
    }
}

/// The sums of a cell the pass keeps as integers ([`ExactSum`]) while it runs: cost, personal
/// burden, excluded cost, and the normal cases' scores (the catalog's, never a quotient).
#[derive(Debug, Clone, Copy, Default)]
struct CellSums {
    cost: ExactSum,
    personal: ExactSum,
    excluded: ExactSum,
    normal: [ExactSum; 2],
}

/// One pass over the cases. With `exact_sums`, the sums of [`CellSums`] are kept as integers
/// and `None` comes back if one cannot be (a negative term, or beyond 96 bits): then the pass
/// is run again adding `Decimal`s, which gives the same cells.
fn pass(
    points: &PointsPolicy,
    institutions: &[Institution],
    catalog: &Catalog,
    table: &CaseTable,
    exact_sums: bool,
) -> Result<Option<CaseAggregates>, EngineError> {
    let ctx = PointsContext::new(points, catalog, &table.groups)?;
    let mut totals = CaseTotals::default();
    let inst_of = institution_of_code(institutions, table);
    let n = institutions.len();
    let mut agg = CaseAggregates {
        key: PointsKey::of(points),
        institutions: n,
        cells: vec![Cell::default(); n * 2 * 12 * 2],
        qc_excluded: vec![0; n * 2],
        review_applications: vec![0; n * 2],
        special: vec![Tallies::default(); n * 2],
        unread: [0; 3],
        lowest_score: ctx.lowest_score,
    };
    let mut sums = vec![CellSums::default(); if exact_sums { agg.cells.len() } else { 0 }];
    for row in &table.rows {
        let i = checked_row(table, row, &inst_of, &mut totals)?;
        count_unread(&mut agg.unread, points, row);
        if row.is_review_application() {
            agg.review_applications[i * 2 + slot(row.fund)] += 1;
        }
        if !row.qc_passed && !row.supplemented {
            // Never supplemented: out of points, cost and burden (吉林2024 第二十一条).
            agg.qc_excluded[i * 2 + slot(row.fund)] += 1;
            continue;
        }
        let raw = ctx.raw_points(table, row, &institutions[i].level)?;
        let ix = agg.index(i, row.fund, usize::from(row.month - 1), !row.qc_passed);
        let sum = if exact_sums { Some(&mut sums[ix]) } else { None };
        if !add_case(&mut agg.cells[ix], sum, row, &raw) {
            return Ok(None);
        }
        if (raw.special.is_some() || raw.subtype || !raw.bonus.is_zero())
            && special::add(&mut agg.special[i * 2 + slot(row.fund)], &raw).is_none()
        {
            return Ok(None);
        }
    }
    if exact_sums {
        for (cell, sum) in agg.cells.iter_mut().zip(&sums) {
            cell.cost = sum.cost.get();
            cell.personal = sum.personal.get();
            cell.excluded = sum.excluded.get();
            cell.score[Category::Normal.index()] = sum.normal.map(ExactSum::get);
        }
    }
    Ok(Some(agg))
}

/// Counts a case's national-rule values that no rule of the policy reads (SPEC §12): a 离院方式
/// without `abnormal_discharge`, a 辅助分型调节系数 without `subtype_coefficients`, a 加成分值
/// without `bonus_scores`.
#[inline]
fn count_unread(unread: &mut [u64; 3], p: &PointsPolicy, row: &CaseRow) {
    let x = &row.extras;
    unread[0] += u64::from(x.discharge.is_some() && p.abnormal_discharge.is_none());
    unread[1] += u64::from(x.subtype_coefficient.is_some() && !p.subtype_coefficients);
    unread[2] += u64::from(x.bonus_score.is_some() && !p.bonus_scores);
}

/// For each institution code of the case table, its position in the institutions file.
fn institution_of_code(institutions: &[Institution], table: &CaseTable) -> Vec<Option<usize>> {
    let by_code: HashMap<&str, usize> = institutions
        .iter()
        .enumerate()
        .map(|(n, i)| (i.code.as_str(), n))
        .collect();
    table.institutions.iter().map(|c| by_code.get(c).copied()).collect()
}

/// The case's institution (its position), once the case is known to be settleable: a known
/// institution, a month 1–12, values in range, and totals that stay in range.
#[inline]
fn checked_row(
    table: &CaseTable,
    row: &CaseRow,
    inst_of: &[Option<usize>],
    totals: &mut CaseTotals,
) -> Result<usize, EngineError> {
    let Some(i) = inst_of[row.institution as usize] else {
        let code = table.institution_of(row);
        return Err(EngineError::at_row(
            "unknown_institution",
            row.source_row,
            code,
            format!("机构编码“{code}”不在机构表中"),
            format!("institution \"{code}\" is not in the institutions file"),
        ));
    };
    if !(1..=12).contains(&row.month) {
        return Err(EngineError::at_row(
            "bad_month",
            row.source_row,
            table.institution_of(row),
            format!("结算月份 {} 不在 1–12 之间", row.month),
            format!("settlement month {} is not 1–12", row.month),
        ));
    }
    let bad = check_case_values(
        row.total_cost,
        row.personal_burden,
        row.excluded_cost,
        row.days,
        row.review_score,
        row.review_delta,
    )
    .or_else(|| check_case_extras(&row.extras));
    if let Some(e) = bad {
        let row_no = (row.source_row > 0).then_some(row.source_row);
        return Err(out_of_range(OutOfRange { row: row_no, ..e }, table.institution_of(row)));
    }
    if let Some(e) = totals.add(row.total_cost, row.personal_burden, row.days) {
        return Err(EngineError::new(
            "out_of_range",
            &e.field,
            format!("全部病例的 {} 合计超出上限 {}", e.field, e.limit),
            format!("the cases' {} add up to more than the limit of {}", e.field, e.limit),
        ));
    }
    Ok(i)
}

/// Adds one case to its cell: counts and point deltas always; cost, burden, excluded cost and
/// the normal cases' scores into `sum` when the pass keeps exact sums, else into the cell.
/// `false` when an exact sum cannot hold the term.
#[inline]
fn add_case(cell: &mut Cell, sum: Option<&mut CellSums>, row: &CaseRow, raw: &RawPoints) -> bool {
    let k = raw.category.index();
    let g = usize::from(raw.grassroots);
    cell.delta += raw.delta;
    cell.bonus += raw.bonus;
    cell.count[k] += 1;
    cell.grassroots += u64::from(raw.grassroots);
    match sum {
        Some(sum) => {
            sum.cost.add(row.total_cost - row.excluded_cost)
                & sum.personal.add(row.personal_burden)
                & sum.excluded.add(row.excluded_cost)
                & if raw.category == Category::Normal {
                    sum.normal[g].add(raw.score)
                } else {
                    cell.score[k][g] += raw.score;
                    true
                }
        }
        None => {
            cell.score[k][g] += raw.score;
            cell.cost += row.total_cost - row.excluded_cost;
            cell.personal += row.personal_burden;
            cell.excluded += row.excluded_cost;
            true
        }
    }
}

/// The DIP cases whose category the outlier thresholds decide, kept so that a change of H or L
/// revisits only the cases that are outliers under the new thresholds ([`revisit_outliers`]).
/// Built from a table after an exact per-case pass ([`OutlierIndex::build`]); valid for that
/// table, institutions and catalog only.
#[derive(Debug, Clone, Default)]
pub struct OutlierIndex {
    /// Positions in the table of the counted DIP cases (QC passed or supplemented) without a
    /// 特例单议, by table group, each group's in order of cost (total − excluded).
    rows: Vec<u32>,
    /// Where each table group's cases start in `rows` (one more than the groups).
    starts: Vec<u32>,
    /// The counted DIP cases with a 特例单议 score or change, in case order: the score of one
    /// with a change only still follows the thresholds.
    reviewed: Vec<u32>,
    /// Per cell and 基层病种 flag: the catalog scores of the cases in `rows` as if all were
    /// normal, and per cell how many.
    normal: Vec<[NormalSum; 2]>,
    count: Vec<u64>,
}

/// A sum of non-zero catalog scores at scale [`MAX_SCALE`], and how many terms of each scale:
/// less some terms, it gives what [`ExactSum`] gives for the rest (their sum at the largest
/// scale among them).
#[derive(Debug, Clone, Copy, Default)]
struct NormalSum {
    sum: u128,
    at_scale: [u32; MAX_SCALE as usize + 1],
}

const MAX_SCALE: u32 = 28;

/// 10⁰ … 10²⁸.
fn ten_to(k: u32) -> u128 {
    10u128.pow(k)
}

impl NormalSum {
    /// The term as an integer at [`MAX_SCALE`], with its scale (`None`: negative or zero).
    fn term(score: Decimal) -> Option<(u128, u32)> {
        if score.is_sign_negative() || score.is_zero() {
            return None;
        }
        let s = score.scale();
        let m = score.mantissa().unsigned_abs().checked_mul(ten_to(MAX_SCALE - s))?;
        Some((m, s))
    }

    /// The `Decimal` an [`ExactSum`] of these terms gives (`None`: beyond 96 bits).
    fn get(&self) -> Option<Decimal> {
        let Some(scale) = (0..=MAX_SCALE).rev().find(|&s| self.at_scale[s as usize] > 0) else {
            return Some(ExactSum::default().get());
        };
        let v = self.sum / ten_to(MAX_SCALE - scale);
        (v < 1u128 << 96).then(|| Decimal::from_i128_with_scale(v as i128, scale))
    }
}

impl OutlierIndex {
    /// The index of `table`'s cases under the points parameters `points` (any thresholds), or
    /// `None` when a change of thresholds could not be revisited exactly: reference costs by
    /// level, a counted DIP case of a group the catalog lacks or scores 0, or an institution
    /// not in the file (then the per-case pass reports it anyway).
    pub fn build(
        points: &PointsPolicy,
        institutions: &[Institution],
        catalog: &Catalog,
        table: &CaseTable,
    ) -> Option<OutlierIndex> {
        if points.reference_cost_by_level || has_case_rules(points) {
            return None;
        }
        let ctx = PointsContext::new(points, catalog, &table.groups).ok()?;
        let inst_of = institution_of_code(institutions, table);
        let cells = institutions.len() * 2 * 12 * 2;
        let mut out = OutlierIndex {
            rows: Vec::new(),
            starts: vec![0; table.groups.len() + 1],
            reviewed: Vec::new(),
            normal: vec![[NormalSum::default(); 2]; cells],
            count: vec![0; cells],
        };
        let decided = |row: &CaseRow| {
            row.kind == CaseKind::Dip
                && (row.qc_passed || row.supplemented)
                && row.review_score.is_none()
                && row.review_delta.is_none()
        };
        // Each group's catalog score as a term, worked out once.
        let mut terms: Vec<Option<Option<(u128, u32)>>> = vec![None; table.groups.len()];
        // How many of each group, then their places.
        for (n, row) in table.rows.iter().enumerate() {
            if row.kind != CaseKind::Dip || !(row.qc_passed || row.supplemented) {
                continue;
            }
            if !decided(row) {
                out.reviewed.push(u32::try_from(n).ok()?);
                continue;
            }
            // A group without bounds of its own (a reference cost derived from the score, or
            // not in the catalog): its cases are priced one by one, so no revisit.
            let (group, _) = ctx.group_bounds(row.group)?;
            let (term, scale) = *terms[row.group as usize]
                .get_or_insert_with(|| NormalSum::term(group.score))
                .as_ref()?;
            let i = inst_of[row.institution as usize]?;
            if !(1..=12).contains(&row.month) {
                return None;
            }
            let ix = cell_index(i, row.fund, usize::from(row.month - 1), !row.qc_passed);
            let sum = &mut out.normal[ix][usize::from(group.grassroots)];
            sum.sum = sum.sum.checked_add(term)?;
            sum.at_scale[scale as usize] += 1;
            out.count[ix] += 1;
            out.starts[row.group as usize + 1] += 1;
        }
        for g in 1..out.starts.len() {
            out.starts[g] += out.starts[g - 1];
        }
        let mut next = out.starts.clone();
        out.rows = vec![0; *out.starts.last().unwrap_or(&0) as usize];
        for (n, row) in table.rows.iter().enumerate() {
            if decided(row) {
                let at = &mut next[row.group as usize];
                out.rows[*at as usize] = n as u32;
                *at += 1;
            }
        }
        // Each group's cases by cost.
        for g in 0..table.groups.len() {
            sort_by_cost(&mut out.rows[out.starts[g] as usize..out.starts[g + 1] as usize], table);
        }
        Some(out)
    }
}

/// A group's cases (their rows) by cost: in cents as integers where every cost has at most two
/// places (a real file), else as decimals.
fn sort_by_cost(part: &mut [u32], table: &CaseTable) {
    let cost = |n: u32| {
        let row = &table.rows[n as usize];
        row.total_cost - row.excluded_cost
    };
    let cents: Option<Vec<(i64, u32)>> = part
        .iter()
        .map(|&n| {
            let c = cost(n);
            let m = i64::try_from(c.mantissa()).ok()?;
            (c.scale() <= 2).then(|| m.checked_mul(10i64.pow(2 - c.scale())).map(|m| (m, n)))?
        })
        .collect();
    match cents {
        Some(mut keyed) => {
            keyed.sort_unstable();
            for (slot, (_, n)) in part.iter_mut().zip(keyed) {
                *slot = n;
            }
        }
        None => part.sort_by_cached_key(|&n| cost(n)),
    }
}

/// The cell of an institution (its position), fund, month (0–11) and QC status, as
/// [`CaseAggregates`] numbers them.
fn cell_index(institution: usize, fund: Fund, month: usize, held: bool) -> usize {
    ((institution * 2 + slot(fund)) * 12 + month) * 2 + usize::from(held)
}

/// Which outlier sums a change of thresholds from `was` to `o` leaves as they were: the high
/// ones follow H alone (its tiers and inclusiveness); the low ones follow L, and H where the
/// two bounds cross ([`outlier_ends`] says whether they do).
fn sides_kept(o: &Outliers, was: &Outliers) -> (bool, bool) {
    let digits = |x: Decimal| x.serialize();
    let keep_high = digits(o.high_ratio) == digits(was.high_ratio)
        && o.high_inclusive == was.high_inclusive
        && o.high_tiers.len() == was.high_tiers.len()
        && o.high_tiers.iter().zip(&was.high_tiers).all(|(a, b)| {
            digits(a.high_ratio) == digits(b.high_ratio) && digits(a.max_reference_cost) == digits(b.max_reference_cost)
        });
    let keep_low = digits(o.low_ratio) == digits(was.low_ratio) && o.low_inclusive == was.low_inclusive;
    (keep_high, keep_low)
}

/// Per group, where its outliers begin and end among its cases by cost (a binary search): the
/// first high one and the end of the low ones (never past the first high one). `keep_low`
/// turns false when some group's low cases are cut short by H, now or under the thresholds
/// `was` (whose bounds `before_ctx` gives while `keep_low` holds).
fn outlier_ends(
    index: &OutlierIndex,
    table: &CaseTable,
    ctx: &PointsContext<'_>,
    before_ctx: Option<&PointsContext<'_>>,
    (o, was): (&Outliers, &Outliers),
    keep_low: &mut bool,
) -> Option<Vec<(usize, usize)>> {
    let cost = |n: u32| {
        let row = &table.rows[n as usize];
        row.total_cost - row.excluded_cost
    };
    let mut ends = vec![(0, 0); table.groups.len()];
    for (g, end) in ends.iter_mut().enumerate() {
        let part = &index.rows[index.starts[g] as usize..index.starts[g + 1] as usize];
        if part.is_empty() {
            continue;
        }
        let (_, b) = ctx.group_bounds(g as u32)?;
        let high_from = part.partition_point(|&n| !is_high_at(o, cost(n), &b));
        let low_to = part.partition_point(|&n| is_low_at(o, cost(n), &b));
        if low_to > high_from {
            *keep_low = false;
        }
        if let Some(before_ctx) = before_ctx.filter(|_| *keep_low) {
            let (_, was_b) = before_ctx.group_bounds(g as u32)?;
            if low_to > part.partition_point(|&n| !is_high_at(was, cost(n), &was_b)) {
                *keep_low = false;
            }
        }
        *end = (high_from, low_to.min(high_from));
    }
    Some(ends)
}

/// The outliers under the new thresholds, found by [`outlier_ends`]: their catalog scores taken
/// out of the normal sums, counted per cell, and scored again where their side's sums are not
/// kept.
struct Moved {
    normal: Vec<[NormalSum; 2]>,
    /// Per cell: the high and low cases under the new thresholds.
    moved: Vec<[u64; 2]>,
    /// The outliers scored again: case, cell, category, 基层病种 flag, score.
    scored: Vec<(u32, u32, Category, bool, Decimal)>,
}

/// Per group, the costliest cases from the first at or over H × ref and the cheapest up to
/// L × ref ([`Moved`]).
fn move_outliers(
    index: &OutlierIndex,
    table: &CaseTable,
    ctx: &PointsContext<'_>,
    ends: &[(usize, usize)],
    cell_of: &dyn Fn(&CaseRow) -> Option<usize>,
    (keep_high, keep_low): (bool, bool),
) -> Option<Moved> {
    let mut normal = index.normal.clone();
    let mut moved = vec![[0u64; 2]; index.count.len()];
    let mut scored: Vec<(u32, u32, Category, bool, Decimal)> = Vec::new();
    let cost = |n: u32| {
        let row = &table.rows[n as usize];
        row.total_cost - row.excluded_cost
    };
    for (g, &(high_from, low_to)) in ends.iter().enumerate() {
        let part = &index.rows[index.starts[g] as usize..index.starts[g + 1] as usize];
        if part.is_empty() {
            continue;
        }
        let (group, b) = ctx.group_bounds(g as u32)?;
        let (term, scale) = NormalSum::term(group.score)?;
        let flag = usize::from(group.grassroots);
        for (range, category, at) in [
            (high_from..part.len(), Category::High, 0),
            (0..low_to, Category::Low, 1),
        ] {
            for &n in &part[range] {
                let row = &table.rows[n as usize];
                let ix = cell_of(row)?;
                let sum = &mut normal[ix][flag];
                sum.sum -= term;
                sum.at_scale[scale as usize] -= 1;
                moved[ix][at] += 1;
                let again = match category {
                    Category::High if !keep_high => Some(high_score(group.score, cost(n), &b)?),
                    Category::Low if !keep_low => Some(low_score(group.score, cost(n), &b)?),
                    _ => None,
                };
                if let Some(score) = again {
                    scored.push((n, ix as u32, category, group.grassroots, score));
                }
            }
        }
    }
    Some(Moved { normal, moved, scored })
}

/// The per-case pass under `points` from `before`, a pass under points parameters that differ
/// in the outlier thresholds only ([`PointsKey::same_but_outliers`]), over the same table,
/// institutions and catalog as `index`: only the cases that are outliers under the new
/// thresholds, and those with a 特例单议, are scored again. Gives exactly what
/// [`aggregate_cases`] gives — the cells' sums digit for digit and scale for scale (the
/// outliers' scores added in case order, the normal scores as the exact integer sum) — or
/// `None` when it cannot (anything the full pass would report as an error, a sum too large):
/// then run the full pass.
pub fn revisit_outliers(
    before: &CaseAggregates,
    index: &OutlierIndex,
    points: &PointsPolicy,
    institutions: &[Institution],
    catalog: &Catalog,
    table: &CaseTable,
) -> Option<CaseAggregates> {
    let key = PointsKey::of(points);
    if points.reference_cost_by_level
        || has_case_rules(points)
        || !before.key.same_but_outliers(&key)
        || before.institutions != institutions.len()
        || index.count.len() != before.cells.len()
        || index.starts.len() != table.groups.len() + 1
    {
        return None;
    }
    let ctx = PointsContext::new(points, catalog, &table.groups).ok()?;
    let (o, was) = (&points.outliers, &before.key.outliers);
    let (keep_high, mut keep_low) = sides_kept(o, was);
    let before_points = PointsPolicy {
        outliers: was.clone(),
        ..points.clone()
    };
    let before_ctx = if keep_low {
        Some(PointsContext::new(&before_points, catalog, &table.groups).ok()?)
    } else {
        None
    };
    let inst_of = institution_of_code(institutions, table);
    let cell_of = |row: &CaseRow| -> Option<usize> {
        let i = inst_of[row.institution as usize]?;
        Some(cell_index(i, row.fund, usize::from(row.month - 1), !row.qc_passed))
    };
    let mut cells = before.cells.clone();
    let ends = outlier_ends(index, table, &ctx, before_ctx.as_ref(), (o, was), &mut keep_low)?;
    let Moved {
        normal,
        moved,
        mut scored,
    } = move_outliers(index, table, &ctx, &ends, &cell_of, (keep_high, keep_low))?;
    scored.sort_unstable_by_key(|&(n, ..)| n);
    let mut again = vec![];
    if !keep_high {
        again.push(Category::High);
    }
    if !keep_low {
        again.push(Category::Low);
    }
    for (cell, m) in cells.iter_mut().zip(&moved) {
        for &k in &again {
            cell.score[k.index()] = [Decimal::ZERO; 2];
        }
        cell.score[Category::Reviewed.index()] = [Decimal::ZERO; 2];
        cell.count[Category::High.index()] = m[0];
        cell.count[Category::Low.index()] = m[1];
    }
    for &(_, ix, category, grassroots, score) in &scored {
        cells[ix as usize].score[category.index()][usize::from(grassroots)] += score;
    }
    // 特例单议 cases: their category stays, a score given by change only follows the thresholds.
    for &n in &index.reviewed {
        let row = &table.rows[n as usize];
        let i = inst_of[row.institution as usize]?;
        let raw = ctx.raw_points(table, row, &institutions[i].level).ok()?;
        cells[cell_of(row)?].score[raw.category.index()][usize::from(raw.grassroots)] += raw.score;
    }
    for ((cell, sums), (&count, m)) in cells.iter_mut().zip(&normal).zip(index.count.iter().zip(&moved)) {
        for (g, sum) in sums.iter().enumerate() {
            cell.score[Category::Normal.index()][g] = sum.get()?;
        }
        cell.count[Category::Normal.index()] = count - m[0] - m[1];
    }
    Some(CaseAggregates {
        key,
        institutions: before.institutions,
        cells,
        qc_excluded: before.qc_excluded.clone(),
        review_applications: before.review_applications.clone(),
        lowest_score: before.lowest_score,
        // No per-case national rule is on (`has_case_rules`): nothing they tally moves with H or L.
        special: before.special.clone(),
        unread: before.unread,
    })
}
