//! Publication bundles (issue 6): made from a settlement, re-verified from their aggregates,
//! hashed canonically, and free of case-level data. Also the engine rule they depend on:
//! summary-only data settles without coefficients.

mod common;

use common::*;
use dipcalc::engine::settle;
use dipcalc::records::*;

// ---- the engine on summary-only data ----

/// SPEC §10's per-institution totals as summaries (points already include the coefficients).
fn spec10_summaries() -> Vec<InstitutionSummary> {
    [("H1", "1000.5", "125700", "28200"), ("H2", "458", "46700", "11400"), ("H3", "160", "17000", "3100")]
        .iter()
        .map(|(i, p, c, b)| InstitutionSummary {
            institution: i.to_string(),
            fund: Fund::Employee,
            month: None,
            points: d(p),
            total_cost: d(c),
            personal_burden: d(b),
            prepaid: None,
            cases: None,
        })
        .collect()
}

#[test]
fn summaries_settle_without_coefficients() {
    // Institutions with no base coefficient and a level the policy's table lacks: the summaries
    // are already points, so nothing needs a coefficient and SPEC §10's figures come out.
    let data = Dataset {
        institutions: ["H1", "H2", "H3"].iter().map(|c| institution(c, "未定级", None)).collect(),
        summaries: spec10_summaries(),
        ..Default::default()
    };
    let r = settle(&spec10_policy(), &data).expect("summary-only data settles");
    let f = &r.funds[0];
    assert_eq!(f.point_value, Some(d("115.909793")));
    let s: Vec<_> = f.units.iter().map(|u| u.settlement).collect();
    assert_eq!(s, [d("115967.75"), d("53086.68"), d("18545.57")]);
    assert!(f.units.iter().all(|u| u.coefficient.is_none()));
}

#[test]
fn a_case_still_needs_its_institution_coefficient() {
    let mut data = spec10_dataset();
    data.institutions[1].base_coefficient = None;
    data.institutions[1].level = "未定级".into();
    let e = settle(&spec10_policy(), &data).unwrap_err();
    assert_eq!(e.code, "missing_coefficient");
    assert_eq!(e.subject, "H2");
}
