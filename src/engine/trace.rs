//! A unit's trace (SPEC §5–§7.2; STYLE "a trace of how a number was computed"): the arithmetic
//! of one unit's figures in a fund's settlement, each line citing the article its formula comes
//! from, e.g. 吉林2024 第十七条 "服务机构住院结算额度=预付点值×该服务机构住院付费总点数". Everything a
//! trace shows is in the settlement, so it is written only when asked.

use super::result::{BandPosition, FundResult, PointsByKind, TraceLine, UnitResult};
use super::special::SpecialKind;
use super::{fmt_money, fmt_rate, same};
use crate::policy::{CostBasis, Policy, ReturnRule, SettlementMode};
use rust_decimal::Decimal;

/// One trace line; labels and formulas as [Chinese, English].
fn line(label: [&str; 2], formula: [String; 2], value: Decimal, cite: &str) -> TraceLine {
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
}

/// How the unit's figures were reached.
struct Reading {
    allotment: bool,
    /// Fund-only cost basis or allotment: S is fund money, C is cost − personal burden.
    fund_money: bool,
}

/// The arithmetic of one unit's figures in a fund's settlement, each line citing where its
/// formula lives: everything it shows is in the settlement (SPEC §5–§7.2), so it is written only
/// when asked ([`super::settle_aggregated`] does it for every unit).
pub fn unit_trace(policy: &Policy, fund: &FundResult, t: &UnitResult) -> Vec<TraceLine> {
    let allotment = policy.settlement.mode == SettlementMode::Allotment;
    let fund_only = policy.point_value.cost_basis == CostBasis::FundOnly;
    let how = Reading {
        allotment,
        fund_money: fund_only || allotment,
    };
    let mut out = vec![points_line(&t.points)];
    out.extend(special_lines(t));
    out.extend(settlement_lines(&how, fund, t));
    out.extend(sharing_lines(&how, t));
    let [deposit, returned, prepaid, net] = payment_lines(policy, t);
    out.extend([deposit, returned, prepaid]);
    out.extend(adjustment_lines(t));
    if !t.quality_reserve_deduction.is_zero() {
        let asked = fmt_money(t.quality_reserve_deduction);
        out.push(line(
            ["扣减质量保证金", "Quality reserve deducted"],
            [
                format!("min({asked}, 本机构质量保证金)；余额按考核返还"),
                format!("min({asked}, its quality reserve); the rest returned by assessment"),
            ],
            -t.quality_reserve_deducted,
            "信阳2019 三(七)",
        ));
    }
    out.extend(assessment_lines(policy, t));
    out.push(net);
    out
}

/// The score-band return, 考核系数 and 预付金 lines, only when the policy sets them (国家DIP3.0
/// 第七章第三节一(四), 第七章第二节一; 信阳2019 三(六)).
fn assessment_lines(policy: &Policy, t: &UnitResult) -> Vec<TraceLine> {
    let s = &policy.settlement;
    let score = t.assessment_score.normalize();
    let mut out = Vec::new();
    let by_bands = [s.deposit.return_rule, s.quality_reserve_return].contains(&ReturnRule::Bands);
    if let Some(bands) = s.return_bands.as_deref().filter(|_| by_bands) {
        let rate = fmt_rate(super::payment::band_rate(bands, score));
        out.push(line(
            ["考核分档返还比例", "Return rate of the score band"],
            [format!("考核得分 {score} → {rate}"), format!("score {score} → {rate}")],
            super::payment::band_rate(bands, score),
            "信阳2019 三(六); 吉林2024 第二十七条",
        ));
    }
    if let Some(k) = t.assessment_factor {
        let k_text = k.normalize();
        out.push(line(
            ["考核系数调整", "Assessment factor"],
            same(format!("{} × ({k_text} − 1)", fmt_money(t.fund_settlement))),
            t.assessment_adjustment,
            "国家DIP3.0 第七章第三节一(四)",
        ));
    }
    if let Some(a) = &s.advance {
        out.push(line(
            [
                "年初预付金（年终抵扣）",
                "Advance paid at the start of the year (set off)",
            ],
            [
                format!(
                    "{} ÷ 12 × 上年基金支付（未提供时为本年基金结算额）",
                    a.months.normalize()
                ),
                format!(
                    "{} ÷ 12 × last year's fund payment (this year's FS when not given)",
                    a.months.normalize()
                ),
            ],
            -t.advance,
            "国家DIP3.0 第七章第二节一",
        ));
    }
    out
}

/// One line per year-end adjustment, by its name (SPEC §7.2; 吉林2024 第二十七条; 信阳2019 三(二)(三)).
fn adjustment_lines(t: &UnitResult) -> impl Iterator<Item = TraceLine> + '_ {
    t.adjustments.iter().map(|a| {
        let points = super::rounding::round_points(a.points).normalize();
        let (basis, basis_en) = match a.basis.as_str() {
            "" => (String::new(), String::new()),
            b => (format!("（{b}）"), format!(" ({b})")),
        };
        line(
            [
                &format!("年终调整：{}", a.label),
                &format!("Year-end adjustment: {}", a.label),
            ],
            [
                format!("{} 点数 {points}{basis}", a.institution),
                format!("{} points {points}{basis_en}", a.institution),
            ],
            a.amount,
            "SPEC §7.2; 吉林2024 第二十七条; 信阳2019 三(二)(三)",
        )
    })
}

/// Points by kind (SPEC §5; 吉林2024 第十二条).
fn points_line(k: &PointsByKind) -> TraceLine {
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
    // The 加成分值 only where there is one, so a policy without it traces as before.
    let (bonus, bonus_en) = match k.bonus.normalize() {
        b if b.is_zero() => (String::new(), String::new()),
        b => (
            format!(" + 新药新技术加成 {b}"),
            format!(" + new drug/technology bonus {b}"),
        ),
    };
    line(
        ["点数", "Points"],
        [
            format!("正常 {n} + 高倍率 {hi} + 低倍率 {lo} + 特例单议 {rv} + 床日 {pd} + 项目 {ffs} + 汇总 {sm} + 调整 {adj}{bonus}"),
            format!("normal {n} + high-cost {hi} + low-cost {lo} + special review {rv} + per-diem {pd} + fee-for-service {ffs} + summary {sm} + adjustments {adj}{bonus_en}"),
        ],
        k.total,
        "SPEC §5; 吉林2024 第十二条",
    )
}

/// One line per kind of case a national rule touched: its cases and their points (SPEC §12). They
/// are inside the points line's kinds (a deviant case priced by 项目 is in 项目, …), shown apart.
fn special_lines(t: &UnitResult) -> impl Iterator<Item = TraceLine> + '_ {
    t.special_cases.iter().filter_map(|c| {
        let kind = SpecialKind::ALL.into_iter().find(|k| k.key() == c.kind)?;
        let [zh, en, cite] = kind.names();
        let points = super::rounding::round_points(c.points).normalize();
        Some(line(
            [zh, en],
            [
                format!("{} 例，点数 {points}", c.cases),
                format!("{} cases, {points} points", c.cases),
            ],
            c.points,
            cite,
        ))
    })
}

/// S (SPEC §7 or §7.3), FS and C (SPEC §7.1).
fn settlement_lines(how: &Reading, fund: &FundResult, t: &UnitResult) -> Vec<TraceLine> {
    let mut out = Vec::with_capacity(3);
    out.push(settlement_line(how, fund, t));
    if !how.fund_money {
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
        if how.fund_money {
            ["医疗总费用 − 个人负担".into(), "total cost − personal burden".into()]
        } else {
            ["医疗总费用".into(), "total cost".into()]
        },
        t.compared_cost,
        "SPEC §7.1",
    ));
    out
}

/// S: the allotment, the elastic two-part price, the sub-budget's or the fund's pool share.
fn settlement_line(how: &Reading, fund: &FundResult, t: &UnitResult) -> TraceLine {
    if how.allotment {
        line(
            ["定额 S", "Allotment S"],
            [
                "住院预算 × 历史基金支付份额（对账到分）".into(),
                "inpatient budget × historical share of fund payments (reconciled to the fen)".into(),
            ],
            t.settlement,
            "SPEC §7.3; 信阳2019 三(二)",
        )
    } else if let Some((v, f)) = fund
        .elastic
        .as_ref()
        .filter(|e| e.by_institution)
        .and_then(|e| Some((e.fixed_value?, e.floating_value.unwrap_or_default())))
    {
        let n = t.points.total;
        let b = t.elastic_base_points.unwrap_or_default().max(Decimal::ZERO);
        let (within, over) = (n.min(b).normalize(), (n - b).max(Decimal::ZERO).normalize());
        let (v, f) = (v.normalize(), super::rounding::round_point_value(f, 6));
        line(
            ["结算额度 S", "Settlement S"],
            [
                format!("固定点值 {v} × 基准内点数 {within} + 浮动点值 {f} × 超出点数 {over}（对账到分）"),
                format!("fixed value {v} × {within} base points + floating value {f} × {over} points beyond (reconciled to the fen)"),
            ],
            t.settlement,
            "国家DIP3.0 第四章第三节一(二) 1",
        )
    } else if let Some(sub) = t
        .sub_pool
        .as_ref()
        .and_then(|l| fund.sub_pools.iter().find(|p| &p.label == l))
    {
        let f = format!(
            "{} × {} ÷ {}",
            fmt_money(sub.pool),
            t.points.total.normalize(),
            sub.points.normalize()
        );
        let label = &sub.label;
        line(
            ["结算额度 S", "Settlement S"],
            [
                format!("细分预算“{label}”：{f}（对账到分）"),
                format!("sub-budget “{label}”: {f} (reconciled to the fen)"),
            ],
            t.settlement,
            "SPEC §7, §2; 吉林2024 第八条, 第十七条",
        )
    } else {
        let f = format!(
            "{} × {} ÷ {}",
            fmt_money(fund.pool),
            t.points.total.normalize(),
            fund.total_points.normalize()
        );
        line(
            ["结算额度 S", "Settlement S"],
            [format!("{f}（对账到分）"), format!("{f} (reconciled to the fen)")],
            t.settlement,
            "SPEC §7, §2; 吉林2024 第十七条",
        )
    }
}

/// Where C − S falls among the bands, as [Chinese, English].
fn band_words(band: BandPosition) -> [String; 2] {
    match band {
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
    }
}

/// T and what the fund pays (SPEC §7.1; 吉林2024 第二十七条).
fn sharing_lines(how: &Reading, t: &UnitResult) -> [TraceLine; 2] {
    let gap = fmt_money(t.compared_cost - t.settlement);
    let [band_zh, band_en] = band_words(t.band);
    [
        line(
            ["风险分担后 T", "After risk sharing T"],
            [
                format!("{band_zh}（C − S = {gap}）"),
                format!("{band_en} (C − S = {gap})"),
            ],
            t.target,
            "SPEC §7.1; 吉林2024 第二十七条",
        ),
        line(
            ["基金支付", "Fund pays"],
            same(if how.fund_money {
                "T".into()
            } else {
                format!("{} − {}", fmt_money(t.target), fmt_money(t.personal_burden))
            }),
            t.fund_pays,
            "SPEC §7.1",
        ),
    ]
}

/// Deposit, prepayments and what is due at year end (SPEC §7.2).
fn payment_lines(policy: &Policy, t: &UnitResult) -> [TraceLine; 4] {
    let deposit_rate = fmt_rate(policy.settlement.deposit.rate);
    let net = format!(
        "{} − {} − {} + {}",
        fmt_money(t.fund_pays),
        fmt_money(t.deposit_withheld),
        fmt_money(t.prepaid),
        fmt_money(t.deposit_returned)
    );
    [
        line(
            ["保证金", "Deposit withheld"],
            same(format!("{} × {deposit_rate}", fmt_money(t.fund_settlement))),
            t.deposit_withheld,
            "吉林2024 第二十二条(五)",
        ),
        line(
            ["返还保证金", "Deposit returned"],
            [
                "保证金 × 考核得分 ÷ 100".into(),
                "deposit × assessment score ÷ 100".into(),
            ],
            t.deposit_returned,
            "SPEC §7.2 [default]",
        ),
        line(
            ["已预付", "Prepaid"],
            [
                "月度预付 + 一至三季度清算".into(),
                "monthly prepayments + clearing of quarters 1–3".into(),
            ],
            t.prepaid,
            "吉林2024 第二十二–二十四条",
        ),
        line(
            ["年终应付（负数为应收回）", "Due at year end (negative: to recover)"],
            [format!("{net} + 其他"), format!("{net} + other")],
            t.net_to_pay,
            "SPEC §7.2",
        ),
    ]
}
