//! Cases held compactly for settlement: institution and group codes interned once, each case a
//! fixed-size row. A year of a province (millions of cases) fits in memory close to the size
//! of the aggregates' inputs, and the per-case pass does no string hashing.

use crate::records::{Case, CaseKind, Fund};
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
    index: HashMap<String, u32, BuildHasherDefault<CodeHasher>>,
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

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

impl Codes {
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }

    pub fn get(&self, i: u32) -> &str {
        self.list.get(i as usize).map(String::as_str).unwrap_or("")
    }

    pub fn find(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
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

/// All cases of a dataset, compact.
#[derive(Debug, Clone, Default)]
pub struct CaseTable {
    pub institutions: Codes,
    pub groups: Codes,
    pub rows: Vec<CaseRow>,
}

impl CaseTable {
    pub fn new() -> Self {
        Self::default()
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
        });
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
}
