//! The cases the national rules priced or adjusted, counted per institution and fund (SPEC §12):
//! 辅助分型 (subtype.rs), 非正常出院, short and long stays, 未入组 (deviant.rs) and 新药新技术加成分值
//! (bonus.rs). Stage 1 sums each kind's cases and raw scores beside its cells; the ledger prices
//! them at the institution's coefficient, and each unit's result lists the kinds it has with their
//! cases and points (`special_cases`), so what a rule did can be read per institution.

use super::deviant::Deviant;
use super::points::RawPoints;
use super::result::Notice;
use rust_decimal::Decimal;

/// A kind of case a national rule touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialKind {
    Subtype,
    AbnormalDischarge,
    ShortStay,
    LongStay,
    Ungrouped,
    Bonus,
}

/// How many kinds there are.
pub const KINDS: usize = 6;

impl SpecialKind {
    pub const ALL: [SpecialKind; KINDS] = [
        SpecialKind::Subtype,
        SpecialKind::AbnormalDischarge,
        SpecialKind::ShortStay,
        SpecialKind::LongStay,
        SpecialKind::Ungrouped,
        SpecialKind::Bonus,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The result's key.
    pub fn key(self) -> &'static str {
        match self {
            SpecialKind::Subtype => "subtype",
            SpecialKind::AbnormalDischarge => "abnormal_discharge",
            SpecialKind::ShortStay => "short_stay",
            SpecialKind::LongStay => "long_stay",
            SpecialKind::Ungrouped => "ungrouped",
            SpecialKind::Bonus => "bonus",
        }
    }

    /// [Chinese, English] names, and the article each cites.
    pub fn names(self) -> [&'static str; 3] {
        match self {
            SpecialKind::Subtype => ["辅助分型病例", "Subtype cases", "国家DIP3.0 第五章第三节一"],
            SpecialKind::AbnormalDischarge => ["非正常出院病例", "Abnormal discharges", "国家DIP3.0 第五章第三节一"],
            SpecialKind::ShortStay => ["短期住院病例", "Short stays", "国家DIP3.0 第五章第三节一"],
            SpecialKind::LongStay => [
                "长期住院病例",
                "Long stays",
                "国家DIP3.0 第一章第一节一; 第五章第三节一",
            ],
            SpecialKind::Ungrouped => ["未入组病例", "Ungrouped cases", "国家DIP3.0 第三章第三节三(三) 3"],
            SpecialKind::Bonus => [
                "新药新技术加成分值",
                "New drug and technology bonus",
                "国家DIP3.0 第五章第一节四(三); 第七章第三节一(二)",
            ],
        }
    }
}

impl From<Deviant> for SpecialKind {
    fn from(d: Deviant) -> Self {
        match d {
            Deviant::AbnormalDischarge => SpecialKind::AbnormalDischarge,
            Deviant::ShortStay => SpecialKind::ShortStay,
            Deviant::LongStay => SpecialKind::LongStay,
            Deviant::Ungrouped => SpecialKind::Ungrouped,
        }
    }
}

/// One kind's cases and raw scores: `[0]` takes the combined coefficient, `[1]` the 基层病种 one;
/// for [`SpecialKind::Bonus`], `[0]` is the 加成分值, which takes no coefficient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub cases: u64,
    pub score: [Decimal; 2],
}

/// Every kind's tally of one institution and fund.
pub type Tallies = [Tally; KINDS];

/// Adds one case's kinds, or `None` on overflow.
pub fn add(tallies: &mut Tallies, raw: &RawPoints) -> Option<()> {
    let g = usize::from(raw.grassroots);
    let kinds = [
        raw.subtype.then_some(SpecialKind::Subtype),
        raw.special.map(SpecialKind::from),
    ];
    for kind in kinds.into_iter().flatten() {
        let t = &mut tallies[kind.index()];
        t.cases += 1;
        t.score[g] = t.score[g].checked_add(raw.score)?;
    }
    if !raw.bonus.is_zero() {
        let t = &mut tallies[SpecialKind::Bonus.index()];
        t.cases += 1;
        t.score[0] = t.score[0].checked_add(raw.bonus)?;
    }
    Some(())
}

/// Whether any case of the tallies was touched by a rule.
pub fn any(tallies: &Tallies) -> bool {
    tallies.iter().any(|t| t.cases > 0)
}

/// A notice for each national-rule column the cases give and no rule of the policy reads
/// (`column_not_read`, subject the policy option that would read it), so switching a rule off
/// never hides data silently.
pub fn unread_notices(unread: &[u64; 3]) -> Vec<Notice> {
    let what = [
        ("points.abnormal_discharge", "离院方式", "discharge mode (离院方式)"),
        (
            "points.subtype_coefficients",
            "辅助分型调节系数",
            "subtype coefficient (辅助分型调节系数)",
        ),
        (
            "points.bonus_scores",
            "新药新技术加成分值",
            "bonus score (新药新技术加成分值)",
        ),
    ];
    unread
        .iter()
        .zip(what)
        .filter(|(n, _)| **n > 0)
        .map(|(n, (option, zh, en))| Notice {
            code: "column_not_read".into(),
            subject: option.into(),
            message_zh: format!("{n} 条病例填写了{zh}，但政策未启用 {option}，未参与计算"),
            message_en: format!("{n} cases give a {en}, but the policy does not set {option}: not used"),
        })
        .collect()
}
