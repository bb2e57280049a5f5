#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# suite.sh SUITE DRIVER - run inside the VM (vm.sh): one harness suite
# against our modules.  Prints a line per case and a last line
#   PASS|FAIL|SKIP <suite>: <summary>
# Exit: 0 pass, 1 fail, 77 skip.
set -u
suite=$1
drv=$2
pass=0
fail=0
skip=0

run() { # label, then harness arguments
	label=$1
	shift
	out=$("$drv" "$@" 2>&1)
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); verdict=PASS ;;
	77) skip=$((skip + 1)); verdict=SKIP ;;
	*) fail=$((fail + 1)); verdict=FAIL ;;
	esac
	# The device's summary line: "test: N buffers, ...", "net: TX ...".
	stats=$(echo "$out" | sed -n 's/^\(test\|net\|scsi\): //p' | tail -1)
	neg=$(echo "$out" | sed -n 's/^features negotiated: .*(in-order \(.*\))/\1/p' | tail -1)
	echo "  $verdict $label [in-order ${neg:-?}]: ${stats:-$(echo "$out" | tail -1)}"
	# Per-queue used-ring statistics of multi-queue devices.
	echo "$out" | grep -E '^(net|scsi) [a-z]+: [0-9]+ (buffers|frames)' | sed 's/^/      /'
	[ $verdict = FAIL ] && echo "$out" | sed 's/^/      /'
	return 0
}

# The device must refuse in-order: the harness skips, saying so.
run_not_offered() { # label, then harness arguments
	out=$("$drv" "$@" 2>&1)
	if [ $? = 77 ] && echo "$out" | grep -q 'does not offer VIRTIO_F_IN_ORDER'; then
		pass=$((pass + 1))
		echo "  PASS $1: VIRTIO_F_IN_ORDER not offered"
	else
		fail=$((fail + 1))
		echo "  FAIL $1: VIRTIO_F_IN_ORDER offered, or no answer"
		echo "$out" | sed 's/^/      /'
	fi
}

# Reload our vhost_net with module parameters (vm.sh exports moddir).
net_reload() {
	rmmod vhost_net && insmod "$moddir/vhost_net.ko" "$@" || {
		echo "FAIL net: cannot reload vhost_net $*"
		exit 1
	}
}

. "$(dirname "$0")/lio.sh"
. "$(dirname "$0")/testpmd.sh"

# One testpmd case: $1 tx|rx, in_order, mrg_rxbuf, frame size.  Counts and
# bytes must agree exactly between testpmd and the tap; never a rate.
dpdk_case() {
	dir=$1 io=$2 mrg=$3 size=$4
	label="testpmd ${dir}only in_order=$io mrg_rxbuf=$mrg $size-byte frames"
	want=no
	[ "$io" = 1 ] && want=yes
	if [ "$dir" = tx ]; then
		testpmd_tx "$io" "$mrg" "$size" 3
		rc=$?
		got="testpmd sent $TP_TX_PKTS frames $TP_TX_BYTES bytes, tap got $TP_TAP_RX_PKTS frames $TP_TAP_RX_BYTES bytes"
		ok=$([ "${TP_TX_PKTS:-0}" -gt 0 ] && [ "$TP_TX_PKTS" = "$TP_TAP_RX_PKTS" ] &&
		     [ "$TP_TX_BYTES" = "$TP_TAP_RX_BYTES" ] &&
		     [ "$TP_TX_BYTES" = $((TP_TX_PKTS * size)) ] && echo 1)
	else
		testpmd_rx "$io" "$mrg" "$size" 5000
		rc=$?
		got="pktgen sent $TP_PKTGEN_SENT, tap passed on $TP_TAP_TX_PKTS frames $TP_TAP_TX_BYTES bytes, testpmd got $TP_RX_PKTS frames $TP_RX_BYTES bytes ($TP_RX_PATH Rx path)"
		# Frames the tap dropped (its queue full under TCG) never reach
		# vhost; everything the tap passed on must arrive, whole.
		ok=$([ "${TP_RX_PKTS:-0}" -ge 2500 ] && [ "$TP_RX_PKTS" = "$TP_TAP_TX_PKTS" ] &&
		     [ "$TP_RX_BYTES" = "$TP_TAP_TX_BYTES" ] &&
		     [ "$TP_RX_BYTES" = $((TP_RX_PKTS * size)) ] && echo 1)
	fi
	if [ "$rc" = 0 ] && [ "$ok" = 1 ] && [ "$TP_INORDER" = $want ]; then
		pass=$((pass + 1))
		echo "  PASS $label [in-order $TP_INORDER]: $got"
	else
		fail=$((fail + 1))
		echo "  FAIL $label [in-order $TP_INORDER, want $want, exit $rc]: $got"
		sed 's/^/      /' "$TP_LOG" | tail -40
	fi
}

case $suite in
test)
	p=/sys/module/vhost_test/parameters
	"$drv" --self-test > /tmp/self-test.log 2>&1 || {
		cat /tmp/self-test.log
		echo "FAIL test: the harness self-test did not detect every violation"
		exit 1
	}
	echo "  PASS self-test: $(grep -c detected /tmp/self-test.log) violation classes detected"
	sed -n 's/^self-test: /      /p' /tmp/self-test.log
	for reorder in 0 8 64; do
		echo "$reorder" > $p/reorder
		echo 0 > $p/used_every
		run "reorder=$reorder ring 64, 70000 buffers (16-bit wrap)" --ring 64 --buffers 70000
		run "reorder=$reorder ring 256, no event-idx, chains of 3" --ring 256 --no-event-idx --chain 3 --buffers 20000
		run "reorder=$reorder ring 1024, indirect of 4" --ring 1024 --indirect --chain 4 --buffers 20000
		echo 1 > $p/used_every
		run "reorder=$reorder every-entry, ring 256" --ring 256 --buffers 20000
		run "reorder=$reorder every-entry, ring 1024, no event-idx, indirect" --ring 1024 --no-event-idx --indirect --chain 2 --buffers 20000
	done
	echo 8 > $p/reorder
	echo 0 > $p/used_every
	run "hostile: malformed buffers, read-only used ring, in-order dropped mid-run" --hostile --ring 256 --buffers 20000
	echo 0 > $p/reorder
	echo 0 > $p/used_every
	run "in-order not negotiated" --no-in-order --ring 256 --buffers 20000
	;;
net|scsi)
	# In-order where the device offers it; data checks either way.
	if [ $suite = scsi ]; then
		probe=$("$drv" --dev scsi --buffers 0 2>&1)
	else
		probe=$("$drv" --dev "$suite" --buffers 1 2>&1)
	fi
	if echo "$probe" | grep -q 'does not offer VIRTIO_F_IN_ORDER'; then
		echo "  SKIP $suite in-order: /dev/vhost-$suite does not offer VIRTIO_F_IN_ORDER"
		io=--no-in-order
	else
		io=
	fi
	if [ $suite = net ]; then
		run "mergeable 1 KiB RX buffers, ring 256" --dev net $io --buffers 3000
		run "mergeable 2 KiB RX buffers, ring 1024, indirect" --dev net $io --ring 1024 --indirect --rx-buf 2048 --buffers 2000
		run "mergeable, ring 64, no event-idx" --dev net $io --ring 64 --no-event-idx --buffers 2000
		run "big RX buffers (chains of 4 KiB), ring 256" --dev net $io --no-mrg-rxbuf --rx-buf 4096 --buffers 2000
		run "big RX buffers (indirect), ring 64" --dev net $io --no-mrg-rxbuf --rx-buf 4096 --indirect --ring 64 --buffers 1000
		run "RX starved: 9000-byte frames first offered half their buffers" --dev net $io --ring 64 --starve --buffers 16
		run "RX starved, busy polling 50 us" --dev net $io --ring 64 --starve --busy-poll 50 --buffers 8
		run "busy polling 50 us, ring 256" --dev net $io --busy-poll 50 --buffers 2000
		run "tap sndbuf 32 KiB: unbatched TX, EAGAIN discards" --dev net $io --sndbuf 32768 --buffers 3000
		if [ -z "$io" ]; then
			run "hostile: malformed TX buffers, in-order dropped mid-run" --dev net --hostile --buffers 3000
			run "not negotiated: stock, data only" --dev net --no-in-order --buffers 2000
			net_reload in_order=0
			run_not_offered "vhost_net in_order=0" --dev net --buffers 1
			net_reload experimental_zcopytx=1
			run_not_offered "vhost_net experimental_zcopytx=1" --dev net --buffers 1
			run "experimental_zcopytx=1: zerocopy TX, data only" --dev net --no-in-order --buffers 2000
			net_reload
		fi
	else
		lio_setup || { echo "FAIL scsi: cannot set up the LIO target"; exit 1; }
		run "depth 1, ring 64" --dev scsi $io --ring 64 --depth 1 --buffers 2000
		run "depth 8, ring 256, indirect" --dev scsi $io --depth 8 --indirect --buffers 10000
		run "depth 32, 100000 commands (16-bit wrap)" --dev scsi $io --depth 32 --buffers 100000
		run "depth 128 = ring 128, no event-idx" --dev scsi $io --ring 128 --depth 128 --no-event-idx --buffers 20000
		run "LUN RESET, ABORT TASK, AN query mid-flight" --dev scsi $io --tmf --buffers 6000
		run "endpoint cleared and set mid-flight" --dev scsi $io --reset --buffers 6000
		run "LUN 1 unlinked and relinked mid-flight, hotplug events" --dev scsi $io --unlink --buffers 6000
		run "device closed mid-flight" --dev scsi $io --release --buffers 2000
		if [ -z "$io" ]; then
			run "hostile: malformed control, unmappable WRITE, runtime parameter, read-only used ring, in-order dropped" \
				--dev scsi --hostile --buffers 2000
			if lio_held_lun; then
				run "LUN RESET while another LUN's backend holds its I/O" --dev scsi --held-lun --buffers 2000
			else
				fail=$((fail + 1))
				echo "  FAIL held LUN: cannot set up LUN 2 on null_blk"
			fi
			run "not negotiated: stock order, data only" --dev scsi --no-in-order --depth 32 --buffers 20000
		fi
	fi
	;;
fuzz)
	# Hostile episodes per device and class, a well-behaved driver checked
	# after each (fuzz.c).  FUZZ_SEED and FUZZ_EPISODES come from vm.sh's
	# environment; the seed is printed for replay.
	seed=${FUZZ_SEED:-1}
	episodes=${FUZZ_EPISODES:-25}
	lio_setup || { echo "FAIL fuzz: cannot set up the LIO target"; exit 1; }
	for dev in test net scsi; do
		for class in ioctl ring request; do
			run "fuzz $class on vhost-$dev, seed $seed, $episodes episodes" \
				--dev $dev --fuzz $class --seed "$seed" --episodes "$episodes"
		done
	done
	;;
dpdk)
	if ! command -v dpdk-testpmd > /dev/null; then
		echo "FAIL dpdk: dpdk-testpmd not installed (package dpdk-dev): run 'make deps'"
		exit 1
	fi
	for io in 1 0; do
		for mrg in 1 0; do
			for size in 64 9000; do
				dpdk_case tx $io $mrg $size
				dpdk_case rx $io $mrg $size
			done
		done
	done
	;;
*)
	echo "FAIL $suite: no such suite"
	exit 1
	;;
esac

# Whatever the cases said, the kernel must not have complained.
splat=$(dmesg | grep -E 'BUG:|WARNING:|KASAN:|UBSAN:|kmemleak:|INFO: task .* blocked|possible (circular|recursive) locking|inconsistent lock state' || true)
if [ -n "$splat" ]; then
	fail=$((fail + 1))
	echo "  FAIL kernel log:"
	echo "$splat" | sed 's/^/      /'
fi

summary="$pass passed, $fail failed, $skip skipped"
if [ $fail != 0 ]; then
	echo "FAIL $suite: $summary"
	exit 1
elif [ $pass = 0 ]; then
	echo "SKIP $suite: $summary"
	exit 77
fi
echo "PASS $suite: $summary"
