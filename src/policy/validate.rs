//! Strict policy loading: unknown keys, missing fields, out-of-range values and inconsistent
//! combinations are errors naming the field path; questionable but legal values are warnings.

use super::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

/// The limits table: the largest (and, for divisors, the smallest) value each kind of policy
/// parameter may take. Each is a range a real region can have, with room to spare, and together
/// they keep every sum and product the engine forms far below `Decimal`'s ceiling (about
/// 7.9 × 10²⁸), so no policy value can make a settlement panic. `docs/policy.md` §5 lists them
/// with the same reasons; the record limits are in `crate::records::limits`.
pub mod limits {
    use rust_decimal::Decimal;

    /// Any money amount of a policy, in 元 after its unit: 1 万亿元 (10¹²). A whole province's
    /// basic medical insurance raises less than that in a year; one region's budget is far below.
    pub fn money() -> Decimal {
        Decimal::new(1_000_000_000_000, 0)
    }

    /// A per-case money standard (a high-tier bound on ref_g, the base cost of 床日/项目 points),
    /// in 元: 1 亿元, the same bound as one case's cost (`records::limits::case_money`).
    pub fn case_money() -> Decimal {
        Decimal::new(100_000_000, 0)
    }

    /// The smallest base cost of 床日/项目 points (元): it divides, so it must not be tiny; the
    /// average inpatient stay it stands for costs thousands of 元.
    pub fn min_base_cost() -> Decimal {
        Decimal::ONE
    }

    /// A ratio that divides (fund_share_ratio, per_diem_reimbursement_ratio,
    /// capitation_fund_share) is at least 1%: a fund paying less than that of the cost is no
    /// insurance, and dividing by less would multiply the budget by more than 100.
    pub fn min_divisor_ratio() -> Decimal {
        Decimal::new(1, 2)
    }

    /// `points.scale`: 吉林2024 uses ×10000; ten times that is the limit.
    pub fn scale() -> Decimal {
        Decimal::new(100_000, 0)
    }

    /// `points.base_points`: catalogs use 1, 100 or 1000 for the average case; ×10 room.
    pub fn base_points() -> Decimal {
        Decimal::new(10_000, 0)
    }

    /// An outlier threshold H (a cost ratio): 2 to 3 in every rule we know (国家DIP3.0 第五章第三节二);
    /// 100 leaves room for any tiering.
    pub fn high_ratio() -> Decimal {
        Decimal::ONE_HUNDRED
    }

    /// Any coefficient (a level's, the range bounds, the 基层病种 one): 吉林2024 第九条(一) says
    /// "原则上为0-200%"; 10 (1000%) is five times that.
    pub fn coefficient() -> Decimal {
        Decimal::TEN
    }

    /// A risk-sharing band bound, as a multiple of S: the seeds use 10%; 10 (a gap ten times the
    /// settlement) is beyond any band a city would write.
    pub fn band() -> Decimal {
        Decimal::TEN
    }

    /// An outpatient price ratio (药品/耗材/医疗服务) or the fixed value of a capitation point
    /// (元): 1 in 吉林2024 第十四条 and 第十六条; 100 is the limit.
    pub fn outpatient_ratio() -> Decimal {
        Decimal::ONE_HUNDRED
    }

    /// A return rate or 考核系数 of a score band: at most 2 (a 倾斜 that doubles what was held back,
    /// 吉林2024 第二十七条 ¶3, is already generous).
    pub fn band_rate() -> Decimal {
        Decimal::TWO
    }

    /// An assessment score: 0 to 1000 (scores run to 100 in every document; some contracts use
    /// a thousand-point scale).
    pub fn score() -> Decimal {
        Decimal::ONE_THOUSAND
    }

    /// A point value of the 弹性点值 rule (元 per point): above 0, at most 10⁶ (a catalog of base
    /// points 1 prices its average case at thousands of 元).
    pub fn point_value() -> Decimal {
        Decimal::new(1_000_000, 0)
    }

    /// 预付金 months: at most 12 (the text says "1 个月左右").
    pub fn advance_months() -> Decimal {
        Decimal::new(12, 0)
    }

    /// All points of a city (调剂金 second distribution), at least 1 (it divides) and at most
    /// 10²⁶, about the most points the record limits let a dataset sum to.
    pub fn city_points() -> Decimal {
        Decimal::from_i128_with_scale(100_000_000_000_000_000_000_000_000, 0)
    }
}

/// One finding about a policy, located by field path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyIssue {
    /// Field path, e.g. `funds.employee.reserve.rate`.
    pub path: String,
    /// `error` or `warning`.
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
}

/// A policy that cannot be used, with every error found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    pub issues: Vec<PolicyIssue>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, issue) in self.issues.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}", issue.path, issue.message_en)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

impl PolicyError {
    fn single(path: &str, zh: String, en: String) -> Self {
        PolicyError {
            issues: vec![issue(path, Severity::Error, zh, en)],
        }
    }
}

fn issue(path: &str, severity: Severity, zh: String, en: String) -> PolicyIssue {
    PolicyIssue {
        path: path.to_string(),
        severity,
        message_zh: zh,
        message_en: en,
    }
}

pub(super) fn parse_and_validate(text: &str) -> Result<Policy, PolicyError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let policy: Policy = serde_path_to_error::deserialize(de).map_err(|e| {
        use serde_path_to_error::Segment;
        // The same dotted form as every other path (`history.1.weight`, not `history[1].weight`).
        let mut path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                Segment::Seq { index } => Some(index.to_string()),
                Segment::Map { key } => Some(key.clone()),
                Segment::Enum { .. } | Segment::Unknown => None,
            })
            .collect();
        let detail = e.into_inner().to_string();
        locate_in_object(&mut path, text, &detail);
        PolicyError::single(
            &path.join("."),
            format!("政策文件无法读取：{detail}"),
            format!("the policy file cannot be read: {detail}"),
        )
    })?;
    require_every_field(text, &policy)?;
    validate(&policy)?;
    Ok(policy)
}

/// serde reads a left-out optional field as `null`; a policy file must spell every field out
/// (write `null` for "none"), so that a misplaced or forgotten key is never silently a default.
fn require_every_field(text: &str, policy: &Policy) -> Result<(), PolicyError> {
    let given: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    let mut expected = serde_json::to_value(policy).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = expected.as_object_mut() {
        obj.remove("refs");
    }
    let mut given_paths = std::collections::BTreeSet::new();
    collect_paths(&given, String::new(), &mut given_paths);
    let mut expected_paths = std::collections::BTreeSet::new();
    collect_paths(&expected, String::new(), &mut expected_paths);
    let missing: Vec<PolicyIssue> = expected_paths
        .difference(&given_paths)
        // Report the outermost missing field only.
        .filter(|p| {
            p.rsplit_once('.')
                .is_none_or(|(parent, _)| given_paths.contains(parent))
        })
        .map(|p| {
            issue(
                p,
                Severity::Error,
                "缺少此字段（没有值时请写 null）".into(),
                "missing field (write null for none)".into(),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(PolicyError { issues: missing })
    }
}

/// Point a read error at the field itself where serde names only its object: a missing field
/// (serde reports the parent), and any error inside a `kind`-tagged object (`reserve`, `rule`,
/// `outpatient`), whose fields serde reads from a buffer without tracking their path.
fn locate_in_object(path: &mut Vec<String>, text: &str, detail: &str) {
    let field = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| detail.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    if let Some(name) = field {
        if path.last().map(String::as_str) != Some(name) {
            path.push(name.to_string());
        }
        return;
    }
    // An invalid value: find the one leaf below the reported object that serde quotes.
    let Ok(root) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let mut node = &root;
    for seg in path.iter() {
        let next = match node {
            serde_json::Value::Object(m) => m.get(seg),
            serde_json::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    let quoted = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => detail.contains(&format!("string {s:?}")),
        serde_json::Value::Number(n) => detail.contains(&format!("`{n}`")),
        serde_json::Value::Bool(b) => detail.contains(&format!("boolean `{b}`")),
        serde_json::Value::Null => detail.contains("invalid type: null"),
        _ => false,
    };
    let mut found = Vec::new();
    collect_matching(node, &mut Vec::new(), &quoted, &mut found);
    if let [only] = found.as_slice() {
        path.extend(only.iter().cloned());
    }
}

fn collect_matching(
    v: &serde_json::Value,
    at: &mut Vec<String>,
    quoted: &dyn Fn(&serde_json::Value) -> bool,
    found: &mut Vec<Vec<String>>,
) {
    let children: Vec<(String, &serde_json::Value)> = match v {
        serde_json::Value::Object(m) => m.iter().map(|(k, c)| (k.clone(), c)).collect(),
        serde_json::Value::Array(a) => a.iter().enumerate().map(|(i, c)| (i.to_string(), c)).collect(),
        _ => return,
    };
    for (key, child) in children {
        at.push(key);
        if quoted(child) {
            found.push(at.clone());
        }
        collect_matching(child, at, quoted, found);
        at.pop();
    }
}

/// Check every constraint of the schema (`docs/policy.md`). Errors fail; warnings are returned.
pub(super) fn validate(p: &Policy) -> Result<Vec<PolicyIssue>, PolicyError> {
    let mut c = Checker::default();
    if p.schema_version != SCHEMA_VERSION {
        c.error(
            "schema_version",
            format!("不支持的版本 {}（应为 {SCHEMA_VERSION}）", p.schema_version),
            format!("unsupported version {} (expected {SCHEMA_VERSION})", p.schema_version),
        );
    }
    if p.funds.employee.is_none() && p.funds.resident.is_none() {
        c.error(
            "funds",
            "至少需要一个险种的预算".into(),
            "at least one fund needs a budget".into(),
        );
    }
    for fund in Fund::ALL {
        if let Some(fp) = p.funds.get(fund) {
            check_fund(&mut c, &format!("funds.{}", fund.key()), fp);
        }
    }
    check_coefficients(&mut c, &p.coefficients);
    check_points(&mut c, &p.points);
    if p.point_value.decimals > 20 {
        c.error(
            "point_value.decimals",
            "小数位数应在 0–20 之间".into(),
            "decimals must be 0–20".into(),
        );
    }
    if p.point_value.cost_basis == CostBasis::FundShareRatio {
        for fund in Fund::ALL {
            if let Some(fp) = p.funds.get(fund) {
                if fp.fund_share_ratio.is_none() {
                    let path = format!("funds.{}.fund_share_ratio", fund.key());
                    c.error(
                        &path,
                        "费用口径为“基金占比折算”时必须填写基金支付占比".into(),
                        "cost basis fund_share_ratio needs the fund share ratio".into(),
                    );
                }
            }
        }
    }
    if let Some(e) = &p.point_value.elastic {
        check_elastic(&mut c, e);
    }
    if let Some(m) = &p.settlement.monitoring {
        for (name, v) in [
            ("year_start_point_value", m.year_start_point_value),
            ("last_year_point_value", m.last_year_point_value),
        ] {
            if let Some(v) = v {
                c.positive_at_most(&format!("settlement.monitoring.{name}"), v, limits::point_value());
            }
        }
    }
    check_settlement(&mut c, &p.settlement);
    check_refs(&mut c, p);
    c.finish()
}

#[derive(Default)]
struct Checker {
    issues: Vec<PolicyIssue>,
}

impl Checker {
    fn error(&mut self, path: &str, zh: String, en: String) {
        self.issues.push(issue(path, Severity::Error, zh, en));
    }

    fn warning(&mut self, path: &str, zh: String, en: String) {
        self.issues.push(issue(path, Severity::Warning, zh, en));
    }

    /// `lo ≤ v ≤ hi`.
    fn within(&mut self, path: &str, v: Decimal, lo: Decimal, hi: Decimal) {
        if v < lo || v > hi {
            self.error(
                path,
                format!("{v} 超出允许范围 [{lo}, {hi}]"),
                format!("{v} is outside [{lo}, {hi}]"),
            );
        }
    }

    /// `0 < v ≤ hi`.
    fn positive_at_most(&mut self, path: &str, v: Decimal, hi: Decimal) {
        self.positive(path, v);
        if v > hi {
            self.error(
                path,
                format!("{v} 超出上限 {hi}"),
                format!("{v} is above the limit {hi}"),
            );
        }
    }

    /// A money amount: not negative (unless `signed`), and within the limit in 元 (compared in
    /// its own unit, so converting a huge value never overflows). The path is the value's.
    fn amount(&mut self, path: &str, a: &Amount, signed: bool) {
        let path = format!("{path}.value");
        if !signed {
            self.non_negative(&path, a.value);
        }
        let limit = limits::money() / a.unit.in_yuan();
        if a.value.abs() > limit {
            let unit = serde_json::to_value(a.unit)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            let unit = unit.unwrap_or_default();
            self.error(
                &path,
                format!(
                    "{} {unit} 超出上限 {} 元（1 万亿元：政策金额不会更大）",
                    a.value,
                    limits::money()
                ),
                format!(
                    "{} {unit} is above the limit of {} 元 (1 万亿元: no policy amount is larger)",
                    a.value,
                    limits::money()
                ),
            );
        }
    }

    fn rate(&mut self, path: &str, v: Decimal) {
        self.within(path, v, Decimal::ZERO, Decimal::ONE);
    }

    fn positive(&mut self, path: &str, v: Decimal) {
        if v <= Decimal::ZERO {
            self.error(path, format!("{v} 应大于 0"), format!("{v} must be greater than 0"));
        }
    }

    fn non_negative(&mut self, path: &str, v: Decimal) {
        if v < Decimal::ZERO {
            self.error(path, format!("{v} 不能为负数"), format!("{v} must not be negative"));
        }
    }

    /// Weights each in 0–1 (checked by the caller) that add up to 1. A weight out of range is
    /// already an error; summing it could overflow, so the sum is then not checked.
    fn weights_sum_to_one(&mut self, path: &str, weights: &[Decimal]) {
        if weights.iter().any(|w| *w < Decimal::ZERO || *w > Decimal::ONE) {
            return;
        }
        let sum: Decimal = weights.iter().sum();
        if sum != Decimal::ONE {
            self.error(
                path,
                format!("权重之和为 {sum}，应为 1"),
                format!("weights sum to {sum}, not 1"),
            );
        }
    }

    fn finish(self) -> Result<Vec<PolicyIssue>, PolicyError> {
        if self.issues.iter().any(|i| i.severity == Severity::Error) {
            Err(PolicyError { issues: self.issues })
        } else {
            Ok(self.issues)
        }
    }
}

fn check_fund(c: &mut Checker, base: &str, f: &FundPolicy) {
    let needs_raised = !matches!(f.reserve, Reserve::Direct { .. });
    match &f.raised {
        Some(a) => c.amount(&format!("{base}.raised"), a, false),
        None if needs_raised => c.error(
            &format!("{base}.raised"),
            "除直接填写可预算总额外，风险金规则都需要基金筹集总额".into(),
            "every reserve rule but `direct` needs the amount raised".into(),
        ),
        None => {}
    }
    let r = format!("{base}.reserve");
    match &f.reserve {
        Reserve::None => {}
        Reserve::Rate { rate } => c.rate(&format!("{r}.rate"), *rate),
        Reserve::NewFundsCapped {
            rate,
            new_funds,
            accumulated,
            cap_rate,
        } => {
            c.rate(&format!("{r}.rate"), *rate);
            c.rate(&format!("{r}.cap_rate"), *cap_rate);
            c.amount(&format!("{r}.new_funds"), new_funds, false);
            c.amount(&format!("{r}.accumulated"), accumulated, false);
        }
        Reserve::MonthsOfSpending {
            months,
            monthly_spending,
            balance,
        } => {
            c.within(&format!("{r}.months"), *months, Decimal::ZERO, Decimal::from(120));
            c.amount(&format!("{r}.monthly_spending"), monthly_spending, false);
            c.amount(&format!("{r}.balance"), balance, false);
        }
        Reserve::Direct { available } => c.amount(&format!("{r}.available"), available, false),
    }
    for (n, d) in f.deductions.iter().enumerate() {
        c.amount(&format!("{base}.deductions.{n}.amount"), &d.amount, false);
    }
    // An adjustment may lower the budget (a negative B is refused when the budget is computed).
    for (n, a) in f.adjustments.iter().enumerate() {
        c.amount(&format!("{base}.adjustments.{n}.amount"), &a.amount, true);
        if let Effective::FromMonth { month } = a.effective() {
            if !(1..=12).contains(&month) {
                c.error(
                    &format!("{base}.adjustments.{n}.effective.month"),
                    format!("生效月份须为 1–12，而不是 {month}"),
                    format!("the effective month must be 1–12, not {month}"),
                );
            }
        }
    }
    for (n, d) in f.earmarks.iter().enumerate() {
        c.amount(&format!("{base}.earmarks.{n}.amount"), &d.amount, false);
    }
    c.rate(&format!("{base}.quality_reserve.rate"), f.quality_reserve.rate);
    match &f.forecast {
        Some(fc) => {
            let fb = format!("{base}.forecast");
            if fc.history.is_empty() {
                c.error(
                    &format!("{fb}.history"),
                    "至少需要一年的历史数据".into(),
                    "needs at least one year".into(),
                );
            } else {
                for (n, h) in fc.history.iter().enumerate() {
                    c.rate(&format!("{fb}.history.{n}.weight"), h.weight);
                    c.amount(&format!("{fb}.history.{n}.amount"), &h.amount, false);
                }
                let weights: Vec<Decimal> = fc.history.iter().map(|h| h.weight).collect();
                c.weights_sum_to_one(&format!("{fb}.history"), &weights);
            }
            c.within(
                &format!("{fb}.proposed_growth"),
                fc.proposed_growth,
                -Decimal::ONE,
                Decimal::TEN,
            );
            if let Some(cap) = fc.growth_cap {
                c.within(&format!("{fb}.growth_cap"), cap, -Decimal::ONE, Decimal::TEN);
            }
        }
        None if f.rule == BudgetRule::Min => c.error(
            &format!("{base}.forecast"),
            "预算规则“取小”需要基金支出预测".into(),
            "budget rule `min` needs a forecast".into(),
        ),
        None => {}
    }
    if let BudgetRule::Fixed { amount } = &f.rule {
        c.amount(&format!("{base}.rule.amount"), amount, false);
    }
    match &f.outpatient {
        OutpatientSplit::None => {}
        OutpatientSplit::Share { share } => c.rate(&format!("{base}.outpatient.share"), *share),
        OutpatientSplit::Amount { amount } => c.amount(&format!("{base}.outpatient.amount"), amount, false),
    }
    if let Some(ratio) = f.fund_share_ratio {
        c.within(
            &format!("{base}.fund_share_ratio"),
            ratio,
            limits::min_divisor_ratio(),
            Decimal::ONE,
        );
    }
    if let Some(profile) = &f.monthly_profile {
        let path = format!("{base}.monthly_profile");
        if profile.len() != 12 {
            c.error(
                &path,
                format!("应有 12 个月的权重，实有 {}", profile.len()),
                format!("needs 12 monthly weights, has {}", profile.len()),
            );
        } else {
            for (n, w) in profile.iter().enumerate() {
                c.rate(&format!("{path}.{n}"), *w);
            }
            c.weights_sum_to_one(&path, profile);
        }
    }
    if let Some(af) = &f.adjustment_fund {
        c.amount(&format!("{base}.adjustment_fund.amount"), &af.amount, false);
        for (n, u) in af.uses.iter().enumerate() {
            c.amount(&format!("{base}.adjustment_fund.uses.{n}.amount"), &u.amount, false);
        }
        if let Some(total) = af.city_total_points {
            c.within(
                &format!("{base}.adjustment_fund.city_total_points"),
                total,
                Decimal::ONE,
                limits::city_points(),
            );
        }
    }
    check_sub_budgets(c, base, &f.sub_budgets);
    let mut seen = std::collections::HashSet::new();
    for (n, l) in f.alliance_lump_sums.iter().enumerate() {
        let path = format!("{base}.alliance_lump_sums.{n}");
        c.amount(&format!("{path}.amount"), &l.amount, false);
        if l.alliance.trim().is_empty() || !seen.insert(l.alliance.trim()) {
            c.error(
                &format!("{path}.alliance"),
                format!("医共体名称“{}”为空或重复", l.alliance),
                format!("the 医共体 name “{}” is empty or repeated", l.alliance),
            );
        }
    }
}

/// 预算总额细分 (吉林2024 第八条): each sub-pool named once, with levels or types no other takes,
/// and a share or an amount; the shares add up to exactly 1.
fn check_sub_budgets(c: &mut Checker, base: &str, subs: &[SubBudget]) {
    let mut labels = std::collections::HashSet::new();
    let mut taken = std::collections::HashMap::new();
    let mut shares = Vec::new();
    for (n, sb) in subs.iter().enumerate() {
        let path = format!("{base}.sub_budgets.{n}");
        if sb.label.trim().is_empty() || !labels.insert(sb.label.trim()) {
            c.error(
                &format!("{path}.label"),
                format!("细分预算名称“{}”为空或重复", sb.label),
                format!("the sub-budget name “{}” is empty or repeated", sb.label),
            );
        }
        if sb.levels.is_empty() && sb.categories.is_empty() {
            c.error(
                &format!("{path}.levels"),
                "细分预算须列出所含的等级或机构类别".into(),
                "a sub-budget lists the levels or institution types it takes".into(),
            );
        }
        for (kind, names) in [("levels", &sb.levels), ("categories", &sb.categories)] {
            for (k, name) in names.iter().enumerate() {
                if let Some(other) = taken.insert((kind, name.trim()), n) {
                    c.error(
                        &format!("{path}.{kind}.{k}"),
                        format!("“{name}”已属于细分预算 {}", other + 1),
                        format!("“{name}” already belongs to sub-budget {}", other + 1),
                    );
                }
            }
        }
        match (sb.share, &sb.amount) {
            (Some(share), None) => {
                c.rate(&format!("{path}.share"), share);
                shares.push(share);
            }
            (None, Some(a)) => c.amount(&format!("{path}.amount"), a, false),
            _ => c.error(
                &path,
                "细分预算须填写比例或金额之一".into(),
                "a sub-budget has either a share or an amount".into(),
            ),
        }
    }
    if !shares.is_empty() {
        c.weights_sum_to_one(&format!("{base}.sub_budgets"), &shares);
    }
}

/// A coefficient outside `coefficients.range`: a warning or an error as the range says (吉林2024 第九条(一)).
fn check_range(c: &mut Checker, path: &str, coef: Decimal, r: &CoefficientRange) {
    if coef < r.min || coef > r.max {
        let msg_zh = format!("{coef} 超出调节系数范围 [{}, {}]（吉林2024 第九条）", r.min, r.max);
        let msg_en = format!(
            "{coef} is outside the coefficient range [{}, {}] (吉林2024 第九条)",
            r.min, r.max
        );
        match r.on_violation {
            Severity::Error => c.error(path, msg_zh, msg_en),
            Severity::Warning => c.warning(path, msg_zh, msg_en),
        }
    }
}

fn check_coefficients(c: &mut Checker, p: &CoefficientPolicy) {
    let r = &p.range;
    c.within("coefficients.range.min", r.min, Decimal::ZERO, limits::coefficient());
    c.within("coefficients.range.max", r.max, Decimal::ZERO, limits::coefficient());
    for (code, coef) in &p.overrides {
        let path = format!("coefficients.overrides.{code}");
        if code.trim().is_empty() {
            c.error(&path, "机构编码不能为空".into(), "the institution code is empty".into());
        }
        c.within(&path, *coef, Decimal::ZERO, limits::coefficient());
        check_range(c, &path, *coef, r);
    }
    if r.max < r.min {
        c.error(
            "coefficients.range.max",
            "上限小于下限".into(),
            "max is below min".into(),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut previous: Option<(usize, Decimal)> = None;
    for (n, level) in p.levels.iter().enumerate() {
        let path = format!("coefficients.levels.{n}");
        if level.level.trim().is_empty() {
            c.error(
                &format!("{path}.level"),
                "等级名称不能为空".into(),
                "the level name is empty".into(),
            );
        }
        if !seen.insert(level.level.clone()) {
            c.error(
                &format!("{path}.level"),
                format!("等级“{}”重复", level.level),
                format!("level {} appears twice", level.level),
            );
        }
        if let Some(coef) = level.coefficient {
            c.within(
                &format!("{path}.coefficient"),
                coef,
                Decimal::ZERO,
                limits::coefficient(),
            );
            check_range(c, &format!("{path}.coefficient"), coef, r);
            if let Some((prev_n, prev)) = previous {
                if coef > prev {
                    c.warning(
                        &format!("{path}.coefficient"),
                        format!("等级“{}”的系数 {coef} 高于更高等级（第 {} 项）的 {prev}：应随等级降低（休宁2021 7）", level.level, prev_n + 1),
                        format!("level {} has coefficient {coef}, above the higher level's {prev}: it should fall with level (休宁2021 7)", level.level),
                    );
                }
            }
            previous = Some((n, coef));
        }
    }
    c.positive_at_most(
        "coefficients.grassroots.coefficient",
        p.grassroots.coefficient,
        limits::coefficient(),
    );
}

/// The deviant-case rules (SPEC §12): 离院方式 codes of the 医保结算清单, unique; 住院天数 bounds
/// within a case's limit, short below long; ratios 0–1; a 床日 pricing naming its group; an
/// ungrouped case has no group score, so it cannot be priced by its cost ratio.
fn deviant_rules(c: &mut Checker, p: &PointsPolicy) {
    if let Some(a) = &p.abnormal_discharge {
        let path = "points.abnormal_discharge.codes";
        if a.codes.is_empty() {
            c.error(
                path,
                "至少列出一个离院方式代码".into(),
                "list at least one discharge code".into(),
            );
        }
        for (n, code) in a.codes.iter().enumerate() {
            let known = code.len() == 1
                && code
                    .parse::<u8>()
                    .is_ok_and(|v| crate::records::DISCHARGE_CODES.contains(&v));
            if !known {
                c.error(
                    &format!("{path}.{n}"),
                    format!("“{code}” 不是医保结算清单的离院方式代码（1、2、3、4、5、9）"),
                    format!("\"{code}\" is not a 医保结算清单 discharge code (1, 2, 3, 4, 5, 9)"),
                );
            } else if a.codes[..n].contains(code) {
                c.error(
                    &format!("{path}.{n}"),
                    format!("代码 {code} 重复"),
                    format!("code {code} is listed twice"),
                );
            }
        }
        pricing(c, "points.abnormal_discharge.pricing", &a.pricing, true);
    }
    for (key, rule) in [("short_stay", &p.short_stay), ("long_stay", &p.long_stay)] {
        if let Some(r) = rule {
            c.positive_at_most(
                &format!("points.{key}.days"),
                r.days,
                crate::records::limits::case_days(),
            );
            pricing(c, &format!("points.{key}.pricing"), &r.pricing, true);
        }
    }
    if let (Some(short), Some(long)) = (&p.short_stay, &p.long_stay) {
        if short.days >= long.days {
            c.error(
                "points.long_stay.days",
                format!("长期住院天数 {} 应大于短期住院天数 {}", long.days, short.days),
                format!(
                    "the long-stay days {} must be above the short-stay days {}",
                    long.days, short.days
                ),
            );
        }
    }
    if let Some(u) = &p.ungrouped {
        pricing(c, "points.ungrouped", u, false);
    }
}

/// One deviant pricing: a ratio 0–1; `per_diem` names its 床日组; `cost_ratio` needs a group.
fn pricing(c: &mut Checker, path: &str, p: &Pricing, grouped: bool) {
    c.rate(&format!("{path}.ratio"), p.ratio);
    let group = p.per_diem_group.as_deref().map(str::trim).unwrap_or_default();
    if p.method == PricingMethod::PerDiem && group.is_empty() {
        c.error(
            &format!("{path}.per_diem_group"),
            "按床日结算需要床日组编码".into(),
            "床日 pricing needs a per-diem group code".into(),
        );
    }
    if p.method == PricingMethod::CostRatio && !grouped {
        c.error(
            &format!("{path}.method"),
            "未入组病例没有病种分值，不能按费用倍率折算：应为 fee_for_service 或 per_diem".into(),
            "an ungrouped case has no group score to scale by its cost ratio: use fee_for_service or per_diem".into(),
        );
    }
}

fn check_points(c: &mut Checker, p: &PointsPolicy) {
    c.positive_at_most("points.scale", p.scale, limits::scale());
    c.positive_at_most("points.base_points", p.base_points, limits::base_points());
    let o = &p.outliers;
    c.within(
        "points.outliers.high_ratio",
        o.high_ratio,
        Decimal::ZERO,
        limits::high_ratio(),
    );
    if o.high_ratio < Decimal::ONE {
        c.error(
            "points.outliers.high_ratio",
            format!("{} 应不小于 1", o.high_ratio),
            format!("{} must be at least 1", o.high_ratio),
        );
    }
    c.rate("points.outliers.low_ratio", o.low_ratio);
    if o.low_ratio >= o.high_ratio {
        c.error(
            "points.outliers.low_ratio",
            format!("低倍率界值 {} 应小于高倍率界值 {}", o.low_ratio, o.high_ratio),
            format!(
                "the low ratio {} must be below the high ratio {}",
                o.low_ratio, o.high_ratio
            ),
        );
    }
    let mut last: Option<Decimal> = None;
    for (n, t) in o.high_tiers.iter().enumerate() {
        let path = format!("points.outliers.high_tiers.{n}");
        c.within(
            &format!("{path}.high_ratio"),
            t.high_ratio,
            Decimal::ZERO,
            limits::high_ratio(),
        );
        c.within(
            &format!("{path}.max_reference_cost"),
            t.max_reference_cost,
            Decimal::ZERO,
            limits::case_money(),
        );
        if t.high_ratio < Decimal::ONE {
            c.error(
                &format!("{path}.high_ratio"),
                format!("{} 应不小于 1", t.high_ratio),
                format!("{} must be at least 1", t.high_ratio),
            );
        }
        if last.is_some_and(|l| t.max_reference_cost <= l) {
            c.error(
                &format!("{path}.max_reference_cost"),
                "分档上限应递增".into(),
                "tier bounds must increase".into(),
            );
        }
        last = Some(t.max_reference_cost);
    }
    c.rate("points.review_share_limit", p.review_share_limit);
    if let Some(r) = p.review_region_limit {
        c.rate("points.review_region_limit", r);
    }
    if let Some(r) = p.excluded_fund_share {
        c.rate("points.excluded_fund_share", r);
    }
    deviant_rules(c, p);
    if let Some(r) = &p.reference_cost_from_score {
        // A point worth more than the most a case may cost is no point value.
        c.positive_at_most(
            "points.reference_cost_from_score.point_value",
            r.point_value,
            limits::case_money(),
        );
        for (n, l) in r.level_coefficients.iter().enumerate() {
            c.positive_at_most(
                &format!("points.reference_cost_from_score.level_coefficients.{n}.coefficient"),
                l.coefficient,
                limits::coefficient(),
            );
        }
    }
    if let Some(b) = &p.base_cost {
        // Compared in its own unit, so a huge value is never converted.
        let in_unit = |x: Decimal| x / b.unit.in_yuan();
        c.within(
            "points.base_cost.value",
            b.value,
            in_unit(limits::min_base_cost()),
            in_unit(limits::case_money()),
        );
    }
    let divisor =
        |c: &mut Checker, path: &str, r: Decimal| c.within(path, r, limits::min_divisor_ratio(), Decimal::ONE);
    if let Some(r) = p.per_diem_reimbursement_ratio {
        divisor(c, "points.per_diem_reimbursement_ratio", r);
    }
    let op = &p.outpatient;
    divisor(c, "points.outpatient.capitation_fund_share", op.capitation_fund_share);
    c.positive_at_most(
        "points.outpatient.capitation_point_value",
        op.capitation_point_value,
        limits::outpatient_ratio(),
    );
    for (name, v) in [
        ("drugs_ratio", op.drugs_ratio),
        ("consumables_ratio", op.consumables_ratio),
        ("services_ratio", op.services_ratio),
    ] {
        c.within(
            &format!("points.outpatient.{name}"),
            v,
            Decimal::ZERO,
            limits::outpatient_ratio(),
        );
    }
}

fn check_side(c: &mut Checker, path: &str, side: &SharingSide) {
    let mut last = Decimal::ZERO;
    for (n, b) in side.bands.iter().enumerate() {
        let bp = format!("{path}.bands.{n}");
        if b.up_to > limits::band() {
            c.error(
                &format!("{bp}.up_to"),
                format!("{} 超出上限 {}（结算额度的倍数）", b.up_to, limits::band()),
                format!("{} is above the limit {} (a multiple of S)", b.up_to, limits::band()),
            );
        } else if b.up_to <= last {
            c.error(
                &format!("{bp}.up_to"),
                "分段上限应为正且递增".into(),
                "band bounds must be positive and increasing".into(),
            );
        }
        c.rate(&format!("{bp}.share"), b.share);
        last = b.up_to;
    }
}

fn check_settlement(c: &mut Checker, s: &SettlementPolicy) {
    check_side(c, "settlement.risk_sharing.overspend", &s.risk_sharing.overspend);
    check_side(c, "settlement.risk_sharing.surplus", &s.risk_sharing.surplus);
    c.rate("settlement.risk_sharing.near_edge", s.risk_sharing.near_edge);
    c.rate("settlement.deposit.rate", s.deposit.rate);
    check_deposit_range(c, s.deposit.rate);
    match (&s.allotment, s.mode) {
        (None, SettlementMode::Allotment) => c.error(
            "settlement.allotment",
            "定额分配模式需要填写分配参数".into(),
            "mode `allotment` needs the allotment parameters".into(),
        ),
        (Some(a), _) => {
            if a.history_weights.is_empty() || a.history_weights.len() > 3 {
                c.error(
                    "settlement.allotment.history_weights",
                    "需要 1–3 年的权重".into(),
                    "needs one to three yearly weights".into(),
                );
            } else {
                for (n, w) in a.history_weights.iter().enumerate() {
                    c.rate(&format!("settlement.allotment.history_weights.{n}"), *w);
                }
                c.weights_sum_to_one("settlement.allotment.history_weights", &a.history_weights);
            }
            c.within(
                "settlement.allotment.primary_care_tilt",
                a.primary_care_tilt,
                Decimal::ZERO,
                Decimal::ONE,
            );
            check_indicators(c, &a.indicators);
        }
        (None, SettlementMode::Points) => {}
    }
    check_assessment(c, s);
}

/// The allotment indicators (信阳2019 三(二)): each named once, weights 0–1 adding up to at most 1
/// (the history share keeps the rest).
fn check_indicators(c: &mut Checker, indicators: &[IndicatorWeight]) {
    let mut seen = std::collections::HashSet::new();
    for (n, iw) in indicators.iter().enumerate() {
        let path = format!("settlement.allotment.indicators.{n}");
        c.rate(&format!("{path}.weight"), iw.weight);
        if !seen.insert(iw.indicator) {
            c.error(
                &format!("{path}.indicator"),
                format!("指标“{}”重复", iw.indicator.label_zh()),
                format!("the indicator `{}` is repeated", iw.indicator.key()),
            );
        }
    }
    if indicators
        .iter()
        .all(|iw| iw.weight >= Decimal::ZERO && iw.weight <= Decimal::ONE)
    {
        let sum: Decimal = indicators.iter().map(|iw| iw.weight).sum();
        if sum > Decimal::ONE {
            c.error(
                "settlement.allotment.indicators",
                format!("指标权重之和为 {sum}，不能超过 1"),
                format!("the indicator weights sum to {sum}, above 1"),
            );
        }
    }
}

/// The score-band tables (信阳2019 三(六); 国家DIP3.0 第七章第三节一(四)) and the 预付金 (第七章第二节一).
fn check_assessment(c: &mut Checker, s: &SettlementPolicy) {
    let uses_bands = [s.deposit.return_rule, s.quality_reserve_return].contains(&ReturnRule::Bands);
    match &s.return_bands {
        None if uses_bands => c.error(
            "settlement.return_bands",
            "返还方式“按考核分档”需要填写分档表".into(),
            "the return rule `bands` needs the score bands".into(),
        ),
        None => {}
        Some(bands) => check_score_bands(c, "settlement.return_bands", bands),
    }
    if let Some(bands) = &s.assessment_factor {
        check_score_bands(c, "settlement.assessment_factor", bands);
    }
    if let Some(a) = &s.advance {
        c.within(
            "settlement.advance.months",
            a.months,
            Decimal::ZERO,
            limits::advance_months(),
        );
    }
}

/// At least one band; scores within 0–1000 and falling; rates within 0–2.
fn check_score_bands(c: &mut Checker, path: &str, bands: &[ScoreBand]) {
    if bands.is_empty() {
        c.error(path, "分档表至少需要一档".into(), "needs at least one band".into());
    }
    for (n, b) in bands.iter().enumerate() {
        let bp = format!("{path}.{n}");
        c.within(&format!("{bp}.min_score"), b.min_score, Decimal::ZERO, limits::score());
        if n > 0 && b.min_score >= bands[n - 1].min_score {
            c.error(
                &format!("{bp}.min_score"),
                "各档最低分应由高到低排列".into(),
                "bands must run from the highest score down".into(),
            );
        }
        c.within(&format!("{bp}.rate"), b.rate, Decimal::ZERO, limits::band_rate());
    }
}

/// 弹性点值: the fixed share and value go together; point values positive and bounded; floor ≤ cap.
fn check_elastic(c: &mut Checker, e: &ElasticPointValue) {
    let base = "point_value.elastic";
    if e.base == ElasticBase::Institution {
        match (e.fixed_share, e.fixed_value) {
            (None, Some(_)) => {}
            (Some(_), _) => c.error(
                &format!("{base}.fixed_share"),
                "按机构上年合理服务点数确定基准时，基准总额由各机构点数决定，不填基准总额比例".into(),
                "with the base from each institution's last-year points the fixed share is not used: leave it null"
                    .into(),
            ),
            (None, None) => c.error(
                &format!("{base}.fixed_value"),
                "按机构上年合理服务点数确定基准时需要填写固定点值".into(),
                "the base from each institution's last-year points needs the fixed point value".into(),
            ),
        }
    } else {
        match (e.fixed_share, e.fixed_value) {
            (Some(share), Some(_)) => c.rate(&format!("{base}.fixed_share"), share),
            (None, None) => {}
            (Some(_), None) => c.error(
                &format!("{base}.fixed_value"),
                "设置基准总额比例时需要填写固定点值".into(),
                "a fixed share needs the fixed point value".into(),
            ),
            (None, Some(_)) => c.error(
                &format!("{base}.fixed_share"),
                "设置固定点值时需要填写基准总额比例".into(),
                "a fixed point value needs the fixed share".into(),
            ),
        }
    }
    for (name, v) in [("fixed_value", e.fixed_value), ("floor", e.floor), ("cap", e.cap)] {
        if let Some(v) = v {
            c.positive_at_most(&format!("{base}.{name}"), v, limits::point_value());
        }
    }
    if let (Some(lo), Some(hi)) = (e.floor, e.cap) {
        if lo > hi {
            c.error(
                &format!("{base}.floor"),
                format!("下限 {lo} 高于上限 {hi}"),
                format!("the floor {lo} is above the cap {hi}"),
            );
        }
    }
}

/// 吉林2024 第二十二条(五) "预留一定比例（3%—10%）作为保证金": a deposit outside 3%–10% (both
/// included) is a warning. A rate of 0 is a policy without a deposit (信阳2019 三(三) 足额拨付),
/// not a deposit out of range.
fn check_deposit_range(c: &mut Checker, rate: Decimal) {
    let (lo, hi) = (Decimal::new(3, 2), Decimal::new(10, 2));
    if !rate.is_zero() && (rate < lo || rate > hi) && (Decimal::ZERO..=Decimal::ONE).contains(&rate) {
        c.warning(
            "settlement.deposit.rate",
            format!("保证金比例 {rate} 不在 3%—10% 之内（吉林2024 第二十二条(五)“预留一定比例（3%—10%）作为保证金”）"),
            format!(
                "deposit rate {rate} is outside 3%–10% (吉林2024 第二十二条(五) \"预留一定比例（3%—10%）作为保证金\")"
            ),
        );
    }
}

/// Every ref should name a field that exists and a source the policy lists. A ref only cites; it
/// never changes a figure, so a dangling one (left behind when a user deletes a list item) is a
/// warning, shown to the user, not a reason to refuse the policy.
fn check_refs(c: &mut Checker, p: &Policy) {
    let mut value = match serde_json::to_value(p) {
        Ok(v) => v,
        Err(_) => return,
    };
    if let Some(obj) = value.as_object_mut() {
        obj.remove("refs");
    }
    let mut paths = std::collections::BTreeSet::new();
    collect_paths(&value, String::new(), &mut paths);
    for (path, r) in &p.refs {
        if !paths.contains(path) {
            c.warning(
                &format!("refs.{path}"),
                format!("出处指向不存在的字段“{path}”"),
                format!("the reference names no field: {path}"),
            );
        }
        if let Some(src) = &r.source {
            if !p.sources.iter().any(|s| &s.id == src) {
                c.warning(
                    &format!("refs.{path}.source"),
                    format!("未列出的文件“{src}”"),
                    format!("source {src} is not listed in sources"),
                );
            }
        }
    }
}

/// Every path of the policy: objects and arrays as well as leaves, so a ref can cite a whole list.
pub(crate) fn collect_paths(v: &serde_json::Value, prefix: String, out: &mut std::collections::BTreeSet<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let path = join(k);
                out.insert(path.clone());
                collect_paths(child, path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (n, child) in items.iter().enumerate() {
                let path = join(&n.to_string());
                out.insert(path.clone());
                collect_paths(child, path, out);
            }
        }
        _ => {}
    }
}

/// The leaf paths of a policy (values a ref should cite), for preset completeness checks.
pub fn leaf_paths(p: &Policy) -> Vec<String> {
    let mut value = serde_json::to_value(p).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        for k in ["refs", "sources", "schema_version", "name", "title", "year"] {
            obj.remove(k);
        }
    }
    let mut out = Vec::new();
    walk_leaves(&value, String::new(), &mut out);
    out
}

fn walk_leaves(v: &serde_json::Value, prefix: String, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        serde_json::Value::Object(map) => {
            // An Amount's value and unit are cited together.
            if map.len() == 2 && map.contains_key("value") && map.contains_key("unit") {
                out.push(prefix);
                return;
            }
            for (k, child) in map {
                walk_leaves(child, join(k), out);
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            for (n, child) in items.iter().enumerate() {
                walk_leaves(child, join(&n.to_string()), out);
            }
        }
        _ => out.push(prefix),
    }
}
