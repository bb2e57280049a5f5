#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh DRIVER OUT - make bench: for each of BENCH (default "scsi net")
# one VM session (vm.sh) running its guest script, then the CSVs, the
# table and the chart under OUT.  Method: Documentation/bench.rst.
#   scsi  BENCH_REPS (5) repetitions of BENCH_COMMANDS (10000) commands
#         per depth and mode (bench-guest.sh)
#   net   BENCH_REPS (5) repetitions per variant and direction: TX for
#         BENCH_SECONDS (3) s, RX of BENCH_FRAMES (20000) frames, then one
#         counting run per case in a second VM (bench-net-guest.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
reps=${BENCH_REPS:-5}
rm -rf "$out"
mkdir -p "$out"
for b in ${BENCH:-scsi net}; do
	case $b in
	scsi)
		cmds=${BENCH_COMMANDS:-10000}
		echo "bench scsi: $reps repetitions x depths 1, 8, 32 x in-order/not, $cmds commands each"
		"$here/vm.sh" -t 1800 -o "$out" -- "$here/bench-guest.sh" "$drv" "$reps" "$cmds"
		python3 "$here/bench_summary.py" "$out/raw.csv" "$out" | tee "$out/table.txt"
		gnuplot "$out/bench.gp"
		echo "bench scsi: $out/bench.csv (every run), $out/summary.csv, $out/bench.png"
		;;
	net)
		secs=${BENCH_SECONDS:-3}
		frames=${BENCH_FRAMES:-20000}
		echo "bench net: $reps repetitions x stock/ours in_order=0/ours in_order=1 x TX ${secs} s, RX $frames frames"
		"$here/vm.sh" -t 3600 -o "$out/rate" -- \
			"$here/bench-net-guest.sh" rate "$reps" "$secs" "$frames"
		# Counting patches kernel text (kprobes): single-threaded TCG.
		"$here/vm.sh" -1 -t 1800 -o "$out/count" -- \
			"$here/bench-net-guest.sh" count 1 "$secs" "$frames"
		python3 "$here/bench_net_summary.py" "$out/rate/rate-net.csv" \
			"$out/count/count-net.csv" "$out" | tee "$out/table-net.txt"
		gnuplot "$out/bench-net.gp"
		echo "bench net: $out/bench-net.csv (every run), $out/summary-net.csv, $out/bench-net.png"
		;;
	*)
		echo "bench: no benchmark '$b' (scsi, net)" >&2
		exit 2
		;;
	esac
done
