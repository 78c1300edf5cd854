//! 特例单议 across the region (SPEC §12; 国家DIP3.0 appendix, 医保发〔2025〕18号 第二十条 "特例单议病例
//! 数量原则上不超过统筹地区 DRG 出院总病例的 5%或 DIP 出院总病例的 5‰"; 按病种付费医疗保障经办管理规程
//! （2025 版）第二十四条 "对医疗机构申请特例单议的数量、审核通过的数量、特例单议病例数量占出院病例数比例等按时
//! 进行公告"): the region's applications and approvals against its DIP discharges, beside 吉林2024
//! 第二十六条's 3% per institution ([`super::ledger::Ledger::review_flags`]).

use super::ledger::Ledger;
use super::result::{Notice, ReviewSummary};
use super::rounding::round_ratio;
use super::{fmt_rate, ratio};
use crate::policy::Policy;
use crate::records::Fund;
use rust_decimal::Decimal;

/// The region's 特例单议 figures when the policy sets `points.review_region_limit`, with a notice
/// when the applications exceed the limit × the DIP discharges. DIP discharges are the cases
/// settled by group score (normal, high, low and reviewed) in the funds the policy settles;
/// applications are counted against the cap [reading: "特例单议病例数量" read as the cases put
/// forward, as 吉林2024 第二十六条 counts "申请特例单议的病例数"; approvals are reported beside them].
pub fn region_review(policy: &Policy, ledger: &Ledger, notices: &mut Vec<Notice>) -> Option<ReviewSummary> {
    let limit = policy.points.review_region_limit?;
    let (mut dip_cases, mut applications, mut approvals) = (0u64, 0u64, 0u64);
    for fund in Fund::ALL.into_iter().filter(|f| policy.funds.get(*f).is_some()) {
        for u in &ledger.fund(fund).units {
            let c = &u.counts;
            dip_cases += c.normal + c.high + c.low + c.reviewed;
            applications += c.review_applications;
            approvals += c.reviewed;
        }
    }
    let share = |n: u64| ratio(Decimal::from(n), Decimal::from(dip_cases)).map(round_ratio);
    // Compared by multiplication, so a share exactly at the limit is within it ("不超过").
    let over_limit = Decimal::from(applications) > limit * Decimal::from(dip_cases);
    if over_limit {
        notices.push(over_region_limit(applications, dip_cases, limit));
    }
    Some(ReviewSummary {
        limit,
        dip_cases,
        applications,
        approvals,
        application_share: share(applications),
        approval_share: share(approvals),
        over_limit,
    })
}

fn over_region_limit(applications: u64, dip_cases: u64, limit: Decimal) -> Notice {
    Notice {
        code: "review_region_over_limit".into(),
        subject: "points.review_region_limit".into(),
        message_zh: format!(
            "全区特例单议申请 {applications} 例，超过 DIP 出院总病例 {dip_cases} 例的 {}（医保发〔2025〕18号 第二十条）",
            fmt_rate(limit)
        ),
        message_en: format!(
            "the region applied for special review on {applications} cases, over {} of its {dip_cases} DIP discharges (医保发〔2025〕18号 第二十条)",
            fmt_rate(limit)
        ),
    }
}
