#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the Linux 7.x guest's side of one qemu-suite case, run from
# /vmresults (the case's directory in the test VM) after initramfs.sh's
# switch_root into the trixie root.  case.env says what to run:
#   STREAMS MIB   byte-exact TCP streams each way (streams.py), with ping
#   FIO_DEPTHS    verified random writes and reads per SCSI LUN at each depth
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
if [ -n "${STREAMS:-}" ]; then
	ping -q -c 20 -i 0.2 10.0.2.1 > ping.out 2>&1 &
	pid=$!
	python3 streams.py run 10.0.2.1 5999 "$STREAMS" "$MIB" > streams.out 2>&1 ||
		fail "streams: $(tr '\n' ' ' < streams.out)"
	wait $pid || fail "ping: $(tail -2 ping.out | tr '\n' ' ')"
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
