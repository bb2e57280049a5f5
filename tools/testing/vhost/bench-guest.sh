#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-guest.sh DRIVER REPS COMMANDS - inside the VM (from bench.sh):
# vhost-scsi with and without VIRTIO_F_IN_ORDER at queue depths 1, 8, 32,
# on the ramdisk LUN alone (scsi-rd: one backend, uniform latency) and on
# the ramdisk and fileio LUNs together (scsi-mixed: a slow command holds
# back the fast ones behind it, the head-of-line cost of in-order).
# Interleaved: each repetition runs every case in both modes, the mode
# order alternating between repetitions, so drift in the host's speed
# falls on both alike.  Appends "bench:" lines to /vmresults/raw.csv.
drv=$1
reps=$2
cmds=$3
. "$(dirname "$0")/lio.sh"
lio_setup || { echo "bench: LIO target setup failed"; exit 1; }
: > /vmresults/raw.csv
rep=1
while [ $rep -le "$reps" ]; do
	if [ $((rep % 2)) = 1 ]; then modes="in not"; else modes="not in"; fi
	for luns in 1 2; do
		for qd in 1 8 32; do
			for m in $modes; do
				flag=
				[ $m = not ] && flag=--no-in-order
				line=$("$drv" --dev scsi --bench --luns $luns --depth $qd \
				       --buffers "$cmds" $flag | sed -n 's/^bench: //p')
				[ -n "$line" ] || { echo "bench: run failed (qd $qd, $m)"; exit 1; }
				echo "$line,$rep" >> /vmresults/raw.csv
				echo "bench: $line,$rep"
			done
		done
	done
	rep=$((rep + 1))
done
