//! Checks across files: every code a record names must exist, and codes must be unique.

use std::collections::{BTreeMap, HashSet};

use super::error::{ErrorKind, InputError};
use super::fields::TableKind;
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

fn duplicates<'a>(
    table: TableKind,
    codes: impl Iterator<Item = &'a str>,
    out: &mut Vec<InputError>,
) {
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
    let groups: HashSet<&str> = data
        .catalog
        .groups
        .iter()
        .map(|g| g.code.as_str())
        .collect();
    let per_diem: HashSet<&str> = data
        .catalog
        .per_diem_groups
        .iter()
        .map(|g| g.code.as_str())
        .collect();

    let row_of = |r: u64| if r == 0 { None } else { Some(r) };
    let mut unknown_inst = Unknown::default();
    let mut unknown_group = Unknown::default();
    let mut unknown_per_diem = Unknown::default();
    for case in &data.cases {
        if !institutions.contains(case.institution.as_str()) {
            unknown_inst.add(&case.institution, row_of(case.source_row));
        }
        match case.kind {
            CaseKind::Dip => {
                if !groups.contains(case.group.as_str()) {
                    unknown_group.add(&case.group, row_of(case.source_row));
                }
            }
            CaseKind::PerDiem => {
                if !per_diem.contains(case.group.as_str()) {
                    unknown_per_diem.add(&case.group, row_of(case.source_row));
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
            data.summaries
                .iter()
                .map(|s| s.institution.as_str())
                .collect(),
        ),
        (
            TableKind::Outpatient,
            data.outpatient
                .iter()
                .map(|s| s.institution.as_str())
                .collect(),
        ),
        (
            TableKind::Institutions,
            data.adjustments
                .iter()
                .map(|s| s.institution.as_str())
                .collect(),
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
            out.push(error(
                table,
                row,
                ErrorKind::UnknownInstitution { code, count },
            ));
        }
    }
    out
}
