#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh DRIVER OUT [SUITE...] - one TCG VM per suite (vm.sh), each
# running suite.sh with the in-order driver harness.  Prints each suite's
# cases and a PASS/FAIL/SKIP line per suite, then the overall verdict.
# A suite that skips is reported, never counted as a pass.
#
# SUITE+SUITE... runs the suites one after another in one boot
# (suites.sh); the defaults do, since a boot costs more than most suites.
# SUITE@ARG,ARG boots with ARG... on the kernel command line (module
# parameters of built-in vhost).  VM_KERNEL=DIR boots a kernel of
# scripts/debug-kernel.sh instead of Debian's (vm.sh -K), with suites and
# counts of its own; VM_DIST=DIST boots Debian's kernel of that release
# (vm.sh -D) with the modules `make DIST=DIST` built.  VM_TIMEOUT bounds
# each VM (default 600 s, 1800 s with VM_KERNEL).
set -u
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
shift 2
kopt=${VM_DIST:+-D $VM_DIST}
timeout=${VM_TIMEOUT:-600}
if [ -n "${VM_KERNEL:-}" ]; then
	kopt="-K $VM_KERNEL"
	timeout=${VM_TIMEOUT:-1800}
	# KASAN and lockdep under TCG: the long cases at a quarter.
	export SUITE_SCALE=${SUITE_SCALE:-4}
	if [ $# = 0 ] && [ -f "$VM_KERNEL/builtin" ]; then
		set -- test+net+scsi \
			params@vhost_net.in_order=0,vhost_scsi.in_order=0 \
			params@vhost_net.experimental_zcopytx=1
	fi
	[ $# -gt 0 ] || set -- test+net+scsi+dpdk+fuzz+faults
fi
[ $# -gt 0 ] || set -- test+net+scsi+dpdk+fuzz
failed=0

for spec in "$@"; do
	s=${spec%%@*}
	append=
	[ "$s" = "$spec" ] || append=$(echo "${spec#*@}" | tr , ' ')
	echo "  VMTEST  $s${append:+ ($append)}${VM_KERNEL:+ on $(basename "$VM_KERNEL") $(cat "$VM_KERNEL/kernelrelease" 2>/dev/null)}${VM_DIST:+ on $VM_DIST}"
	res=$out/$(echo "$spec" | tr '@,=' '-__')
	rm -rf "$res"
	mkdir -p "$res"
	suites=$(echo "$s" | tr + ' ')
	t=$((timeout * $(echo $suites | wc -w)))
	case " $suites " in
	" qemu ") ;;
	*" qemu "*) echo "vmtest: FAIL $spec (suite qemu boots alone)"; failed=1; continue ;;
	esac
	if [ "$s" = qemu ]; then
		# QEMU's root and the guest kernel, cached in the build dir.
		"$here/qemu/setup.sh" "$res" || { echo "vmtest: FAIL qemu (setup)"; failed=1; continue; }
		t=${VM_TIMEOUT:-3000}
		# KVM in the test VM patches its static keys whenever a guest
		# starts: with a second vCPU, multi-threaded TCG lets it run the
		# half-patched text (vm.sh's "Oops: int3").  The suite takes
		# them for good while the second vCPU is still offline.
		append="maxcpus=1${append:+ $append}"
	fi
	t0=$(date +%s)
	# shellcheck disable=SC2086 # kopt is two words or none, suites a list
	"$here/vm.sh" -t "$t" $kopt -a "$append" -o "$res" -- "$here/suites.sh" "$drv" $suites
	rc=$?
	# The suite's own lines, as the guest printed them.
	sed -n '/^  \(PASS\|FAIL\|SKIP\) \|^\(PASS\|FAIL\|SKIP\) \|^  (\|^      [^ ]/p' "$res/console.log" | tr -d '\r'
	case $rc in
	0) line="PASS $spec" ;;
	77) line="SKIP $spec" ;;
	*) line="FAIL $spec (exit $rc, console: $res/console.log)"; failed=1 ;;
	esac
	echo "vmtest: $line ($(($(date +%s) - t0)) s)"
done

if [ $failed != 0 ]; then
	echo "vmtest: FAILED"
	exit 1
fi
echo "vmtest: passed"
