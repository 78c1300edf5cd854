#!/usr/bin/env python3
"""`make backtest`: how good is the year-end estimate (SPEC §11, issue #13)?

For each seed: a seasonal synthetic region (`dipcalc synth --season`: a Spring-Festival dip, a
Q4 rise, 6% growth, 12% month-to-month noise per institution) and the same region's previous
year (`--season-previous`, for the monthly profile) are generated; the complete year is settled
exactly (`dipcalc run`); then the year is estimated from the months up to k = 3, 6, 9, 11
(`dipcalc estimate --through k --previous-year`) in two data situations:

  region     every institution's cases are loaded;
  published  one hospital's own cases plus the region's monthly points and point values as the
             bureau publishes them (区域公布数据, months ≤ k), for a few hospitals; the monthly
             profile from the region's previous year (what last year's published monthly points
             give: the previous-year file's only use is its months' shares of the region's points).
             A small hospital may have a month without cases of a fund: it is accepted as
             missing (--accept-missing-months) and projected.

and compared with the exact settlement: absolute error of the annual point value (per fund) and
of each institution's year-end net (年终应付), and, for each interval method (`--interval
run_rate`, SPEC §11 as written, and `predictive`), the share of institutions whose exact net
lies inside the stated 10th–90th percentile interval (nominal 80%). The methods share the
central estimate; only the draws differ.

The table goes to stdout and into BENCHMARKS.md between the backtest markers. Not part of
`make test`: it measures, it asserts nothing.

Environment: SEEDS (default "1 2 3"), SIZE (cases per region, default 20000), DRAWS (default
2000), OWN (hospitals per region in the published situation, default 4), METHODS (default
"run_rate predictive"), DIPCALC (the binary;
default target/release/dipcalc, built by the Makefile target).
"""

import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "target" / "backtest-data"
BIN = os.environ.get("DIPCALC", str(ROOT / "target" / "release" / "dipcalc"))
SEEDS = [int(s) for s in os.environ.get("SEEDS", "1 2 3").split()]
SIZE = int(os.environ.get("SIZE", "20000"))
DRAWS = int(os.environ.get("DRAWS", "2000"))
OWN = int(os.environ.get("OWN", "4"))
METHODS = os.environ.get("METHODS", "run_rate predictive").split()
CUTS = [3, 6, 9, 11]
FUND_ZH = {"employee": "职工", "resident": "居民"}


def dipcalc(*args):
    out = subprocess.run([BIN, *map(str, args)], capture_output=True, check=False)
    if out.returncode != 0:
        sys.exit(f"dipcalc {' '.join(map(str, args))} failed:\n{out.stderr.decode()}")
    return out.stdout


def synth(seed):
    year, prev = DATA / f"s{seed}" / "year", DATA / f"s{seed}" / "previous"
    dipcalc("synth", "--out", year, "--size", SIZE, "--seed", seed, "--season")
    dipcalc("synth", "--out", prev, "--size", SIZE, "--seed", seed, "--season-previous")
    return year, prev


def inputs(year):
    return ["--policy", year / "policy.json", "--institutions", year / "institutions.csv",
            "--catalog", year / "catalog.csv"]


def own_files(year, code, truth, k):
    """One hospital's cases, and the published region points and point values of months ≤ k."""
    d = year / f"own-{code}"
    d.mkdir(exist_ok=True)
    for src, name in [(year / "cases.csv", "cases.csv")]:
        with open(src, encoding="utf-8-sig") as f, open(d / name, "w", encoding="utf-8", newline="") as o:
            rows = csv.reader(f)
            w = csv.writer(o)
            header = next(rows)
            w.writerow(header)
            col = header.index("机构编码")
            w.writerows(r for r in rows if r[col] == code)
    with open(d / "published.csv", "w", encoding="utf-8", newline="") as o:
        w = csv.writer(o)
        w.writerow(["险种", "月份", "区域总点数", "点值"])
        for f in truth["funds"]:
            for m, month in enumerate(f["months"][:k], start=1):
                w.writerow([FUND_ZH[f["fund"]], m, month["points"], month["point_value"]])
    return d


def compare(ests, truth, codes, rows, situation, k):
    """Errors of one estimate per method against the exact settlement, appended to rows: the
    central figures (the same for every method) once, the interval per method."""
    exact = {f["fund"]: f for f in truth["funds"]}
    first = ests[METHODS[0]]
    for n, f in enumerate(first["funds"]):
        fund = f["months"]["fund"]
        t = exact[fund]
        pv = abs(float(f["point_value"]["central"]) - float(t["point_value"]))
        rows.append((situation, k, "pv", fund, pv / float(t["point_value"]), None))
        nets = {u["code"]: u for u in t["units"]}
        for i, u in enumerate(f["units"]):
            if codes is not None and u["code"] not in codes:
                continue
            true_net = float(nets[u["code"]]["net_to_pay"])
            err = abs(float(u["net_to_pay"]["central"]) - true_net)
            inside, width = {}, {}
            for method, est in ests.items():
                r = est["funds"][n]["units"][i]["net_to_pay"]
                assert r["central"] == u["net_to_pay"]["central"], "the methods share the central estimate"
                inside[method] = float(r["p10"]) <= true_net <= float(r["p90"])
                width[method] = float(r["p90"]) - float(r["p10"])
            rows.append((situation, k, "net", fund, err, inside, width))


def estimates(args, seed):
    return {m: json.loads(dipcalc("estimate", *args, "--draws", DRAWS, "--seed", seed, "--interval", m))
            for m in METHODS}


def run_seed(seed, rows):
    year, prev = synth(seed)
    common = inputs(year)
    truth = json.loads(dipcalc("run", *common, "--cases", year / "cases.csv"))
    codes = [u["code"] for u in truth["funds"][0]["units"]]
    own = codes[:: max(1, len(codes) // OWN)][:OWN]
    for k in CUTS:
        ests = estimates([*common, "--cases", year / "cases.csv", "--through", k,
                          "--previous-year", prev / "cases.csv"], seed)
        compare(ests, truth, None, rows, "region", k)
        for code in own:
            d = own_files(year, code, truth, k)
            ests = estimates([*common, "--cases", d / "cases.csv", "--through", k,
                              "--published", d / "published.csv", "--previous-year", prev / "cases.csv",
                              "--accept-missing-months"], seed)
            compare(ests, truth, {code}, rows, "published", k)


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, min(len(v) - 1, -(-p * len(v) // 100) - 1))]


def table(rows):
    head = ["data", "k", "PV error median", "PV error P90", "net error median (元)", "net error P90 (元)"]
    head += [f"coverage {m} (nominal 80%)" for m in METHODS]
    head += [f"median P90 − P10 {m} (元)" for m in METHODS]
    head += ["institutions × funds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for situation in ["region", "published"]:
        for k in CUTS:
            pv = [r[4] for r in rows if r[0] == situation and r[1] == k and r[2] == "pv"]
            net = [r for r in rows if r[0] == situation and r[1] == k and r[2] == "net"]
            errs = [r[4] for r in net]
            cells = [situation, str(k), f"{100 * statistics.median(pv):.2f}%", f"{100 * pct(pv, 90):.2f}%",
                     f"{statistics.median(errs):,.0f}", f"{pct(errs, 90):,.0f}"]
            cells += [f"{100 * sum(1 for r in net if r[5][m]) / len(net):.0f}%" for m in METHODS]
            cells += [f"{statistics.median(r[6][m] for r in net):,.0f}" for m in METHODS]
            cells += [str(len(net))]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.time()
    rows = []
    for seed in SEEDS:
        run_seed(seed, rows)
        print(f"backtest: seed {seed} done ({time.time() - started:.0f} s)", file=sys.stderr)
    command = (f"make backtest SEEDS=\"{' '.join(map(str, SEEDS))}\" SIZE={SIZE} DRAWS={DRAWS} OWN={OWN}"
               f" METHODS=\"{' '.join(METHODS)}\"")
    text = (
        f"Command: `{command}` ({len(SEEDS)} seasonal regions of {SIZE:,} cases, seeds {', '.join(map(str, SEEDS))}; "
        f"estimate seed = region seed; {time.time() - started:.0f} s). PV error is relative to the exact "
        "annual point value, per fund; net is each institution's year-end net (年终应付) per fund; "
        "coverage is the share whose exact net lies within the estimate's P10–P90, per interval method "
        "(`--interval`); the width is the median P90 − P10 of the year-end net.\n\n" + table(rows) + "\n"
    )
    print(text)
    bench = ROOT / "BENCHMARKS.md"
    doc = bench.read_text(encoding="utf-8")
    start, end = "<!-- backtest -->", "<!-- /backtest -->"
    block = f"{start}\n{text}{end}"
    if start in doc and end in doc:
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n## Year-end estimate backtest (`make backtest`, SPEC §11)\n\n" + block + "\n"
    bench.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
