#!/usr/bin/env python3
"""`make bench`: the same synthetic files measured three ways, side by side.

For each size (default 1m; `make bench SIZES="100k 300k 1m city"`; `city` is a city-year shaped
like a real published catalog, 1,870,844 cases in 4,448 groups with national-style codes):
  1. native `dipcalc run` (import + settle + JSON out): wall time and peak RSS;
  2. the wasm engine in headless Chromium (bench/chromium.mjs): the case file fed from a File in
     4 MiB slices to a Session in a worker, as the page does; import + settle, then re-settle
     after parameter changes; wasm memory and the peak RSS of the Chromium process holding it;
     then the page's own path for the same changes (bench/wasm/page.js): the page's worker
     computing everything the views need, the answer crossing to the page and parsed, the view
     on screen redrawn and the next frame;
  3. the pandas reference (bench/reference.py) on the same files, its figures checked equal to
     dipcalc's to the fen; wall time and peak RSS.
Each is run RUNS times (default 3, `make bench RUNS=5`); the median time and the largest peak
are reported, with the load average before each run (the machine is shared). Data is generated
once into target/bench-data/SIZE/ by `dipcalc synth` (seed 2024); pandas is installed from
bench/requirements.txt into target/bench-venv. Results also go to target/bench-data/results.json.
Never asserts a time: targets are printed as held or missed.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
DATA = TARGET / "bench-data"
VENV = TARGET / "bench-venv"
DIPCALC = TARGET / "release" / "dipcalc"
SEED = "2024"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    return os.getloadavg()[0]


def run_measured(cmd):
    """Runs a command, measuring wall time and the child's own peak RSS (wait4)."""
    import threading

    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes on threads so a chatty child never blocks, then reap with wait4.
    chunks = {"out": b"", "err": b""}

    def drain(stream, key):
        chunks[key] = stream.read()

    threads = [threading.Thread(target=drain, args=(p.stdout, "out")), threading.Thread(target=drain, args=(p.stderr, "err"))]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    for t in threads:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({p.returncode}):\n{chunks['err'].decode(errors='replace')[-3000:]}")
    return wall, usage.ru_maxrss, chunks["out"].decode()


def sha(*paths):
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()[:16]


def ensure_binary():
    log("bench: cargo build --release --bin dipcalc")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "dipcalc"], cwd=ROOT, check=True)


def ensure_data(size):
    out = DATA / size
    stamp = out / ".stamp"
    want = f"synth --size {size} --seed {SEED}; generator {sha(ROOT / 'src' / 'synth.rs')}"
    if stamp.exists() and stamp.read_text() == want and (out / "cases.csv").exists():
        return out
    log(f"bench: generating {size} cases into {out.relative_to(ROOT)}")
    subprocess.run([str(DIPCALC), "synth", "--size", size, "--seed", SEED, "--out", str(out)], check=True)
    stamp.write_text(want)
    return out


def ensure_venv():
    req = ROOT / "bench" / "requirements.txt"
    stamp = VENV / ".requirements"
    python = VENV / "bin" / "python"
    if stamp.exists() and stamp.read_text() == sha(req) and python.exists():
        return python
    log("bench: installing bench/requirements.txt into target/bench-venv (pandas, from PyPI)")
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(req)], check=True)
    stamp.write_text(sha(req))
    return python


def native_cmd(d, out):
    return [str(DIPCALC), "run", "--policy", str(d / "policy.json"), "--cases", str(d / "cases.csv"),
            "--catalog", str(d / "catalog.csv"), "--institutions", str(d / "institutions.csv"), "--out", str(out)]


def compare_wasm(first, ours):
    """The wasm settlement's pools, point values and unit figures against the native output."""
    diffs = 0
    by_fund = {f["fund"]: f for f in ours["funds"]}
    for f in first:
        o = by_fund[f["fund"]]
        diffs += (f["pool"] != o["pool"]) + (f["point_value"] != o["point_value"])
        units = {u["code"]: u for u in o["units"]}
        for code, points, s, pays in f["units"]:
            u = units[code]
            diffs += (points != u["points"]["total"]) + (s != u["settlement"]) + (pays != u["fund_pays"])
    return diffs


PAGE_PARTS = ("worker", "transfer", "roundtrip", "render", "layout", "frame", "total", "hidden", "hidden_frame")


def page_figures(rows):
    """Medians over the runs of the page path for each change (bench/wasm/page.js), ms."""
    changes = rows[0]["page"]["changes"]
    med = lambda values: round(statistics.median(values), 1)
    return {
        name: {
            **{k: med(r["page"]["changes"][name][k] for r in rows) for k in PAGE_PARTS},
            "parts": {k: med(r["page"]["changes"][name]["parts"][k] for r in rows) for k in changes[name]["parts"]},
        }
        for name in changes
    }


def measure(size, runs, python, skip):
    d = ensure_data(size)
    file_mb = (d / "cases.csv").stat().st_size / 1e6
    ours = d / "ours.json"
    res = {"size": size, "cases_csv_mb": round(file_mb, 1)}

    if "native" not in skip:
        walls, rss, loads = [], [], []
        for _ in range(runs):
            loads.append(loadavg())
            w, m, _ = run_measured(native_cmd(d, ours))
            walls.append(w)
            rss.append(m)
        res["native"] = {"wall_s": round(statistics.median(walls), 3), "walls": [round(w, 3) for w in walls],
                         "peak_rss_mb": round(max(rss) / 1024, 1), "load": [round(x, 2) for x in loads]}
        log(f"bench: {size} native {res['native']}")
    elif not ours.exists():
        run_measured(native_cmd(d, ours))
    reference = json.loads(ours.read_text())

    if "wasm" not in skip:
        rows, loads = [], []
        for _ in range(runs):
            loads.append(loadavg())
            _, _, out = run_measured(["node", str(ROOT / "bench" / "chromium.mjs"), str(d)])
            r = json.loads(out.strip().splitlines()[-1])
            if "error" in r:
                raise SystemExit(f"bench: the wasm run failed: {r['error']}\n{r.get('stack', '')}")
            r["differences"] = compare_wasm(r.pop("first"), reference)
            r["page_differences"] = compare_wasm(r["page"].pop("first"), reference)
            rows.append(r)
        stage2 = [max(v for k, v in r["resettle_ms"].items() if not k.startswith("outlier_threshold")) for r in rows]
        res["wasm"] = {
            "import_and_settle_s": round(statistics.median(r["ms"]["import_and_settle"] for r in rows) / 1000, 3),
            "import_s": round(statistics.median(r["ms"]["import"] for r in rows) / 1000, 3),
            "first_settle_s": round(statistics.median(r["ms"]["settle"] for r in rows) / 1000, 3),
            "walls": [round(r["ms"]["import_and_settle"] / 1000, 3) for r in rows],
            "resettle_ms": {k: round(statistics.median(r["resettle_ms"][k] for r in rows), 1) for k in rows[0]["resettle_ms"]},
            "resettle_max_stage2_ms": round(statistics.median(stage2), 1),
            "wasm_memory_mb": round(max(r["wasm_memory_bytes"] for r in rows) / 2**20, 1),
            "renderer_peak_rss_mb": round(max(r["process_rss_peak_kb"] for r in rows) / 1024, 1),
            "browser_peak_rss_mb": round(max(r["browser_rss_peak_kb"] for r in rows) / 1024, 1),
            "browser_baseline_rss_mb": round(min(r["browser_rss_baseline_kb"] for r in rows) / 1024, 1),
            "figures_differing_from_native": max(r["differences"] + r["page_differences"] for r in rows),
            "object_ms": {k: round(statistics.median(r["object_ms"][k] for r in rows), 1) for k in rows[0]["object_ms"]},
            "page": page_figures(rows),
            "page_open_mine_view_ms": round(statistics.median(r["page"]["ms"]["open_mine_view"] for r in rows), 1),
            "page_idle_after_first_ms": round(statistics.median(r["page"]["ms"]["idle_after_first"] for r in rows), 1),
            "load": [round(x, 2) for x in loads],
        }
        log(f"bench: {size} wasm {res['wasm']}")

    if "pandas" not in skip:
        walls, rss, loads, inner = [], [], [], []
        for _ in range(runs):
            loads.append(loadavg())
            w, m, out = run_measured([str(python), str(ROOT / "bench" / "reference.py"), str(d), "--check", str(ours)])
            walls.append(w)
            rss.append(m)
            inner.append(json.loads(out.strip().splitlines()[-1]))
        res["pandas"] = {"wall_s": round(statistics.median(walls), 3), "walls": [round(w, 3) for w in walls],
                         "read_s": statistics.median(i["read_s"] for i in inner),
                         "compute_s": statistics.median(i["compute_s"] for i in inner),
                         "peak_rss_mb": round(max(rss) / 1024, 1), "figures_compared": inner[0].get("figures_compared"),
                         "differences": max(i.get("differences", 0) for i in inner), "load": [round(x, 2) for x in loads]}
        log(f"bench: {size} pandas {res['pandas']}")
    return res


def verdict(ok):
    return "holds" if ok else "MISSED"


def report(results):
    lines = []
    for r in results:
        mb = r["cases_csv_mb"]
        lines.append(f"\n== {r['size']} cases: cases.csv {mb} MB ==")
        n, w, p = r.get("native"), r.get("wasm"), r.get("pandas")
        if n:
            lines.append(f"1. native dipcalc run (import + settle):   {n['wall_s']:7.2f} s   runs {n['walls']}  load {n['load']}")
        if w:
            lines.append(f"2. wasm in headless Chromium:              {w['import_and_settle_s']:7.2f} s   (import {w['import_s']} s + first settle {w['first_settle_s']} s)  runs {w['walls']}  load {w['load']}")
            lines.append(f"   re-settle after a parameter change:     {w['resettle_max_stage2_ms']:7.1f} ms  (Session.settle_summary_json, slowest budget/coefficient/risk-sharing change; {w['resettle_ms']})")
            lines.append(f"   the whole settlement as JS objects:              (Session.settle, the conversion alone: {w['object_ms']})")
            lines.append("   a slider in the page, ms: worker compute + transfer & parse = answer; + render + frame = total  (views not on screen, drawn when idle)")
            for name, c in w["page"].items():
                parts = ", ".join(f"{k} {v}" for k, v in c["parts"].items())
                lines.append(f"     {name:<27} {c['worker']:6.1f} + {c['transfer']:5.1f} = {c['roundtrip']:6.1f}; + {c['render']:5.1f} + {c['frame']:6.1f} = {c['total']:6.1f}"
                             f"  (layout {c['layout']}; idle {c['hidden']} + {c['hidden_frame']}; worker: {parts})")
            lines.append(f"     opening the 本院 view after a change (its lines by group alone): {w['page_open_mine_view_ms']} ms; the worker's idle work after the first settle (the outlier index): {w['page_idle_after_first_ms']} ms")
            lines.append(f"   wasm figures equal to native's:        {'yes' if w['figures_differing_from_native'] == 0 else 'NO: ' + str(w['figures_differing_from_native']) + ' differ'}")
        lines.append("3. peak memory:")
        if n:
            lines.append(f"   native peak RSS                        {n['peak_rss_mb']:7.1f} MB  ({n['peak_rss_mb'] / mb:.2f}× the file)")
        if w:
            lines.append(f"   wasm linear memory                     {w['wasm_memory_mb']:7.1f} MB  ({w['wasm_memory_mb'] / mb:.2f}× the file)")
            lines.append(f"   Chromium renderer process peak RSS     {w['renderer_peak_rss_mb']:7.1f} MB  ({w['renderer_peak_rss_mb'] / mb:.2f}× the file; whole browser {w['browser_peak_rss_mb']} MB, idle {w['browser_baseline_rss_mb']} MB)")
        if p:
            lines.append(f"   pandas peak RSS                        {p['peak_rss_mb']:7.1f} MB  ({p['peak_rss_mb'] / mb:.2f}× the file)")
            lines.append(f"4. pandas reference:                       {p['wall_s']:7.2f} s   (read_csv {p['read_s']} s + compute {p['compute_s']} s)  runs {p['walls']}  load {p['load']}")
            lines.append(f"   figures checked against dipcalc:        {p['figures_compared']}, {'all equal to the fen' if p['differences'] == 0 else str(p['differences']) + ' DIFFER'}")
        if n and p:
            lines.append(f"   ratio native / pandas:                  {n['wall_s'] / p['wall_s']:.3f}  ({p['wall_s'] / n['wall_s']:.2f}× faster)")
        if w and p:
            lines.append(f"   ratio wasm / pandas:                    {w['import_and_settle_s'] / p['wall_s']:.3f}")
        # Issue 15's targets (the real-catalog city-year; the same bars are printed for every size).
        lines.append("targets (issue 15):")
        if n:
            lines.append(f"   native import + settle ≤ 0.5 s          {verdict(n['wall_s'] <= 0.5)}  ({n['wall_s']} s)")
        if n and p:
            lines.append(f"   native ≥ 5× faster than pandas          {verdict(p['wall_s'] >= 5 * n['wall_s'])}  ({p['wall_s'] / n['wall_s']:.2f}×)")
        if w:
            lines.append(f"   page import + settle ≤ 1.5 s            {verdict(w['import_and_settle_s'] <= 1.5)}  ({w['import_and_settle_s']} s)")
        if w and p:
            lines.append(f"   page ≤ half of pandas' time             {verdict(w['import_and_settle_s'] <= p['wall_s'] / 2)}  ({w['import_and_settle_s'] / p['wall_s']:.2f} of pandas)")
        if w:
            answer = max(c["roundtrip"] for c in w["page"].values())
            slowest = max(w["page"], key=lambda k: w["page"][k]["roundtrip"])
            total = max(c["total"] for c in w["page"].values())
            lines.append(f"   every parameter change ≤ 50 ms (H too)  {verdict(answer <= 50)}  (answer {answer} ms, slowest {slowest}; {total} ms to the next frame with the institution table on screen)")
            r = w["renderer_peak_rss_mb"]
            lines.append(f"   renderer peak memory ≤ 3× the file      {verdict(r <= 3 * mb)}  ({r / mb:.2f}×)")
        if n:
            lines.append(f"   native peak memory ≤ 3× the file        {verdict(n['peak_rss_mb'] <= 3 * mb)}  ({n['peak_rss_mb'] / mb:.2f}×)")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description="dipcalc benchmark")
    ap.add_argument("--sizes", default=os.environ.get("SIZES", "1m"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("--skip", default=os.environ.get("SKIP", ""), help="native,wasm,pandas")
    args = ap.parse_args()
    sizes = args.sizes.replace(",", " ").split()
    skip = set(args.skip.replace(",", " ").split())
    DATA.mkdir(parents=True, exist_ok=True)
    ensure_binary()
    python = ensure_venv() if "pandas" not in skip else None
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    machine = {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(mem) / 2**20, 1)}
    results = [measure(s, args.runs, python, skip) for s in sizes]
    (DATA / "results.json").write_text(json.dumps({"machine": machine, "runs": args.runs, "results": results,
                                                   "date": time.strftime("%Y-%m-%d %H:%M")}, ensure_ascii=False, indent=1))
    print(f"machine: {cpu}, {os.cpu_count()} cores, {machine['memory_gb']} GB; median of {args.runs} runs; load average (1 min) before each run")
    report(results)


if __name__ == "__main__":
    main()
