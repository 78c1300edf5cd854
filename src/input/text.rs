//! Text normalisation for header cells: the comparable form of a column name and the unit it
//! names. A leaf of the input layer: the field tables, the header matcher and the mapping
//! dialog all compare headers through [`normalize_header`].

use rust_decimal::Decimal;

use super::limits::MAX_HEADER_BYTES;
use super::values::fold_width;

/// A header cell's comparable form and the unit it named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NormalizedHeader {
    pub text: String,
    /// `Some(10000)` for 万元, `Some(1)` for 元.
    pub unit: Option<Decimal>,
}

const UNIT_WORDS: &[(&str, i64)] = &[
    ("元", 1),
    ("万元", 10000),
    ("万", 10000),
    ("人民币元", 1),
    ("rmb", 1),
    ("yuan", 1),
    ("cny", 1),
    ("天", 0),
    ("日", 0),
    ("%", 0),
    ("点", 0),
    ("分", 0),
    ("个", 0),
    ("例", 0),
    ("人次", 0),
];

/// Folds width, drops whitespace, `_`, `-`, `*`, `:` and case, and removes a trailing unit
/// (`(元)`, `（万元）`, `/元`, `[天]`).
pub(crate) fn normalize_header(raw: &str) -> NormalizedHeader {
    // No header is this long: such a cell is text, not a column name (and matching it would
    // only cost time on files that are not tables at all).
    if raw.len() > MAX_HEADER_BYTES {
        return NormalizedHeader {
            text: String::new(),
            unit: None,
        };
    }
    let folded = fold_width(raw);
    // Full-width letters are folded already; only ASCII letters need lowering.
    let mut text: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | '\u{200b}' | '\u{feff}'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    while text.ends_with(':') {
        text.pop();
    }
    let mut unit = None;
    // Trailing bracketed or slashed unit, possibly repeated ("医疗总费用(元)").
    loop {
        let stripped = strip_unit_suffix(&text);
        match stripped {
            Some((rest, u)) if !rest.is_empty() => {
                if unit.is_none() {
                    unit = u;
                }
                text = rest;
            }
            _ => break,
        }
    }
    NormalizedHeader { text, unit }
}

pub(crate) fn strip_unit_suffix(text: &str) -> Option<(String, Option<Decimal>)> {
    let (open, close) = if text.ends_with(')') {
        ('(', ')')
    } else if text.ends_with(']') {
        ('[', ']')
    } else {
        // "费用/元", "费用/万元"
        let slash = text.rfind('/')?;
        let word = text.get(slash + 1..)?;
        let (_, mult) = UNIT_WORDS.iter().find(|(w, _)| *w == word)?;
        let rest = text.get(..slash)?.to_string();
        return Some((rest, unit_of(*mult)));
    };
    let body = text.strip_suffix(close)?;
    let start = body.rfind(open)?;
    let word = body.get(start + open.len_utf8()..)?;
    let unit_word = word
        .strip_prefix("单位:")
        .or_else(|| word.strip_prefix("单位"))
        .unwrap_or(word);
    let (_, mult) = UNIT_WORDS.iter().find(|(w, _)| *w == unit_word)?;
    Some((body.get(..start)?.to_string(), unit_of(*mult)))
}

fn unit_of(mult: i64) -> Option<Decimal> {
    if mult == 0 {
        None
    } else {
        Some(Decimal::from(mult))
    }
}
