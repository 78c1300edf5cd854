//! 新药新技术加成分值 (SPEC §12; 国家DIP3.0 第五章第一节四(三) "对相应费用单独计算加成分值"; 第七章第三节
//! 一(二) "定点医疗机构年度分值=…+特殊病例分值+新药新技术加成分值"): the 加成分值 the bureau computed for
//! a case comes with it and is added to the institution's points as its own kind, × `scale` and
//! not × the institution coefficient [reading: the year's formula adds it as a term of its own].
//! Only DIP cases scored from their group take it: a case paid by 项目 or 床日 is paid its items
//! or days already [reading].

use crate::policy::PointsPolicy;
use crate::records::cases::CaseRow;
use rust_decimal::Decimal;

/// The case's 加成分值 when the policy reads them (0 otherwise).
pub fn bonus_score(p: &PointsPolicy, row: &CaseRow) -> Decimal {
    match row.extras.bonus_score {
        Some(b) if p.bonus_scores => b,
        _ => Decimal::ZERO,
    }
}
