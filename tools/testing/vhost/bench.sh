#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh DRIVER OUT - make bench: one VM session (vm.sh) running
# bench-guest.sh, then the CSVs, the table and the chart under OUT.
# BENCH_REPS (default 5) repetitions of BENCH_COMMANDS (default 10000)
# commands per depth and mode.  Method: Documentation/bench.rst.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
reps=${BENCH_REPS:-5}
cmds=${BENCH_COMMANDS:-10000}
rm -rf "$out"
mkdir -p "$out"
echo "bench: $reps repetitions x depths 1, 8, 32 x in-order/not, $cmds commands each"
"$here/vm.sh" -t 1800 -o "$out" -- "$here/bench-guest.sh" "$drv" "$reps" "$cmds"
python3 "$here/bench_summary.py" "$out/raw.csv" "$out" | tee "$out/table.txt"
gnuplot "$out/bench.gp"
echo "bench: $out/bench.csv (every run), $out/summary.csv, $out/bench.png"
