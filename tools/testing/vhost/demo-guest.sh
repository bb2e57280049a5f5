#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh DRIVER - inside the VM (vm.sh, from demo.sh): a short run
# of the in-order driver against each vhost device, in-order wherever the
# device offers it.  demo.sh reads the output.
drv=$1
. "$(dirname "$0")/lio.sh"
. "$(dirname "$0")/testpmd.sh"

inorder_or_not() { # device: --no-in-order unless it offers the bit
	"$drv" --dev "$1" --buffers 0 2>&1 | grep -q 'does not offer' && echo --no-in-order
}

echo "=== vhost-test (device completes each group of 8 buffers last to first)"
echo 8 > /sys/module/vhost_test/parameters/reorder
"$drv" --dev test --ring 256 --buffers 100000
echo 0 > /sys/module/vhost_test/parameters/reorder

echo "=== vhost-net"
"$drv" --dev net $(inorder_or_not net) --buffers 2000

echo "=== DPDK testpmd over /dev/vhost-net (virtio-user, in_order=1)"
if command -v dpdk-testpmd > /dev/null; then
	testpmd_tx 1 1 64 3
	echo "dpdk: txonly, 64-byte frames, in-order $TP_INORDER: testpmd sent $TP_TX_PKTS, the tap got $TP_TAP_RX_PKTS"
	testpmd_rx 1 1 9000 2000
	echo "dpdk: rxonly, 9000-byte frames over 2 KiB mergeable buffers, in-order $TP_INORDER:" \
	     "pktgen sent $TP_PKTGEN_SENT, testpmd got $TP_RX_PKTS frames, $TP_RX_BYTES bytes"
else
	echo "dpdk: dpdk-testpmd not installed (package dpdk-dev): run 'make deps'"
fi

echo "=== vhost-scsi"
lio_setup || echo "demo: LIO target setup failed"
"$drv" --dev scsi $(inorder_or_not scsi) --depth 32 --buffers 5000
exit 0
