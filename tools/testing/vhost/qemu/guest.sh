#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the Linux 7.x guest's side of one qemu-suite case, run from
# /vmresults (the case's directory in the test VM) after initramfs.sh's
# switch_root into the trixie root.  case.env says what to run:
#   STREAMS MIB   byte-exact TCP streams each way (streams.py), with ping;
#                 every echo must come back
#   MTU           eth0's MTU for the streams, and unfragmented pings of
#                 that size (a frame over several mergeable RX buffers)
#   NO_OFFLOADS   then STREAMS streams of NO_OFFLOADS MiB again, with
#                 checksum, TSO, GSO, GRO and scatter-gather off
#   FIO_DEPTHS    verified random writes and reads per SCSI LUN at each depth
#   FS            then per LUN: mkfs, a tree written, sync, caches dropped,
#                 remounted, every file's checksum verified
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

# Every echo of ping's output file $1 answered.
ping_all() {
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1")
	[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$got" ] ||
		fail "$1: ${got:-no} replies to ${sent:-no} echoes"
}

if [ -n "${STREAMS:-}" ]; then
	ping -q -c 20 -i 0.2 10.0.2.1 > ping.out 2>&1 &
	pid=$!
	if [ -n "${MTU:-}" ]; then
		ping -q -c 10 -i 0.4 -M do -s $((MTU - 28)) 10.0.2.1 > ping-mtu.out 2>&1 &
		pid_mtu=$!
	fi
	python3 streams.py run 10.0.2.1 5999 "$STREAMS" "$MIB" > streams.out 2>&1 ||
		fail "streams: $(tr '\n' ' ' < streams.out)"
	wait $pid
	ping_all ping.out
	if [ -n "${MTU:-}" ]; then
		wait $pid_mtu
		ping_all ping-mtu.out
	fi
fi
if [ -n "${NO_OFFLOADS:-}" ]; then
	ethtool -K eth0 rx off tx off sg off tso off gso off gro off > ethtool.out 2>&1 ||
		fail "ethtool: $(tr '\n' ' ' < ethtool.out)"
	ethtool -k eth0 >> ethtool.out 2>&1
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
			--randrepeat=1 --output-format=terse --terse-version=3 > "$out" 2>&1 ||
			fail "fio LUN $lun depth $qd: $(tail -3 "$out" | tr '\n' ' ')"
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
echo $rc > status
sync
# The trixie root has no poweroff (no systemd-sysv): sysrq's.
echo o > /proc/sysrq-trigger
# sysrq powers off asynchronously, and init may not exit before: wait
# in the shell itself, since no program can be started while the root's
# 9p device goes down.
while :; do :; done
