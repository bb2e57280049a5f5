# SPDX-License-Identifier: GPL-2.0
# Sourced by suite.sh and bench-guest.sh, inside the VM.
#
# DPDK's testpmd as the virtio driver of /dev/vhost-net (virtio-user, the
# vhost-kernel backend), with its tap on the other side:
#   testpmd_tx IN_ORDER MRG SIZE SECONDS   txonly; the tap counts what came out
#   testpmd_rx IN_ORDER MRG SIZE COUNT     rxonly; pktgen sends COUNT frames
#                                           into the tap
# Each sets TP_* variables (see testpmd_run) and prints nothing.  SIZE is
# the Ethernet frame without FCS.  Mbufs hold 2 KiB; a bigger frame gets
# 10 KiB mbufs where one mbuf must hold it (TX, RX without mergeable
# buffers), so with mergeable buffers it spans several RX buffers.
TP_MAC=02:00:00:00:00:02
# A testpmd that died must fail its case, not kill the suite writing to it.
trap '' PIPE
TP_TAP=tap0

# The testpmd command line for IN_ORDER, MRG, frames of SIZE bytes, FWD.
testpmd_cmd() {
	mbuf=
	[ "$3" -gt 2000 ] && { [ "$4" = txonly ] || [ "$2" = 0 ]; } &&
		mbuf="--mbuf-size=10240"
	[ "$3" -gt 1500 ] && mbuf="$mbuf --max-pkt-len=9600"
	# Mergeable buffers: a big frame arrives as a chain of mbufs.
	[ "$3" -gt 2000 ] && [ "$2" = 1 ] && [ "$4" = rxonly ] &&
		mbuf="$mbuf --enable-scatter"
	echo "dpdk-testpmd -l 0-1 --no-huge -m 256 --no-pci --log-level=pmd.net.virtio.*:info" \
	     "--vdev=net_virtio_user0,path=/dev/vhost-net,iface=$TP_TAP,queue_size=256,in_order=$1,mrg_rxbuf=$2,mac=$TP_MAC" \
	     "-- -i --nb-cores=1 --total-num-mbufs=4096 $mbuf"
}

# EAL dlopens every driver in Debian's plugin directory at each start (128
# of them, 31 MB, in bookworm's DPDK): over 9p and under TCG that is most
# of testpmd's start, half a minute under the debug kernel.  Inside the
# test VM, whose root is a throwaway overlay, a bind mount over that
# directory leaves the drivers testpmd links and the three virtio-user
# needs (bus_vdev, mempool_ring, net_virtio), with what they link.
dpdk_plugins_trim() {
	[ -d /vmresults ] && [ "$(stat -f -c %T /)" = overlayfs ] || return 0
	pmds=$(ls -d /usr/lib/*/dpdk/pmds-* 2>/dev/null | head -1)
	[ -n "$pmds" ] && ! mountpoint -q "$pmds" || return 0
	keep=/tmp/dpdk-pmds
	rm -rf $keep
	mkdir -p $keep
	for l in bus_vdev mempool_ring net_virtio; do
		[ -e "$pmds/librte_$l.so" ] || return 0
	done
	for f in $( (command -v dpdk-testpmd; ls "$pmds"/librte_bus_vdev.so \
		"$pmds"/librte_mempool_ring.so "$pmds"/librte_net_virtio.so) |
		xargs ldd | awk '$3 ~ /^\// { print $3 }'
		echo "$pmds"/librte_bus_vdev.so "$pmds"/librte_mempool_ring.so "$pmds"/librte_net_virtio.so); do
		real=$(readlink -f "$f")
		case $real in "$pmds"/*) ;; *) continue ;; esac
		stem=$(basename "$real")
		cp -P "$pmds/${stem%%.so*}".so* $keep/ || return 0
	done
	mount --bind $keep "$pmds"
}

# Wait up to 60 s for testpmd to have created the tap and be at its prompt.
testpmd_ready() {
	i=0
	while [ $i -lt 600 ]; do
		[ -e /sys/class/net/$TP_TAP ] && grep -q 'testpmd>' "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

tap_stat() {
	cat /sys/class/net/$TP_TAP/statistics/"$1"
}

# Send testpmd the command $1, then wait up to 20 s for one more line
# matching $2 in its log than there was before.
testpmd_say() {
	n0=$(grep -c -e "$2" "$TP_LOG")
	echo "$1" >&7
	i=0
	while [ "$(grep -c -e "$2" "$TP_LOG")" -le "$n0" ]; do
		[ $i -lt 200 ] || { echo "testpmd.sh: no '$2' 20 s after '$1'" >> "$TP_LOG"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# Wait up to 10 s for the tap's counter $1 to reach $2.
tap_reach() {
	i=0
	while [ "$(tap_stat "$1")" -lt "$2" ]; do
		[ $i -lt 100 ] || { echo "testpmd.sh: tap $1 $(tap_stat "$1") of $2 after 10 s" >> "$TP_LOG"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# Wait (up to 10 s) until the tap's counters are the same 0.3 s apart.
tap_settle() {
	i=0
	now=
	while [ $i -lt 33 ]; do
		was=$now
		now="$(tap_stat rx_packets) $(tap_stat tx_packets)"
		[ "$now" = "$was" ] && return 0
		sleep 0.3
		i=$((i + 1))
	done
	echo "testpmd.sh: tap counters still moving after 10 s" >> "$TP_LOG"
}

# testpmd's totals from its "stop" output, and what it negotiated.
testpmd_parse() {
	TP_RX_PKTS=$(sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	TP_TX_PKTS=$(sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	TP_RX_BYTES=$(sed -n 's/.*RX-bytes: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	TP_TX_BYTES=$(sed -n 's/.*TX-bytes: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	TP_INORDER=no
	grep -q 'using inorder Tx path' "$1" && TP_INORDER=yes
	TP_RX_PATH=$(sed -n 's/.*virtio: using \(.*\) Rx path.*/\1/p' "$1" | tail -1)
}

# Run testpmd with forwarding mode $1; $2 is a function run while it
# forwards (with the log file as its argument).  Leaves the log in $TP_LOG.
testpmd_run() { # fwd body in_order mrg size
	TP_LOG=/tmp/testpmd-$1-$3-$4-$5.log
	dpdk_plugins_trim
	fifo=/tmp/testpmd.in
	rm -f "$fifo" "$TP_LOG"
	mkfifo "$fifo"
	# Line-buffered: each answer is in the log as soon as testpmd prints
	# it (to a file, printf's output would wait for exit), so the steps
	# below wait for it instead of sleeping.
	# shellcheck disable=SC2046
	timeout 300 stdbuf -oL $(testpmd_cmd "$3" "$4" "$5" "$1") < "$fifo" > "$TP_LOG" 2>&1 &
	tp=$!
	exec 7> "$fifo"
	t0=$(date +%s)
	if ! testpmd_ready "$TP_LOG" || grep -q 'Start ports failed' "$TP_LOG"; then
		echo "testpmd: port not started, or no prompt within 60 s" >> "$TP_LOG"
		exec 7>&-
		kill $tp 2>/dev/null
		wait $tp
		return 1
	fi
	TP_READY_SECS=$(($(date +%s) - t0))
	# Nothing but the test's frames on the tap: no IPv6 chatter.
	echo 1 > /proc/sys/net/ipv6/conf/$TP_TAP/disable_ipv6 2>/dev/null
	ip link set $TP_TAP mtu 9000 up
	echo "set fwd $1" >&7
	[ "$1" = txonly ] && echo "set txpkts $5" >&7
	echo "clear port stats all" >&7
	"$2" "$TP_LOG"
	# Forwarding has stopped when testpmd says Done; what vhost still
	# had in flight has reached the tap when its counters stop moving.
	testpmd_say stop '^Done\.'
	# TX: every frame testpmd counts as sent (its stop block) at the tap.
	if [ "$1" = txonly ]; then
		sent=$(sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p' "$TP_LOG" | tail -1)
		tap_reach rx_packets "${sent:-0}"
	fi
	tap_settle
	# The statistics block ends in a line of #.
	testpmd_say "show port stats all" '^  ##*$'
	TP_TAP_RX_PKTS=$(tap_stat rx_packets)
	TP_TAP_RX_BYTES=$(tap_stat rx_bytes)
	TP_TAP_TX_PKTS=$(tap_stat tx_packets)
	TP_TAP_TX_BYTES=$(tap_stat tx_bytes)
	TP_TAP_TX_DROPPED=$(tap_stat tx_dropped)
	echo "quit" >&7
	exec 7>&-
	wait $tp
	rc=$?
	rm -f "$fifo"
	testpmd_parse "$TP_LOG"
	return $rc
}

tx_body() {
	echo "start" >&7
	sleep "$TP_SECONDS"
}

testpmd_tx() { # in_order mrg size seconds
	TP_SECONDS=$4
	testpmd_run txonly tx_body "$1" "$2" "$3"
}

# pktgen: COUNT frames of SIZE bytes into the tap, addressed to testpmd.
pktgen_send() { # count size
	pg=/proc/net/pktgen
	[ -d $pg ] || modprobe pktgen || return 1
	echo "rem_device_all" > $pg/kpktgend_0
	echo "add_device $TP_TAP" > $pg/kpktgend_0
	{
		echo "count $1"
		echo "pkt_size $2"
		echo "clone_skb 0"
		echo "delay 0"
		echo "dst_mac $TP_MAC"
		echo "dst 10.0.0.2"
	} | while read -r l; do echo "$l" > $pg/$TP_TAP; done
	echo start > $pg/pgctrl
	TP_PKTGEN_SENT=$(sed -n 's/.*pkts-sofar: *\([0-9]*\).*/\1/p' $pg/$TP_TAP)
	TP_PKTGEN_USEC=$(sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' $pg/$TP_TAP)
	echo "rem_device_all" > $pg/kpktgend_0
}

rx_body() {
	echo "start" >&7
	sleep 1
	pktgen_send "$TP_COUNT" "$TP_SIZE"
	sleep 2
}

testpmd_rx() { # in_order mrg size count
	TP_COUNT=$4
	TP_SIZE=$3
	testpmd_run rxonly rx_body "$1" "$2" "$3"
}
