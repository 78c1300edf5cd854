//! Cases held compactly for settlement: institution and group codes interned once, each case a
//! fixed-size row. A year of a province (millions of cases) fits in memory close to the size
//! of the aggregates' inputs, and the per-case pass does no string hashing.

use super::{Case, CaseExtras, CaseKind, Fund, Review};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One case, with its codes replaced by indices into the table's code lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRow {
    pub institution: u32,
    pub group: u32,
    pub fund: Fund,
    pub kind: CaseKind,
    pub month: u8,
    pub qc_passed: bool,
    pub supplemented: bool,
    pub review_applied: bool,
    pub total_cost: Decimal,
    pub personal_burden: Decimal,
    pub excluded_cost: Decimal,
    pub days: Decimal,
    pub review_score: Option<Decimal>,
    pub review_delta: Option<Decimal>,
    pub source_row: u64,
    /// 离院方式, 辅助分型调节系数, 新药新技术加成分值 (SPEC §12).
    pub extras: CaseExtras,
}

impl CaseRow {
    /// Whether the case counts as a 特例单议 application (吉林2024 第二十六条).
    pub fn is_review_application(&self) -> bool {
        self.review_applied || self.review_score.is_some() || self.review_delta.is_some()
    }
}

/// Interned codes: each distinct string once, looked up by index.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    list: Vec<String>,
    /// Codes of up to [`ShortKey::MAX`] bytes (every real institution and DIP code, such as
    /// `I25.1:36.0600x001`) by a fixed-width key held in the table itself: a lookup compares
    /// four words in place instead of following a pointer to the code's text and `memcmp`-ing it.
    short: HashMap<ShortKey, u32, BuildHasherDefault<CodeHasher>>,
    /// Longer codes.
    long: HashMap<String, u32, BuildHasherDefault<CodeHasher>>,
}

/// A code of up to 31 bytes as four little-endian words, zero-padded, its length in the last
/// byte (so `"A"` and `"A\0"` differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShortKey([u64; 4]);

impl ShortKey {
    const MAX: usize = 31;

    #[inline]
    fn of(code: &str) -> Option<ShortKey> {
        let bytes = code.as_bytes();
        if bytes.len() > Self::MAX {
            return None;
        }
        let mut buf = [0u8; 32];
        buf[..bytes.len()].copy_from_slice(bytes);
        buf[31] = bytes.len() as u8;
        let word = |k: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[k * 8..k * 8 + 8]);
            u64::from_le_bytes(w)
        };
        Some(ShortKey([word(0), word(1), word(2), word(3)]))
    }
}

impl std::hash::Hash for ShortKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        for w in self.0 {
            state.write_u64(w);
        }
    }
}

/// The hash of the code index: rustc's FxHash (v2: add, multiply, and a final rotation that
/// brings the well-mixed high bits down to where the table takes its bucket from; codes that
/// differ only in their last characters collided without it). About a tenth of SipHash's work
/// on a 12-byte code, and every case's two codes are looked up. Codes come from the user's own
/// files, so the flooding resistance SipHash buys is not needed here.
#[derive(Debug, Clone, Copy, Default)]
struct CodeHasher(u64);

impl CodeHasher {
    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }
}

impl Hasher for CodeHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// Two code lists are equal when they hold the same codes in the same order (the lookup maps
/// follow from the list).
impl PartialEq for Codes {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl Eq for Codes {}

impl Codes {
    pub fn intern(&mut self, code: &str) -> u32 {
        let key = ShortKey::of(code);
        let found = match key {
            Some(k) => self.short.get(&k),
            None => self.long.get(code),
        };
        if let Some(&i) = found {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(code.to_string());
        match key {
            Some(k) => self.short.insert(k, i),
            None => self.long.insert(code.to_string(), i),
        };
        i
    }

    pub fn get(&self, i: u32) -> &str {
        self.list.get(i as usize).map(String::as_str).unwrap_or("")
    }

    pub fn find(&self, code: &str) -> Option<u32> {
        match ShortKey::of(code) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(code).copied(),
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(String::as_str)
    }
}

/// The shortest a case row of a file is taken to be when room is made for the file's rows
/// ([`CaseTable::reserve_for_file`]): institution, group, cost and fund with their delimiters.
pub const MIN_ROW_BYTES: u64 = 32;

/// All cases of a dataset, compact: the one form cases take once read (a dataset's JSON lists
/// them as [`Case`] records, read into this table; see [`case_list`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseTable {
    pub institutions: Codes,
    pub groups: Codes,
    pub rows: Vec<CaseRow>,
}

impl CaseTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// While a file of `file_bytes` is read, once `bytes_read` of it gave the rows in the table
    /// (a thousand at least): room for the whole file's rows at their mean length so far, and 5%
    /// more, so that the table does not grow by doubling — which holds the old and the new rows
    /// at once, and in the page's wasm memory, which never shrinks, leaves that peak for good.
    /// A row is taken as [`MIN_ROW_BYTES`] long at least, so a file whose first rows are short
    /// reserves no more than its size allows. Returns the rows reserved for (0: not yet).
    pub fn reserve_for_file(&mut self, file_bytes: u64, bytes_read: u64) -> usize {
        let rows = self.rows.len() as u64;
        if rows < 1000 || bytes_read >= file_bytes {
            return 0;
        }
        let per_row = (bytes_read / rows).max(MIN_ROW_BYTES);
        let expected = usize::try_from(file_bytes / per_row * 105 / 100).unwrap_or(usize::MAX);
        self.rows.reserve_exact(expected.saturating_sub(self.rows.len()));
        expected
    }

    pub fn from_cases(cases: &[Case]) -> Self {
        let mut t = CaseTable {
            rows: Vec::with_capacity(cases.len()),
            ..Self::default()
        };
        for c in cases {
            t.push(c);
        }
        t
    }

    /// Add one case.
    pub fn push(&mut self, c: &Case) {
        self.push_with_codes(&c.institution, &c.group, c);
    }

    /// [`CaseTable::push`] with the codes given apart (the import's sink interns them straight
    /// from the file's text); the codes in `c` are not read.
    pub fn push_with_codes(&mut self, institution: &str, group: &str, c: &Case) {
        let institution = self.institutions.intern(institution);
        let group = self.groups.intern(group);
        self.rows.push(CaseRow {
            institution,
            group,
            fund: c.fund,
            kind: c.kind,
            month: c.month,
            qc_passed: c.qc_passed,
            supplemented: c.supplemented,
            review_applied: c.review.applied,
            total_cost: c.total_cost,
            personal_burden: c.personal_burden,
            excluded_cost: c.excluded_cost,
            days: c.days,
            review_score: c.review.score,
            review_delta: c.review.points_delta,
            source_row: c.source_row,
            extras: c.extras,
        });
    }

    /// Appends rows read into another table — its codes `institutions` and `groups`, its rows
    /// in `blocks` — interning its codes into this table's (in their order, so the codes come
    /// out as one table filled with both in turn would hold them) and moving each row's
    /// `source_row` on by `row_offset` (the rows of the file before the other's first). Each
    /// block is freed once copied.
    pub fn append_blocks(&mut self, institutions: &Codes, groups: &Codes, blocks: Vec<Vec<CaseRow>>, row_offset: u64) {
        let institutions: Vec<u32> = institutions.iter().map(|c| self.institutions.intern(c)).collect();
        let groups: Vec<u32> = groups.iter().map(|c| self.groups.intern(c)).collect();
        let ours = |map: &[u32], i: u32| map.get(i as usize).copied().unwrap_or(u32::MAX);
        self.rows.reserve_exact(blocks.iter().map(Vec::len).sum());
        for block in blocks {
            self.rows.extend(block.into_iter().map(|mut r| {
                r.institution = ours(&institutions, r.institution);
                r.group = ours(&groups, r.group);
                r.source_row += row_offset;
                r
            }));
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The institution code of a row.
    pub fn institution_of(&self, row: &CaseRow) -> &str {
        self.institutions.get(row.institution)
    }

    /// The group code of a row.
    pub fn group_of(&self, row: &CaseRow) -> &str {
        self.groups.get(row.group)
    }

    /// A row as the record it was read from.
    pub fn case(&self, row: &CaseRow) -> Case {
        Case {
            institution: self.institution_of(row).to_string(),
            fund: row.fund,
            kind: row.kind,
            group: self.group_of(row).to_string(),
            total_cost: row.total_cost,
            personal_burden: row.personal_burden,
            excluded_cost: row.excluded_cost,
            days: row.days,
            month: row.month,
            review: Review {
                applied: row.review_applied,
                score: row.review_score,
                points_delta: row.review_delta,
            },
            qc_passed: row.qc_passed,
            supplemented: row.supplemented,
            source_row: row.source_row,
            extras: row.extras,
        }
    }

    /// Every row as the record it was read from, in order.
    pub fn cases(&self) -> impl Iterator<Item = Case> + '_ {
        self.rows.iter().map(|r| self.case(r))
    }
}

impl From<Vec<Case>> for CaseTable {
    fn from(cases: Vec<Case>) -> Self {
        CaseTable::from_cases(&cases)
    }
}

impl FromIterator<Case> for CaseTable {
    fn from_iter<I: IntoIterator<Item = Case>>(cases: I) -> Self {
        let mut t = CaseTable::new();
        t.extend(cases);
        t
    }
}

impl Extend<Case> for CaseTable {
    fn extend<I: IntoIterator<Item = Case>>(&mut self, cases: I) {
        for c in cases {
            self.push(&c);
        }
    }
}

impl From<&[Case]> for CaseTable {
    fn from(cases: &[Case]) -> Self {
        CaseTable::from_cases(cases)
    }
}

/// A dataset's cases in JSON: a list of [`Case`] records, held as a [`CaseTable`].
pub mod case_list {
    use super::{Case, CaseTable};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(table: &CaseTable, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(table.rows.iter().map(|r| table.case(r)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CaseTable, D::Error> {
        // One record at a time into the table: the list is never held as `Case`s.
        struct Rows;
        impl<'de> serde::de::Visitor<'de> for Rows {
            type Value = CaseTable;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of cases")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<CaseTable, A::Error> {
                let mut table = CaseTable::new();
                while let Some(case) = seq.next_element::<Case>()? {
                    table.push(&case);
                }
                Ok(table)
            }
        }
        d.deserialize_seq(Rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_codes_intern_apart_and_back() {
        let mut codes = Codes::default();
        let long = "I25.1:36.0600x001+36.0700x002+00.6600x004";
        let list = [
            "K80.2",
            "G45.9:88.4101",
            long,
            "A",
            "A\0",
            "",
            "I25.1:36.0600x001",
            "é中文编码",
        ];
        let ids: Vec<u32> = list.iter().map(|c| codes.intern(c)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
        for (c, i) in list.iter().zip(&ids) {
            assert_eq!(codes.intern(c), *i);
            assert_eq!(codes.find(c), Some(*i));
            assert_eq!(codes.get(*i), *c);
        }
        assert_eq!(codes.find("K80.20"), None);
        assert_eq!(codes.find(&long[..long.len() - 1]), None);
        assert_eq!(codes.len(), list.len());
        let exactly_max = "x".repeat(ShortKey::MAX);
        let one_more = "x".repeat(ShortKey::MAX + 1);
        let a = codes.intern(&exactly_max);
        let b = codes.intern(&one_more);
        assert_ne!(a, b);
        assert_eq!(codes.find(&exactly_max), Some(a));
        assert_eq!(codes.find(&one_more), Some(b));
    }

    fn table_of(rows: usize) -> CaseTable {
        let row = CaseRow {
            institution: 0,
            group: 0,
            fund: Fund::Employee,
            kind: CaseKind::Dip,
            month: 1,
            qc_passed: true,
            supplemented: false,
            review_applied: false,
            total_cost: Decimal::ONE,
            personal_burden: Decimal::ZERO,
            excluded_cost: Decimal::ZERO,
            days: Decimal::ZERO,
            review_score: None,
            review_delta: None,
            source_row: 2,
            extras: CaseExtras::default(),
        };
        CaseTable {
            rows: vec![row; rows],
            ..CaseTable::default()
        }
    }

    #[test]
    fn room_for_a_file_s_rows_at_their_mean_length() {
        // 1,000 rows in the first 70,000 bytes of a 131,000,000-byte file: 1,871,428 rows, and 5%
        // (1,964,999.4, whole rows).
        let mut t = table_of(1000);
        assert_eq!(t.reserve_for_file(131_000_000, 70_000), 1_964_999);
        assert!(t.rows.capacity() >= 1_964_999);
        // Rows shorter than MIN_ROW_BYTES count as that long.
        let mut t = table_of(1000);
        assert_eq!(t.reserve_for_file(3_200_000, 1_000), 105_000);
        // Too few rows yet, or the file read whole: nothing.
        assert_eq!(table_of(999).reserve_for_file(131_000_000, 70_000), 0);
        assert_eq!(table_of(1000).reserve_for_file(70_000, 70_000), 0);
    }
}
