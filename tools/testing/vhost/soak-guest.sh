#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# soak-guest.sh DRIVER DEVICE BUFFERS SEED - inside the VM (soak.sh): the
# harness against one device, run after run, until BUFFERS buffers were
# used and checked.  Each run picks (from SEED) a shape and a disruption:
#   test  reorder=0/8/64, both entry modes, ring 64..1024, chains,
#         indirect; disruptions: malformed buffers, read-only used ring,
#         in-order dropped mid-run (--hostile)
#   scsi  depth 128 over both LUN types (rd_mcp, fileio); disruptions:
#         endpoint cleared and set, LUN unlinked and relinked, TMFs and AN,
#         device closed, all with commands in flight
#   net   TX and RX both ways; disruptions: tap sndbuf EAGAIN discards,
#         starved RX, busy polling, malformed TX
# and every run ends by closing the device (a restart).  Prints one line
# per run and a last line
#   SOAK <device>: <buffers> buffers, <runs> runs, <disruptions> disruptions, <violations> violations
# Exit 0 only with 0 violations and 0 kernel reports.
set -u
drv=$1
dev=$2
target=$3
seed=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lio.sh"

rnd=$seed
# pick N: r = a number in 0..N-1 from the seeded sequence.  Not echoed: a
# command substitution would advance a copy of rnd in a subshell.
pick() {
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	r=$(( (rnd / 65536) % $1 ))
}

total=0 runs=0 disruptions=0 violations=0
: > /tmp/soak-disruptions
case $dev in
scsi) lio_setup || { echo "SOAK scsi: cannot set up the LIO target"; exit 2; } ;;
test) p=/sys/module/vhost_test/parameters ;;
esac

while [ $total -lt "$target" ]; do
	disrupt=none
	case $dev in
	test)
		set -- 0 8 64
		pick 3; shift $r
		echo "$1" > $p/reorder
		pick 2; echo $r > $p/used_every
		set -- 64 256 1024
		pick 3; shift $r
		pick 4
		args="--ring $1 --buffers 200000 --chain $((1 + r))"
		pick 2; [ $r = 1 ] && args="$args --indirect"
		pick 3; [ $r = 0 ] && args="$args --no-event-idx"
		pick 4; [ $r = 0 ] && { args="$args --hostile"; disrupt=hostile; }
		;;
	scsi)
		set -- none --reset --unlink --tmf --release
		pick 5; shift $r
		disrupt=$1
		args="--depth 128 --ring 128 --buffers 50000"
		[ "$disrupt" = none ] || args="$args $disrupt"
		;;
	net)
		set -- none "--sndbuf 32768" --starve "--busy-poll 50" --hostile
		pick 5; shift $r
		disrupt=$1
		args="--buffers 20000"
		[ "$disrupt" = --starve ] && args="--ring 64 --buffers 16"
		[ "$disrupt" = none ] || args="$args $disrupt"
		pick 2; [ $r = 1 ] && args="$args --ring 1024 --indirect"
		;;
	esac
	# shellcheck disable=SC2086 # args are words
	out=$("$drv" --dev "$dev" $args 2>&1)
	rc=$?
	got=$(echo "$out" | sed -n 's/^\(test\|net tx\|net rx\|scsi io\): \([0-9]*\) buffers.*/\2/p' |
	      awk '{ s += $1 } END { print s + 0 }')
	runs=$((runs + 1))
	total=$((total + got))
	[ "$disrupt" = none ] || disruptions=$((disruptions + 1))
	echo "$disrupt" >> /tmp/soak-disruptions
	disruptions=$((disruptions + 1))	# the close at the end of the run
	if [ $rc != 0 ]; then
		violations=$((violations + 1))
		echo "soak: run $runs FAILED (exit $rc): $args"
		echo "$out" | sed 's/^/      /' | tail -30
	fi
	[ $dev = test ] && args="$args, reorder=$(cat $p/reorder) used_every=$(cat $p/used_every)"
	echo "soak: run $runs: $got buffers ($args), total $total"
done

splat=$(dmesg | grep -E 'BUG:|WARNING:|KASAN:|UBSAN:|INFO: task .* blocked|possible (circular|recursive) locking' || true)
[ -z "$splat" ] || { echo "$splat"; violations=$((violations + 1)); }
echo "soak: runs by disruption (each also ends with a close):" $(sort /tmp/soak-disruptions | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
echo "SOAK $dev: $total buffers, $runs runs, $disruptions disruptions, $violations violations"
[ $violations = 0 ]
