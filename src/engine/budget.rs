//! The budget waterfall of one fund (SPEC §3; 宁德2024 第七条 "合理确定年度区域总额预算指标", each fund
//! apart, 第二条 "分账管理、分别核算"): raised → reserve → A → deductions → quality reserve → P;
//! forecast F; rule → B; adjustments; 门诊/住院 split; period budgets.

use super::result::{BudgetResult, BudgetStep};
use super::{fmt_money, fmt_rate, same, EngineError};
use crate::policy::{BudgetRule, Effective, FundPolicy, Mark, OutpatientSplit, Policy, QualityReserveBase, Reserve};
use crate::records::Fund;
use rust_decimal::Decimal;

struct Steps<'p> {
    policy: &'p Policy,
    base: String,
    steps: Vec<BudgetStep>,
}

/// How firmly a mark ties a value to the seeds: a figure computed from several values is only as
/// firm as the least firm of them.
fn firmness(m: Mark) -> u8 {
    match m {
        Mark::User => 0,
        Mark::Default => 1,
        Mark::Reading => 2,
        Mark::Seed => 3,
    }
}

/// The policy paths (below the fund) of the values a reserve amount is computed from.
fn reserve_inputs(reserve: &Reserve) -> &'static [&'static str] {
    match reserve {
        Reserve::Rate { .. } => &["reserve", "reserve.rate"],
        Reserve::NewFundsCapped { .. } => &[
            "reserve",
            "reserve.rate",
            "reserve.new_funds",
            "reserve.accumulated",
            "reserve.cap_rate",
        ],
        Reserve::MonthsOfSpending { .. } => &[
            "reserve",
            "reserve.months",
            "reserve.monthly_spending",
            "reserve.balance",
        ],
        Reserve::None | Reserve::Direct { .. } => &["reserve"],
    }
}

impl Steps<'_> {
    /// Record a step, citing the ref at `path` (or its nearest ancestor) of the policy. Labels
    /// and formulas come as [Chinese, English]; [`same`] for a formula of figures only.
    fn push(&mut self, key: &str, label: [&str; 2], amount: Decimal, subtotal: bool, formula: [String; 2], path: &str) {
        self.push_from(key, label, amount, subtotal, formula, &[path]);
    }

    /// [`Steps::push`] for a step computed from the values at several `paths`: it cites the ref of
    /// the least firm of them (a reserve of a [seed] rule at a [default] rate is [default]).
    fn push_from(
        &mut self,
        key: &str,
        label: [&str; 2],
        amount: Decimal,
        subtotal: bool,
        formula: [String; 2],
        paths: &[&str],
    ) {
        let [label, label_en] = label;
        let [formula, formula_en] = formula;
        let r = paths
            .iter()
            .filter_map(|path| {
                let full = if path.is_empty() {
                    self.base.clone()
                } else {
                    format!("{}.{path}", self.base)
                };
                super::cite(self.policy, &full)
            })
            .min_by_key(|r| firmness(r.mark));
        self.steps.push(BudgetStep {
            key: key.to_string(),
            label: label.to_string(),
            label_en: label_en.to_string(),
            amount,
            subtotal,
            formula,
            formula_en,
            mark: r.map(|r| r.mark).unwrap_or(Mark::Default),
            source: r.and_then(|r| r.source.clone()),
            article: r.and_then(|r| r.article.clone()),
        });
    }
}

/// The reserve kept back from the amount raised (SPEC §3, reserve rules).
pub fn reserve_amount(reserve: &Reserve, raised: Decimal) -> Decimal {
    match reserve {
        Reserve::None | Reserve::Direct { .. } => Decimal::ZERO,
        Reserve::Rate { rate } => raised * rate,
        // 休宁2021 8 居民 [reading]: rate × new funds, no more than what brings the accumulated
        // reserve to cap_rate × raised.
        Reserve::NewFundsCapped {
            rate,
            new_funds,
            accumulated,
            cap_rate,
        } => {
            let room = (raised * cap_rate - accumulated.to_yuan()).max(Decimal::ZERO);
            (new_funds.to_yuan() * rate).min(room)
        }
        // 休宁2021 8 职工: keep the balance ≥ months × monthly spending.
        Reserve::MonthsOfSpending {
            months,
            monthly_spending,
            balance,
        } => (monthly_spending.to_yuan() * months - balance.to_yuan()).max(Decimal::ZERO),
    }
}

/// The forecast F = (Σ w_k × actual_k) × (1 + min(g, cap)) (SPEC §3, 宁德2024 第七条).
pub fn forecast_amount(forecast: &crate::policy::Forecast) -> (Decimal, Decimal, Decimal) {
    let weighted: Decimal = forecast.history.iter().map(|h| h.amount.to_yuan() * h.weight).sum();
    let growth = match forecast.growth_cap {
        Some(cap) => forecast.proposed_growth.min(cap),
        None => forecast.proposed_growth,
    };
    (weighted * (Decimal::ONE + growth), weighted, growth)
}

/// Spread an annual amount over the months: by the policy's monthly profile, or evenly
/// (休宁2021 10 "平均分配到每月", annual ÷ 12 exactly). The last month takes the remainder so the
/// months add up to the year exactly.
pub fn spread_by_month(annual: Decimal, profile: Option<&[Decimal]>) -> Vec<Decimal> {
    let mut out: Vec<Decimal> = match profile {
        Some(p) if p.len() == 12 => p.iter().map(|s| annual * s).collect(),
        _ => vec![annual / Decimal::from(12); 12],
    };
    let head: Decimal = out[..11].iter().sum();
    out[11] = annual - head;
    out
}

/// 预算总额细分 (吉林2024 第八条 "结合定点服务机构类型、等级等因素，进一步进行预算总额细分"): each
/// sub-pool's part of the inpatient budget, in the policy's order. The amount sub-pools take their
/// amounts; the share sub-pools split what is left by their shares (which add up to 1), the last
/// of them taking the remainder so that the parts add up to the inpatient budget exactly. Amounts
/// above the inpatient budget, or amounts alone that miss it, are an error naming the field.
pub fn sub_budgets(fp: &FundPolicy, fund: Fund, inpatient: Decimal) -> Result<Vec<Decimal>, EngineError> {
    let path = format!("funds.{}.sub_budgets", fund.key());
    let amounts: Decimal = fp
        .sub_budgets
        .iter()
        .filter_map(|s| s.amount)
        .map(|a| a.to_yuan())
        .sum();
    let rest = inpatient - amounts;
    let last_share = fp.sub_budgets.iter().rposition(|s| s.amount.is_none());
    let mismatch = match last_share {
        Some(_) => rest < Decimal::ZERO,
        None => !rest.is_zero(),
    };
    if mismatch {
        return Err(EngineError::new(
            "sub_budgets_mismatch",
            &path,
            format!(
                "{}：细分预算金额合计 {} 元与住院预算 {} 元不符（按比例的细分预算分配余下部分；没有按比例的，金额须恰好合计为住院预算）",
                fund.label_zh(),
                fmt_money(amounts),
                fmt_money(inpatient)
            ),
            format!(
                "{}: the sub-budget amounts add up to {} 元, the inpatient budget is {} 元 (share sub-budgets split the rest; without one the amounts must add up to it)",
                fund.key(),
                fmt_money(amounts),
                fmt_money(inpatient)
            ),
        ));
    }
    let mut shared = Decimal::ZERO;
    Ok(fp
        .sub_budgets
        .iter()
        .enumerate()
        .map(|(k, s)| match (s.amount, s.share) {
            (Some(a), _) => a.to_yuan(),
            (None, _) if Some(k) == last_share => rest - shared,
            (None, share) => {
                let part = rest * share.unwrap_or_default();
                shared += part;
                part
            }
        })
        .collect())
}

/// The inpatient part of a budget under the fund's 门诊/住院 split (吉林2024 第八条).
fn inpatient_part(fp: &FundPolicy, budget: Decimal) -> Decimal {
    match &fp.outpatient {
        OutpatientSplit::None => budget,
        OutpatientSplit::Share { share } => budget - budget * share,
        OutpatientSplit::Amount { amount } => budget - amount.to_yuan(),
    }
}

/// Each month's inpatient budget (SPEC §6, §7.2): the year's inpatient budget spread by the
/// monthly profile, except that an adjustment counts only from the month it takes effect in
/// (年中: spread over that month and the ones after it by the profile; 年终: in no month). The
/// months before it keep the budget they were prepaid and cleared under; the year's B includes
/// every adjustment, so a 年终 adjustment moves the year-end figures only.
fn period_budgets(fp: &FundPolicy, budget: Decimal, inpatient: Decimal) -> Vec<Decimal> {
    let profile = fp.monthly_profile.as_deref();
    let later: Vec<(usize, Decimal)> = fp
        .adjustments
        .iter()
        .filter(|a| a.effective() != Effective::YearStart)
        .map(|a| (a.effective().first_month(), a.amount.to_yuan()))
        .collect();
    if later.is_empty() {
        return spread_by_month(inpatient, profile);
    }
    let mut b = budget - later.iter().map(|(_, a)| *a).sum::<Decimal>();
    let mut months = spread_by_month(inpatient_part(fp, b), profile);
    for (first, amount) in later.into_iter().filter(|(first, _)| *first < 12) {
        let part = inpatient_part(fp, b + amount) - inpatient_part(fp, b);
        b += amount;
        let weight = |m: usize| match profile {
            Some(p) if p.len() == 12 => p[m],
            _ => Decimal::ONE,
        };
        let total: Decimal = (first..12).map(weight).sum();
        let mut given = Decimal::ZERO;
        for (m, month) in months.iter_mut().enumerate().skip(first) {
            let share = if m == 11 {
                part - given
            } else if total.is_zero() {
                Decimal::ZERO
            } else {
                part * weight(m) / total
            };
            given += share;
            *month += share;
        }
    }
    months
}

/// When an adjustment takes effect, for its budget step: none when in every period.
fn effective_note(e: Effective) -> Option<[String; 2]> {
    match e {
        Effective::YearStart => None,
        Effective::FromMonth { month } => Some([format!("自 {month} 月起"), format!("from month {month}")]),
        Effective::YearEnd => Some(["年终清算".into(), "year-end settlement only".into()]),
    }
}

/// A subtotal of the waterfall below zero (deductions above the amount raised, an adjustment or
/// an outpatient amount above the budget) would price points at a negative value: an error
/// naming the fund and every step up to that subtotal, with their amounts.
fn negative_subtotal(fund: Fund, steps: &[BudgetStep]) -> Result<(), EngineError> {
    let Some(at) = steps.iter().position(|s| s.subtotal && s.amount < Decimal::ZERO) else {
        return Ok(());
    };
    let shown = &steps[..=at];
    let line = |s: &BudgetStep, label: &str| format!("{label} {}", fmt_signed(s.amount));
    let zh: Vec<String> = shown.iter().map(|s| line(s, &s.label)).collect();
    let en: Vec<String> = shown.iter().map(|s| line(s, &s.label_en)).collect();
    let last = &steps[at];
    Err(EngineError::new(
        "negative_budget",
        &format!("funds.{}", fund.key()),
        format!(
            "{}基金的{}为负数（{}）：扣除项或调整超过了可用金额。各步骤：{}",
            fund.label_zh(),
            last.label,
            fmt_signed(last.amount),
            zh.join("；")
        ),
        format!(
            "{} fund: {} is negative ({}): the deductions or adjustments exceed what is available. Steps: {}",
            fund.key(),
            last.label_en,
            fmt_signed(last.amount),
            en.join("; ")
        ),
    ))
}

/// Money with a typographic minus, as the waterfall shows it.
fn fmt_signed(x: Decimal) -> String {
    fmt_money(x).replace('-', "−")
}

/// The whole waterfall of one fund: A, P, F, B, the 门诊/住院 split and the months; an error
/// when a subtotal is negative ([`negative_subtotal`]).
pub fn fund_budget(policy: &Policy, fund: Fund, fp: &FundPolicy) -> Result<BudgetResult, EngineError> {
    let mut s = Steps {
        policy,
        base: format!("funds.{}", fund.key()),
        steps: Vec::new(),
    };
    let available = s.available(fp);
    let (packable, quality_reserve) = s.packable(fp, available);
    let forecast = s.forecast(fp);
    let budget = s.rule(fp, packable, forecast);
    let budget = s.adjusted(fp, budget);
    let outpatient_budget = s.outpatient(fp, budget);
    let inpatient_budget = budget - outpatient_budget;
    let monthly_budget = period_budgets(fp, budget, inpatient_budget);
    negative_subtotal(fund, &s.steps)?;
    Ok(BudgetResult {
        steps: s.steps,
        available,
        packable,
        forecast,
        budget,
        budget_exact: budget,
        quality_reserve,
        inpatient_budget,
        outpatient_budget,
        monthly_budget,
    })
}

/// The reserve's formula, as a budget step shows it.
fn reserve_formula(reserve: &Reserve, raised: Decimal) -> String {
    match reserve {
        Reserve::Rate { rate } => format!("{} × {}", fmt_money(raised), fmt_rate(*rate)),
        Reserve::NewFundsCapped {
            rate,
            new_funds,
            accumulated,
            cap_rate,
        } => format!(
            "min({} × {}, {} × {} − {})",
            fmt_money(new_funds.to_yuan()),
            fmt_rate(*rate),
            fmt_money(raised),
            fmt_rate(*cap_rate),
            fmt_money(accumulated.to_yuan())
        ),
        Reserve::MonthsOfSpending {
            months,
            monthly_spending,
            balance,
        } => format!(
            "max(0, {} × {months} − {})",
            fmt_money(monthly_spending.to_yuan()),
            fmt_money(balance.to_yuan())
        ),
        _ => String::new(),
    }
}

impl Steps<'_> {
    /// A = raised − reserve, or entered directly.
    fn available(&mut self, fp: &FundPolicy) -> Decimal {
        let raised = fp.raised.map(|a| a.to_yuan()).unwrap_or_default();
        let reserve = match &fp.reserve {
            Reserve::Direct { available } => {
                let a = available.to_yuan();
                self.push(
                    "available",
                    ["可预算总额（直接确定）", "Budgetable amount (set directly)"],
                    a,
                    true,
                    ["合理确定".into(), "set by the bureau".into()],
                    "reserve.available",
                );
                return a;
            }
            reserve => reserve,
        };
        self.push(
            "raised",
            ["基金筹集总额", "Funds raised"],
            raised,
            true,
            same(fmt_money(raised)),
            "raised",
        );
        let r = reserve_amount(reserve, raised);
        if !matches!(reserve, Reserve::None) {
            let formula = reserve_formula(reserve, raised);
            self.push_from(
                "reserve",
                ["风险金", "Risk reserve"],
                -r,
                false,
                same(formula),
                reserve_inputs(reserve),
            );
        }
        let a = raised - r;
        self.push_from(
            "available",
            ["可预算总额 A", "Budgetable amount A"],
            a,
            true,
            same(format!("{} − {}", fmt_money(raised), fmt_money(r))),
            reserve_inputs(reserve),
        );
        a
    }

    /// P = A − Σ deductions − quality reserve; returns (P, quality reserve).
    fn packable(&mut self, fp: &FundPolicy, available: Decimal) -> (Decimal, Decimal) {
        let mut packable = available;
        for (n, d) in fp.deductions.iter().enumerate() {
            let amount = d.amount.to_yuan();
            packable -= amount;
            self.push(
                "deduction",
                [&d.label, &d.label],
                -amount,
                false,
                same(fmt_money(amount)),
                &format!("deductions.{n}"),
            );
        }
        let quality_base = match fp.quality_reserve.base {
            QualityReserveBase::AfterDeductions => packable,
            QualityReserveBase::Available => available,
        };
        let quality_reserve = quality_base * fp.quality_reserve.rate;
        if !quality_reserve.is_zero() {
            packable -= quality_reserve;
            self.push_from(
                "quality_reserve",
                ["质量保证金", "Quality reserve"],
                -quality_reserve,
                false,
                same(format!(
                    "{} × {}",
                    fmt_money(quality_base),
                    fmt_rate(fp.quality_reserve.rate)
                )),
                &["quality_reserve.rate", "quality_reserve.base"],
            );
        }
        self.push(
            "packable",
            ["DIP 区域可用打包额 P", "Regional DIP package P"],
            packable,
            true,
            same(fmt_money(packable)),
            "deductions",
        );
        (packable, quality_reserve)
    }

    /// F, when the policy gives a forecast.
    fn forecast(&mut self, fp: &FundPolicy) -> Option<Decimal> {
        let f = fp.forecast.as_ref()?;
        let (amount, weighted, growth) = forecast_amount(f);
        let terms: Vec<String> = f
            .history
            .iter()
            .map(|h| format!("{} × {}", fmt_money(h.amount.to_yuan()), h.weight.normalize()))
            .collect();
        self.push(
            "forecast",
            ["DIP 所涉基金支出预测额 F", "Forecast of DIP fund spending F"],
            amount,
            true,
            same(format!(
                "({}) = {} × (1 + {})",
                terms.join(" + "),
                fmt_money(weighted),
                fmt_rate(growth)
            )),
            "forecast",
        );
        Some(amount)
    }

    /// B by the rule: min(P, F), P, or a set amount.
    fn rule(&mut self, fp: &FundPolicy, packable: Decimal, forecast: Option<Decimal>) -> Decimal {
        let (label, b, formula) = match &fp.rule {
            BudgetRule::Min => {
                let f = forecast.unwrap_or(packable);
                let formula = format!("min({}, {})", fmt_money(packable), fmt_money(f));
                (
                    ["预算总额 B = min(P, F)", "Budget B = min(P, F)"],
                    packable.min(f),
                    formula,
                )
            }
            BudgetRule::Packable => (["预算总额 B = P", "Budget B = P"], packable, fmt_money(packable)),
            BudgetRule::Fixed { amount } => {
                let b = amount.to_yuan();
                (["预算总额 B（确定值）", "Budget B (set amount)"], b, fmt_money(b))
            }
        };
        self.push("rule", label, b, true, same(formula), "rule");
        b
    }

    /// B + Σ adjustments, and the earmarks within B (shown, not added).
    fn adjusted(&mut self, fp: &FundPolicy, mut budget: Decimal) -> Decimal {
        for (n, a) in fp.adjustments.iter().enumerate() {
            let amount = a.amount.to_yuan();
            budget += amount;
            let formula = match effective_note(a.effective()) {
                None => same(fmt_money(amount)),
                Some([zh, en]) => [
                    format!("{}（{zh}）", fmt_money(amount)),
                    format!("{} ({en})", fmt_money(amount)),
                ],
            };
            self.push(
                "adjustment",
                [&a.label, &a.label],
                amount,
                false,
                formula,
                &format!("adjustments.{n}"),
            );
        }
        if !fp.adjustments.is_empty() {
            self.push(
                "budget",
                ["调整后预算总额 B", "Adjusted budget B"],
                budget,
                true,
                same(fmt_money(budget)),
                "adjustments",
            );
        }
        for (n, e) in fp.earmarks.iter().enumerate() {
            let amount = e.amount.to_yuan();
            self.push(
                "earmark",
                [&e.label, &e.label],
                amount,
                true,
                [
                    format!("{}（含在 B 内）", fmt_money(amount)),
                    format!("{} (within B)", fmt_money(amount)),
                ],
                &format!("earmarks.{n}"),
            );
        }
        budget
    }

    /// The outpatient part of B (吉林2024 第六–八条); the rest is inpatient.
    fn outpatient(&mut self, fp: &FundPolicy, budget: Decimal) -> Decimal {
        let outpatient = match &fp.outpatient {
            OutpatientSplit::None => return Decimal::ZERO,
            OutpatientSplit::Share { share } => budget * share,
            OutpatientSplit::Amount { amount } => amount.to_yuan(),
        };
        let inpatient = budget - outpatient;
        for (key, label, amount) in [
            ("outpatient", ["门诊预算", "Outpatient budget"], outpatient),
            ("inpatient", ["住院预算", "Inpatient budget"], inpatient),
        ] {
            self.push(key, label, amount, true, same(fmt_money(amount)), "outpatient");
        }
        outpatient
    }
}
