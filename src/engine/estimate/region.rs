//! SPEC §11, own data + the region's figures: when only one hospital's cases are loaded, the
//! rest of the region becomes one more settlement unit, 区域其他 (`REST_CODE`), whose monthly
//! points are the region's published points less the loaded units' points (or, without a
//! published table, the loaded units' points × (1 − share) ÷ share with their own last-year share
//! of the region). It is projected like every unit, so the annual point value is pool ÷ P̂_region.
//!
//! Region points of a month: 区域总点数 when published, else 月度预算 ÷ 点值, with 月度预算 the
//! fund's monthly budget B × w_m (SPEC §3 period budgets) when not published. The rest's personal
//! burden (which the pool under cost basis `fund_plus_personal` needs) is PV × points − 月度预算
//! less the loaded units' own when both 点值 and 区域总点数 are published (the month's pool, SPEC
//! §6); otherwise it, and the rest's cost, are taken at the loaded units' own burden and cost per
//! point [reading]: the bureau publishes neither.

use super::ledger::FundMonths;
use crate::engine::result::{Notice, Settlement};
use crate::engine::{ratio, EngineError};
use crate::policy::Policy;
use crate::records::{Fund, Institution, InstitutionSummary, PublishedMonth};
use rust_decimal::Decimal;

/// The code of the unit standing for the rest of the region.
pub const REST_CODE: &str = "区域其他";

/// An error about one row of the published table, naming it.
fn published_error(code: &str, row: u64, zh: String, en: String) -> EngineError {
    let mut e = EngineError::new(
        code,
        REST_CODE,
        format!("区域公布数据第 {row} 行：{zh}"),
        format!("published figures row {row}: {en}"),
    );
    e.row = (row > 0).then_some(row);
    e
}

/// The synthetic institution for the rest of the region: coefficient 1, its points given.
pub(super) fn rest_institution() -> Institution {
    Institution {
        code: REST_CODE.into(),
        name: "区域其他机构（由公布数据推算）".into(),
        level: String::new(),
        alliance: None,
        base_coefficient: Some(Decimal::ONE),
        bonuses: Vec::new(),
        deductions: Vec::new(),
        factors: Vec::new(),
        assessment_score: None,
        primary_care: Some(false),
        history: Vec::new(),
        budget_inputs: Default::default(),
    }
}

/// Every published row names a fund the policy settles and lies in 1–12 (the reader checked
/// the month); rows after the cut-off, or of a fund without loaded data, are left out with a
/// notice.
pub(super) fn check_published(
    policy: &Policy,
    published: &[PublishedMonth],
    months: &[FundMonths],
    notices: &mut Vec<Notice>,
) -> Result<(), EngineError> {
    let mut after = 0;
    for row in published {
        if policy.funds.get(row.fund).is_none() {
            return Err(published_error(
                "published_fund_not_settled",
                row.source_row,
                format!("险种“{}”不在政策的预算中", row.fund.label_zh()),
                format!(
                    "the published figures name fund {}, which the policy does not settle",
                    row.fund.key()
                ),
            ));
        }
        // A fund without loaded data is not estimated: its rows are unused too.
        if months
            .iter()
            .find(|f| f.fund == row.fund)
            .is_none_or(|fm| row.month > fm.through)
        {
            after += 1;
        }
    }
    if after > 0 {
        notices.push(Notice {
            code: "published_after_cut_off".into(),
            subject: REST_CODE.into(),
            message_zh: format!("区域公布数据中 {after} 行在截止月份之后（或其险种没有载入数据），未使用"),
            message_en: format!(
                "{after} rows of the published figures lie after the cut-off month (or their fund has no data loaded) and are left out"
            ),
        });
    }
    Ok(())
}

/// The region's points in month `m` from the published row (SPEC §11).
fn region_points(row: &PublishedMonth, budget_m: Decimal) -> Result<Decimal, EngineError> {
    if let Some(p) = row.region_points {
        return Ok(p);
    }
    let budget = row.monthly_budget.unwrap_or(budget_m);
    row.point_value.and_then(|pv| budget.checked_div(pv)).ok_or_else(|| {
        published_error(
            "published_no_points",
            row.source_row,
            "这一行既没有区域总点数，也没有大于 0 的点值".into(),
            "this row has neither region points nor a point value above 0".into(),
        )
    })
}

/// What the loaded units hold in a fund: points and personal burden per observed month, and
/// burden and cost per point.
pub(super) struct Own {
    pub points: [Decimal; 12],
    /// The month's pool less its budget: the personal burden under cost basis
    /// `fund_plus_personal`, else 0 (the pool does not need it then).
    pub personal: [Decimal; 12],
    pub personal_per_point: Decimal,
    pub cost_per_point: Decimal,
}

impl Own {
    /// From a settlement of the observed months alone.
    pub fn of(settled: &Settlement, fund: Fund) -> Option<Own> {
        let f = settled.funds.iter().find(|f| f.fund == fund)?;
        let mut points = [Decimal::ZERO; 12];
        let mut personal = [Decimal::ZERO; 12];
        for ((p, r), m) in points.iter_mut().zip(&mut personal).zip(&f.months) {
            *p = m.points;
            *r = m.pool - m.budget;
        }
        Some(Own {
            points,
            personal,
            personal_per_point: ratio(f.totals.personal_burden, f.total_points).unwrap_or_default(),
            cost_per_point: ratio(f.totals.total_cost, f.total_points).unwrap_or_default(),
        })
    }
}

/// The rest's personal burden of a month when the bureau published both the point value and the
/// region's points: the month's pool is PV × points, so the region's burden is PV × points − the
/// month's budget (cost basis `fund_plus_personal`, SPEC §6), less the loaded units' own.
/// `None` without both figures, or when that leaves less than zero.
fn published_personal(row: &PublishedMonth, region: Decimal, budget_m: Decimal, own: Decimal) -> Option<Decimal> {
    let budget = row.monthly_budget.unwrap_or(budget_m);
    let pool = row.point_value?.checked_mul(region)?;
    let rest = pool.checked_sub(budget)?.checked_sub(own)?;
    (row.region_points.is_some() && rest >= Decimal::ZERO).then_some(rest)
}

/// The rest of the region in month `m` from its published row: points, and its personal burden
/// when it can be told from the row.
fn rest_from_published(
    fm: &FundMonths,
    m: u8,
    own: &Own,
    published: &[PublishedMonth],
    budget_m: Decimal,
) -> Result<(Decimal, Option<Decimal>), EngineError> {
    let row = published
        .iter()
        .find(|r| r.fund == fm.fund && r.month == m)
        .ok_or_else(|| {
            EngineError::new(
                "published_month_missing",
                fm.fund.key(),
                format!("区域公布数据缺少{} {m} 月", fm.fund.label_zh()),
                format!("the published figures have no row for {} month {m}", fm.fund.key()),
            )
        })?;
    let mine = own.points[usize::from(m - 1)];
    let region = region_points(row, budget_m)?;
    if region < mine {
        let (r, o) = (region.normalize(), mine.normalize());
        return Err(published_error(
            "published_below_own",
            row.source_row,
            format!("{m} 月公布的区域总点数 {r} 小于已载入机构的点数 {o}"),
            format!("month {m}: the published region points {r} are below the loaded units' {o}"),
        ));
    }
    let personal = published_personal(row, region, budget_m, own.personal[usize::from(m - 1)]);
    Ok((region - mine, personal))
}

/// The rest of the region's monthly summaries for a fund's observed months: from the published
/// rows, or from the loaded units' share of the region.
pub(super) fn rest_summaries(
    fm: &FundMonths,
    own: &Own,
    published: &[PublishedMonth],
    share: Option<Decimal>,
    monthly_budget: &[Decimal],
) -> Result<Vec<InstitutionSummary>, EngineError> {
    let overflow = super::ledger::overflow;
    let mut out = Vec::new();
    for &m in &fm.observed {
        let (rest, personal) = if published.is_empty() {
            let s = share.unwrap_or(Decimal::ONE);
            let mine = own.points[usize::from(m - 1)];
            let rest = mine.checked_mul(Decimal::ONE - s).and_then(|x| x.checked_div(s));
            (rest.ok_or_else(overflow)?, None)
        } else {
            let budget_m = monthly_budget.get(usize::from(m - 1)).copied().unwrap_or_default();
            rest_from_published(fm, m, own, published, budget_m)?
        };
        let by_points = |per_point: Decimal| rest.checked_mul(per_point).ok_or_else(overflow);
        out.push(InstitutionSummary {
            institution: REST_CODE.into(),
            fund: fm.fund,
            month: Some(m),
            points: rest,
            total_cost: by_points(own.cost_per_point)?,
            personal_burden: match personal {
                Some(p) => p,
                None => by_points(own.personal_per_point)?,
            },
            prepaid: None,
            cases: None,
        });
    }
    Ok(out)
}
