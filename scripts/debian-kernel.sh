#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-kernel.sh DIST - Debian's 6.12 kernel of DIST for the VM suites,
# downloaded and unpacked into the build directory, never installed: the
# host's /boot, /lib/modules and package database stay as they are.
# Prints the directory, $BUILD/kernels/<DIST>-<version>:
#
#   vmlinuz, kernelrelease    the image of linux-image-<abi>-unsigned
#   lib/modules/<abi>/        its modules, with depmod's indexes
#   usr/src/linux-headers-<abi>/
#                             for the host's own release only: the headers
#                             (and linux-kbuild) to build modules against,
#                             relocated to this directory (KDIR)
#
# Cached by version: a second call only prints the directory.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-dist.sh"
dist=$1
set -- $("$here/kver.sh" "$dist")
ver=$1
abi=$2
out=${BUILD:-$here/../build}/kernels/$dist-$ver
[ -f "$out/.complete" ] && { echo "$out"; exit 0; }

opts=
[ "$dist" = "$(host_dist)" ] || opts=$("$here/dist-apt.sh" "$dist")
pkgs="linux-image-$abi-unsigned"
if [ "$dist" = "$(host_dist)" ]; then
	pkgs="$pkgs linux-headers-$abi linux-headers-${abi%-amd64}-common
	      linux-kbuild-${abi%-amd64}"
fi

echo "  KERNEL  $dist $ver ($abi): download, unpack" >&2
# shellcheck disable=SC2046 # one word per package
dist_unpack "$out" "$opts" $(for p in $pkgs; do echo "$p=$ver"; done) ||
	{ echo "debian-kernel: cannot fetch the $abi $ver packages" >&2; exit 1; }

# Relocate the headers: their Makefile and build link name /usr/src.
if [ -d "$out/usr/src/linux-headers-$abi" ]; then
	sed -i "s|^include /usr/src/|include $out/usr/src/|" "$out/usr/src/linux-headers-$abi/Makefile"
	ln -sfn "$out/usr/src/linux-headers-$abi" "$out/lib/modules/$abi/build"
	ln -sfn "$out/usr/src/linux-headers-${abi%-amd64}-common" "$out/lib/modules/$abi/source"
fi
cp "$out/boot/vmlinuz-$abi" "$out/vmlinuz"
echo "$abi" > "$out/kernelrelease"
depmod -b "$out" "$abi"
touch "$out/.complete"
echo "$out"
