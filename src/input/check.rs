//! Checks across files: every code a record names must exist, and codes must be unique.

use std::collections::{BTreeMap, HashSet};

use super::error::{ErrorKind, InputError};
use super::fields::TableKind;
use crate::engine::cases::CaseTable;
use crate::records::{CaseKind, Dataset};

fn error(table: TableKind, row: Option<u64>, kind: ErrorKind) -> InputError {
    InputError {
        file: String::new(),
        table: Some(table),
        sheet: None,
        row,
        column: None,
        value: None,
        kind,
    }
}

/// Unknown codes, grouped: first row (when known) and how many records name each.
#[derive(Default)]
struct Unknown {
    by_code: BTreeMap<String, (Option<u64>, u64)>,
}

impl Unknown {
    fn add(&mut self, code: &str, row: Option<u64>) {
        let e = self.by_code.entry(code.to_string()).or_insert((row, 0));
        e.1 += 1;
        if e.0.is_none() {
            e.0 = row;
        }
    }
}

fn duplicates<'a>(table: TableKind, codes: impl Iterator<Item = &'a str>, out: &mut Vec<InputError>) {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for code in codes {
        if !seen.insert(code) && reported.insert(code) {
            out.push(error(
                table,
                None,
                ErrorKind::DuplicateCode {
                    code: code.to_string(),
                    first_row: None,
                },
            ));
        }
    }
}

/// The codes one case names, as the cross-file check reads them.
struct CaseCodes<'a> {
    institution: &'a str,
    kind: CaseKind,
    group: &'a str,
    row: u64,
}

/// Cross-file checks on a loaded dataset:
/// - duplicate institution codes, duplicate DIP group codes, duplicate 床日 group codes;
/// - a case, summary, outpatient record or adjustment whose institution is not in the
///   institutions table (one error per code, with the first case row and a count);
/// - a DIP case whose group is not among the catalog's groups, a 床日 case whose group is not
///   among its per-diem groups (项目 cases need no group).
///
/// The errors carry the table (not a file name: the dataset does not keep them) and, for
/// cases, the row the case came from.
pub fn check_dataset(data: &Dataset) -> Vec<InputError> {
    let cases = data.cases.iter().map(|c| CaseCodes {
        institution: &c.institution,
        kind: c.kind,
        group: &c.group,
        row: c.source_row,
    });
    check(data, cases)
}

/// [`check_dataset`] for a dataset whose cases are held in the engine's compact table (the
/// page's session and the command line stream cases there; `data.cases` is not read). The
/// same errors as for the same cases as records. Each distinct code is looked up once; a row
/// costs two index lookups, and only the rows naming an unknown code go on to the check.
pub fn check_dataset_with_cases(data: &Dataset, cases: &CaseTable) -> Vec<InputError> {
    let institutions: HashSet<&str> = data.institutions.iter().map(|i| i.code.as_str()).collect();
    let groups: HashSet<&str> = data.catalog.groups.iter().map(|g| g.code.as_str()).collect();
    let per_diem: HashSet<&str> = data.catalog.per_diem_groups.iter().map(|g| g.code.as_str()).collect();
    let bad_inst: Vec<bool> = cases.institutions.iter().map(|c| !institutions.contains(c)).collect();
    let bad_group: Vec<bool> = cases.groups.iter().map(|c| !groups.contains(c)).collect();
    let bad_per_diem: Vec<bool> = cases.groups.iter().map(|c| !per_diem.contains(c)).collect();
    let offending = cases
        .rows
        .iter()
        .filter(|r| {
            bad_inst[r.institution as usize]
                || match r.kind {
                    CaseKind::Dip => bad_group[r.group as usize],
                    CaseKind::PerDiem => bad_per_diem[r.group as usize],
                    CaseKind::FeeForService => false,
                }
        })
        .map(|r| CaseCodes {
            institution: cases.institution_of(r),
            kind: r.kind,
            group: cases.group_of(r),
            row: r.source_row,
        });
    check(data, offending)
}

fn check<'a>(data: &Dataset, cases: impl Iterator<Item = CaseCodes<'a>>) -> Vec<InputError> {
    let mut out = Vec::new();
    duplicates(
        TableKind::Institutions,
        data.institutions.iter().map(|i| i.code.as_str()),
        &mut out,
    );
    duplicates(
        TableKind::Catalog,
        data.catalog.groups.iter().map(|g| g.code.as_str()),
        &mut out,
    );
    duplicates(
        TableKind::Catalog,
        data.catalog.per_diem_groups.iter().map(|g| g.code.as_str()),
        &mut out,
    );

    let institutions: HashSet<&str> = data.institutions.iter().map(|i| i.code.as_str()).collect();
    let groups: HashSet<&str> = data.catalog.groups.iter().map(|g| g.code.as_str()).collect();
    let per_diem: HashSet<&str> = data.catalog.per_diem_groups.iter().map(|g| g.code.as_str()).collect();

    let row_of = |r: u64| if r == 0 { None } else { Some(r) };
    let mut unknown_inst = Unknown::default();
    let mut unknown_group = Unknown::default();
    let mut unknown_per_diem = Unknown::default();
    for case in cases {
        if !institutions.contains(case.institution) {
            unknown_inst.add(case.institution, row_of(case.row));
        }
        match case.kind {
            CaseKind::Dip => {
                if !groups.contains(case.group) {
                    unknown_group.add(case.group, row_of(case.row));
                }
            }
            CaseKind::PerDiem => {
                if !per_diem.contains(case.group) {
                    unknown_per_diem.add(case.group, row_of(case.row));
                }
            }
            CaseKind::FeeForService => {}
        }
    }
    for (code, (row, count)) in unknown_inst.by_code {
        out.push(error(
            TableKind::Cases,
            row,
            ErrorKind::UnknownInstitution { code, count },
        ));
    }
    for (code, (row, count)) in unknown_group.by_code {
        out.push(error(
            TableKind::Cases,
            row,
            ErrorKind::UnknownGroup {
                code,
                per_diem: false,
                count,
            },
        ));
    }
    for (code, (row, count)) in unknown_per_diem.by_code {
        out.push(error(
            TableKind::Cases,
            row,
            ErrorKind::UnknownGroup {
                code,
                per_diem: true,
                count,
            },
        ));
    }

    let others: [(TableKind, Vec<&str>); 3] = [
        (
            TableKind::Summaries,
            data.summaries.iter().map(|s| s.institution.as_str()).collect(),
        ),
        (
            TableKind::Outpatient,
            data.outpatient.iter().map(|s| s.institution.as_str()).collect(),
        ),
        (
            TableKind::Adjustments,
            data.adjustments.iter().map(|s| s.institution.as_str()).collect(),
        ),
    ];
    for (table, codes) in others {
        let mut unknown = Unknown::default();
        for code in codes {
            if !institutions.contains(code) {
                unknown.add(code, None);
            }
        }
        for (code, (row, count)) in unknown.by_code {
            out.push(error(table, row, ErrorKind::UnknownInstitution { code, count }));
        }
    }
    out
}
