"""A reference implementation of dipcalc's year-end settlement in pandas, for `make bench`.

Written for the benchmark, independently of the Rust code, from SPEC.md §3–§7: it reads the
same cases.csv / catalog.csv / institutions.csv / policy.json, computes every unit's points,
the point value, the reconciled settlement S, FS, the risk-sharing target T and what the fund
pays, and checks them against dipcalc's JSON output to the fen (points to 4 decimals, point
values to 6). It supports the policy features the synthetic 宁德2024 policy uses and refuses
others.

Exactness: money is read as float64 and turned into integer fen (exact: two decimals, far below
2**53). Case sums are integer; the only divisions (cost ÷ reference cost of the outlier cases)
are done in `decimal` on the few (institution, fund, group) sums of outlier cases, so the points
are exact sums, as dipcalc's Decimal arithmetic is, and the cents match.

    python bench/reference.py DATA_DIR [--check OURS.json] [--timing]

Prints one JSON line: the timings (seconds) of reading and computing, the figures' count, and
whether they matched. Exit status 1 when any figure differs.
"""

import argparse
import json
import sys
import time
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

import numpy as np
import pandas as pd

getcontext().prec = 34
CENT = Decimal("0.01")
UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
FUNDS = ["employee", "resident"]
FUND_LABEL = {"职工": 0, "居民": 1}


def yuan(amount):
    return Decimal(amount["value"]) * UNITS[amount["unit"]]


def money(x):
    """Round half away from zero to the fen (SPEC §2)."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def refuse(what):
    raise SystemExit(f"reference.py: the policy uses {what}, which this reference does not implement")


def check_supported(p):
    pts, st, pv = p["points"], p["settlement"], p["point_value"]
    if p["coefficients"]["mode"] != "sum":
        refuse("coefficient mode " + p["coefficients"]["mode"])
    if p["coefficients"]["grassroots"]["levels"] is not None or not p["coefficients"]["grassroots"]["enabled"]:
        refuse("基层病种 restricted to some levels")
    if pts["outliers"]["high_tiers"] or pts["reference_cost_by_level"]:
        refuse("tiered or per-level outlier thresholds")
    if pv["cost_basis"] != "fund_plus_personal" or st["mode"] != "points" or st["unit"] != "institution":
        refuse("a cost basis, settlement mode or unit other than fund_plus_personal / points / institution")
    rs = st["risk_sharing"]
    if rs["surplus_base"] != "cost" or rs["overspend"]["beyond"] != "nothing" or rs["surplus"]["beyond"] != "nothing":
        refuse("risk-sharing options other than reading (a) with nothing beyond the last band")
    for f in FUNDS:
        fp = p["funds"].get(f)
        if fp is None:
            continue
        if fp["reserve"]["kind"] != "rate" or fp["rule"]["kind"] != "min" or fp["outpatient"]["kind"] != "none":
            refuse("a reserve, budget rule or outpatient split other than rate / min / none")
        if Decimal(fp["quality_reserve"]["rate"]) != 0 or fp["adjustment_fund"] is not None:
            refuse("a quality reserve or adjustment fund")


def budget(fp):
    """B_f = min(P_f, F_f) + adjustments (SPEC §3)."""
    raised = yuan(fp["raised"])
    available = raised - raised * Decimal(fp["reserve"]["rate"])
    packable = available - sum((yuan(d["amount"]) for d in fp["deductions"]), Decimal(0))
    fc = fp["forecast"]
    growth = Decimal(fc["proposed_growth"])
    if fc["growth_cap"] is not None:
        growth = min(growth, Decimal(fc["growth_cap"]))
    forecast = sum((Decimal(h["weight"]) * yuan(h["amount"]) for h in fc["history"]), Decimal(0)) * (1 + growth)
    return min(packable, forecast) + sum((yuan(a["amount"]) for a in fp["adjustments"]), Decimal(0))


def fen(series):
    """Amount column (float64, NaN for empty) → integer fen."""
    return np.rint(series.fillna(0.0).to_numpy(dtype=np.float64) * 100.0).astype(np.int64)


def read(data_dir):
    cases = pd.read_csv(
        f"{data_dir}/cases.csv",
        usecols=["机构编码", "险种", "病种编码", "医疗总费用", "个人负担", "先进医疗技术费用", "特例单议分值", "特例单议增减点数", "质控通过", "补充结算"],
        dtype={"机构编码": "category", "险种": "category", "病种编码": "category", "质控通过": "category", "补充结算": "category",
               "医疗总费用": np.float64, "个人负担": np.float64, "先进医疗技术费用": np.float64,
               "特例单议分值": np.float64, "特例单议增减点数": np.float64},
    )
    catalog = pd.read_csv(f"{data_dir}/catalog.csv", dtype={"病种编码": str, "基层病种": str, "病种分值": str, "次均费用": str})
    institutions = pd.read_csv(f"{data_dir}/institutions.csv", dtype=str, keep_default_na=False)
    with open(f"{data_dir}/policy.json", encoding="utf-8") as fh:
        policy = json.load(fh)
    return cases, catalog, institutions, policy


def settle(cases, catalog, institutions, policy):
    check_supported(policy)
    pts = policy["points"]
    scale = Decimal(pts["scale"])
    high = Fraction(pts["outliers"]["high_ratio"])
    low = Fraction(pts["outliers"]["low_ratio"])
    high_incl, low_incl = pts["outliers"]["high_inclusive"], pts["outliers"]["low_inclusive"]

    # Institutions: coefficient = level table (or the row's base) + bonuses − deductions.
    levels = {lv["level"]: Decimal(lv["coefficient"]) for lv in policy["coefficients"]["levels"] if lv["coefficient"] is not None}
    grassroots_coef = Decimal(policy["coefficients"]["grassroots"]["coefficient"])

    def parts(text):
        return [Decimal(x) for x in str(text).replace("；", ";").replace("、", ";").split(";") if x.strip()]

    codes = institutions["机构编码"].tolist()
    coef = []
    for _, row in institutions.iterrows():
        base = Decimal(row["基本调节系数"]) if row["基本调节系数"] else levels[row["医保结算等级"]]
        coef.append(base + sum(parts(row["加成系数"]), Decimal(0)) - sum(parts(row["扣减系数"]), Decimal(0)))

    # Catalog in integer hundredths (score) and fen (reference cost).
    score_centi = np.array([int(Decimal(s) * 100) for s in catalog["病种分值"]], dtype=np.int64)
    ref_fen = np.array([int(Decimal(r) * 100) for r in catalog["次均费用"]], dtype=np.int64)
    grass = catalog["基层病种"].isin(["是", "Y", "1", "TRUE", "true"]).to_numpy()

    # Cases: included ones only (QC passed, or failed and supplemented).
    included = (cases["质控通过"] == "是").to_numpy() | (cases["补充结算"] == "是").to_numpy()
    c = cases[included]
    inst = pd.Index(codes).get_indexer(c["机构编码"].astype(str))
    grp = pd.Index(catalog["病种编码"]).get_indexer(c["病种编码"].astype(str))
    if (inst < 0).any() or (grp < 0).any():
        raise SystemExit("reference.py: a case names an unknown institution or group")
    fund = c["险种"].map(FUND_LABEL).to_numpy(dtype=np.int64)
    cost = fen(c["医疗总费用"])
    excluded = fen(c["先进医疗技术费用"])
    net = cost - excluded
    personal = fen(c["个人负担"])
    review = c["特例单议分值"].notna().to_numpy()
    review_centi = fen(c["特例单议分值"])
    delta_centi = fen(c["特例单议增减点数"])
    s = score_centi[grp]
    r = ref_fen[grp]
    g = grass[grp]

    # Outliers by exact comparison: net ≥ H × ref ⇔ q·net ≥ p·ref.
    hi = (high.denominator * net >= high.numerator * r) if high_incl else (high.denominator * net > high.numerator * r)
    lo = (low.denominator * net <= low.numerator * r) if low_incl else (low.denominator * net < low.numerator * r)
    lo &= ~hi
    hi &= ~review
    lo &= ~review
    # Integer part of the scores, in hundredths: normal cases their score, reviewed ones the
    # review's score, high ones −(H − 1) × score (the rest of score × (r − H + 1) is score × r).
    plain = np.where(review, review_centi, np.where(hi | lo, 0, s))
    unit_key = inst * 4 + fund * 2 + g.astype(np.int64)  # (institution, fund, grassroots)
    n_keys = len(codes) * 4
    plain_sum = pd.Series(plain).groupby(unit_key).sum().reindex(range(n_keys), fill_value=0).to_numpy()
    high_s = pd.Series(np.where(hi, s, 0)).groupby(unit_key).sum().reindex(range(n_keys), fill_value=0).to_numpy()

    # score × net ÷ ref of the outlier cases: net summed per (unit key, group), then Decimal.
    out = pd.DataFrame({"key": unit_key[hi | lo], "grp": grp[hi | lo], "net": net[hi | lo]})
    out = out.groupby(["key", "grp"], sort=False)["net"].sum().reset_index()
    ratio_sum = [Decimal(0)] * n_keys
    for key, gi, n in zip(out["key"].to_numpy(), out["grp"].to_numpy(), out["net"].to_numpy()):
        ratio_sum[key] += Decimal(int(score_centi[gi])) * Decimal(int(n)) / Decimal(int(ref_fen[gi]))

    hm1 = Decimal(high.numerator - high.denominator) / Decimal(high.denominator)
    sums = pd.DataFrame({"key": inst * 2 + fund, "net": net, "personal": personal, "delta": delta_centi})
    sums = sums.groupby("key").sum().reindex(range(len(codes) * 2), fill_value=0)

    result = {"funds": []}
    for f, name in enumerate(FUNDS):
        fp = policy["funds"].get(name)
        if fp is None:
            continue
        points = []
        for i in range(len(codes)):
            total = Decimal(0)
            for gflag, k in ((0, coef[i]), (1, grassroots_coef)):
                key = i * 4 + f * 2 + gflag
                score = Decimal(int(plain_sum[key])) / 100 + ratio_sum[key] / 100 - hm1 * Decimal(int(high_s[key])) / 100
                total += score * k * scale
            total += Decimal(int(sums.loc[i * 2 + f, "delta"])) / 100
            points.append(total)
        personal_f = [Decimal(int(sums.loc[i * 2 + f, "personal"])) / 100 for i in range(len(codes))]
        cost_f = [Decimal(int(sums.loc[i * 2 + f, "net"])) / 100 for i in range(len(codes))]
        b = budget(fp)
        pool = b + sum(personal_f, Decimal(0))
        total_points = sum(points, Decimal(0))
        # S: floors, then the missing cents to the largest remainders, ties by code (SPEC §2).
        exact = [pool * p / total_points for p in points]
        floors = [x.quantize(CENT, rounding=ROUND_FLOOR) for x in exact]
        missing = int((money(pool) - sum(floors, Decimal(0))) / CENT)
        order = sorted(range(len(codes)), key=lambda i: (-(exact[i] - floors[i]), codes[i]))
        settlement = floors[:]
        for k in range(missing):
            settlement[order[k % len(order)]] += CENT
        rs = policy["settlement"]["risk_sharing"]
        units = []
        for i in range(len(codes)):
            S, C, P = settlement[i], cost_f[i], personal_f[i]
            T = S
            if rs["enabled"] and C != S and S > 0:
                side = rs["overspend"] if C > S else rs["surplus"]
                gap = abs(C - S)
                shared, lower, inside = Decimal(0), Decimal(0), False
                for band in side["bands"]:
                    upper = Decimal(band["up_to"]) * S
                    if gap <= upper:
                        shared += Decimal(band["share"]) * (gap - lower)
                        inside = True
                        break
                    shared += Decimal(band["share"]) * (upper - lower)
                    lower = upper
                if C > S:
                    T = S + shared if inside else S
                else:
                    T = C + shared if inside else C
            target = money(T)
            units.append({
                "code": codes[i], "points": points[i], "settlement": S, "fund_settlement": S - P,
                "compared_cost": C, "target": target, "fund_pays": target - P,
            })
        result["funds"].append({
            "fund": name, "budget": b, "pool": pool, "total_points": total_points,
            "point_value": (pool / total_points).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "units": units,
        })
    return result


def compare(ref, ours):
    """Every figure of `ref` against dipcalc's JSON: money to the fen, points to 4 dp."""
    p4 = Decimal("0.0001")
    diffs, n = [], 0
    by_fund = {f["fund"]: f for f in ours["funds"]}

    def same(label, mine, theirs, q):
        nonlocal n
        n += 1
        if mine.quantize(q, rounding=ROUND_HALF_UP) != Decimal(theirs).quantize(q, rounding=ROUND_HALF_UP):
            diffs.append(f"{label}: reference {mine.quantize(q, rounding=ROUND_HALF_UP)} dipcalc {theirs}")

    for f in ref["funds"]:
        o = by_fund.get(f["fund"])
        if o is None:
            diffs.append(f"{f['fund']}: missing from dipcalc's output")
            continue
        same(f"{f['fund']} budget", f["budget"], o["budget"]["budget"], CENT)
        same(f"{f['fund']} pool", f["pool"], o["pool"], CENT)
        same(f"{f['fund']} total points", f["total_points"], o["total_points"], p4)
        same(f"{f['fund']} point value", f["point_value"], o["point_value"], Decimal("0.000001"))
        units = {u["code"]: u for u in o["units"]}
        for u in f["units"]:
            ou = units.get(u["code"])
            if ou is None:
                if u["points"] != 0:
                    diffs.append(f"{f['fund']} {u['code']}: missing from dipcalc's output")
                continue
            same(f"{f['fund']} {u['code']} points", u["points"], ou["points"]["total"], p4)
            for k in ("settlement", "fund_settlement", "compared_cost", "target", "fund_pays"):
                same(f"{f['fund']} {u['code']} {k}", u[k], ou[k], CENT)
    return n, diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir")
    ap.add_argument("--check", help="dipcalc's JSON output for the same files")
    args = ap.parse_args()
    t0 = time.perf_counter()
    frames = read(args.data_dir)
    t1 = time.perf_counter()
    ref = settle(*frames)
    t2 = time.perf_counter()
    out = {"read_s": round(t1 - t0, 3), "compute_s": round(t2 - t1, 3), "cases": int(len(frames[0]))}
    ok = True
    if args.check:
        with open(args.check, encoding="utf-8") as fh:
            ours = json.load(fh)
        n, diffs = compare(ref, ours)
        out.update(figures_compared=n, differences=len(diffs))
        for d in diffs[:20]:
            print("DIFF", d, file=sys.stderr)
        ok = not diffs
    out["point_values"] = {f["fund"]: str(f["point_value"]) for f in ref["funds"]}
    print(json.dumps(out, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
