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
	t0=$(date +%s)
	out=$("$drv" "$@" 2>&1)
	rc=$?
	secs=$(($(date +%s) - t0))
	case $rc in
	0) pass=$((pass + 1)); verdict=PASS ;;
	77) skip=$((skip + 1)); verdict=SKIP ;;
	*) fail=$((fail + 1)); verdict=FAIL ;;
	esac
	# The device's summary line: "test: N buffers, ...", "net: TX ...".
	stats=$(echo "$out" | sed -n 's/^\(test\|net\|scsi\|faults\): //p' | tail -1)
	neg=$(echo "$out" | sed -n 's/^features negotiated: .*(in-order \(.*\))/\1/p' | tail -1)
	echo "  $verdict $label [in-order ${neg:-?}]: ${stats:-$(echo "$out" | tail -1)} (${secs} s)"
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

# Buffer counts of the long cases, divided by SUITE_SCALE (the debug
# kernel's suites, under KASAN and lockdep): never below what the case
# needs to mean something (a 16-bit wrap, a full ring).
n() { # count [floor, default a quarter of count]
	c=$(($1 / ${SUITE_SCALE:-1}))
	floor=${2:-$(($1 / 4))}
	[ $c -ge "$floor" ] && echo $c || echo "$floor"
}

# The kernel log from here on is this suite's (suites.sh runs several in
# one boot).
echo "suite.sh: $suite starts" > /dev/kmsg

# kmemleak, where the kernel has it: forget what boot left, so the scan
# after the suite reports what the suite leaked.
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear > $kmemleak

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
	got="$got; testpmd up in ${TP_READY_SECS:-?} s"
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
		run "reorder=$reorder ring 64, $(n 70000 66000) buffers (16-bit wrap)" --ring 64 --buffers $(n 70000 66000)
		run "reorder=$reorder ring 256, no event-idx, chains of 3" --ring 256 --no-event-idx --chain 3 --buffers $(n 20000)
		run "reorder=$reorder ring 1024, indirect of 4" --ring 1024 --indirect --chain 4 --buffers $(n 20000)
		echo 1 > $p/used_every
		run "reorder=$reorder every-entry, ring 256" --ring 256 --buffers $(n 20000)
		run "reorder=$reorder every-entry, ring 1024, no event-idx, indirect" --ring 1024 --no-event-idx --indirect --chain 2 --buffers $(n 20000)
	done
	echo 8 > $p/reorder
	echo 0 > $p/used_every
	run "hostile: malformed buffers, read-only used ring, in-order dropped mid-run" --hostile --ring 256 --buffers $(n 20000)
	echo 0 > $p/reorder
	echo 0 > $p/used_every
	run "in-order not negotiated" --no-in-order --ring 256 --buffers $(n 20000)
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
		run "mergeable 1 KiB RX buffers, ring 256" --dev net $io --buffers $(n 3000)
		run "mergeable 2 KiB RX buffers, ring 1024, indirect" --dev net $io --ring 1024 --indirect --rx-buf 2048 --buffers $(n 2000)
		run "mergeable, ring 64, no event-idx" --dev net $io --ring 64 --no-event-idx --buffers $(n 2000)
		run "big RX buffers (chains of 4 KiB), ring 256" --dev net $io --no-mrg-rxbuf --rx-buf 4096 --buffers $(n 2000)
		run "big RX buffers (indirect), ring 64" --dev net $io --no-mrg-rxbuf --rx-buf 4096 --indirect --ring 64 --buffers $(n 1000)
		run "RX starved: 9000-byte frames first offered half their buffers" --dev net $io --ring 64 --starve --buffers 16
		run "RX starved, busy polling 50 us" --dev net $io --ring 64 --starve --busy-poll 50 --buffers 8
		run "busy polling 50 us, ring 256" --dev net $io --busy-poll 50 --buffers $(n 2000)
		run "tap sndbuf 32 KiB: unbatched TX, EAGAIN discards" --dev net $io --sndbuf 32768 --buffers $(n 3000)
		if [ -z "$io" ]; then
			run "hostile: malformed TX buffers, in-order dropped mid-run" --dev net --hostile --buffers $(n 3000)
			run "not negotiated: stock, data only" --dev net --no-in-order --buffers $(n 2000)
			if [ "${VHOST_BUILTIN:-0}" = 1 ]; then
				# Built in: no reload; the params suite boots with them.
				echo "  (vhost_net built in: in_order=0 and experimental_zcopytx=1 run in the params suite)"
			else
				net_reload in_order=0
				run_not_offered "vhost_net in_order=0" --dev net --buffers 1
				net_reload experimental_zcopytx=1
				run_not_offered "vhost_net experimental_zcopytx=1" --dev net --buffers 1
				run "experimental_zcopytx=1: zerocopy TX, data only" --dev net --no-in-order --buffers $(n 2000)
				# Zerocopy backends left attached at RESET_OWNER and
				# close (patch 0020): kmemleak reads the result.
				run "experimental_zcopytx=1: fuzz ioctl, seed 1, 5 episodes" \
					--dev net --no-in-order --fuzz ioctl --seed 1 --episodes 5
				net_reload
			fi
		fi
	else
		lio_setup || { echo "FAIL scsi: cannot set up the LIO target"; exit 1; }
		run "depth 1, ring 64" --dev scsi $io --ring 64 --depth 1 --buffers $(n 2000)
		run "depth 8, ring 256, indirect" --dev scsi $io --depth 8 --indirect --buffers $(n 10000)
		run "depth 32, $(n 100000 66000) commands (16-bit wrap)" --dev scsi $io --depth 32 --buffers $(n 100000 66000)
		run "depth 128 = ring 128, no event-idx" --dev scsi $io --ring 128 --depth 128 --no-event-idx --buffers $(n 20000)
		run "LUN RESET, ABORT TASK, AN query mid-flight" --dev scsi $io --tmf --buffers $(n 6000)
		run "endpoint cleared and set mid-flight" --dev scsi $io --reset --buffers $(n 6000)
		run "LUN 1 unlinked and relinked mid-flight, hotplug events" --dev scsi $io --unlink --buffers $(n 6000)
		run "device closed mid-flight" --dev scsi $io --release --buffers $(n 2000)
		if [ -z "$io" ]; then
			run "hostile: malformed control, unmappable WRITE, runtime parameter, read-only used ring, in-order dropped" \
				--dev scsi --hostile --buffers $(n 2000)
			if lio_held_lun; then
				run "LUN RESET while another LUN's backend holds its I/O" --dev scsi --held-lun --buffers $(n 2000)
			else
				fail=$((fail + 1))
				echo "  FAIL held LUN: cannot set up LUN 2 on null_blk"
			fi
			run "not negotiated: stock order, data only" --dev scsi --no-in-order --depth 32 --buffers $(n 20000)
		fi
	fi
	;;
fuzz)
	# Hostile episodes per device and class, a well-behaved driver checked
	# after each (fuzz.c).  FUZZ_SEED and FUZZ_EPISODES come from vm.sh's
	# environment; the seed is printed for replay.
	seed=${FUZZ_SEED:-1}
	episodes=$(n "${FUZZ_EPISODES:-25}" 5)
	lio_setup || { echo "FAIL fuzz: cannot set up the LIO target"; exit 1; }
	for dev in test net scsi; do
		for class in ioctl ring request; do
			run "fuzz $class on vhost-$dev, seed $seed, $episodes episodes" \
				--dev $dev --fuzz $class --seed "$seed" --episodes "$episodes"
		done
	done
	;;
faults)
	# Injected kernel faults (faults.c): the debug kernel has failslab,
	# fail_usercopy and fail-nth; Debian's kernel does not.
	if [ ! -d /sys/kernel/debug/fail_usercopy ]; then
		echo "FAIL faults: this kernel has no fault injection: run it with KERNEL=debug"
		exit 1
	fi
	echo 8 > /sys/module/vhost_test/parameters/reorder
	lio_setup || { echo "FAIL faults: cannot set up the LIO target"; exit 1; }
	# vhost-scsi's open and SET_OWNER allocate for each of max_io_vqs
	# request queues (128 by default): with one, every fault site is still
	# failed, without 127 more copies of each (the harness uses one).
	vqs=/sys/module/vhost_scsi/parameters/max_io_vqs
	vqs_before=$(cat $vqs)
	echo 1 > $vqs && [ "$(cat $vqs)" = 1 ] ||
		{ echo "FAIL faults: cannot set $vqs to 1"; exit 1; }
	for dev in test net scsi; do
		one=
		[ $dev = scsi ] && one=" (max_io_vqs=1)"
		run "every allocation and user copy of the vhost-$dev bring-up failed in turn$one" \
			--dev $dev --faults setup
		run "a user copy of the vhost-$dev publish failed on its worker" \
			--dev $dev --faults publish
	done
	echo "$vqs_before" > $vqs
	;;
params)
	# Built-in vhost takes its parameters from the kernel command line:
	# each one given there must be in effect.
	for p in $(tr ' ' '\n' < /proc/cmdline | grep '^vhost_[a-z]*\.'); do
		mod=${p%%.*} kv=${p#*.}
		got=$(cat /sys/module/$mod/parameters/${kv%%=*} 2>/dev/null)
		case "${kv#*=}:$got" in
		0:N|1:Y|0:0|1:1) pass=$((pass + 1)); echo "  PASS $p on the command line: in effect ($got)" ;;
		*) fail=$((fail + 1)); echo "  FAIL $p on the command line: /sys/module/$mod/parameters says ${got:-nothing}" ;;
		esac
	done
	grep -q 'vhost_net.in_order=0' /proc/cmdline &&
		run_not_offered "vhost_net.in_order=0" --dev net --buffers 1
	grep -q 'vhost_scsi.in_order=0' /proc/cmdline &&
		run_not_offered "vhost_scsi.in_order=0" --dev scsi --buffers 0
	if grep -q 'vhost_net.experimental_zcopytx=1' /proc/cmdline; then
		run_not_offered "vhost_net.experimental_zcopytx=1" --dev net --buffers 1
		run "vhost_net.experimental_zcopytx=1: zerocopy TX, data only" --dev net --no-in-order --buffers $(n 2000)
	fi
	;;
dpdk)
	if ! command -v dpdk-testpmd > /dev/null; then
		echo "FAIL dpdk: dpdk-testpmd not installed (package dpdk-dev): run 'make deps'"
		exit 1
	fi
	# Under the debug kernel (SUITE_SCALE > 1) each testpmd start takes
	# about a minute: in-order with mergeable buffers only there (64 and
	# 9000-byte frames, both ways); the plain run has the whole matrix.
	# DPDK_IOS=1 keeps the in-order half (make test on trixie's kernel,
	# whose net suite checks the not-negotiated path).
	ios=${DPDK_IOS:-1 0} mrgs="1 0"
	[ "${SUITE_SCALE:-1}" -gt 1 ] && ios=1 mrgs=1
	for io in $ios; do
		for mrg in $mrgs; do
			for size in 64 9000; do
				dpdk_case tx $io $mrg $size
				dpdk_case rx $io $mrg $size
			done
		done
	done
	;;
qemu)
	# QEMU 10 and a Linux 7.x guest on our modules (qemu/suite.sh): its
	# case lines as they come, counted as this suite's.
	{ "$(dirname "$0")/qemu/suite.sh"; echo $? > /tmp/qemu-suite.rc; } 2>&1 |
		tee /tmp/qemu-suite.out
	# Its own count: a case booted once more (qemu/suite.sh) shows the
	# first boot's FAIL line too.
	counts=$(sed -n 's/^qemu-suite: [A-Z]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' /tmp/qemu-suite.out | tail -1)
	# shellcheck disable=SC2086 # two numbers
	set -- ${counts:-0 0}
	pass=$((pass + $1))
	fail=$((fail + $2))
	if [ "$(cat /tmp/qemu-suite.rc)" != 0 ] && [ "$2" = 0 ]; then
		fail=$((fail + 1))
		echo "  FAIL qemu: $(tail -1 /tmp/qemu-suite.out)"
	fi
	;;
package)
	# The DKMS package (deb-test.sh, vm.sh -M): plain modprobe must load
	# the modules /vmresults/expect names ("module srcversion build-id
	# package|Debian"; srcversion - where the module has none).  The
	# package's offer in-order and pass; Debian's do not offer it, data
	# still checked.  The production package has no vhost_test.
	for m in vhost_net vhost_scsi; do
		modprobe "$m" || { echo "FAIL package: modprobe $m"; exit 1; }
	done
	want=$(awk '{ print $4; exit }' /vmresults/expect)
	while read -r m sv bid _; do
		# The build ID note: 12 bytes of header and "GNU\0", then the ID.
		got=$(od -An -tx1 -j16 /sys/module/$m/notes/.note.gnu.build-id 2>/dev/null | tr -d ' \n')
		gotsv=$(cat /sys/module/$m/srcversion 2>/dev/null || echo -)
		if [ "$got" = "$bid" ] && [ "$gotsv" = "$sv" ]; then
			pass=$((pass + 1))
			echo "  PASS $m loaded by modprobe is $want's: build ID $got, srcversion $gotsv, $(modinfo -n $m)"
		else
			fail=$((fail + 1))
			echo "  FAIL $m loaded by modprobe: build ID ${got:-none} srcversion $gotsv, $want's are $bid $sv"
		fi
	done < /vmresults/expect
	if modinfo vhost_test > /dev/null 2>&1; then
		fail=$((fail + 1))
		echo "  FAIL vhost_test is in the module tree: $(modinfo -n vhost_test)"
	else
		pass=$((pass + 1))
		echo "  PASS no vhost_test in the module tree"
	fi
	lio_setup || { echo "FAIL package: cannot set up the LIO target"; exit 1; }
	if [ "$want" = package ]; then
		run "net, in order" --dev net --buffers $(n 2000)
		run "scsi depth 32, in order" --dev scsi --depth 32 --buffers $(n 5000)
		# A skip here means in-order was not offered: the package's
		# modules must offer it.
		if [ $skip != 0 ]; then
			fail=$((fail + skip))
			echo "  FAIL the package's modules did not offer VIRTIO_F_IN_ORDER ($skip skipped)"
		fi
	else
		run_not_offered "net: Debian's vhost_net" --dev net --buffers 1
		run_not_offered "scsi: Debian's vhost_scsi" --dev scsi --buffers 1
		run "net, data only" --dev net --no-in-order --buffers $(n 2000)
		run "scsi depth 32, data only" --dev scsi --no-in-order --depth 32 --buffers $(n 5000)
	fi
	;;
*)
	echo "FAIL $suite: no such suite"
	exit 1
	;;
esac

# Whatever the cases said, the kernel must not have complained, nor leaked:
# an object is reported once unreferenced for 5 s, so scan after that.
if [ -w $kmemleak ]; then
	echo scan > $kmemleak
	sleep 6
	echo scan > $kmemleak
	leaks=$(grep -c '^unreferenced object' $kmemleak)
	if [ "$leaks" != 0 ]; then
		fail=$((fail + 1))
		echo "  FAIL kmemleak: $leaks unreferenced objects"
		sed 's/^/      /' $kmemleak | head -80
	else
		# Not counted: a suite whose cases all skipped must not pass.
		echo "  PASS kmemleak: no unreferenced objects after the suite"
	fi
fi
# This suite's part of the log, or all of it if the mark has scrolled out.
log=$(dmesg | sed -n "/suite.sh: $suite starts/,\$p")
[ -n "$log" ] || log=$(dmesg)
splat=$(echo "$log" | grep -E 'BUG:|WARNING:|KASAN:|UBSAN:|suspected memory leak|INFO: task .* blocked|possible (circular|recursive) locking|inconsistent lock state' || true)
if [ -n "$splat" ]; then
	fail=$((fail + 1))
	echo "  FAIL kernel log:"
	echo "$splat" | sed 's/^/      /'
	# The reports in full (the console shows only their first line at a
	# quiet loglevel), kept with the results.
	echo "$log" > "/vmresults/dmesg-$suite.log" 2>/dev/null &&
		echo "      (this suite's kernel log: dmesg-$suite.log in the results directory)"
	echo "$log" | grep -E -A30 'BUG:|WARNING:|KASAN:|UBSAN:|INFO: task .* blocked' | head -60 | sed 's/^/      /'
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
