#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_net_summary.py RATE COUNT OUT: summarise bench-net-guest.sh.

RATE rows: variant,dir,mpps,buffers,rep (the throughput runs).  COUNT rows:
variant,dir,buffers,used_entries,idx_stores,avail_reads,signals (one
counting run per case).  Writes OUT/bench-net.csv and OUT/counters-net.csv
(the rows, with headers), OUT/summary-net.csv (per variant and direction:
Mpps median and spread, counters per 1000 buffers) and OUT/bench-net.gp
(gnuplot script for OUT/bench-net.png); prints the table.  TCG rates are
only comparable as ratios within one run.
"""
import csv
import os
import statistics
import sys

from bench_common import load_runs

RATE_FIELDS = ["variant", "dir", "mpps", "buffers", "rep"]
COUNT_FIELDS = ["variant", "dir", "buffers", "used_entries", "idx_stores",
                "avail_reads", "signals"]
COUNTERS = ["used_entries", "idx_stores", "avail_reads", "signals"]
VARIANTS = ["stock", "ours0", "ours1"]
LABELS = {"stock": "Debian stock", "ours0": "ours in_order=0",
          "ours1": "ours in_order=1"}


def per_1000(r, k):
    return 1000.0 * float(r[k]) / float(r["buffers"])


def main():
    rate, count, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = load_runs(rate, RATE_FIELDS, out, "bench-net.csv")
    counted = {(r["dir"], r["variant"]): r
               for r in load_runs(count, COUNT_FIELDS, out, "counters-net.csv")}

    groups = {}
    for r in rows:
        groups.setdefault((r["dir"], r["variant"]), []).append(r)
    summary = {}
    for (d, v), rs in groups.items():
        m = [float(r["mpps"]) for r in rs]
        s = {"dir": d, "variant": v, "runs": len(rs),
             "mpps_median": statistics.median(m), "mpps_min": min(m),
             "mpps_max": max(m)}
        c = counted.get((d, v))
        for k in COUNTERS:
            s[k + "_per_1000"] = per_1000(c, k) if c else float("nan")
        summary[(d, v)] = s
    order = [(d, v) for d in ("tx", "rx") for v in VARIANTS if (d, v) in summary]
    with open(os.path.join(out, "summary-net.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, list(summary[order[0]]))
        w.writeheader()
        w.writerows(summary[k] for k in order)

    print("%-3s %-16s %4s %8s %17s %9s %9s %9s %9s" % (
        "dir", "variant", "runs", "Mpps", "(min..max)", "entries", "idx",
        "avail", "signals"))
    print("%-3s %-16s %4s %8s %17s %9s %9s %9s %9s" % (
        "", "", "", "median", "", "/1000", "/1000", "/1000", "/1000"))
    for k in order:
        s = summary[k]
        print("%-3s %-16s %4d %8.4f %8.4f..%-8.4f %9.1f %9.1f %9.1f %9.1f" % (
            s["dir"], LABELS[s["variant"]], s["runs"], s["mpps_median"],
            s["mpps_min"], s["mpps_max"], s["used_entries_per_1000"],
            s["idx_stores_per_1000"], s["avail_reads_per_1000"],
            s["signals_per_1000"]))
    print()
    for d in ("tx", "rx"):
        base = groups.get((d, "ours0"))
        for v in ("ours1", "stock"):
            cur = groups.get((d, v))
            if not base or not cur:
                continue
            ratios = sorted(float(a["mpps"]) / float(b["mpps"])
                            for a in cur for b in base
                            if a["rep"] == b["rep"] and float(b["mpps"]) > 0)
            if ratios:
                print("%s %s / ours in_order=0: Mpps %.3f (per repetition %.3f..%.3f)" % (
                    d.upper(), LABELS[v], summary[(d, v)]["mpps_median"] /
                    summary[(d, "ours0")]["mpps_median"], ratios[0], ratios[-1]))

    dat = os.path.join(out, "bench-net.dat")
    with open(dat, "w") as f:
        for d in ("tx", "rx"):
            f.write('"%s"' % d.upper())
            for v in VARIANTS:
                s = summary.get((d, v))
                f.write(" %f %f %f" % ((s["mpps_median"], s["mpps_min"], s["mpps_max"])
                                       if s else (0, 0, 0)))
            f.write("\n")
    png = os.path.join(out, "bench-net.png")
    with open(os.path.join(out, "bench-net.gp"), "w") as f:
        f.write("""set terminal png size 900,480 noenhanced
set output '%s'
set title 'vhost-net, DPDK testpmd virtio-user, 64-byte frames, QEMU TCG: medians, min..max'
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set key top right
set yrange [0:*]
set ylabel 'Mpps (TCG: ratios only)'
plot '%s' using 2:3:4:xtic(1) title '%s', '' using 5:6:7 title '%s', \\
     '' using 8:9:10 title '%s'
""" % (png, dat, LABELS["stock"], LABELS["ours0"], LABELS["ours1"]))


if __name__ == "__main__":
    main()
