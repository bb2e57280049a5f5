#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the Linux 7.x guest's side of one qemu-suite case, run from
# /vmresults (the case's directory in the test VM) after initramfs.sh's
# switch_root into the trixie root.  case.env says what to run:
#   STREAMS MIB   byte-exact TCP streams each way (streams.py), with ping;
#                 all but 10% of the echoes must come back
#   MTU           eth0's MTU for the streams, and unfragmented pings of
#                 that size (a frame over several mergeable RX buffers)
#   NO_OFFLOADS   then STREAMS streams of NO_OFFLOADS MiB again, with
#                 checksum, TSO, GSO, GRO and scatter-gather off
#   FIO_DEPTHS    verified random writes and reads per SCSI LUN at each depth
#   FS            then per LUN: mkfs, a tree written, sync, caches dropped,
#                 remounted, every file's checksum verified
#   REBIND        last, after the kernel log is saved: virtio_scsi unbound
#                 from its device while fio writes, virtio_net while
#                 streams run, both bound again; then verified fio on
#                 each LUN and verified streams (REBIND MiB) once more
#                 (dmesg-rebind: the log from then on)
#   STOPCONT      the test VM stops and continues this guest from QEMU's
#                 monitor STOPCONT times while the streams run, and again
#                 while the first fio run does (phase-* and disrupted-*
#                 files say when)
# Writes: features (device id and feature bits of every virtio device),
# the workloads' output, dmesg, status (0 only if every workload passed).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /lib/modules
mount -t devpts devpts /dev/pts
ln -sfn "/l2k/lib/modules/$(uname -r)" "/lib/modules/$(uname -r)"
cd /vmresults
. ./case.env
rc=0
fail() { echo "guest: $*" >> result; rc=1; }
modprobe virtio_net && modprobe virtio_scsi && modprobe sd_mod || fail "modprobe failed"
# Both LUNs as block devices (the SCSI scan is asynchronous), and eth0.
for i in $(seq 150); do
	[ -e /sys/class/net/eth0 ] &&
		[ "$(ls -d /sys/class/scsi_disk/*/device/block/* 2>/dev/null | wc -l)" = 2 ] && break
	sleep 0.2
done
for d in /sys/bus/virtio/devices/*; do
	echo "$(cat "$d/device") $(cat "$d/features")"
done > features
# The test VM reads QEMU's view now; wait for it (bounded), so a short
# case cannot power off before QEMU was asked.
: > negotiated
for i in $(seq 300); do
	[ -e queried ] && break
	sleep 0.2
done

ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.2/24 dev eth0 || fail "no eth0"
[ -z "${MTU:-}" ] || ip link set eth0 mtu "$MTU" || fail "eth0: no MTU $MTU"

# The echoes of ping's output file $1 answered, all but at most $2: under
# the streams the tap may drop a reply when its queue is full, which is
# TCP's congestion signal, not a lost buffer.
ping_all() {
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1")
	[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "${got:-0}" -ge $((sent - $2)) ] ||
		fail "$1: ${got:-no} replies to ${sent:-no} echoes"
}

# Phase $1 has started: wait (bounded) for the test VM's stop/cont cycles.
stopcont() {
	[ -n "${STOPCONT:-}" ] || return 0
	: > "phase-$1"
	for i in $(seq 600); do
		[ -e "disrupted-$1" ] && return 0
		sleep 0.2
	done
	fail "no stop/cont from the test VM during $1"
}

if [ -n "${STREAMS:-}" ]; then
	ping -q -c 20 -i 0.2 10.0.2.1 > ping.out 2>&1 &
	pid=$!
	if [ -n "${MTU:-}" ]; then
		ping -q -c 10 -i 0.4 -M do -s $((MTU - 28)) 10.0.2.1 > ping-mtu.out 2>&1 &
		pid_mtu=$!
	fi
	python3 streams.py run 10.0.2.1 5999 "$STREAMS" "$MIB" > streams.out 2>&1 &
	pid_streams=$!
	stopcont streams
	wait $pid_streams || fail "streams: $(tr '\n' ' ' < streams.out)"
	wait $pid
	ping_all ping.out 2
	if [ -n "${MTU:-}" ]; then
		wait $pid_mtu
		ping_all ping-mtu.out 1
	fi
fi
if [ -n "${NO_OFFLOADS:-}" ]; then
	# rx-checksumming is fixed on virtio-net; rx-gro-hw (the device's
	# TSO towards the guest) goes off through the control queue, so the
	# test VM then sends frames of at most the MTU.
	ethtool -K eth0 tx off sg off tso off gso off gro off rx-gro-hw off > ethtool.out 2>&1 ||
		fail "ethtool: $(tr '\n' ' ' < ethtool.out)"
	ethtool -k eth0 > ethtool-k.out 2>&1
	for f in tx-checksumming scatter-gather tcp-segmentation-offload \
		generic-segmentation-offload generic-receive-offload rx-gro-hw; do
		grep -q "^$f: off" ethtool-k.out || fail "ethtool: $(grep "^$f:" ethtool-k.out || echo "no $f")"
	done
	python3 streams.py run 10.0.2.1 5999 "$STREAMS" "$NO_OFFLOADS" > streams-no-offloads.out 2>&1 ||
		fail "streams, offloads off: $(tr '\n' ' ' < streams-no-offloads.out)"
fi
# LUN n of the one target: /sys/class/scsi_disk/H:0:0:n/device/block/sdX.
for disk in /sys/class/scsi_disk/*; do
	[ -n "${FIO_DEPTHS:-}" ] || break
	lun=${disk##*:}
	dev=/dev/$(ls "$disk/device/block" 2>/dev/null)
	[ "$dev" != /dev/ ] || { fail "LUN $lun has no block device"; continue; }
	for qd in $FIO_DEPTHS; do
		out=fio-lun$lun-qd$qd.out
		fio --name=lun$lun --filename="$dev" --direct=1 --ioengine=libaio \
			--iodepth="$qd" --rw=randwrite --bsrange=4k-64k --size=16M \
			--verify=crc32c --verify_backlog=64 --verify_fatal=1 \
			--randrepeat=1 --output-format=terse --terse-version=3 > "$out" 2>&1 &
		pid_fio=$!
		[ -e phase-fio ] || stopcont fio
		wait $pid_fio || fail "fio LUN $lun depth $qd: $(tail -3 "$out" | tr '\n' ' ')"
	done
done
# A file system on LUN $1's disk $2: what was written is read back after a
# remount with the page cache dropped, so it came from the device.
fs_case() {
	mkfs.ext4 -q -F "$2" && mount "$2" /mnt || return 1
	for i in $(seq 64); do
		mkdir -p /mnt/t/d$((i % 8)) &&
			head -c $((i * 4099)) /dev/urandom > /mnt/t/d$((i % 8))/f$i || return 1
	done
	(cd /mnt && find t -type f | sort | xargs sha256sum) > fs-lun$1.sums &&
		kib=$(du -sk /mnt/t | cut -f1) && sync && umount /mnt &&
		echo 3 > /proc/sys/vm/drop_caches && mount "$2" /mnt || return 1
	(cd /mnt && sha256sum -c --quiet) < fs-lun$1.sums || return 1
	umount /mnt || return 1
	echo "fs on LUN $1: $(wc -l < fs-lun$1.sums) files, $kib KiB, verified after a remount"
}
for disk in /sys/class/scsi_disk/*; do
	[ -n "${FS:-}" ] || break
	lun=${disk##*:}
	out=fs-lun$lun.out
	fs_case "$lun" "/dev/$(ls "$disk/device/block" 2>/dev/null)" > "$out" 2>&1 ||
		{ fail "fs on LUN $lun: $(tail -3 "$out" | tr '\n' ' ')"; umount /mnt 2>/dev/null; }
done
dmesg > dmesg
dmesg -l emerg,alert,crit,err > dmesg-err

# The virtio device (virtioN) whose device id is $1.
virtio_dev() {
	for v in /sys/bus/virtio/devices/*; do
		[ "$(cat "$v/device")" = "$1" ] && basename "$v"
	done
}
# LUN $1's block device, waiting up to 30 s for the scan.
lun_dev() {
	for i in $(seq 150); do
		for disk in /sys/class/scsi_disk/*:$1; do
			b=$(ls "$disk/device/block" 2>/dev/null) && [ -n "$b" ] && echo "/dev/$b" && return 0
		done
		sleep 0.2
	done
	return 1
}
# Unbind driver $1 from device $2 (bounded: a hang is the failure), bind it.
rebind() {
	timeout 120 sh -c "echo $2 > /sys/bus/virtio/drivers/$1/unbind" ||
		{ fail "rebind: $1 did not let go of $2 within 120 s"; return 1; }
	echo "$2" > /sys/bus/virtio/drivers/$1/bind || { fail "rebind: $1 did not bind $2"; return 1; }
}
if [ -n "${REBIND:-}" ]; then
	: > rebind.out
	dev=$(lun_dev 0) || fail "rebind: LUN 0 has no block device"
	fio --name=inflight --filename="$dev" --direct=1 --ioengine=libaio --iodepth=32 \
		--rw=randwrite --bs=4k --size=16M --time_based --runtime=60 > fio-unbound.out 2>&1 &
	pid_fio=$!
	sleep 3
	rebind virtio_scsi "$(virtio_dev 0x0008)" && echo "virtio_scsi unbound with fio at depth 32 in flight, bound again" >> rebind.out
	wait $pid_fio
	for lun in 0 1; do
		dev=$(lun_dev $lun) || { fail "rebind: LUN $lun did not come back"; continue; }
		fio --name=lun$lun --filename="$dev" --direct=1 --ioengine=libaio \
			--iodepth=32 --rw=randwrite --bsrange=4k-64k --size=16M \
			--verify=crc32c --verify_backlog=64 --verify_fatal=1 \
			--randrepeat=1 --output-format=terse --terse-version=3 > fio-rebound-lun$lun.out 2>&1 ||
			fail "fio LUN $lun after the rebind: $(tail -3 fio-rebound-lun$lun.out | tr '\n' ' ')"
	done
	python3 streams.py run 10.0.2.1 5999 2 64 > streams-unbound.out 2>&1 &
	pid_streams=$!
	sleep 3
	rebind virtio_net "$(virtio_dev 0x0001)" && echo "virtio_net unbound with 2+2 streams running, bound again" >> rebind.out
	kill $pid_streams 2>/dev/null
	wait $pid_streams
	for i in $(seq 50); do
		[ -e /sys/class/net/eth0 ] && break
		sleep 0.2
	done
	ip link set eth0 ${MTU:+mtu $MTU} up && ip addr add 10.0.2.2/24 dev eth0 ||
		fail "rebind: no eth0 after the rebind"
	python3 streams.py run 10.0.2.1 5999 2 "$REBIND" > streams-rebound.out 2>&1 ||
		fail "streams after the rebind: $(tr '\n' ' ' < streams-rebound.out)"
	dmesg > dmesg-rebind
fi
echo $rc > status
sync
# The trixie root has no poweroff (no systemd-sysv): sysrq's.
echo o > /proc/sysrq-trigger
# sysrq powers off asynchronously, and init may not exit before: wait
# in the shell itself, since no program can be started while the root's
# 9p device goes down.
while :; do :; done
