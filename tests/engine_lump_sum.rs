//! 医共体门诊统筹总额包干 (宁德2025答复 一 "对各医共体职工医保、城乡居民医保分别进行医保基金总额打包，打包基金
//! 按月预拨、年终结算，并实行“总额包干、结余留用、合理超支分担”"; SPEC §7.4), settled with the
//! settlement's bands (SPEC §7.1: 10% / 60%, reading (a)). The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::BandPosition;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

fn record(inst: &str, fund: Fund, month: u8, cost: &str, personal: &str) -> OutpatientRecord {
    OutpatientRecord {
        institution: inst.into(),
        fund,
        month: Some(month),
        capitation_payment: d("0"),
        drugs: d("0"),
        consumables: d("0"),
        services: d("0"),
        other_points: d("0"),
        total_cost: d(cost),
        personal_burden: d(personal),
    }
}

/// A and B in 东区医共体; outpatient fund cost 60,000 + 45,000 = 105,000 in the employee fund.
fn alliance_data() -> Dataset {
    let mut data = two_institutions();
    for i in &mut data.institutions {
        i.alliance = Some("东区医共体".into());
    }
    data.outpatient = vec![
        record("A", Fund::Employee, 3, "70000", "10000"),
        record("B", Fund::Employee, 8, "50000", "5000"),
        // Another fund's visits are not in the employee lump sum.
        record("A", Fund::Resident, 3, "99999", "0"),
    ];
    data
}

fn lump_sums(p: &mut Policy, sums: &[(&str, &str)]) {
    p.funds.employee.as_mut().unwrap().alliance_lump_sums = sums
        .iter()
        .map(|(a, v)| AllianceLumpSum {
            alliance: (*a).into(),
            amount: Amount::yuan(d(v)),
        })
        .collect();
}

#[test]
fn an_overspend_within_ten_percent_is_shared_at_sixty_percent() {
    // S = 100,000, C = 105,000: over by 5,000 = 5% ≤ 10% → T = 100,000 + 60% × 5,000 = 103,000;
    // the months prepaid S, so the year end pays 3,000.
    let mut p = spec10_policy();
    lump_sums(&mut p, &[("东区医共体", "100000")]);
    let r = settle(&p, &alliance_data()).unwrap();
    let l = &r.funds[0].alliance_lump_sums[0];
    assert_eq!(l.members, ["A", "B"]);
    assert_eq!((l.total_cost, l.fund_cost), (d("120000"), d("105000")));
    assert_eq!(l.position, BandPosition::OverspendShared { band: 0 });
    assert_eq!((l.target, l.year_end), (d("103000"), d("3000")));
    // 按月预拨: 100,000 ÷ 12 = 8,333.33…; the four missing cents go to the largest remainders —
    // December (the spread's remainder month), then January to March.
    assert_eq!(l.monthly.iter().sum::<rust_decimal::Decimal>(), d("100000"));
    assert_eq!(
        (l.monthly[0], l.monthly[4], l.monthly[11]),
        (d("8333.34"), d("8333.33"), d("8333.34"))
    );
    // Outside the DIP pool: the records read here are not reported as left out.
    assert!(!r.notices.iter().any(|n| n.code == "outpatient_ignored"));
}

#[test]
fn a_surplus_beyond_ten_percent_pays_the_cost_and_an_unknown_alliance_is_noticed() {
    // S = 120,000, C = 105,000: under by 15,000 = 12.5% > 10% → T = C = 105,000 (reading (a)
    // beyond the band); year end −15,000. 西区医共体 has no member: C = 0, T = 0, notice.
    let mut p = spec10_policy();
    lump_sums(&mut p, &[("东区医共体", "120000"), ("西区医共体", "50000")]);
    let r = settle(&p, &alliance_data()).unwrap();
    let [east, west] = &r.funds[0].alliance_lump_sums[..] else {
        panic!("two lines")
    };
    assert_eq!(east.position, BandPosition::SurplusBeyond);
    assert_eq!((east.target, east.year_end), (d("105000"), d("-15000")));
    assert!(west.members.is_empty());
    assert_eq!(west.year_end, d("-50000"));
    assert!(r
        .notices
        .iter()
        .any(|n| n.code == "lump_sum_alliance_unknown" && n.subject == "西区医共体"));
}

#[test]
fn without_lump_sums_the_block_is_left_out() {
    let r = settle(&spec10_policy(), &alliance_data()).unwrap();
    assert!(r.funds[0].alliance_lump_sums.is_empty());
    assert!(!serde_json::to_string(&r).unwrap().contains("alliance_lump_sums"));
}

#[test]
fn a_repeated_alliance_is_a_policy_error() {
    let mut p = spec10_policy();
    lump_sums(&mut p, &[("东区医共体", "1"), ("东区医共体", "2")]);
    let e = Policy::from_json(&p.to_json()).unwrap_err();
    assert!(
        e.to_string().contains("funds.employee.alliance_lump_sums.1.alliance"),
        "{e}"
    );
}
