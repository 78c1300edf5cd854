//! Checks across files: every code a record names must exist, and codes must be unique.

use std::collections::{BTreeMap, HashSet};

use super::error::{ErrorKind, InputError};
use super::fields::TableKind;
use crate::records::cases::CaseTable;
use crate::records::{check_case_extras, check_case_values, CaseKind, CaseTotals, Dataset, OutOfRange};

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
/// - a value beyond its record limit (`records::limits`: a case costing more than 1 亿元, a
///   score above 10⁶, a reference cost below 1 元…), and cases whose costs add up beyond
///   10 万亿元, so that nothing the engine sums can overflow.
///
/// The errors carry the table (not a file name: the dataset does not keep them) and, for
/// cases, the row the case came from.
pub fn check_dataset(data: &Dataset) -> Vec<InputError> {
    check_dataset_with_cases(data, &data.cases)
}

/// At most this many cases beyond their limits are listed (a misread column puts every row
/// there; the first hundred say what is wrong).
const CASE_BOUND_ERRORS: usize = 100;

fn out_of_range(table: TableKind, e: OutOfRange) -> InputError {
    InputError {
        file: String::new(),
        table: Some(table),
        sheet: None,
        row: e.row,
        column: None,
        value: Some(e.value.to_string()),
        kind: ErrorKind::OutOfRange {
            field: e.field,
            limit: e.limit,
            below: e.below,
            code: e.code,
        },
    }
}

/// Each case's values against their limits, then the totals (only when every case is within
/// its own limits, so the sums cannot overflow).
fn case_bounds(
    cases: impl Iterator<Item = (Option<OutOfRange>, [rust_decimal::Decimal; 3])>,
    out: &mut Vec<InputError>,
) {
    let mut listed = 0usize;
    let mut totals = CaseTotals::default();
    let mut total_error = None;
    for (bad, [cost, personal, days]) in cases {
        match bad {
            Some(e) => {
                if listed < CASE_BOUND_ERRORS {
                    out.push(out_of_range(TableKind::Cases, e));
                }
                listed += 1;
            }
            None if listed == 0 && total_error.is_none() => total_error = totals.add(cost, personal, days),
            None => {}
        }
    }
    if let (0, Some(e)) = (listed, total_error) {
        out.push(InputError {
            value: Some(e.value.to_string()),
            ..error(
                TableKind::Cases,
                None,
                ErrorKind::TotalOutOfRange {
                    field: e.field,
                    limit: e.limit,
                },
            )
        });
    }
}

/// Institutions, catalog groups, summaries, outpatient records and adjustments against their
/// limits (`records::limits`).
fn record_bounds(data: &Dataset, out: &mut Vec<InputError>) {
    let found = [
        (
            TableKind::Institutions,
            data.institutions
                .iter()
                .filter_map(|i| i.out_of_range())
                .collect::<Vec<_>>(),
        ),
        (
            TableKind::Catalog,
            (data.catalog.groups.iter().filter_map(|g| g.out_of_range()))
                .chain(data.catalog.per_diem_groups.iter().filter_map(|g| g.out_of_range()))
                .collect(),
        ),
        (
            TableKind::Summaries,
            data.summaries.iter().filter_map(|s| s.out_of_range()).collect(),
        ),
        (
            TableKind::Outpatient,
            data.outpatient.iter().filter_map(|s| s.out_of_range()).collect(),
        ),
        (
            TableKind::Institutions,
            data.adjustments.iter().filter_map(|s| s.out_of_range()).collect(),
        ),
    ];
    for (table, errors) in found {
        out.extend(errors.into_iter().map(|e| out_of_range(table, e)));
    }
}

/// [`check_dataset`] with other cases than the dataset's own (`data.cases` is not read): last
/// year's cases against this year's institutions and catalog. Each distinct code is looked up
/// once; a row costs two index lookups, and only the rows naming an unknown code go on to the
/// check.
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
    let mut out = check(data, offending);
    let values = cases.rows.iter().map(|r| {
        let bad = check_case_values(
            r.total_cost,
            r.personal_burden,
            r.excluded_cost,
            r.days,
            r.review_score,
            r.review_delta,
        )
        .or_else(|| check_case_extras(&r.extras));
        let row = (r.source_row > 0).then_some(r.source_row);
        (
            bad.map(|e| OutOfRange { row, ..e }),
            [r.total_cost, r.personal_burden, r.days],
        )
    });
    case_bounds(values, &mut out);
    record_bounds(data, &mut out);
    out
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
