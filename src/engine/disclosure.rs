//! SPEC §4 and §6: what a settlement must say about figures it did not take from the data.
//!
//! - §4 "`base_i` comes from the institution row, or from a level table in the policy when the
//!   row leaves it empty": the institutions whose base coefficient came from the level table
//!   are named (an institutions file whose coefficient column was not recognized gave every
//!   institution the level coefficient without a word: issue 11).
//! - §6 `PV_f = pool_f ÷ Σ points`: with no points (every case failed quality control, or the
//!   fund has no cases) there is no point value, and the pool is not distributed; said so
//!   instead of leaving an empty point value.
//!
//! Computed from the finished settlement and the institutions as read, by the command line
//! and the page after they settle.

use super::result::{Notice, Settlement};
use crate::records::Institution;

/// How many institution codes a notice lists before counting the rest.
const LISTED: usize = 20;

/// The notices of this module, in the order above.
pub fn disclosures(result: &Settlement, institutions: &[Institution]) -> Vec<Notice> {
    let mut out = Vec::new();
    out.extend(coefficient_from_level(institutions));
    for f in &result.funds {
        if f.point_value.is_some() || f.total_points > rust_decimal::Decimal::ZERO {
            continue;
        }
        let fund = f.fund;
        out.push(Notice {
            code: "pool_undistributed".into(),
            subject: fund.key().into(),
            message_zh: format!(
                "{}：没有可结算的点数（病例全部未通过质控，或该基金没有病例），统筹池 {} 元未分配，点值为空",
                fund.label_zh(),
                f.pool
            ),
            message_en: format!(
                "{}: there are no points to settle (every case failed quality control, or the fund has no cases); the pool of {} is not distributed and there is no point value",
                fund.key(),
                f.pool
            ),
        });
    }
    out
}

/// Institutions without a base coefficient of their own (SPEC §4: the level table's applies).
fn coefficient_from_level(institutions: &[Institution]) -> Option<Notice> {
    let codes: Vec<&str> = institutions
        .iter()
        .filter(|i| i.base_coefficient.is_none())
        .map(|i| i.code.as_str())
        .collect();
    if codes.is_empty() {
        return None;
    }
    let n = codes.len();
    let mut listed = codes.iter().take(LISTED).copied().collect::<Vec<_>>().join("、");
    let mut listed_en = codes.iter().take(LISTED).copied().collect::<Vec<_>>().join(", ");
    if n > LISTED {
        listed.push_str(&format!(" 等 {n} 家"));
        listed_en.push_str(&format!(" and {} more", n - LISTED));
    }
    Some(Notice {
        code: "coefficient_from_level".into(),
        subject: codes.join(","),
        message_zh: format!(
            "{n} 家机构的基本系数未从机构表读取，按政策的等级系数计算：{listed}（若机构表有系数列而未被识别，请用 --map institutions.base_coefficient=列名）"
        ),
        message_en: format!(
            "the base coefficient of {n} institutions was not in the institutions file and comes from the policy's level table: {listed_en} (if the file has a coefficient column that was not recognized, use --map institutions.base_coefficient=HEADER)"
        ),
    })
}
