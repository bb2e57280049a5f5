#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stage-vhost.sh TREE DEST - copy TREE/drivers/vhost, as assembled, to DEST
# for a DKMS source tree (make dkms, make deb): sources only, no build
# products and no KUnit tests; vhost_test's sources only with WITH_TEST=1.
set -eu
notest=
[ "${WITH_TEST:-0}" = 1 ] ||
	notest="--exclude=test.c --exclude=test.h --exclude=test_in_order.c --exclude=test_in_order.h"
mkdir -p "$2"
# shellcheck disable=SC2086
rsync -a $notest --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' \
	--exclude='.*' --exclude=modules.order --exclude=Module.symvers \
	--exclude=tests/ "$1/drivers/vhost/" "$2/"
