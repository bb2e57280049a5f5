#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_summary.py RAW OUT: summarise bench-guest.sh's runs.

RAW rows: device,queue_depth,mode,iops,p50_us,p99_us,entries_per_1000,
signals_per_1000,rep.  Writes OUT/bench.csv (every run, with a header),
OUT/summary.csv (median and spread per device, depth and mode) and
OUT/bench.gp (a gnuplot script for OUT/bench.png); prints the table.
TCG timings are only comparable as ratios within one run.
"""
import csv
import os
import statistics
import sys

from bench_common import load_runs

FIELDS = ["device", "queue_depth", "mode", "iops", "p50_us", "p99_us",
          "used_entries_per_1000", "signals_per_1000", "rep"]


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows = load_runs(raw, FIELDS, out, "bench.csv")

    groups = {}
    for r in rows:
        groups.setdefault((r["device"], int(r["queue_depth"]), r["mode"]), []).append(r)

    def med(rs, k):
        return statistics.median(float(r[k]) for r in rs)

    def spread(rs, k):
        v = [float(r[k]) for r in rs]
        return min(v), max(v)

    summary = []
    for (dev, qd, mode), rs in sorted(groups.items()):
        lo, hi = spread(rs, "iops")
        summary.append({
            "device": dev, "queue_depth": qd, "mode": mode, "runs": len(rs),
            "iops_median": med(rs, "iops"), "iops_min": lo, "iops_max": hi,
            "p50_us_median": med(rs, "p50_us"), "p99_us_median": med(rs, "p99_us"),
            "p99_us_max": spread(rs, "p99_us")[1],
            "used_entries_per_1000": med(rs, "used_entries_per_1000"),
            "signals_per_1000": med(rs, "signals_per_1000"),
        })
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, list(summary[0]))
        w.writeheader()
        w.writerows(summary)

    print("%-10s %3s %-13s %4s %9s %17s %8s %8s %9s %9s" % (
        "device", "qd", "mode", "runs", "IOPS", "(min..max)", "p50 us", "p99 us",
        "entries", "signals"))
    print("%-10s %3s %-13s %4s %9s %17s %8s %8s %9s %9s" % (
        "", "", "", "", "median", "", "median", "median", "/1000", "/1000"))
    for s in summary:
        print("%-10s %3d %-13s %4d %9.0f %8.0f..%-8.0f %8.0f %8.0f %9.1f %9.1f" % (
            s["device"], s["queue_depth"], s["mode"], s["runs"], s["iops_median"],
            s["iops_min"], s["iops_max"], s["p50_us_median"], s["p99_us_median"],
            s["used_entries_per_1000"], s["signals_per_1000"]))
    print()
    by = {(s["device"], s["queue_depth"], s["mode"]): s for s in summary}
    for (dev, qd, mode), s in sorted(by.items()):
        other = by.get((dev, qd, "not_in_order"))
        if mode != "in_order" or not other:
            continue
        ratios = sorted(float(a["iops"]) / float(b["iops"])
                        for a in groups[(dev, qd, "in_order")]
                        for b in groups[(dev, qd, "not_in_order")]
                        if a["rep"] == b["rep"])
        print("%s qd %2d: IOPS in-order/not %.3f (per-repetition %.3f..%.3f), "
              "p99 %.0f us vs %.0f us" % (
                  dev, qd, s["iops_median"] / other["iops_median"], ratios[0],
                  ratios[-1], s["p99_us_median"], other["p99_us_median"]))

    with open(os.path.join(out, "bench.dat"), "w") as f:
        for dev in sorted({s["device"] for s in summary}):
            for qd in sorted({s["queue_depth"] for s in summary}):
                a = by.get((dev, qd, "in_order"))
                b = by.get((dev, qd, "not_in_order"))
                if a and b:
                    f.write('"%s qd %d" %f %f %f %f\n' % (
                        dev, qd, a["iops_median"], b["iops_median"],
                        a["p99_us_median"], b["p99_us_median"]))
    with open(os.path.join(out, "bench.gp"), "w") as f:
        f.write("""set terminal png size 1200,480
set output '%s'
set multiplot layout 1,2 title 'vhost-scsi under QEMU TCG: medians (ratios only)'
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30
set key top left
set yrange [0:*]
set ylabel 'IOPS'
plot '%s' using 2:xtic(1) title 'in-order', '' using 3 title 'not in-order'
set ylabel 'p99 latency (us)'
plot '%s' using 4:xtic(1) title 'in-order', '' using 5 title 'not in-order'
unset multiplot
""" % (os.path.join(out, "bench.png"), os.path.join(out, "bench.dat"),
       os.path.join(out, "bench.dat")))


if __name__ == "__main__":
    main()
