//! Row → record for each of the seven tables.

use rust_decimal::Decimal;

use super::error::ErrorKind;
use super::fields::FundPart;
use super::fields::TableKind;
use super::fields::{
    adjustments as a, cases as c, catalog as g, institutions as i, outpatient as o, published as p, summaries as s,
};
use super::report::{ImportReport, ImportWarning, Reading};
use super::rows::{RowCtx, Seen, Table};
use super::values::CategoryCell;
use crate::records::{
    limits, AllotmentIndicators, BudgetInputs, Case, CaseExtras, CaseKind, Group, GroupCategory, Institution,
    InstitutionAdjustment, InstitutionSummary, OutpatientRecord, PerDiemGroup, PublishedMonth, Review,
};

/// Personal burden from its own column, else total cost − fund payment (SPEC §7), else 0. The
/// fund payment is 统筹基金支付 plus the `parts` columns the options count as fund money
/// (吉林2024 第六条), those empty counting 0.
fn personal_burden(
    ctx: &mut RowCtx<'_>,
    total: Option<Decimal>,
    personal: usize,
    fund_payment: usize,
    parts: [usize; 3],
) -> Option<Decimal> {
    if ctx.present(personal) {
        return ctx.amount(personal);
    }
    // No allocation per row: the counted columns are fund_payment and the selected parts.
    let selected = ctx.fund_parts;
    let counted = std::iter::once(fund_payment).chain(
        FundPart::ALL
            .iter()
            .zip(parts)
            .filter(move |(p, _)| selected.contains(p))
            .map(|(_, f)| f),
    );
    let mut paid: Option<Decimal> = None;
    let mut last = fund_payment;
    for f in counted {
        if !ctx.present(f) {
            continue;
        }
        let sum = paid.unwrap_or_default().checked_add(ctx.amount(f)?);
        if sum.is_none() {
            ctx.not_a_number(f);
        }
        paid = Some(sum?);
        last = f;
    }
    let Some(paid) = paid else {
        return Some(Decimal::ZERO);
    };
    let derived = total?.checked_sub(paid);
    if derived.is_none() {
        ctx.not_a_number(last);
    }
    derived
}

/// A case's amounts as a settlement can use them: a total cost above zero, a personal burden
/// (or fund payment) and an excluded cost from zero up to the total. Anything else is refused
/// with the cell: a reversal (a negative row) netted against its case is not something the
/// rows can do, as they carry no case number to net by. Cities that book reversals net them
/// per case before exporting. Returns false when a value was refused.
fn case_amounts_valid(
    ctx: &mut RowCtx<'_>,
    total: Option<Decimal>,
    personal: Option<Decimal>,
    excluded: Option<Decimal>,
) -> bool {
    let Some(total) = total else {
        return true;
    };
    let mut ok = true;
    if total <= Decimal::ZERO {
        ctx.refuse(
            c::TOTAL_COST,
            ErrorKind::NotPositive {
                field: "total_cost".into(),
            },
        );
        return false;
    }
    let from_paid = !ctx.present(c::PERSONAL_BURDEN) && ctx.present(c::FUND_PAYMENT);
    for (f, key, v) in [
        (c::PERSONAL_BURDEN, "personal_burden", personal.filter(|_| !from_paid)),
        (c::EXCLUDED_COST, "excluded_cost", excluded),
    ] {
        match v {
            Some(v) if v < Decimal::ZERO => ctx.refuse(f, ErrorKind::Negative { field: key.into() }),
            Some(v) if v > total => ctx.refuse(f, above(key, total)),
            _ => continue,
        }
        ok = false;
    }
    // Derived as total − fund payment: a payment below zero or above the total shows here.
    if from_paid && personal.is_some_and(|p| p < Decimal::ZERO || p > total) {
        let paid_negative = personal.is_some_and(|p| p > total);
        let kind = if paid_negative {
            ErrorKind::Negative {
                field: "fund_payment".into(),
            }
        } else {
            above("fund_payment", total)
        };
        ctx.refuse(c::FUND_PAYMENT, kind);
        ok = false;
    }
    ok
}

fn above(field: &str, total: Decimal) -> ErrorKind {
    ErrorKind::AboveTotal {
        field: field.into(),
        total_field: "total_cost".into(),
        total: total.to_string(),
    }
}

/// 离院方式, 辅助分型调节系数 and 新药新技术加成分值 (SPEC §12), each `None` when the file leaves it
/// out; a coefficient must be above 0 and at most [`limits::subtype_coefficient`], a bonus score
/// from 0 to [`limits::score`]. `None` when a cell was refused (reported).
fn case_extras(ctx: &mut RowCtx<'_>) -> Option<CaseExtras> {
    let discharge = ctx.discharge(c::DISCHARGE);
    let subtype = ctx.coefficient(c::SUBTYPE_COEFFICIENT);
    let bonus = ctx.number(c::BONUS_SCORE);
    let key = |f: usize| ["subtype_coefficient", "bonus_score"][usize::from(f == c::BONUS_SCORE)];
    let beyond = |f: usize, limit: Decimal| ErrorKind::OutOfRange {
        field: key(f).into(),
        limit,
        below: false,
        code: None,
    };
    let limit = limits::subtype_coefficient();
    let bad_subtype = match subtype {
        Some(k) if k <= Decimal::ZERO => Some(ErrorKind::NotPositive {
            field: key(c::SUBTYPE_COEFFICIENT).into(),
        }),
        Some(k) if k > limit => Some(beyond(c::SUBTYPE_COEFFICIENT, limit)),
        _ => None,
    };
    let bad_bonus = match bonus {
        Some(b) if b < Decimal::ZERO => Some(ErrorKind::Negative {
            field: key(c::BONUS_SCORE).into(),
        }),
        Some(b) if b > limits::score() => Some(beyond(c::BONUS_SCORE, limits::score())),
        _ => None,
    };
    let ok = bad_subtype.is_none() && bad_bonus.is_none();
    for (f, kind) in [(c::SUBTYPE_COEFFICIENT, bad_subtype), (c::BONUS_SCORE, bad_bonus)] {
        if let Some(kind) = kind {
            ctx.refuse(f, kind);
        }
    }
    if !ok {
        return None;
    }
    Some(CaseExtras {
        discharge: discharge?,
        subtype_coefficient: subtype,
        bonus_score: bonus,
    })
}

pub(crate) struct CasesTable;

impl Table for CasesTable {
    type Record<'r> = CaseRead<'r>;
    type Owned = Case;
    type State = Seen;
    const KIND: TableKind = TableKind::Cases;

    fn build<'r>(ctx: &mut RowCtx<'r>, seen: &mut Seen) -> Option<CaseRead<'r>> {
        let institution = ctx.required_text(c::INSTITUTION);
        let fund = ctx.fund(c::FUND);
        let kind = ctx.case_kind(c::KIND);
        let group = ctx.text(c::GROUP).unwrap_or_default();
        if group.is_empty() && kind.is_some_and(|k| k != CaseKind::FeeForService) && !ctx.present(c::GROUP) {
            ctx.empty(c::GROUP);
        }
        let total_cost = ctx.required_amount(c::TOTAL_COST);
        let personal = personal_burden(ctx, total_cost, c::PERSONAL_BURDEN, c::FUND_PAYMENT, c::FUND_PARTS);
        let excluded_cost = if ctx.present(c::EXCLUDED_COST) {
            ctx.amount(c::EXCLUDED_COST)
        } else {
            Some(Decimal::ZERO)
        };
        if !case_amounts_valid(ctx, total_cost, personal, excluded_cost) {
            return None;
        }
        let days = if ctx.present(c::DAYS) {
            ctx.days(c::DAYS)
        } else {
            if kind == Some(CaseKind::PerDiem) {
                ctx.empty(c::DAYS);
            }
            Some(Decimal::ZERO)
        };
        let month = if ctx.present(c::SETTLE_DATE) {
            ctx.date(c::SETTLE_DATE).and_then(|d| {
                seen.years.insert(d.year);
                ctx.in_year(c::SETTLE_DATE, d.year).then_some(d.month)
            })
        } else if ctx.present(c::MONTH) {
            match ctx.month(c::MONTH) {
                Some(Some((year, m))) => {
                    if let Some(y) = year {
                        seen.years.insert(y);
                        if !ctx.in_year(c::MONTH, y) {
                            return None;
                        }
                    }
                    Some(m)
                }
                Some(None) => {
                    // 全年 is not a settlement month of a case.
                    ctx.empty(c::MONTH);
                    None
                }
                None => None,
            }
        } else {
            ctx.empty(if ctx.mapped(c::SETTLE_DATE) {
                c::SETTLE_DATE
            } else {
                c::MONTH
            });
            None
        };
        let applied = ctx.boolean(c::REVIEW_APPLIED);
        let score = ctx.number(c::REVIEW_SCORE);
        let delta = ctx.number(c::REVIEW_DELTA);
        let qc_passed = ctx.boolean(c::QC_PASSED).unwrap_or(true);
        let supplemented = ctx.boolean(c::SUPPLEMENTED).unwrap_or(false);
        let extras = case_extras(ctx);
        if !ctx.errors.is_empty() {
            return None;
        }
        let case = Case {
            institution: String::new(),
            fund: fund?,
            kind: kind?,
            group: String::new(),
            total_cost: total_cost?,
            personal_burden: personal?,
            excluded_cost: excluded_cost?,
            days: days?,
            month: month?,
            review: Review {
                applied: applied.unwrap_or(false) || score.is_some() || delta.is_some(),
                score,
                points_delta: delta,
            },
            qc_passed,
            supplemented,
            source_row: ctx.row,
            extras: extras?,
        };
        Some(CaseRead {
            institution: institution?,
            group,
            case,
        })
    }

    fn owned(record: CaseRead<'_>) -> Case {
        record.to_case()
    }

    fn finish(state: Seen, report: &mut ImportReport) {
        report.years = state.years.into_iter().collect();
    }
}

/// A catalog row: a DIP group or a 床日 group.
pub(crate) enum CatalogRow {
    Dip(Group),
    PerDiem(PerDiemGroup),
}

/// A catalog's codes seen so far and what its rows were read as.
#[derive(Default)]
pub(crate) struct CatalogSeen {
    seen: Seen,
    /// Rows whose 病种类型 `0` was read by [`CategoryCell::Zero`].
    zero: Option<(GroupCategory, u64)>,
    /// 基层病种 from the remark column, from the 病种类型 column.
    from_remark: u64,
    from_category: u64,
    /// Scores from WEIGHT × 1000.
    from_weight: bool,
    /// No 次均费用 column.
    no_reference_cost: bool,
}

/// WEIGHT = score ÷ 1000 in bureau exports (SPEC §13: RW = m ÷ M × 1000).
const WEIGHT_TO_SCORE: i64 = 1000;

pub(crate) struct CatalogTable;

impl CatalogTable {
    /// 病种类型: the category, and a payment type (DIP / 床日) written there instead.
    fn category(ctx: &mut RowCtx<'_>, seen: &mut CatalogSeen) -> Option<(Option<GroupCategory>, Option<bool>)> {
        Some(match ctx.group_category(g::CATEGORY)? {
            Some(CategoryCell::Named(c)) => (Some(c), None),
            Some(CategoryCell::Zero(c)) => {
                seen.zero.get_or_insert((c, 0)).1 += 1;
                (Some(c), None)
            }
            Some(CategoryCell::Payment(per_diem)) => (None, Some(per_diem)),
            None => (None, None),
        })
    }

    /// 病种分值, or WEIGHT × 1000 when the catalog has only a relative weight.
    fn score(ctx: &mut RowCtx<'_>, seen: &mut CatalogSeen) -> Option<Decimal> {
        if ctx.mapped(g::SCORE) || !ctx.mapped(g::RELATIVE_WEIGHT) {
            return ctx.required_number(g::SCORE);
        }
        seen.from_weight = true;
        let score = ctx
            .required_number(g::RELATIVE_WEIGHT)?
            .checked_mul(Decimal::from(WEIGHT_TO_SCORE));
        if score.is_none() {
            ctx.not_a_number(g::RELATIVE_WEIGHT);
        }
        score
    }

    /// 基层病种: its own column, else 备注 containing 基层病种, else the 病种类型 column.
    fn grassroots(ctx: &mut RowCtx<'_>, seen: &mut CatalogSeen, category: Option<GroupCategory>) -> bool {
        if ctx.present(g::GRASSROOTS) {
            return ctx.boolean(g::GRASSROOTS).unwrap_or(false);
        }
        if ctx.text(g::REMARK).is_some_and(|t| t.contains("基层病种")) {
            seen.from_remark += 1;
            return true;
        }
        if category == Some(GroupCategory::Grassroots) {
            seen.from_category += 1;
            return true;
        }
        false
    }
}

impl Table for CatalogTable {
    type Record<'r> = CatalogRow;
    type Owned = CatalogRow;
    type State = CatalogSeen;
    const KIND: TableKind = TableKind::Catalog;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    fn build(ctx: &mut RowCtx<'_>, seen: &mut CatalogSeen) -> Option<CatalogRow> {
        let code = ctx.required_text(g::GROUP).map(str::to_string);
        let name = ctx.text(g::NAME).unwrap_or_default().to_string();
        let declared = ctx.catalog_type(g::TYPE)?;
        let (category, written) = Self::category(ctx, seen)?;
        let per_diem = match declared.or(written) {
            Some(p) => p,
            None => !ctx.present(g::SCORE) && !ctx.present(g::RELATIVE_WEIGHT) && ctx.present(g::DAILY_FUND_STANDARD),
        };
        let code = code?;
        let (codes, row) = if per_diem {
            (&mut seen.seen.per_diem_codes, ctx.row)
        } else {
            (&mut seen.seen.codes, ctx.row)
        };
        if let Some(first) = codes.get(&code).copied() {
            ctx.duplicate(g::GROUP, &code, first);
        } else {
            codes.insert(code.clone(), row);
        }
        if per_diem {
            let daily = ctx.required_amount(g::DAILY_FUND_STANDARD);
            if !ctx.errors.is_empty() {
                return None;
            }
            return Some(CatalogRow::PerDiem(PerDiemGroup {
                code,
                name,
                daily_fund_standard: daily?,
            }));
        }
        let score = Self::score(ctx, seen);
        let grassroots = Self::grassroots(ctx, seen, category);
        // Without the column: 0, derived from the score by the policy (SPEC §12, 费用超低).
        let reference_cost = if ctx.mapped(g::REFERENCE_COST) {
            ctx.required_amount(g::REFERENCE_COST)
        } else {
            seen.no_reference_cost = true;
            Some(Decimal::ZERO)
        };
        let by_level = ctx.level_costs();
        if !ctx.errors.is_empty() {
            return None;
        }
        seen.seen.scores.add(score?, reference_cost?);
        Some(CatalogRow::Dip(Group {
            code,
            name,
            score: score?,
            grassroots,
            reference_cost: reference_cost?,
            reference_cost_by_level: by_level,
            category,
        }))
    }

    /// What the rows were read as (readings), and scores that all look like relative weights
    /// (issue 11: a catalog whose WEIGHT column, score ÷ 1000, was read as the score): a warning
    /// naming the column.
    fn finish(state: CatalogSeen, report: &mut ImportReport) {
        if let Some(max) = state.seen.scores.looks_like_weights() {
            if let Some(col) = report.columns.iter().find(|c| c.field == "score") {
                report.warnings.push(ImportWarning::ScoresLookLikeWeights {
                    letter: col.letter.clone(),
                    header: col.header.clone(),
                    max,
                });
            }
        }
        let column = |key: &str| {
            report
                .columns
                .iter()
                .find(|c| c.field == key)
                .map(|c| (c.header.clone(), c.letter.clone()))
                .unwrap_or_default()
        };
        let mut readings = Vec::new();
        if state.from_weight {
            let (header, letter) = column("relative_weight");
            let factor = Decimal::from(WEIGHT_TO_SCORE);
            readings.push(Reading::ScoreFromWeight { header, letter, factor });
        }
        if let Some((category, rows)) = state.zero {
            let (header, letter) = column("category");
            readings.push(Reading::CategoryZero {
                header,
                letter,
                category,
                rows,
            });
        }
        for (key, rows) in [("remark", state.from_remark), ("category", state.from_category)] {
            if rows > 0 {
                let (header, letter) = column(key);
                readings.push(Reading::GrassrootsFrom { header, letter, rows });
            }
        }
        if state.no_reference_cost {
            readings.push(Reading::NoReferenceCost);
        }
        report.readings.extend(readings);
    }
}

pub(crate) struct InstitutionsTable;

impl Table for InstitutionsTable {
    type Record<'r> = Institution;
    type Owned = Institution;
    type State = Seen;
    const KIND: TableKind = TableKind::Institutions;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    fn build(ctx: &mut RowCtx<'_>, seen: &mut Seen) -> Option<Institution> {
        let code = ctx.required_text(i::INSTITUTION).map(str::to_string);
        if let Some(code) = &code {
            if let Some(first) = seen.codes.get(code).copied() {
                ctx.duplicate(i::INSTITUTION, code, first);
            } else {
                seen.codes.insert(code.clone(), ctx.row);
            }
        }
        let name = ctx.text(i::NAME).unwrap_or_default().to_string();
        let level = ctx.text(i::LEVEL).unwrap_or_default().to_string();
        let alliance = ctx.text(i::ALLIANCE).map(str::to_string);
        let base_coefficient = ctx.coefficient(i::BASE_COEFFICIENT);
        let bonuses = ctx.coefficient_list(i::BONUSES);
        let deductions = ctx.coefficient_list(i::DEDUCTIONS);
        let factors = ctx.coefficient_list(i::FACTORS);
        let assessment_score = ctx.number(i::ASSESSMENT_SCORE);
        let primary_care = ctx.boolean(i::PRIMARY_CARE);
        let history = if ctx.present(i::HISTORY) {
            ctx.amount_list(i::HISTORY)
        } else {
            let years = [i::HISTORY_1, i::HISTORY_2, i::HISTORY_3];
            let values: Vec<(usize, Option<Decimal>)> = years.iter().map(|&f| (f, ctx.amount(f))).collect();
            let last = values.iter().rposition(|(_, v)| v.is_some());
            let mut out = Vec::new();
            if let Some(last) = last {
                for (f, v) in values.into_iter().take(last + 1) {
                    match v {
                        Some(v) => out.push(v),
                        None => {
                            if !ctx.present(f) {
                                ctx.empty(f);
                            }
                        }
                    }
                }
            }
            out
        };
        let budget_inputs = institution_budget_inputs(ctx);
        if !ctx.errors.is_empty() {
            return None;
        }
        Some(Institution {
            code: code?,
            name,
            level,
            alliance,
            base_coefficient,
            bonuses,
            deductions,
            factors,
            assessment_score,
            primary_care,
            history,
            budget_inputs,
        })
    }
}

/// The field keys of `institutions::INDICATORS`, in order.
const INDICATOR_KEYS: [&str; 5] = [
    "discharges",
    "visits_per_person",
    "mean_days",
    "mean_cost",
    "bed_day_cost",
];

/// An institution row's columns for the budget rules (吉林2024 第八条; 信阳2019 三(二)(三)): the
/// indicators are never negative, last year's months are twelve amounts or none.
fn institution_budget_inputs(ctx: &mut RowCtx<'_>) -> BudgetInputs {
    let category = ctx.text(i::CATEGORY).map(str::to_string);
    let [d, v, m, c, b] = i::INDICATORS;
    let mut non_negative = |f: usize, money: bool| {
        let value = if money { ctx.amount(f) } else { ctx.number(f) };
        match value {
            Some(x) if x < Decimal::ZERO => {
                let key = i::INDICATORS
                    .iter()
                    .position(|&k| k == f)
                    .map_or("base_points", |n| INDICATOR_KEYS[n]);
                ctx.refuse(f, ErrorKind::Negative { field: key.into() });
                None
            }
            other => other,
        }
    };
    let indicators = AllotmentIndicators {
        discharges: non_negative(d, false),
        visits_per_person: non_negative(v, false),
        mean_days: non_negative(m, false),
        mean_cost: non_negative(c, true),
        bed_day_cost: non_negative(b, true),
    };
    let base_points = non_negative(i::BASE_POINTS, false);
    let mut last_year_months = Vec::new();
    if ctx.present(i::LAST_YEAR_MONTHS) {
        let months = ctx.amount_list(i::LAST_YEAR_MONTHS);
        let key = "last_year_months".to_string();
        if months.iter().any(|x| *x < Decimal::ZERO) {
            ctx.refuse(i::LAST_YEAR_MONTHS, ErrorKind::Negative { field: key });
        } else if !months.is_empty() && months.len() != 12 {
            let found = months.len();
            ctx.refuse(
                i::LAST_YEAR_MONTHS,
                ErrorKind::ListLength {
                    field: key,
                    expected: 12,
                    found,
                },
            );
        } else {
            last_year_months = months;
        }
    }
    BudgetInputs {
        category,
        indicators,
        last_year_months,
        base_points,
    }
}

pub(crate) struct SummariesTable;

impl Table for SummariesTable {
    type Record<'r> = InstitutionSummary;
    type Owned = InstitutionSummary;
    type State = Seen;
    const KIND: TableKind = TableKind::Summaries;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    fn build(ctx: &mut RowCtx<'_>, _: &mut Seen) -> Option<InstitutionSummary> {
        let institution = ctx.required_text(s::INSTITUTION).map(str::to_string);
        let fund = ctx.fund(s::FUND);
        let month = if ctx.present(s::MONTH) {
            ctx.month(s::MONTH).map(|m| m.map(|(_, m)| m))
        } else {
            Some(None)
        };
        let points = ctx.required_number(s::POINTS);
        let total_cost = ctx.required_amount(s::TOTAL_COST);
        let personal = personal_burden(ctx, total_cost, s::PERSONAL_BURDEN, s::FUND_PAYMENT, s::FUND_PARTS);
        let prepaid = ctx.amount(s::PREPAID);
        let cases = ctx.count(s::CASES);
        if !ctx.errors.is_empty() {
            return None;
        }
        Some(InstitutionSummary {
            institution: institution?,
            fund: fund?,
            month: month?,
            points: points?,
            total_cost: total_cost?,
            personal_burden: personal?,
            prepaid,
            cases,
        })
    }
}

pub(crate) struct OutpatientTable;

impl Table for OutpatientTable {
    type Record<'r> = OutpatientRecord;
    type Owned = OutpatientRecord;
    type State = Seen;
    const KIND: TableKind = TableKind::Outpatient;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    fn build(ctx: &mut RowCtx<'_>, _: &mut Seen) -> Option<OutpatientRecord> {
        let institution = ctx.required_text(o::INSTITUTION).map(str::to_string);
        let fund = ctx.fund(o::FUND);
        let month = if ctx.present(o::MONTH) {
            ctx.month(o::MONTH).map(|m| m.map(|(_, m)| m))
        } else {
            Some(None)
        };
        let mut money = |f: usize| {
            if ctx.present(f) {
                ctx.amount(f)
            } else {
                Some(Decimal::ZERO)
            }
        };
        let capitation_payment = money(o::CAPITATION);
        let drugs = money(o::DRUGS);
        let consumables = money(o::CONSUMABLES);
        let services = money(o::SERVICES);
        let total_cost = money(o::TOTAL_COST);
        let other_points = if ctx.present(o::OTHER_POINTS) {
            ctx.number(o::OTHER_POINTS)
        } else {
            Some(Decimal::ZERO)
        };
        let personal = personal_burden(ctx, total_cost, o::PERSONAL_BURDEN, o::FUND_PAYMENT, o::FUND_PARTS);
        if !ctx.errors.is_empty() {
            return None;
        }
        Some(OutpatientRecord {
            institution: institution?,
            fund: fund?,
            month: month?,
            capitation_payment: capitation_payment?,
            drugs: drugs?,
            consumables: consumables?,
            services: services?,
            other_points: other_points?,
            total_cost: total_cost?,
            personal_burden: personal?,
        })
    }
}

pub(crate) struct AdjustmentsTable;

impl Table for AdjustmentsTable {
    type Record<'r> = InstitutionAdjustment;
    type Owned = InstitutionAdjustment;
    type State = Seen;
    const KIND: TableKind = TableKind::Adjustments;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    /// amount = 调整金额 − 扣减金额: a deduction is written as a positive sum (as audit exports
    /// list it) and is never negative; an adjustment amount carries its own sign.
    fn build(ctx: &mut RowCtx<'_>, _: &mut Seen) -> Option<InstitutionAdjustment> {
        let institution = ctx.required_text(a::INSTITUTION).map(str::to_string);
        let fund = ctx.fund(a::FUND);
        let label = ctx.required_text(a::LABEL).map(str::to_string);
        let values = [a::POINTS, a::AMOUNT, a::DEDUCTION, a::QUALITY_RESERVE_DEDUCTION];
        if !values.iter().any(|&f| ctx.present(f)) {
            ctx.empty_all(&values);
        }
        let points = if ctx.present(a::POINTS) {
            ctx.number(a::POINTS)
        } else {
            Some(Decimal::ZERO)
        };
        let amount = if ctx.present(a::AMOUNT) {
            ctx.amount(a::AMOUNT)
        } else {
            Some(Decimal::ZERO)
        };
        let deduction = if ctx.present(a::DEDUCTION) {
            ctx.non_negative_amount(a::DEDUCTION)
        } else {
            Some(Decimal::ZERO)
        };
        let net = match (amount, deduction) {
            (Some(x), Some(d)) => {
                let net = x.checked_sub(d);
                if net.is_none() {
                    ctx.not_a_number(a::DEDUCTION);
                }
                net
            }
            _ => None,
        };
        let basis = ctx.text(a::BASIS).unwrap_or_default().to_string();
        let quality_reserve_deduction = if ctx.present(a::QUALITY_RESERVE_DEDUCTION) {
            ctx.non_negative_amount(a::QUALITY_RESERVE_DEDUCTION)
        } else {
            Some(Decimal::ZERO)
        };
        if !ctx.errors.is_empty() {
            return None;
        }
        Some(InstitutionAdjustment {
            institution: institution?,
            fund: fund?,
            label: label?,
            points: points?,
            amount: net?,
            basis,
            quality_reserve_deduction: quality_reserve_deduction?,
        })
    }
}

pub(crate) struct PublishedTable;

impl Table for PublishedTable {
    type Record<'r> = PublishedMonth;
    type Owned = PublishedMonth;
    type State = Seen;
    const KIND: TableKind = TableKind::Published;

    fn owned(record: Self::Record<'_>) -> Self::Owned {
        record
    }

    /// A month 1–12 (全年 is not a published month), a fund, and a point value above zero or the
    /// region's points; a (fund, month) given twice is an error naming the first row.
    fn build(ctx: &mut RowCtx<'_>, seen: &mut Seen) -> Option<PublishedMonth> {
        let fund = ctx.fund(p::FUND);
        let month = match ctx.month(p::MONTH) {
            // A month written with its year (2024-03) must lie in the policy year, as a case's.
            Some(Some((Some(y), _))) if !ctx.in_year(p::MONTH, y) => return None,
            Some(Some((_, m))) => Some(m),
            Some(None) => {
                ctx.empty(p::MONTH);
                None
            }
            None => {
                if !ctx.present(p::MONTH) {
                    ctx.empty(p::MONTH);
                }
                None
            }
        };
        let point_value = ctx.positive_number(p::POINT_VALUE);
        let region_points = ctx.number(p::REGION_POINTS);
        let monthly_budget = ctx.amount(p::MONTHLY_BUDGET);
        // The record limits of a summary (`records::limits`): points ≤ 10¹⁵, amounts ≤ 1 万亿元,
        // and a point value (元 a point) no larger than an amount, so PV × points cannot overflow.
        let money = crate::records::limits::institution_money();
        for (f, key, v, limit) in [
            (p::POINT_VALUE, "point_value", point_value, money),
            (
                p::REGION_POINTS,
                "region_points",
                region_points,
                crate::records::limits::points(),
            ),
            (p::MONTHLY_BUDGET, "monthly_budget", monthly_budget, money),
        ] {
            if v.is_some_and(|v| v.abs() > limit) {
                ctx.refuse(
                    f,
                    ErrorKind::OutOfRange {
                        field: key.into(),
                        limit,
                        below: false,
                        code: None,
                    },
                );
            }
        }
        if !ctx.present(p::POINT_VALUE) && !ctx.present(p::REGION_POINTS) {
            ctx.empty(if ctx.mapped(p::POINT_VALUE) {
                p::POINT_VALUE
            } else {
                p::REGION_POINTS
            });
        }
        if let (Some(f), Some(m)) = (fund, month) {
            let key = format!("{} {m}月", f.label_zh());
            if let Some(first) = seen.codes.get(&key).copied() {
                ctx.duplicate(p::MONTH, &key, first);
            } else {
                seen.codes.insert(key, ctx.row);
            }
        }
        if !ctx.errors.is_empty() {
            return None;
        }
        Some(PublishedMonth {
            fund: fund?,
            month: month?,
            point_value,
            region_points,
            monthly_budget,
            source_row: ctx.row,
        })
    }
}
/// A case as read from its row, its codes still borrowed from the file's text: a
/// [`CaseSink`] copies them ([`CaseRead::to_case`]) or interns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRead<'r> {
    /// 机构编码.
    pub institution: &'r str,
    /// 病种编码 (empty for a fee-for-service case without one).
    pub group: &'r str,
    /// Everything else; its `institution` and `group` are left empty.
    pub case: Case,
}

impl CaseRead<'_> {
    /// The case with its codes.
    pub fn to_case(&self) -> Case {
        Case {
            institution: self.institution.to_string(),
            group: self.group.to_string(),
            ..self.case.clone()
        }
    }
}
