#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KMODS OUT - a busybox initramfs at OUT that mounts the root
# its VMM exports as 9p tag "hostroot" (read-only, under a tmpfs overlay),
# mounts tag "results" at /vmresults and runs /vmresults/guest.sh there.
# KMODS is the kernel's module tree: the 9p and overlay modules it holds
# go in (a kernel with them built in needs none).  Used for the 6.12 test
# VM (vm.sh, host root) and for the Linux 7.x guest of the qemu suite
# (qemu-suite.sh, the trixie root), so both boot the same way.
set -euo pipefail

kmods=$1
out=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,lib,ro,rw,newroot}
cp /bin/busybox "$stage/bin/busybox"
if [ -d "$kmods/kernel/fs/9p" ]; then
	for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
		f=$(ls "$kmods/kernel/$m".ko* 2>/dev/null | head -1 || true)
		[ -n "$f" ] || { echo "initramfs: $kmods/kernel/$m.ko* missing" >&2; exit 2; }
		b=$(basename "$f")
		case $f in
		*.xz) xz -dc "$f" > "$stage/lib/${b%.xz}" ;;
		*.zst) zstd -qdc "$f" > "$stage/lib/${b%.zst}" ;;
		*) cp "$f" "$stage/lib/$b" ;;
		esac
	done
fi
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in netfs 9pnet 9pnet_virtio 9p overlay; do
	[ ! -f /lib/$m.ko ] || insmod /lib/$m.ko || exit 1
done
opts=trans=virtio,version=9p2000.L,cache=loose,msize=512000
mount -t 9p -o $opts,ro hostroot /ro || { echo "vm: no host root"; poweroff -f; }
mount -t tmpfs -o size=1G tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work /newroot
mkdir -p /newroot/vmresults
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /newroot/vmresults
umount /proc /sys /dev
exec switch_root /newroot /bin/sh /vmresults/guest.sh
INIT
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
