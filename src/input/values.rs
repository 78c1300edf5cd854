//! Cell text → values. Every parser takes the cell's text and never panics.

use std::borrow::Cow;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::records::{CaseKind, Fund, GroupCategory};

/// Full-width ASCII (`１２３，４５`, `（`, `：`, `％`) to half-width, the ideographic space to a
/// space, and `￥` to `¥`.
pub(crate) fn fold_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let needs = s
        .chars()
        .any(|c| ('\u{ff01}'..='\u{ff5e}').contains(&c) || matches!(c, '\u{3000}' | '\u{ffe5}' | '\u{00a0}'));
    if !needs {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                '\u{3000}' | '\u{00a0}' => ' ',
                '\u{ffe5}' => '¥',
                other => other,
            })
            .collect(),
    )
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}' | '\u{200e}' | '\u{200f}')
}

/// A cell's text as a value: width folded, trimmed, and Excel's text-forcing wrappers
/// (`="0012"`, `'0012`) removed. Borrows when nothing changes (the usual case).
#[inline]
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    if is_tidy(s) {
        return Cow::Borrowed(s);
    }
    clean_untidy(s)
}

/// Nothing for [`clean`] to do (most cells, 是 and 职工 too): empty, or visible ends, no
/// wrapper, and no byte that starts a blank outside ASCII or a character [`fold_width`]
/// changes (all of those start with 0xC2, 0xE1, 0xE2, 0xE3 or 0xEF).
#[inline]
fn is_tidy(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    let visible = |x: u8| x.is_ascii_graphic() || x >= 0x80;
    visible(first)
        && visible(last)
        && first != b'='
        && first != b'\''
        && (s.is_ascii() || !b.iter().any(|x| matches!(x, 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF)))
}

#[inline(never)]
fn clean_untidy(s: &str) -> Cow<'_, str> {
    let t = s.trim_matches(is_blank);
    let unwrapped = if let Some(inner) = t.strip_prefix("=\"").and_then(|x| x.strip_suffix('"')) {
        inner.trim_matches(is_blank)
    } else if let Some(inner) = t.strip_prefix('\'') {
        inner.trim_matches(is_blank)
    } else {
        t
    };
    match fold_width(unwrapped) {
        Cow::Borrowed(b) => Cow::Borrowed(b),
        // Folding can expose blanks (an ideographic space) and wrappers (full-width quotes).
        Cow::Owned(folded) => {
            let again = clean_folded(&folded);
            Cow::Owned(again)
        }
    }
}

fn clean_folded(t: &str) -> String {
    let t = t.trim_matches(is_blank);
    let t = if let Some(inner) = t.strip_prefix("=\"").and_then(|x| x.strip_suffix('"')) {
        inner.trim_matches(is_blank)
    } else if let Some(inner) = t.strip_prefix('\'') {
        inner.trim_matches(is_blank)
    } else {
        t
    };
    t.to_string()
}

/// Does the text hold U+FFFD, what the decoder puts for bytes it cannot decode? Looks for its
/// first byte (0xEF) before searching: most cells have none.
pub(crate) fn has_replacement_char(s: &str) -> bool {
    s.bytes().any(|b| b == 0xEF) && s.contains('\u{fffd}')
}

/// Lower-cases ASCII only (full-width letters are folded to ASCII by [`clean`]) and drops
/// blanks, `_` and `-`: the form keywords are compared in.
fn keyword(text: &str) -> Cow<'_, str> {
    let t = clean(text);
    // Usually (是, 否, 职工) there is nothing to drop or lower-case: no allocation.
    if t.chars()
        .all(|c| !is_blank(c) && c != '_' && c != '-' && !c.is_ascii_uppercase())
    {
        return t;
    }
    Cow::Owned(
        t.chars()
            .filter(|c| !is_blank(*c) && *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

/// Plain decimal text (`-12345.67`): what [`parse_plain`]'s fast path reads, and what the
/// slower paths of [`parse_amount`] and [`parse_number`] would pass to it unchanged.
fn is_plain(s: &str) -> bool {
    let digits = s.as_bytes().strip_prefix(b"-").unwrap_or(s.as_bytes());
    !digits.is_empty()
        && digits.len() <= 28
        && digits.first().is_some_and(u8::is_ascii_digit)
        && digits.last().is_some_and(u8::is_ascii_digit)
        && digits.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && digits.iter().filter(|b| **b == b'.').count() <= 1
}

/// A number's text without its blanks (`¥ 12,345 元` → `¥12,345元`). A blank between two
/// digits is a thousands separator (`1 234 567`, as some locales write it) and must stand
/// where a comma would: it becomes one, so `12 34` is refused by the grouping check instead
/// of read as 1234. A blank next to a comma or point between digits (`1, 234`) is refused.
fn without_blanks(t: &str) -> Option<String> {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_blank(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&j| !is_blank(chars[j])).unwrap_or(chars.len());
        let before = out.chars().next_back();
        let after = chars.get(end).copied();
        let digit_or_mark = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.');
        match (before, after) {
            (Some(b), Some(a)) if b.is_ascii_digit() && a.is_ascii_digit() => out.push(','),
            (b, a) if digit_or_mark(b) && digit_or_mark(a) => return None,
            _ => {}
        }
        i = end;
    }
    Some(out)
}

/// Why a number did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberProblem {
    NotNumber,
    PercentNotAllowed,
}

/// Plain text ([`is_plain`]) of at most 18 digits read in one pass straight into a mantissa
/// and a scale, trailing zeros of the fraction dropped: what `Decimal::from_str` then
/// `normalize` give (a `-0` too is zero), in a fraction of the time. `None` for any other text.
fn short_plain(s: &str) -> Option<Decimal> {
    let (negative, text) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if text.len() > 19 || !text.first()?.is_ascii_digit() || !text.last()?.is_ascii_digit() {
        return None;
    }
    // 19 digits without a point would overflow the i64 below (its maximum has 19 digits).
    if text.len() == 19 && !text.contains(&b'.') {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut point = None;
    for (i, &b) in text.iter().enumerate() {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + i64::from(b - b'0');
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    if text.len() - usize::from(point.is_some()) > 18 {
        return None;
    }
    let mut scale = point.map_or(0, |p| text.len() - p - 1) as u32;
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Decimal::try_new(if negative { -mantissa } else { mantissa }, scale).ok()
}

/// Parses the digits of a decimal number: optional sign, digits with optional thousands
/// separators in groups of three, optional fraction, optional exponent.
fn parse_plain(s: &str) -> Option<Decimal> {
    let bytes = s.as_bytes();
    // Fast path: digits with at most one point and an optional leading minus.
    if let Some(v) = short_plain(s) {
        return Some(v);
    }
    if is_plain(s) {
        return Decimal::from_str(s).ok().map(|d| d.normalize());
    }
    let mut i = 0;
    let mut out = String::with_capacity(s.len());
    if let Some(&b) = bytes.first() {
        if b == b'+' || b == b'-' {
            if b == b'-' {
                out.push('-');
            }
            i = 1;
        }
    }
    let int_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b',') {
        i += 1;
    }
    let int_part = s.get(int_start..i)?;
    if int_part.contains(',') {
        // groups of three after the first group of one to three digits
        let mut groups = int_part.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        for g in groups {
            if g.len() != 3 {
                return None;
            }
        }
    }
    let int_digits: String = int_part.chars().filter(|c| *c != ',').collect();
    out.push_str(&int_digits);
    let mut frac_digits = 0;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - start;
        if frac_digits > 0 {
            out.push('.');
            out.push_str(s.get(start..i)?);
        }
    }
    if int_digits.is_empty() && frac_digits == 0 {
        return None;
    }
    if int_digits.is_empty() {
        // ".5" → "0.5"
        let neg = out.starts_with('-');
        out = format!("{}0{}", if neg { "-" } else { "" }, out.trim_start_matches('-'));
    }
    let mut exponent: Option<i64> = None;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let rest = s.get(i + 1..)?;
        let digits = rest.strip_prefix('+').unwrap_or(rest);
        let (neg, digits) = match digits.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, digits),
        };
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let e: i64 = digits.parse().ok()?;
        exponent = Some(if neg { -e } else { e });
        i = bytes.len();
    }
    if i != bytes.len() {
        return None;
    }
    let mut value = Decimal::from_str(&out).ok()?;
    if let Some(e) = exponent {
        if e.unsigned_abs() > 28 {
            return None;
        }
        let ten = Decimal::TEN;
        for _ in 0..e.unsigned_abs() {
            value = if e > 0 {
                value.checked_mul(ten)?
            } else {
                value.checked_div(ten)?
            };
        }
    }
    Some(value.normalize())
}

/// An amount in 元: `12,345.67`, `¥12345.67`, `12345.67元`, `1.2万` (×10000), `-` (zero, as
/// Excel's accounting format shows it). A percentage is an error.
pub(crate) fn parse_amount(text: &str) -> Result<Decimal, NumberProblem> {
    let t = clean(text);
    // The common case, without the copies below (same result: the body is `t` itself, and
    // multiplying by one changes nothing).
    if let Some(v) = short_plain(&t) {
        return Ok(v);
    }
    if is_plain(&t) {
        return parse_plain(&t).ok_or(NumberProblem::NotNumber);
    }
    let s = without_blanks(&t).ok_or(NumberProblem::NotNumber)?;
    if matches!(s.as_str(), "-" | "—" | "--" | "——" | "–") {
        return Ok(Decimal::ZERO);
    }
    if s.ends_with('%') {
        return if parse_plain(s.trim_end_matches('%')).is_some() {
            Err(NumberProblem::PercentNotAllowed)
        } else {
            Err(NumberProblem::NotNumber)
        };
    }
    let (body, mult) = if let Some(b) = s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
        (b, Decimal::from(10000))
    } else if let Some(b) = s.strip_suffix('元') {
        (b, Decimal::ONE)
    } else {
        (s.as_str(), Decimal::ONE)
    };
    let (sign, body) = match body.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", body.strip_prefix('+').unwrap_or(body)),
    };
    let body = body
        .strip_prefix('¥')
        .or_else(|| body.strip_prefix("RMB"))
        .or_else(|| body.strip_prefix("CNY"))
        .unwrap_or(body);
    if body.starts_with(['-', '+']) && !sign.is_empty() {
        return Err(NumberProblem::NotNumber);
    }
    let v = parse_plain(&format!("{sign}{body}")).ok_or(NumberProblem::NotNumber)?;
    v.checked_mul(mult).ok_or(NumberProblem::NotNumber)
}

/// A plain number (`1.25`, `1,250`); with `percent`, `85%` → 0.85.
pub(crate) fn parse_number(text: &str, percent: bool) -> Result<Decimal, NumberProblem> {
    let s = clean(text);
    if let Some(v) = short_plain(&s) {
        return Ok(v);
    }
    if is_plain(&s) {
        return parse_plain(&s).ok_or(NumberProblem::NotNumber);
    }
    let s = without_blanks(&s).ok_or(NumberProblem::NotNumber)?;
    if let Some(body) = s.strip_suffix('%') {
        let v = parse_plain(body).ok_or(NumberProblem::NotNumber)?;
        return if percent {
            v.checked_div(Decimal::ONE_HUNDRED)
                .map(|d| d.normalize())
                .ok_or(NumberProblem::NotNumber)
        } else {
            Err(NumberProblem::PercentNotAllowed)
        };
    }
    parse_plain(&s).ok_or(NumberProblem::NotNumber)
}

/// A whole number ≥ 0 (`1,200`, `12.0` from a spreadsheet).
pub(crate) fn parse_count(text: &str) -> Option<u64> {
    let v = parse_number(text, false).ok()?;
    if v.is_sign_negative() && !v.is_zero() || v.fract() != Decimal::ZERO {
        return None;
    }
    u64::from_str(&v.trunc().normalize().to_string()).ok()
}

/// 是/否 and friends.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    // Nearly every cell says 是 or 否: settled before the alias list.
    match text {
        "是" => return Some(true),
        "否" => return Some(false),
        _ => {}
    }
    let s = keyword(text);
    match s.as_ref() {
        "是" | "y" | "yes" | "1" | "true" | "t" | "真" | "√" | "✓" | "✔" | "通过" | "有" | "已" | "是的" | "已申请"
        | "已补充" | "合格" | "对" => Some(true),
        "否" | "n" | "no" | "0" | "false" | "f" | "假" | "×" | "✗" | "✘" | "不通过" | "未通过" | "无" | "未"
        | "不是" | "未申请" | "未补充" | "不合格" | "错" => Some(false),
        _ => None,
    }
}

/// A calendar date, as far as it was given (a month without a day is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ymd {
    pub year: i32,
    pub month: u8,
    pub day: Option<u8>,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn ymd(year: i64, month: i64, day: Option<i64>) -> Option<Ymd> {
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    let (year, month) = (year as i32, month as u8);
    let day = match day {
        Some(d) => {
            if d < 1 || d > days_in_month(year, month) as i64 {
                return None;
            }
            Some(d as u8)
        }
        None => None,
    };
    Some(Ymd { year, month, day })
}

fn small_int(s: &str, max_len: usize) -> Option<i64> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An Excel serial day number (1900 date system) → date.
pub(crate) fn excel_serial_date(serial: i64) -> Option<Ymd> {
    if !(1..=2_958_465).contains(&serial) {
        return None;
    }
    if serial == 60 {
        return None; // Excel's phantom 1900-02-29
    }
    // Serial 25569 is 1970-01-01; below 61 Excel counts from 1899-12-31.
    let days = if serial < 60 { serial - 25568 } else { serial - 25569 };
    let (y, m, d) = civil_from_days(days);
    ymd(y, m, Some(d))
}

/// `2024-03-15`, `2024/3/15`, `2024.3.15`, `20240315`, `2024年3月15日`, `202403`, `2024-03`,
/// `2024年3月`, an Excel serial number (`45366`), with or without a time after it.
pub(crate) fn parse_date(text: &str) -> Option<Ymd> {
    let s = clean(text);
    // Most exports write 2024-03-15: read it in place (what the `-` split below gives).
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            return ymd(n(&digits[..4]), n(&digits[4..6]), Some(n(&digits[6..])));
        }
    }
    // Drop a time part: "2024-03-15 10:20:30", "2024-03-15T10:20:30", "2024/3/15 10:20".
    let date_part = s
        .split(|c: char| c == 'T' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim();
    if date_part.is_empty() {
        return None;
    }
    // 2024年3月15日 / 2024年3月
    if let Some((y, rest)) = date_part.split_once('年') {
        let y = small_int(y, 4)?;
        let (m, rest) = rest.split_once('月')?;
        let m = small_int(m, 2)?;
        let rest = rest.trim_end_matches(['日', '号']);
        let d = if rest.is_empty() {
            None
        } else {
            Some(small_int(rest, 2)?)
        };
        return ymd(y, m, d);
    }
    for sep in ['-', '/', '.'] {
        if date_part.contains(sep) {
            let parts: Vec<&str> = date_part.split(sep).collect();
            return match parts.as_slice() {
                [y, m, d] if y.len() == 4 => ymd(small_int(y, 4)?, small_int(m, 2)?, Some(small_int(d, 2)?)),
                [y, m] if y.len() == 4 => ymd(small_int(y, 4)?, small_int(m, 2)?, None),
                // An Excel serial with a time fraction, "45366.5"
                [int, frac] if sep == '.' && frac.bytes().all(|b| b.is_ascii_digit()) => {
                    excel_serial_date(small_int(int, 7)?)
                }
                _ => None,
            };
        }
    }
    let n = small_int(date_part, 8)?;
    match date_part.len() {
        8 => ymd(n / 10000, n / 100 % 100, Some(n % 100)),
        6 => ymd(n / 100, n % 100, None),
        1..=5 => excel_serial_date(n),
        7 => excel_serial_date(n),
        _ => None,
    }
}

/// A month: `3`, `03`, `3月`, `2024-03`, `202403`, `2024年3月`, or a date. `Ok(None)` for
/// the whole year (`全年`, `年度`, `合计` is not accepted here).
pub(crate) fn parse_month(text: &str) -> Result<Option<(Option<i32>, u8)>, ()> {
    let s = clean(text);
    let s: String = s.chars().filter(|c| !is_blank(*c)).collect();
    if matches!(s.as_str(), "全年" | "年度" | "全年度" | "year") {
        return Ok(None);
    }
    let bare = s.strip_suffix("月份").or_else(|| s.strip_suffix('月')).unwrap_or(&s);
    if let Some(m) = small_int(bare, 2) {
        if (1..=12).contains(&m) {
            return Ok(Some((None, m as u8)));
        }
        return Err(());
    }
    match parse_date(&s) {
        Some(d) => Ok(Some((Some(d.year), d.month))),
        None => Err(()),
    }
}

/// 职工 / 居民 and the names real exports use.
pub(crate) fn parse_fund(text: &str) -> Option<Fund> {
    // The usual names, settled before the alias list.
    match text {
        "职工" => return Some(Fund::Employee),
        "居民" => return Some(Fund::Resident),
        _ => {}
    }
    let s = keyword(text);
    match s.as_ref() {
        "310" | "employee" | "employees" | "urbanemployee" | "uebmi" | "职保" => return Some(Fund::Employee),
        "390"
        | "resident"
        | "residents"
        | "urbanandruralresident"
        | "urrbmi"
        | "居保"
        | "新农合"
        | "新型农村合作医疗" => return Some(Fund::Resident),
        _ => {}
    }
    let employee = s.contains("职工");
    let resident = s.contains("居民");
    match (employee, resident) {
        (true, false) => Some(Fund::Employee),
        (false, true) => Some(Fund::Resident),
        _ => None,
    }
}

/// DIP/病种/病组 → Dip, 床日 → PerDiem, 项目 → FeeForService; empty → Dip.
pub(crate) fn parse_case_kind(text: &str) -> Option<CaseKind> {
    let s = keyword(text);
    let s = s.strip_prefix('按').unwrap_or(&s);
    let s = s.strip_suffix("付费").or_else(|| s.strip_suffix("结算")).unwrap_or(s);
    match s {
        "" | "dip" | "drg" | "病种" | "病组" | "病种分值" | "dip病种" | "diprg" => Some(CaseKind::Dip),
        "床日" | "perdiem" => Some(CaseKind::PerDiem),
        "项目" | "ffs" | "feeforservice" | "服务项目" => Some(CaseKind::FeeForService),
        _ => None,
    }
}

/// 离院方式 as the 医保结算清单 codes it (1 医嘱离院, 2 医嘱转院, 3 医嘱转社区卫生服务机构/乡镇卫生院,
/// 4 非医嘱离院, 5 死亡, 9 其他), written as the code or the name.
pub(crate) fn parse_discharge(text: &str) -> Option<u8> {
    let s = keyword(text);
    let code = match s.as_ref() {
        "1" | "01" | "医嘱离院" => 1,
        "2" | "02" | "医嘱转院" | "转院" => 2,
        "3" | "03" | "医嘱转社区卫生服务机构/乡镇卫生院" | "医嘱转社区卫生服务机构" | "医嘱转乡镇卫生院" | "转社区" => {
            3
        }
        "4" | "04" | "非医嘱离院" | "自动出院" | "自动离院" => 4,
        "5" | "05" | "死亡" => 5,
        "9" | "09" | "其他" => 9,
        _ => return None,
    };
    Some(code)
}

/// Catalog row type: DIP (default) or 床日. `Some(true)` = per-diem.
pub(crate) fn parse_catalog_type(text: &str) -> Option<bool> {
    match parse_case_kind(text)? {
        CaseKind::Dip => Some(false),
        CaseKind::PerDiem => Some(true),
        CaseKind::FeeForService => None,
    }
}

/// 病种类型 as catalogs write it: 核心病种 (一级/二级/三级核心病种), 综合病种 and its four kinds
/// (保守治疗组, 诊断性操作组, 治疗性操作组, 相关手术组), 基层病种, 中医优势病种.
pub(crate) fn parse_group_category(text: &str) -> Option<GroupCategory> {
    use GroupCategory as C;
    let s = keyword(text);
    let s = fold_width(&s);
    if s.contains("中医") {
        return Some(C::Tcm);
    }
    if s.contains("基层") {
        return Some(C::Grassroots);
    }
    if s.contains("核心") {
        return Some(if s.contains("一级") {
            C::CoreTier1
        } else if s.contains("二级") {
            C::CoreTier2
        } else if s.contains("三级") {
            C::CoreTier3
        } else {
            C::Core
        });
    }
    // 保守治疗 before 治疗性: the first contains 治疗 too.
    let kinds = [
        ("保守治疗", C::ComprehensiveConservative),
        ("诊断性操作", C::ComprehensiveDiagnostic),
        ("治疗性操作", C::ComprehensiveTherapeutic),
        ("相关手术", C::ComprehensiveSurgical),
    ];
    if let Some((_, c)) = kinds.iter().find(|(w, _)| s.contains(w)) {
        return Some(*c);
    }
    if s.contains("综合") {
        return Some(C::Comprehensive);
    }
    match s.as_ref() {
        "core" => Some(C::Core),
        "comprehensive" => Some(C::Comprehensive),
        "grassroots" => Some(C::Grassroots),
        "tcm" => Some(C::Tcm),
        _ => None,
    }
}

/// The codes a header's legend gives: `病种类型（1.核心病种；2.综合病种）` → `病种类型` and
/// `1 → 核心病种, 2 → 综合病种`. Items are separated by `;` `,` or blanks, a code from its label
/// by `.` `、` `=` `:` or `-`; every item must name a category, or the brackets are no legend.
pub(crate) fn parse_legend(header: &str) -> Option<(String, Vec<(String, GroupCategory)>)> {
    let folded = fold_width(header);
    let body = folded.trim().strip_suffix(')')?;
    let open = body.rfind('(')?;
    let stem = body.get(..open)?.trim().to_string();
    let inside = body.get(open + 1..)?;
    let mut legend = Vec::new();
    for item in inside.split([';', ',', ' ']).map(str::trim).filter(|i| !i.is_empty()) {
        let code: String = item.chars().take_while(char::is_ascii_digit).collect();
        let label = item
            .get(code.len()..)?
            .trim_start_matches(['.', '、', '=', ':', '-', ' ']);
        if code.is_empty() || label.len() == item.len() - code.len() {
            return None;
        }
        legend.push((code, parse_group_category(label)?));
    }
    (!stem.is_empty() && !legend.is_empty()).then_some((stem, legend))
}

/// What a 病种类型 cell said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CategoryCell {
    /// A category, by name or by a code of the header's legend.
    Named(GroupCategory),
    /// `0` under a legend of 核心病种 and 综合病种 that does not list it: read as the legend's
    /// 综合病种 (a 是否核心病种 flag under a two-entry legend) [reading], and reported.
    Zero(GroupCategory),
    /// DIP or 床日: a payment type written in this column, as older files do. `true` = 床日.
    Payment(bool),
}

/// A 病种类型 cell under the header's legend (empty legend: names only).
pub(crate) fn parse_category_cell(text: &str, legend: &[(String, GroupCategory)]) -> Option<CategoryCell> {
    if let Some(c) = parse_group_category(text) {
        return Some(CategoryCell::Named(c));
    }
    let code = clean(text);
    if let Some((_, c)) = legend.iter().find(|(k, _)| *k == code) {
        return Some(CategoryCell::Named(*c));
    }
    if code == "0" {
        let core = legend.iter().any(|(_, c)| {
            matches!(
                c,
                GroupCategory::Core | GroupCategory::CoreTier1 | GroupCategory::CoreTier2 | GroupCategory::CoreTier3
            )
        });
        let other = legend.iter().find(|(_, c)| *c == GroupCategory::Comprehensive);
        if let (true, Some((_, c)), 2) = (core, other, legend.len()) {
            return Some(CategoryCell::Zero(*c));
        }
    }
    parse_catalog_type(text).map(CategoryCell::Payment)
}

/// Splits a list cell: `1.05;0.02`, `0.05、0.02`, `0.05，0.02`.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let s = clean(text);
    s.split([';', '；', '、', ',', '，', '|'])
        .map(|p| p.trim_matches(is_blank).to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The shortest text that reads back as the same `f64` (spreadsheet numeric cells).
pub(crate) fn float_text(f: f64) -> String {
    if f.is_finite() {
        let s = format!("{f}");
        if s == "-0" {
            "0".to_string()
        } else {
            s
        }
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn category_legends() {
        use GroupCategory as C;
        let legend = parse_legend;
        let two = vec![("1".to_string(), C::Core), ("2".to_string(), C::Comprehensive)];
        assert_eq!(
            legend("病种类型（1.核心病种；2.综合病种）"),
            Some(("病种类型".to_string(), two.clone()))
        );
        assert_eq!(
            legend("病种类型(1=核心病种, 2=综合病种)"),
            Some(("病种类型".to_string(), two.clone()))
        );
        assert_eq!(
            legend("病种类型（1、核心病种 2、综合病种）"),
            Some(("病种类型".to_string(), two.clone()))
        );
        // A level or a unit in brackets is no legend.
        assert_eq!(legend("次均费用(三甲)"), None);
        assert_eq!(legend("次均费用（元）"), None);
        assert_eq!(legend("病种类型（1.核心病种；2.其他）"), None);
        // 0 under a 核心/综合 legend is 综合病种; under another legend, or none, it is not read.
        assert_eq!(
            parse_category_cell("0", &two),
            Some(CategoryCell::Zero(C::Comprehensive))
        );
        assert_eq!(
            parse_category_cell("2", &two),
            Some(CategoryCell::Named(C::Comprehensive))
        );
        assert_eq!(parse_category_cell("0", &[]), None);
        assert_eq!(parse_category_cell("床日", &two), Some(CategoryCell::Payment(true)));
        assert_eq!(
            parse_group_category("综合病种-治疗性操作组"),
            Some(C::ComprehensiveTherapeutic)
        );
        assert_eq!(parse_group_category("二级核心病种"), Some(C::CoreTier2));
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("12,345.67"), Ok(d("12345.67")));
        assert_eq!(parse_amount("¥12,345.67"), Ok(d("12345.67")));
        assert_eq!(parse_amount("￥１２，３４５．６７元"), Ok(d("12345.67")));
        assert_eq!(parse_amount("-1,000"), Ok(d("-1000")));
        assert_eq!(parse_amount("1.2万"), Ok(d("12000")));
        assert_eq!(parse_amount("1.5E+03"), Ok(d("1500")));
        assert_eq!(parse_amount("-"), Ok(d("0")));
        assert_eq!(parse_amount(".5"), Ok(d("0.5")));
        assert_eq!(parse_amount("85%"), Err(NumberProblem::PercentNotAllowed));
        assert_eq!(parse_amount("12,3x4"), Err(NumberProblem::NotNumber));
        assert_eq!(parse_amount("1,5"), Err(NumberProblem::NotNumber));
        assert_eq!(parse_amount("1_000"), Err(NumberProblem::NotNumber));
        assert_eq!(parse_amount("1e999"), Err(NumberProblem::NotNumber));
        assert_eq!(parse_amount(""), Err(NumberProblem::NotNumber));
        assert_eq!(parse_number("85%", true), Ok(d("0.85")));
        assert_eq!(parse_number("85%", false), Err(NumberProblem::PercentNotAllowed));
        assert_eq!(parse_count("1,200"), Some(1200));
        assert_eq!(parse_count("12.5"), None);
    }

    #[test]
    fn short_plain_reads_as_from_str() {
        let mut samples: Vec<String> = [
            "0",
            "-0",
            "0.00",
            "-0.000",
            "7",
            "007.50",
            "6491.48",
            "-2514.620",
            "100",
            "1000.0",
            "123456789012345678",
            "-999999999999999999",
            "0.000000000000000001",
            "12345678.9",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut x: u64 = 2024;
        for _ in 0..20000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let digits = format!("{}", x >> (x % 40));
            let point = (x >> 8) as usize % (digits.len() + 1);
            let mut s = if point == 0 || point == digits.len() {
                digits.clone()
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            };
            if x & 1 == 1 {
                s.insert(0, '-');
            }
            samples.push(s);
        }
        for s in samples {
            assert!(is_plain(&s), "{s}");
            let want = Decimal::from_str(&s).unwrap().normalize();
            if let Some(got) = short_plain(&s) {
                assert_eq!(got.serialize(), want.serialize(), "{s}");
            }
            let same = want.checked_mul(Decimal::ONE).unwrap();
            assert_eq!(same.serialize(), want.serialize(), "{s}");
        }
    }

    #[test]
    fn dates() {
        let want = Some(Ymd {
            year: 2024,
            month: 3,
            day: Some(15),
        });
        for s in [
            "2024-03-15",
            "2024/3/15",
            "20240315",
            "2024年3月15日",
            "45366",
            "2024-03-15 10:20:30",
            "2024-03-15T00:00:00",
            "2024.3.15",
            "45366.5",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
        assert_eq!(
            parse_date("202403"),
            Some(Ymd {
                year: 2024,
                month: 3,
                day: None
            })
        );
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_month("3月"), Ok(Some((None, 3))));
        assert_eq!(parse_month("202403"), Ok(Some((Some(2024), 3))));
        assert_eq!(parse_month("全年"), Ok(None));
        assert_eq!(parse_month("13"), Err(()));
        assert_eq!(
            excel_serial_date(1),
            Some(Ymd {
                year: 1900,
                month: 1,
                day: Some(1)
            })
        );
        assert_eq!(
            excel_serial_date(61),
            Some(Ymd {
                year: 1900,
                month: 3,
                day: Some(1)
            })
        );
    }

    #[test]
    fn funds_and_kinds() {
        assert_eq!(parse_fund("职工基本医疗保险"), Some(Fund::Employee));
        assert_eq!(parse_fund("城乡居民基本医疗保险"), Some(Fund::Resident));
        assert_eq!(parse_fund("310"), Some(Fund::Employee));
        assert_eq!(parse_fund("390"), Some(Fund::Resident));
        assert_eq!(parse_fund("Resident"), Some(Fund::Resident));
        assert_eq!(parse_fund("公务员医疗补助"), None);
        assert_eq!(parse_case_kind("按病种分值付费"), Some(CaseKind::Dip));
        assert_eq!(parse_case_kind("床日"), Some(CaseKind::PerDiem));
        assert_eq!(parse_case_kind("按项目"), Some(CaseKind::FeeForService));
        assert_eq!(parse_case_kind(""), Some(CaseKind::Dip));
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn floats_round_trip() {
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(12345.67), "12345.67");
        assert_eq!(float_text(350102001.0), "350102001");
        assert_eq!(float_text(-0.0), "0");
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("=\"0012\""), "0012");
        assert_eq!(clean("'0012"), "0012");
        assert_eq!(clean("\u{3000}H001 "), "H001");
    }
}
