//! Finding the header row and mapping its columns to fields.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::error::ColumnRef;
use super::fields::{alias_index, known_unused, TableSpec, ValueKind};
use super::report::{IgnoredColumn, IgnoredReason, MappedColumn};
use super::text::{normalize_header, strip_unit_suffix, NormalizedHeader};
use super::values::{fold_width, parse_legend};
use crate::records::GroupCategory;

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The inverse of [`column_letter`], for mapping overrides given as a letter.
pub(crate) fn letter_index(text: &str) -> Option<usize> {
    let t = text.trim();
    if t.is_empty() || t.len() > 3 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n: usize = 0;
    for c in t.chars() {
        n = n * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1);
    }
    Some(n - 1)
}

/// The columns of a table as found in one header.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Row of the (last) header line, as in Excel.
    pub header_row: u64,
    /// 1, or 2 for a two-line header.
    pub header_rows: u8,
    /// The header text shown for each column.
    pub headers: Vec<String>,
    /// Column of each field of the table.
    pub field_cols: Vec<Option<usize>>,
    /// Multiplier for each field's values (万元 → 10000), money fields only.
    pub multipliers: Vec<Option<Decimal>>,
    /// Catalog: per-level reference-cost columns (level, column).
    pub level_cols: Vec<(String, usize)>,
    /// Multiplier of each per-level column (by column).
    pub level_mults: BTreeMap<usize, Option<Decimal>>,
    /// Catalog: the codes the 病种类型 header's legend gives (`1 → 核心病种`).
    pub category_legend: Vec<(String, GroupCategory)>,
    pub ignored: Vec<IgnoredColumn>,
}

impl Layout {
    pub(crate) fn matched(&self) -> usize {
        self.field_cols.iter().filter(|c| c.is_some()).count() + self.level_cols.len()
    }

    /// Requirements (any-of field lists) that this header does not satisfy.
    pub(crate) fn missing(&self, spec: &TableSpec) -> Vec<&'static [usize]> {
        spec.required
            .iter()
            .filter(|any| !any.iter().any(|&f| self.field_cols.get(f).copied().flatten().is_some()))
            .copied()
            .collect()
    }

    pub(crate) fn column_ref(&self, col: usize) -> ColumnRef {
        ColumnRef {
            header: self.headers.get(col).cloned().unwrap_or_default(),
            letter: column_letter(col),
        }
    }

    pub(crate) fn mapped_columns(&self, spec: &TableSpec) -> Vec<MappedColumn> {
        let mut out = Vec::new();
        for (i, field) in spec.fields.iter().enumerate() {
            if let Some(col) = self.field_cols.get(i).copied().flatten() {
                out.push(MappedColumn {
                    field: field.key.to_string(),
                    label: field.zh.to_string(),
                    header: self.headers.get(col).cloned().unwrap_or_default(),
                    letter: column_letter(col),
                    multiplier: self.multipliers.get(i).copied().flatten(),
                    level: None,
                });
            }
        }
        for (level, col) in &self.level_cols {
            out.push(MappedColumn {
                field: "reference_cost_by_level".to_string(),
                label: format!("次均费用({level})"),
                header: self.headers.get(*col).cloned().unwrap_or_default(),
                letter: column_letter(*col),
                multiplier: self.level_multiplier(*col),
                level: Some(level.clone()),
            });
        }
        out
    }

    pub(crate) fn level_multiplier(&self, col: usize) -> Option<Decimal> {
        self.level_mults.get(&col).copied().flatten()
    }
}

/// Column mapping overrides as given by the caller: field key (or canonical Chinese name) →
/// header text (or column letter); an empty header un-maps the field.
pub(crate) type Overrides = BTreeMap<String, String>;

/// Problems with the overrides themselves (fatal).
#[derive(Debug, Clone)]
pub(crate) enum OverrideProblem {
    UnknownField(String),
    ColumnNotFound { field: String, header: String },
}

/// Maps one header line (already combined if it spans two rows) to the table's fields.
pub(crate) fn build_layout(
    spec: &TableSpec,
    headers: Vec<String>,
    header_row: u64,
    header_rows: u8,
    global_unit: Option<Decimal>,
    overrides: &Overrides,
) -> (Layout, Vec<OverrideProblem>) {
    let normalized: Vec<NormalizedHeader> = headers.iter().map(|h| normalize_header(h)).collect();
    let mut field_cols: Vec<Option<usize>> = vec![None; spec.fields.len()];
    let mut taken: Vec<bool> = vec![false; headers.len()];
    let mut forced: Vec<bool> = vec![false; spec.fields.len()];
    let mut problems = Vec::new();

    for (key, header) in overrides {
        let Some(f) = spec.field_index(key) else {
            problems.push(OverrideProblem::UnknownField(key.clone()));
            continue;
        };
        forced[f] = true;
        if header.trim().is_empty() {
            continue; // explicitly unmapped
        }
        let wanted = normalize_header(header).text;
        let by_text = headers
            .iter()
            .position(|h| h.trim() == header.trim())
            .or_else(|| normalized.iter().position(|n| !n.text.is_empty() && n.text == wanted));
        let col = by_text.or_else(|| letter_index(header).filter(|&c| c < headers.len()));
        match col {
            Some(c) => {
                field_cols[f] = Some(c);
                if let Some(t) = taken.get_mut(c) {
                    *t = true;
                }
            }
            None => problems.push(OverrideProblem::ColumnNotFound {
                field: spec.fields.get(f).map(|x| x.key).unwrap_or_default().to_string(),
                header: header.clone(),
            }),
        }
    }

    // Best (alias rank, column) per field among the columns not taken by an override.
    let index = alias_index(spec.kind);
    let mut best: Vec<Option<(usize, usize)>> = vec![None; spec.fields.len()]; // (rank, col)
    let mut matches: Vec<Vec<usize>> = vec![Vec::new(); spec.fields.len()];
    for (c, n) in normalized.iter().enumerate() {
        if taken.get(c).copied().unwrap_or(true) || n.text.is_empty() {
            continue;
        }
        // A header with a legend of codes (病种类型（1.核心病种；2.综合病种）) names its stem's field.
        let stem = || {
            let (stem, _) = parse_legend(headers.get(c)?)?;
            Some(normalize_header(&stem).text)
        };
        let Some(&(f, rank)) = index.get(&n.text).or_else(|| stem().and_then(|t| index.get(&t))) else {
            continue;
        };
        if forced.get(f).copied().unwrap_or(true) {
            continue;
        }
        if let Some(m) = matches.get_mut(f) {
            m.push(c);
        }
        if let Some(b) = best.get_mut(f) {
            if b.is_none_or(|(r, _)| rank < r) {
                *b = Some((rank, c));
            }
        }
    }
    let mut duplicates: Vec<(usize, usize)> = Vec::new(); // (column, field)
    for (f, b) in best.iter().enumerate() {
        if let Some((_, c)) = b {
            if let Some(slot) = field_cols.get_mut(f) {
                *slot = Some(*c);
            }
            for m in matches.get(f).into_iter().flatten() {
                if m != c {
                    duplicates.push((*m, f));
                }
            }
        }
    }
    for c in field_cols.iter().flatten() {
        if let Some(t) = taken.get_mut(*c) {
            *t = true;
        }
    }

    let category_legend = spec
        .fields
        .iter()
        .position(|f| f.kind == ValueKind::GroupCategory)
        .and_then(|f| field_cols.get(f).copied().flatten())
        .and_then(|c| headers.get(c))
        .and_then(|h| parse_legend(h))
        .map(|(_, legend)| legend)
        .unwrap_or_default();

    // Units: a column's own header wins over the unit line above the header.
    let multipliers: Vec<Option<Decimal>> = spec
        .fields
        .iter()
        .enumerate()
        .map(|(f, field)| {
            let col = field_cols.get(f).copied().flatten()?;
            if !field.kind.is_money() {
                return None;
            }
            let own = normalized.get(col).and_then(|n| n.unit);
            match own.or(global_unit) {
                Some(m) if m != Decimal::ONE => Some(m),
                _ => None,
            }
        })
        .collect();

    // Catalog: per-level reference-cost columns.
    let mut level_cols = Vec::new();
    let mut level_mults = BTreeMap::new();
    if !spec.level_cost_stems.is_empty() {
        for (c, raw) in headers.iter().enumerate() {
            if taken.get(c).copied().unwrap_or(true) || duplicates.iter().any(|(d, _)| *d == c) {
                continue;
            }
            if let Some(level) = level_of(raw, spec.level_cost_stems) {
                let own = normalized.get(c).and_then(|n| n.unit);
                let m = match own.or(global_unit) {
                    Some(m) if m != Decimal::ONE => Some(m),
                    _ => None,
                };
                level_mults.insert(c, m);
                level_cols.push((level, c));
                if let Some(t) = taken.get_mut(c) {
                    *t = true;
                }
            }
        }
    }

    let mut ignored = Vec::new();
    for (c, raw) in headers.iter().enumerate() {
        if taken.get(c).copied().unwrap_or(false) || raw.trim().is_empty() {
            continue;
        }
        let reason = match duplicates.iter().find(|(d, _)| *d == c) {
            Some((_, f)) => IgnoredReason::Duplicate {
                field: spec.fields.get(*f).map(|x| x.key).unwrap_or_default().to_string(),
            },
            None => match normalized.get(c).and_then(|n| known_unused(spec.kind, &n.text)) {
                Some((zh, en)) => IgnoredReason::Known {
                    meaning_zh: zh.to_string(),
                    meaning_en: en.to_string(),
                },
                None => IgnoredReason::Unknown,
            },
        };
        ignored.push(IgnoredColumn {
            header: raw.clone(),
            letter: column_letter(c),
            reason,
        });
    }

    (
        Layout {
            header_row,
            header_rows,
            headers,
            field_cols,
            multipliers,
            level_cols,
            level_mults,
            category_legend,
            ignored,
        },
        problems,
    )
}

/// `次均费用(三甲)`, `三甲次均费用`, `次均费用_三甲` → `三甲`.
fn level_of(raw: &str, stems: &[&str]) -> Option<String> {
    // A two-line header "分级次均费用/三甲": the stem above, the level below.
    if let Some((upper, lower)) = raw.rsplit_once('/') {
        let upper_l = fold_width(upper).to_lowercase();
        if stems.iter().any(|s| upper_l.contains(&s.to_lowercase())) {
            let lower = fold_width(lower);
            let shown: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
            let shown = shown
                .strip_suffix("(元)")
                .or_else(|| shown.strip_suffix("(万元)"))
                .unwrap_or(&shown)
                .to_string();
            return if shown.is_empty() || shown.chars().count() > 12 {
                None
            } else {
                Some(shown)
            };
        }
    }
    let folded = fold_width(raw);
    let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    // Drop a unit suffix first so that "次均费用(元)" is not a level called "元".
    let mut text = compact;
    loop {
        let lower = text.to_lowercase();
        match strip_unit_suffix(&lower) {
            Some((rest, _)) if !rest.is_empty() && rest.len() < text.len() => {
                text = text.get(..rest.len()).map(str::to_string).unwrap_or(rest);
            }
            _ => break,
        }
    }
    let lower = text.to_lowercase();
    for stem in stems {
        let stem_l = stem.to_lowercase();
        if let Some(pos) = lower.find(&stem_l) {
            let before = text.get(..pos).unwrap_or("");
            let after = text.get(pos + stem_l.len()..).unwrap_or("");
            let rest = format!("{before}{after}");
            let level: String = rest
                .trim_matches(|c: char| {
                    matches!(
                        c,
                        '(' | ')' | '[' | ']' | '_' | '-' | ':' | '/' | '·' | '.' | '【' | '】'
                    ) || c.is_whitespace()
                })
                .to_string();
            let level = level.trim_start_matches('(').trim_end_matches(')').trim().to_string();
            if level.is_empty() || level.chars().count() > 12 {
                return None;
            }
            return Some(level);
        }
    }
    None
}

/// Combines a two-line header: the lower cell when it names a field (or is the only text),
/// the upper cell when the lower is empty (a vertically merged cell), otherwise both
/// (`次均费用` over `三甲` → `次均费用/三甲`, a horizontally merged group label).
pub(crate) fn combine_rows(spec: &TableSpec, upper: &[impl AsRef<str>], lower: &[impl AsRef<str>]) -> Vec<String> {
    let width = upper.len().max(lower.len());
    let mut out = Vec::with_capacity(width);
    let mut carried = String::new(); // the upper label of a horizontal merge
    for c in 0..width {
        let up = upper.get(c).map(|s| s.as_ref().trim()).unwrap_or("");
        let low = lower.get(c).map(|s| s.as_ref().trim()).unwrap_or("");
        if !up.is_empty() {
            carried = up.to_string();
        }
        let cell = if low.is_empty() {
            up.to_string()
        } else if names_field(spec, low) || carried.is_empty() {
            low.to_string()
        } else {
            format!("{carried}/{low}")
        };
        out.push(cell);
    }
    out
}

pub(crate) fn names_field(spec: &TableSpec, text: &str) -> bool {
    let n = normalize_header(text).text;
    if n.is_empty() {
        return false;
    }
    alias_index(spec.kind).contains_key(&n)
}

/// A row above the header that states the money unit ("单位：万元").
pub(crate) fn unit_line(cells: &[String]) -> Option<(String, Decimal)> {
    for cell in cells {
        let folded = fold_width(cell);
        let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(pos) = compact.find("单位") else {
            continue;
        };
        let after = compact.get(pos + "单位".len()..).unwrap_or("");
        let after = after.trim_start_matches([':', '：']);
        if after.starts_with("万元") {
            return Some((cell.trim().to_string(), Decimal::from(10000)));
        }
        if after.starts_with('元') {
            return Some((cell.trim().to_string(), Decimal::ONE));
        }
    }
    None
}

/// Is this field kind one whose values are numbers (for totals-row detection)?
pub(crate) fn numeric_kind(kind: ValueKind) -> bool {
    matches!(
        kind,
        ValueKind::Money | ValueKind::Number | ValueKind::Days | ValueKind::Coefficient | ValueKind::Count
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        for (i, l) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (51, "AZ"),
            (701, "ZZ"),
            (702, "AAA"),
            (16383, "XFD"),
        ] {
            assert_eq!(column_letter(i), l);
            assert_eq!(letter_index(l), Some(i));
        }
        assert_eq!(letter_index("a"), Some(0));
        assert_eq!(letter_index("A1"), None);
        assert_eq!(letter_index("费用"), None);
    }

    #[test]
    fn header_normalization() {
        let n = normalize_header(" 医疗总费用（万元）");
        assert_eq!((n.text.as_str(), n.unit), ("医疗总费用", Some(Decimal::from(10000))));
        let n = normalize_header("*Total_Cost (元):");
        assert_eq!((n.text.as_str(), n.unit), ("totalcost", Some(Decimal::ONE)));
        assert_eq!(normalize_header("住院天数[天]").text, "住院天数");
        assert_eq!(normalize_header("费用/万元").unit, Some(Decimal::from(10000)));
        assert_eq!(normalize_header("次均费用(三甲)").text, "次均费用(三甲)");
        assert_eq!(level_of("三甲次均费用", &["次均费用"]).as_deref(), Some("三甲"));
        assert_eq!(level_of("次均费用（二甲）", &["次均费用"]).as_deref(), Some("二甲"));
        assert_eq!(level_of("分级次均费用/三甲", &["次均费用"]).as_deref(), Some("三甲"));
        assert_eq!(level_of("次均费用(元)", &["次均费用"]), None);
    }
}
