#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-kernel.sh - the Linux 7.x kernel the qemu suite boots as its guest
# (an in-order virtio driver: virtio_ring has it since 7.0), from
# trixie-backports, downloaded and unpacked into the build directory,
# never installed.  Prints the directory, $BUILD/kernels/guest-<abi>:
#
#   vmlinuz, kernelrelease    linux-binary-<abi> (7.x has no -unsigned
#                             image package; the image is in .../vmlinuz)
#   lib/modules/<abi>/        linux-modules-<abi> (and modules.builtin of
#                             linux-base-<abi>), with depmod's indexes
#
# The newest 7.x ABI apt offers, or GUEST_KERNEL_ABI (e.g.
# 7.3.4+deb13-amd64).  Cached by ABI.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-dist.sh"
dist=${GUEST_KERNEL_DIST:-trixie-backports}
opts=$("$here/dist-apt.sh" "$dist")
# shellcheck disable=SC2086
abi=${GUEST_KERNEL_ABI:-$(apt-cache $opts pkgnames linux-binary-7. |
	grep -E '^linux-binary-7\.[0-9.]+\+deb[0-9]+-amd64$' |
	sed 's/^linux-binary-//' | sort -V | tail -1)}
[ -n "$abi" ] || { echo "guest-kernel: no linux-binary-7.*-amd64 in $dist" >&2; exit 1; }
out=${BUILD:-$here/../build}/kernels/guest-$abi
[ -f "$out/.complete" ] && { echo "$out"; exit 0; }

echo "  KERNEL  guest $abi from $dist: download, unpack" >&2
dist_unpack "$out" "$opts" "linux-binary-$abi" "linux-modules-$abi" "linux-base-$abi" ||
	{ echo "guest-kernel: cannot fetch the $abi packages" >&2; exit 1; }
[ -f "$out/lib/modules/$abi/vmlinuz" ] ||
	{ echo "guest-kernel: no vmlinuz in linux-binary-$abi" >&2; exit 1; }
cp "$out/lib/modules/$abi/vmlinuz" "$out/vmlinuz"
echo "$abi" > "$out/kernelrelease"
depmod -b "$out" "$abi"
touch "$out/.complete"
echo "$out"
