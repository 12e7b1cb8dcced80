#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn gosalloc_bench's kernel log lines into tables, CSV and a chart.

Usage: bench-report.py OUTDIR ENV:TITLE...
Each environment ENV was booted one or more times; boot N's log is
OUTDIR/ENV-N.log and holds lines
  gosalloc_bench: row NAME GOS_PS GOS_CYC100 GOS_SPREAD SLUB_PS SLUB_CYC100 SLUB_SPREAD
A ratio is gosalloc's time over SLUB's in the same boot. The table gives,
per row, the median over the boots of each allocator's time and of the
ratio, and the ratios' range across boots (the spread).
Writes OUTDIR/bench.csv (every boot), OUTDIR/medians.csv and, with
gnuplot, OUTDIR/ratios.png (the medians).
"""
import glob
import statistics
import csv
import os
import re
import subprocess
import sys

ROW = re.compile(r"gosalloc_bench: row (\S+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)")
START = re.compile(r"gosalloc_bench: start (.*)")
MEM = re.compile(r"gosalloc_bench: memory (\S+) (\d+) (\d+)")
SAMPLING = re.compile(r"gosalloc_bench: sampling (\S+) (\d+) (\d+) (\d+)")
COST = re.compile(r"gosalloc_bench: cost (\S+) (\d+)")


def parse(path):
    rows, start, mem = [], "", []
    with open(path, errors="replace") as f:
        for line in f:
            m = SAMPLING.search(line)
            if m:
                mem.append(("sampling", m.group(1), int(m.group(2)),
                            int(m.group(3)), int(m.group(4))))
                continue
            m = COST.search(line)
            if m:
                mem.append(("cost", m.group(1), int(m.group(2))))
                continue
            m = START.search(line)
            if m:
                start = m.group(1)
            m = MEM.search(line)
            if m:
                mem.append((m.group(1), int(m.group(2)), int(m.group(3))))
            m = ROW.search(line)
            if m:
                v = [int(x) for x in m.groups()[1:]]
                rows.append(dict(row=m.group(1), gos_ns=v[0] / 1000,
                                 gos_cyc=v[1] / 100, gos_spread=v[2],
                                 slub_ns=v[3] / 1000, slub_cyc=v[4] / 100,
                                 slub_spread=v[5],
                                 ratio=v[0] / v[3] if v[3] else 0))
    return start, rows, mem


def boot_logs(outdir, env):
    def boot(path):
        return int(re.search(r"-(\d+)\.log$", path).group(1))
    return sorted(glob.glob(os.path.join(outdir, glob.escape(env) + "-*.log")),
                  key=boot)


def summary(boots):
    """Per row: median times and ratio over the boots, and the ratios' range.

    Rows keep the order in which the boots first print them; a row some
    boot lacks is summarised over the boots that have it.
    """
    by_row = {}		# dicts keep insertion order
    for _, rows, mem in boots:
        for r in rows:
            by_row.setdefault(r["row"], []).append(
                (r["gos_ns"], r["slub_ns"], r["ratio"]))
        for entry in mem:
            if entry[0] == "cost":	# costs(), not against SLUB
                continue
            if entry[0] == "sampling":	# off and on, both gosalloc
                _, name, off, on, _ = entry
                by_row.setdefault("sample-" + name, []).append(
                    (off / 1000, on / 1000, on / off if off else 0))
            else:
                name, gos, slub = entry
                by_row.setdefault("mem-" + name, []).append(
                    (gos * 4, slub * 4, gos / slub if slub else 0))
    out = []
    for name, v in by_row.items():
        ratios = [x[2] for x in v]
        out.append(dict(row=name, gos=statistics.median(x[0] for x in v),
                        slub=statistics.median(x[1] for x in v),
                        ratio=statistics.median(ratios), lo=min(ratios),
                        hi=max(ratios), boots=len(v)))
    return out


def costs(boots):
    """Per primitive: the median over the boots of its ns per step."""
    by_name = {}
    for _, _, mem in boots:
        for entry in mem:
            if entry[0] == "cost":
                by_name.setdefault(entry[1], []).append(entry[2] / 1000)
    return [(name, statistics.median(v), min(v), max(v))
            for name, v in by_name.items()]


def cost_table(cost):
    if not cost:
        return ""
    out = ["costs of primitives alone, ns per step of a loop (the empty",
           "loop's step included), medians and ranges over the boots",
           "%-18s %9s %15s" % ("primitive", "ns", "range")]
    for name, med, lo, hi in cost:
        out.append("%-18s %9.2f %7.2f-%.2f" % (name, med, lo, hi))
    return "\n".join(out)


def table(title, starts, summ):
    nboots = max(s["boots"] for s in summ) if summ else 0
    out = [title + ("  [" + starts[0] + "]" if starts and starts[0] else ""),
           "medians of %d boot%s; range: the ratio's lowest and highest boot"
           % (nboots, "" if nboots == 1 else "s"),
           "%-18s %12s %12s %7s %13s" % ("row", "gosalloc", "SLUB",
                                         "ratio", "range")]
    for s in summ:
        name = s["row"]
        if name.startswith("mem-"):
            vals = "%8d KiB %8d KiB" % (s["gos"], s["slub"])
        elif name.startswith("sample-"):
            vals = "%6.1f ns off %5.1f ns on" % (s["gos"], s["slub"])
        else:
            vals = "%9.1f ns %9.1f ns" % (s["gos"], s["slub"])
        out.append("%-18s %25s %7.2f %6.2f-%.2f" % (name, vals, s["ratio"],
                                                   s["lo"], s["hi"]))
    return "\n".join(out)


def chart(outdir, envs):
    data = os.path.join(outdir, "ratios.dat")
    names = [s["row"] for s in envs[0][2] if not s["row"].startswith(
        "sample-")] if envs else []
    with open(data, "w") as f:
        f.write("row " + " ".join('"%s"' % e[0] for e in envs) + "\n")
        for name in names:
            vals = []
            for _, _, summ, _ in envs:
                hit = [s["ratio"] for s in summ if s["row"] == name]
                vals.append("%.3f" % hit[0] if hit else "NaN")
            f.write(name + " " + " ".join(vals) + "\n")
    script = """
set terminal pngcairo size 1400,600 noenhanced
set output '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8
set ylabel 'gosalloc / SLUB, median of the boots (lower is better)'
set xtics rotate by -45
set key top left
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (os.path.join(outdir, "ratios.png"), len(envs) + 1, data)
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench-report: no chart (%s)" % e, file=sys.stderr)


def main():
    outdir = sys.argv[1]
    envs = []
    with open(os.path.join(outdir, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["environment", "boot", "row", "gosalloc_ns",
                    "gosalloc_cycles", "gosalloc_spread_pct", "slub_ns",
                    "slub_cycles", "slub_spread_pct", "ratio"])
        for spec in sys.argv[2:]:
            env, title = spec.split(":", 1)
            boots = []
            for n, log in enumerate(boot_logs(outdir, env), 1):
                start, rows, mem = parse(log)
                if not rows:
                    print("bench-report: no results in %s" % log,
                          file=sys.stderr)
                    return 1
                boots.append((start, rows, mem))
                for entry in mem:
                    if entry[0] in ("sampling", "cost"):
                        continue  # not against SLUB: in the tables only
                    name, gos, slub = entry
                    w.writerow([title, n, "mem-" + name, gos * 4, "", "",
                                slub * 4, "", "",
                                "%.3f" % (gos / slub if slub else 0)])
                for r in rows:
                    w.writerow([title, n, r["row"], r["gos_ns"], r["gos_cyc"],
                                r["gos_spread"], r["slub_ns"], r["slub_cyc"],
                                r["slub_spread"], "%.3f" % r["ratio"]])
            if not boots:
                print("bench-report: no logs for %s" % env, file=sys.stderr)
                return 1
            envs.append((title, [b[0] for b in boots], summary(boots),
                         costs(boots)))
    with open(os.path.join(outdir, "medians.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["environment", "row", "boots", "gosalloc", "slub",
                    "ratio", "ratio_low", "ratio_high"])
        for title, _, summ, _ in envs:
            for s in summ:
                w.writerow([title, s["row"], s["boots"], "%.1f" % s["gos"],
                            "%.1f" % s["slub"], "%.3f" % s["ratio"],
                            "%.3f" % s["lo"], "%.3f" % s["hi"]])
    for title, starts, summ, cost in envs:
        print(table(title, starts, summ))
        print()
        if cost:
            print(cost_table(cost))
            print()
    chart(outdir, envs)
    print("CSV: %s, %s  chart: %s" % (
        os.path.join(outdir, "bench.csv"), os.path.join(outdir, "medians.csv"),
        os.path.join(outdir, "ratios.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
