//! Deviant cases (SPEC §12; 国家DIP3.0 第五章第三节一 "对存在费用异常、特殊情况相应情形的病例，可对病例的
//! 分值进行调校"): 非正常出院 by 离院方式 (the 医保结算清单 field, 第二章第二节一(二) 2), stays of few or
//! many 住院天数, and 未入组病例 (第三章第三节三(三) 3 "地方应制定相应结算办法，其支付标准应与入组病例结算
//! 保持适当差距"). Each is a policy option, off unless set; the text gives no figure for any, so
//! every threshold and ratio is the city's ([default] in the presets).
//!
//! Which rule a case falls under, first match: 未入组 (no group score to start from), then
//! 非正常出院, then a short stay, then a long stay [default]. A case 特例单议 scored or changed is
//! left to the review (第六章第二节三 "对评审通过的病例，可按项目付费或调整该病例支付标准").

use crate::policy::{PointsPolicy, Pricing};
use crate::records::cases::CaseRow;
use rust_decimal::Decimal;

/// The rule a deviant case falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deviant {
    /// 非正常出院: its 离院方式 is one of `points.abnormal_discharge.codes`.
    AbnormalDischarge,
    /// 住院天数 ≤ `points.short_stay.days` (以下: inclusive).
    ShortStay,
    /// 住院天数 ≥ `points.long_stay.days` (以上: inclusive).
    LongStay,
    /// 未入组: the group code is empty or not in the catalog.
    Ungrouped,
}

/// The rule and its pricing for a grouped DIP case, or `None` when no rule applies. A case
/// without 住院天数 (0, the column left out) is neither short nor long.
pub fn classify<'p>(p: &'p PointsPolicy, row: &CaseRow) -> Option<(Deviant, &'p Pricing)> {
    if row.review_score.is_some() || row.review_delta.is_some() {
        return None;
    }
    if let (Some(rule), Some(code)) = (&p.abnormal_discharge, row.extras.discharge) {
        if rule.codes.iter().any(|c| c.parse::<u8>().ok() == Some(code)) {
            return Some((Deviant::AbnormalDischarge, &rule.pricing));
        }
    }
    let days = row.days;
    if days > Decimal::ZERO {
        if let Some(rule) = p.short_stay.as_ref().filter(|r| days <= r.days) {
            return Some((Deviant::ShortStay, &rule.pricing));
        }
        if let Some(rule) = p.long_stay.as_ref().filter(|r| days >= r.days) {
            return Some((Deviant::LongStay, &rule.pricing));
        }
    }
    None
}
