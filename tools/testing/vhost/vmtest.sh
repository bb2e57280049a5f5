#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh DRIVER OUT [SUITE...] - one TCG VM per suite (vm.sh), each
# running suite.sh with the in-order driver harness.  Prints each suite's
# cases and a PASS/FAIL/SKIP line per suite, then the overall verdict.
# A suite that skips is reported, never counted as a pass.
set -u
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- test net scsi dpdk fuzz
failed=0

for s in "$@"; do
	echo "  VMTEST  $s"
	res=$out/$s
	rm -rf "$res"
	mkdir -p "$res"
	"$here/vm.sh" -t 600 -o "$res" -- "$here/suite.sh" "$s" "$drv"
	rc=$?
	# The suite's own lines, as the guest printed them.
	sed -n '/^  \(PASS\|FAIL\|SKIP\) \|^\(PASS\|FAIL\|SKIP\) \|^      [a-z]/p' "$res/console.log" | tr -d '\r'
	case $rc in
	0) line="PASS $s" ;;
	77) line="SKIP $s" ;;
	*) line="FAIL $s (exit $rc, console: $res/console.log)"; failed=1 ;;
	esac
	echo "vmtest: $line"
done

if [ $failed != 0 ]; then
	echo "vmtest: FAILED"
	exit 1
fi
echo "vmtest: passed"
