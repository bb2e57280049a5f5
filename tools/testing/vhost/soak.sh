#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh DRIVER OUT [BUFFERS [SEED]] - make soak: one TCG VM per device
# (test, scsi, net) running soak-guest.sh until BUFFERS (default 10
# million) buffers were used and checked, with disruptions.  Writes
# OUT/summary.txt: the date, the kernel, and per device buffers, runs,
# disruptions, violations and wall time.  SOAK_DEVICES= picks devices.
set -u
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
target=${3:-10000000}
seed=${4:-1}
mkdir -p "$out"
summary=$out/summary.txt
kver=$("$here/../../../scripts/kver.sh" | cut -d' ' -f2)
echo "soak of $(git -C "$here" describe --always --dirty 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $kver under TCG, seed $seed, $target buffers per device" > "$summary"
failed=0
for dev in ${SOAK_DEVICES:-test scsi net}; do
	res=$out/$dev
	rm -rf "$res"
	mkdir -p "$res"
	echo "  SOAK    $dev ($target buffers)"
	start=$(date +%s)
	# A day at most: the bound only catches a hang.
	"$here/vm.sh" -t 86400 -o "$res" -- "$here/soak-guest.sh" "$drv" "$dev" "$target" "$seed"
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(tr -d '\r' < "$res/console.log" | grep "^SOAK $dev:" | tail -1)
	[ -n "$line" ] || line="SOAK $dev: no result (exit $rc)"
	tr -d '\r' < "$res/console.log" | grep '^soak: runs by disruption' | tee -a "$summary"
	echo "$line, $secs s" | tee -a "$summary"
	[ $rc = 0 ] || { failed=1; echo "soak: $dev FAILED, console: $res/console.log"; }
done
echo "soak: summary in $summary"
exit $failed
