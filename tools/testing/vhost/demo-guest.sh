#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh DRIVER - inside the VM (vm.sh, from demo.sh): a short run
# of the in-order driver against each vhost device, in-order wherever the
# device offers it.  demo.sh reads the output.
drv=$1
. "$(dirname "$0")/lio.sh"

inorder_or_not() { # device: --no-in-order unless it offers the bit
	"$drv" --dev "$1" --buffers 0 2>&1 | grep -q 'does not offer' && echo --no-in-order
}

echo "=== vhost-test (device completes each group of 8 buffers last to first)"
echo 8 > /sys/module/vhost_test/parameters/reorder
"$drv" --dev test --ring 256 --buffers 100000
echo 0 > /sys/module/vhost_test/parameters/reorder

echo "=== vhost-net"
"$drv" --dev net $(inorder_or_not net) --buffers 2000

echo "=== vhost-scsi"
lio_setup || echo "demo: LIO target setup failed"
"$drv" --dev scsi $(inorder_or_not scsi) --depth 32 --buffers 5000
exit 0
