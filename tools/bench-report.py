#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn gosalloc_bench's kernel log lines into tables, CSV and a chart.

Usage: bench-report.py OUTDIR LOG:TITLE...
Each LOG (in OUTDIR) holds lines
  gosalloc_bench: row NAME GOS_PS GOS_CYC100 GOS_SPREAD SLUB_PS SLUB_CYC100 SLUB_SPREAD
Writes OUTDIR/bench.csv and, with gnuplot, OUTDIR/ratios.png.
"""
import csv
import os
import re
import subprocess
import sys

ROW = re.compile(r"gosalloc_bench: row (\S+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)")
START = re.compile(r"gosalloc_bench: start (.*)")
MEM = re.compile(r"gosalloc_bench: memory (\S+) (\d+) (\d+)")
SAMPLING = re.compile(r"gosalloc_bench: sampling (\S+) (\d+) (\d+) (\d+)")


def parse(path):
    rows, start, mem = [], "", []
    with open(path, errors="replace") as f:
        for line in f:
            m = SAMPLING.search(line)
            if m:
                mem.append(("sampling", m.group(1), int(m.group(2)),
                            int(m.group(3)), int(m.group(4))))
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


def table(title, start, rows, mem):
    out = [title + ("  [" + start + "]" if start else ""),
           "%-18s %12s %7s %12s %7s %7s" % ("row", "gosalloc ns", "spread",
                                            "SLUB ns", "spread", "ratio")]
    for r in rows:
        out.append("%-18s %12.1f %6d%% %12.1f %6d%% %7.2f" % (
            r["row"], r["gos_ns"], r["gos_spread"], r["slub_ns"],
            r["slub_spread"], r["ratio"]))
    for entry in mem:
        if entry[0] == "sampling":
            _, name, off, on, rate = entry
            out.append("%-18s %9.1f ns off %9.1f ns on  %+6.1f%%  "
                       "(sampling, rate %d)" % (
                           "sample-" + name, off / 1000, on / 1000,
                           100.0 * (on - off) / off if off else 0, rate))
            continue
        name, gos, slub = entry
        out.append("%-18s %9d KiB peak %9d KiB peak %7.2f" % (
            "mem-" + name, gos * 4, slub * 4, gos / slub if slub else 0))
    return "\n".join(out)


def chart(outdir, runs):
    data = os.path.join(outdir, "ratios.dat")
    names = [r["row"] for r in runs[0][2]] if runs else []
    with open(data, "w") as f:
        f.write("row " + " ".join('"%s"' % r[0] for r in runs) + "\n")
        for name in names:
            vals = []
            for _, _, rows, _ in runs:
                hit = [r["ratio"] for r in rows if r["row"] == name]
                vals.append("%.3f" % hit[0] if hit else "NaN")
            f.write(name + " " + " ".join(vals) + "\n")
    script = """
set terminal pngcairo size 1400,600 noenhanced
set output '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8
set ylabel 'gosalloc time / SLUB time (lower is better)'
set xtics rotate by -45
set key top left
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (os.path.join(outdir, "ratios.png"), len(runs) + 1, data)
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench-report: no chart (%s)" % e, file=sys.stderr)


def main():
    outdir = sys.argv[1]
    runs = []
    for spec in sys.argv[2:]:
        log, title = spec.split(":", 1)
        start, rows, mem = parse(os.path.join(outdir, log))
        if not rows:
            print("bench-report: no results in %s" % log, file=sys.stderr)
            return 1
        runs.append((title, start, rows, mem))
    with open(os.path.join(outdir, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["environment", "row", "gosalloc_ns", "gosalloc_cycles",
                    "gosalloc_spread_pct", "slub_ns", "slub_cycles",
                    "slub_spread_pct", "ratio"])
        for title, _, rows, mem in runs:
            for entry in mem:
                if entry[0] == "sampling":
                    continue  # not against SLUB: in the table only
                name, gos, slub = entry
                w.writerow([title, "mem-" + name, gos * 4, "", "", slub * 4,
                            "", "", "%.3f" % (gos / slub if slub else 0)])
            for r in rows:
                w.writerow([title, r["row"], r["gos_ns"], r["gos_cyc"],
                            r["gos_spread"], r["slub_ns"], r["slub_cyc"],
                            r["slub_spread"], "%.3f" % r["ratio"]])
    for title, start, rows, mem in runs:
        print(table(title, start, rows, mem))
        print()
    chart(outdir, runs)
    print("CSV: %s  chart: %s" % (os.path.join(outdir, "bench.csv"),
                                  os.path.join(outdir, "ratios.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
