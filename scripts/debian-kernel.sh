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
rm -rf "$out"
mkdir -p "$out/debs"
for p in $pkgs; do
	# shellcheck disable=SC2086
	(cd "$out/debs" && apt-get $opts -o APT::Sandbox::User=root download -q "$p=$ver" >&2) ||
		{ echo "debian-kernel: cannot download $p=$ver" >&2; exit 1; }
done
for d in "$out"/debs/*.deb; do
	dpkg-deb -x "$d" "$out"
done
rm -rf "$out/debs"
# Releases since trixie ship /usr/lib/modules only; depmod -b looks in lib/.
[ -e "$out/lib" ] || ln -s usr/lib "$out/lib"

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
