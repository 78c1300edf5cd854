//! Notices a settlement carries about figures it did not take from the data (issue 11,
//! classes 7c and 8; SPEC §4, §6; `engine::disclosure`).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{d, edit_cases, spec10_dataset, spec10_policy};
use dipcalc::engine::disclosure::disclosures;
use dipcalc::engine::settle;

// Class 8: every case failed quality control. Σ points = 0, so PV = pool ÷ 0 has no value
// (SPEC §6); the pool is not distributed and a notice says so (it was a silent null).
#[test]
fn nothing_to_settle_is_a_notice() {
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| cases.iter_mut().for_each(|c| c.qc_passed = false));
    let result = settle(&spec10_policy(), &data).expect("settles");
    let f = &result.funds[0];
    assert_eq!((f.point_value, f.total_points), (None, d("0")));
    let notices = disclosures(&result, &data.institutions);
    let n = notices
        .iter()
        .find(|n| n.code == "pool_undistributed")
        .expect("a notice");
    assert_eq!(n.subject, "employee");
    assert!(
        n.message_en.starts_with("employee: there are no points to settle"),
        "{}",
        n.message_en
    );
    assert!(n
        .message_en
        .contains(&format!("the pool of {} is not distributed", f.pool)));
    // With points, no such notice.
    let result = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    assert!(disclosures(&result, &spec10_dataset().institutions).is_empty());
}

// Class 7c: institutions without a base coefficient of their own take the level table's
// (SPEC §4); the results name them.
#[test]
fn coefficients_from_the_level_table_are_named() {
    let data = spec10_dataset();
    let result = settle(&spec10_policy(), &data).unwrap();
    let mut institutions = data.institutions.clone();
    institutions[1].base_coefficient = None;
    institutions[2].base_coefficient = None;
    let notices = disclosures(&result, &institutions);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].code, "coefficient_from_level");
    assert_eq!(notices[0].subject, "H2,H3");
    assert_eq!(
        notices[0].message_zh,
        "2 家机构的基本系数未从机构表读取，按政策的等级系数计算：H2、H3（若机构表有系数列而未被识别，请用 --map institutions.base_coefficient=列名）"
    );
}
