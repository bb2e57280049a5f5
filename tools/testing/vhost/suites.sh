#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# suites.sh DRIVER SUITE... - inside the VM (vm.sh): suite.sh for each
# SUITE in turn, in one boot.  A debug kernel takes about two minutes to
# boot under TCG, longer than most suites take to run.
# Exit: 1 if any suite failed, 77 if every one skipped, else 0.
drv=$1
shift
rc=77
for s in "$@"; do
	"$(dirname "$0")/suite.sh" "$s" "$drv" < /dev/null
	case $? in
	0) [ $rc = 77 ] && rc=0 ;;
	77) ;;
	*) rc=1 ;;
	esac
done
exit $rc
