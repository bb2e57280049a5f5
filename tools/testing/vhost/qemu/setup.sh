#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu/setup.sh RESULTS - on the host, before the qemu suite's VM boots:
# the trixie root with QEMU (scripts/qemu-root.sh), the Linux 7.x guest
# kernel (scripts/guest-kernel.sh) and its initramfs, all cached in the
# build directory; RESULTS/qemu.env tells qemu/suite.sh where they are.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../.." && pwd)
build=${BUILD:-$top/build}
res=$1

root=$build/roots/qemu-10
"$top/scripts/qemu-root.sh" trixie "$root" > /dev/null
kdir=$("$top/scripts/guest-kernel.sh")
kdir=$(cd "$kdir" && pwd)
initrd=$kdir/initramfs.cpio.gz
if [ ! -f "$initrd" ] || [ "$here/../initramfs.sh" -nt "$initrd" ]; then
	"$here/../initramfs.sh" "$kdir/lib/modules/$(cat "$kdir/kernelrelease")" "$initrd"
fi
printf 'QEMU_ROOT=%s\nGUEST_KDIR=%s\n' "$root" "$kdir" > "$res/qemu.env"
