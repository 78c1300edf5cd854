//! 特例单议 across the region (SPEC §12; 医保发〔2025〕18号 第二十条 "特例单议病例数量原则上不超过统筹地区
//! … DIP 出院总病例的 5‰"; 经办管理规程（2025 版）第二十四条: applications, approvals and their share of
//! the discharges are published). The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::records::*;

/// A with `a` and B with `b` G1 cases in January; the first `apps` of A's and B's are applications,
/// the first `approved` of A's set a reviewed score.
fn region(a: usize, b: usize, apps: (usize, usize), approved: usize) -> Dataset {
    let mut data = two_institutions();
    data.cases = dipcalc::records::cases::CaseTable::new();
    for (code, n, k) in [("A", a, apps.0), ("B", b, apps.1)] {
        for j in 0..n {
            let mut c = case(code, Fund::Employee, "G1", "10000", "2000", 1);
            c.review.applied = j < k;
            if code == "A" && j < approved {
                c.review.score = Some(d("150"));
            }
            data.cases.push(&c);
        }
    }
    data
}

#[test]
fn five_per_mille_of_the_region_dip_discharges_is_within_the_cap() {
    // 400 + 600 = 1,000 DIP discharges; 5‰ × 1,000 = 5; applications 3 + 2 = 5: "不超过", no notice.
    // A: 3 of 400 = 0.75% and B: 2 of 600 are both under 吉林's 3% per institution.
    let mut p = one_fund_policy();
    p.points.review_region_limit = Some(d("0.005"));
    let r = settle(&p, &region(400, 600, (3, 2), 1)).unwrap();
    let v = r.review.expect("the option is on");
    assert_eq!((v.dip_cases, v.applications, v.approvals), (1000, 5, 1));
    // 5 ÷ 1,000 = 0.005; 1 ÷ 1,000 = 0.001
    assert_eq!(v.application_share, Some(d("0.005")));
    assert_eq!(v.approval_share, Some(d("0.001")));
    assert!(!v.over_limit);
    assert!(!r.notices.iter().any(|n| n.code.starts_with("review_")));
}

#[test]
fn one_application_more_puts_the_region_over_the_cap() {
    // 6 applications > 5‰ × 1,000 = 5: flagged for the region, though no institution is over 3%.
    let mut p = one_fund_policy();
    p.points.review_region_limit = Some(d("0.005"));
    let r = settle(&p, &region(400, 600, (3, 3), 0)).unwrap();
    let v = r.review.unwrap();
    assert_eq!((v.applications, v.application_share), (6, Some(d("0.006"))));
    assert!(v.over_limit);
    let n = r.notices.iter().find(|n| n.code == "review_region_over_limit").unwrap();
    assert!(
        n.message_zh.contains("6 例") && n.message_zh.contains("1000 例"),
        "{}",
        n.message_zh
    );
    assert!(!r.notices.iter().any(|n| n.code == "review_over_limit"));
}

#[test]
fn per_diem_stays_are_not_dip_discharges() {
    // 199 G1 cases and one 床日 stay: 199 DIP discharges; 1 application > 0.005 × 199 = 0.995.
    let mut data = region(199, 0, (1, 0), 0);
    let mut stay = case("B", Fund::Employee, "P1", "6000", "600", 2);
    stay.kind = CaseKind::PerDiem;
    stay.days = d("10");
    data.cases.push(&stay);
    data.catalog.per_diem_groups.push(PerDiemGroup {
        code: "P1".into(),
        name: "精神病床日".into(),
        daily_fund_standard: d("300"),
    });
    let mut p = one_fund_policy();
    p.points.review_region_limit = Some(d("0.005"));
    p.points.per_diem_reimbursement_ratio = Some(d("0.6"));
    p.points.base_cost = Some(dipcalc::policy::Amount::yuan(d("10000")));
    let v = settle(&p, &data).unwrap().review.unwrap();
    assert_eq!((v.dip_cases, v.applications), (199, 1));
    assert!(v.over_limit);
}

#[test]
fn without_the_option_nothing_is_reported() {
    let r = settle(&one_fund_policy(), &region(10, 10, (5, 5), 0)).unwrap();
    assert!(r.review.is_none());
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("\"review\""));
}
