//! 辅助分型调节系数 (SPEC §12; 国家DIP3.0 第五章第三节一 "辅助分型病例分值=该病例所属病种分值×医疗机构调节
//! 系数×辅助分型调节系数"; the coefficient m_j ÷ M of 第五章第二节二(三) comes with the case, from the
//! bureau's grouping): a DIP case's score is multiplied by it before the institution coefficient.
//! The cost ratio is then taken against the reference cost × the same coefficient
//! (第五章第三节二 1 "费用超低病例分值校正系数=该病例医疗总费用/（该病种的支付标准×分值调节系数）", the
//! 分值调节系数 including the 辅助分型 one, 第五章第三节一 [reading]), so a low case's points come out
//! as without it and a subtype case is high or low against its own standard.

use crate::policy::PointsPolicy;
use crate::records::cases::CaseRow;
use rust_decimal::Decimal;

/// The case's 辅助分型调节系数 when the policy reads it and the case has one other than 1.
pub fn coefficient(p: &PointsPolicy, row: &CaseRow) -> Option<Decimal> {
    row.extras
        .subtype_coefficient
        .filter(|k| p.subtype_coefficients && *k != Decimal::ONE)
}
