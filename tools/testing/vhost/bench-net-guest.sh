#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-net-guest.sh rate|count REPS SECONDS COUNT - inside the VM (from
# bench.sh):
# vhost-net driven by DPDK testpmd (virtio-user asking for in_order=1,
# mrg_rxbuf=0, 64-byte frames, ring 256) under three module sets:
#   stock  Debian's own vhost modules
#   ours0  ours, vhost_net in_order=0 (the bit not offered)
#   ours1  ours, vhost_net in_order=1 (negotiated)
# TX: txonly for SECONDS, frames counted at the tap.  RX: pktgen sends
# COUNT frames into the tap as fast as it can, testpmd counts what arrives.
# rate: REPS interleaved repetitions, each running every variant in both
#   directions, the variant order rotating; no instrumentation.  Writes
#   /vmresults/rate-net.csv: variant,dir,mpps,buffers,rep
# count: each case once, counting what the device did with kprobes (in a
#   VM of its own: single-threaded TCG, for safe text patching).  Writes
#   /vmresults/count-net.csv:
#   variant,dir,buffers,used_entries,idx_stores,avail_reads,signals
mode=$1
reps=$2
seconds=$3
count=$4
. "$(dirname "$0")/testpmd.sh"
tr=/sys/kernel/tracing
vhost_mods="vhost_net vhost_scsi vhost_vsock vhost_vdpa vhost_test vhost vhost_iotlb"

# One variant's vhost modules; every user of vhost.ko goes (MODVERSIONS).
load_variant() {
	for m in $vhost_mods; do
		[ ! -d /sys/module/$m ] || rmmod $m || return 1
	done
	case $1 in
	stock) modprobe vhost_net ;;
	ours*) insmod "$moddir/vhost_iotlb.ko" && insmod "$moddir/vhost.ko" &&
	       insmod "$moddir/vhost_net.ko" in_order="${1#ours}" ;;
	esac
}

# kprobes with hist triggers (counting in the kernel, no trace buffer):
#   vhost_add_used_n      the stock path: one used->idx store per call,
#                         count used entries
#   vhost_in_order_publish  ours, in order: one used->idx store per call
#                         that published something (ret buffers)
#   eventfd_signal_mask   from a vhost worker: a guest notification (a
#                         polling driver like testpmd asks for none)
#   vhost_get_vq_desc     returning a head: one avail->ring[] read,
#                         unless the head was derived (ours, in order)
#   vhost_in_order_read_head  ours, in order: the avail->ring[] reads left
# (vhost_signal itself cannot be counted: vhost.c inlines it into its
# callers.)
probes_on() {
	mountpoint -q $tr || mount -t tracefs nodev $tr || return 1
	echo > $tr/kprobe_events
	{
		echo 'p:vh/add_used_n vhost_add_used_n count=%dx:u32'
		echo 'p:vh/notify eventfd_signal_mask'
		echo 'r:vh/desc vhost_get_vq_desc ret=$retval:s32'
		if grep -q ' vhost_in_order_publish' /proc/kallsyms; then
			echo 'r:vh/publish vhost_in_order_publish ret=$retval:s32'
			echo 'p:vh/read_head vhost_in_order_read_head'
		fi
	} >> $tr/kprobe_events || return 1
	echo 'comm ~ "vhost-*"' > $tr/events/vh/notify/filter
	echo 'ret >= 0 && ret < 256' > $tr/events/vh/desc/filter
	for e in notify desc read_head; do
		[ -d $tr/events/vh/$e ] || continue
		echo 'hist:keys=common_type:vals=hitcount' > $tr/events/vh/$e/trigger
	done
	echo 'hist:keys=common_type:vals=hitcount,count' > $tr/events/vh/add_used_n/trigger
	if [ -d $tr/events/vh/publish ]; then
		echo 'ret > 0' > $tr/events/vh/publish/filter
		echo 'hist:keys=common_type:vals=hitcount,ret' > $tr/events/vh/publish/trigger
	fi
	echo 1 > $tr/events/vh/enable
}

probes_off() {
	echo 0 > $tr/events/vh/enable
	for e in $tr/events/vh/*/; do
		t=$(sed -n 's/^\(hist:[^ ]*\).*/\1/p' "$e/trigger" | head -1)
		[ -z "$t" ] || echo "!$t" >> "$e/trigger"
	done
	echo > $tr/kprobe_events
}

# Every counter the hists hold now, in one line.
snapshot() {
	echo "$(hist_val add_used_n count) $(hist_val add_used_n hitcount)" \
	     "$(hist_val publish hitcount) $(hist_val publish ret)" \
	     "$(hist_val desc hitcount) $(hist_val read_head hitcount)" \
	     "$(hist_val notify hitcount)"
}

# A total from an event's hist (hitcount, count or ret); 0 if none.
hist_val() { # event field
	v=
	[ -f $tr/events/vh/$1/hist ] &&
		v=$(sed -n "s/.* $2: *\([0-9]*\).*/\1/p" $tr/events/vh/$1/hist | head -1)
	echo "${v:-0}"
}

# One case; sets MPPS and BUFFERS.
run_case() { # dir
	if [ "$1" = tx ]; then
		testpmd_tx 1 0 64 "$seconds" || return 1
		BUFFERS=$TP_TAP_RX_PKTS
		MPPS=$(echo "$BUFFERS $seconds" | awk '{ printf "%.4f", $1 / $2 / 1e6 }')
	else
		testpmd_rx 1 0 64 "$count" || return 1
		BUFFERS=$TP_RX_PKTS
		MPPS=$(echo "$BUFFERS ${TP_PKTGEN_USEC:-0}" |
		       awk '{ printf "%.4f", $2 ? $1 / $2 : 0 }')
	fi
	[ "${BUFFERS:-0}" -gt 0 ]
}

# What the device did between two snapshots, for a run in direction $1.
counters() { # dir before after
	set -- "$1" $2 $3
	dir=$1
	shift
	# $1..$7 before, $8..$14 after
	used_n=$((${8} - $1)) used_calls=$((${9} - $2))
	pub_calls=$((${10} - $3)) pub_bufs=$((${11} - $4))
	heads=$((${12} - $5)) reads=$((${13} - $6)) notify=$((${14} - $7))
	# TX: one entry per batch, naming its last buffer; RX: every buffer.
	if [ "$dir" = tx ]; then
		entries=$((used_n + pub_calls))
	else
		entries=$((used_n + pub_bufs))
	fi
	# In order the window derives heads; otherwise each one is read.
	[ "$TP_INORDER" = yes ] || reads=$heads
	echo "$entries,$((used_calls + pub_calls)),$reads,$notify"
}

variants="stock ours0 ours1"
if [ "$mode" = count ]; then
	: > /vmresults/count-net.csv
	for v in $variants; do
		load_variant $v || { echo "bench: cannot load $v modules"; exit 1; }
		probes_on || { echo "bench: kprobes unavailable"; exit 1; }
		for dir in tx rx; do
			before=$(snapshot)
			run_case $dir || { echo "bench: $v $dir run failed"; cat "$TP_LOG"; exit 1; }
			line="$v,$dir,$BUFFERS,$(counters $dir "$before" "$(snapshot)")"
			echo "$line" >> /vmresults/count-net.csv
			echo "bench: count $line (in-order $TP_INORDER)"
		done
		probes_off
	done
	exit 0
fi

: > /vmresults/rate-net.csv
rep=1
while [ $rep -le "$reps" ]; do
	for v in $variants; do
		load_variant $v || { echo "bench: cannot load $v modules"; exit 1; }
		for dir in tx rx; do
			run_case $dir || { echo "bench: $v $dir run failed"; cat "$TP_LOG"; exit 1; }
			line="$v,$dir,$MPPS,$BUFFERS,$rep"
			echo "$line" >> /vmresults/rate-net.csv
			echo "bench: rate $line (in-order $TP_INORDER)"
		done
	done
	# Rotate: stock ours0 ours1, then ours0 ours1 stock, ...
	variants="${variants#* } ${variants%% *}"
	rep=$((rep + 1))
done
