#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what builds and runs this project's tools on a fresh Debian 12
# (or 13), as root.  No kernel: the VM suites boot Debian's image unpacked
# into the build directory (debian-kernel.sh), and the modules build
# against headers unpacked there too, because linux-headers-<abi> depends
# on an image and installing it would put a kernel into the host's /boot.
# Idempotent: packages already present are left alone, so the README's
# commands may call it every time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# Build tools and kernel build prerequisites (kbuild, KUnit on UML and x86_64),
# checks (sparse; checkpatch needs perl), the TCG VM (qemu, busybox) and quilt
# for anyone working on the series by hand, gnuplot for make bench's chart,
# DPDK's testpmd (in dpdk-dev, not dpdk) for the virtio-user interop suite,
# pahole for the modules' BTF, debootstrap for another release's build root,
# debhelper, dh-dkms and lintian for make deb.
tools="build-essential bc bison flex libelf-dev libssl-dev xz-utils patch
       quilt sparse python3 perl kmod cpio qemu-system-x86 busybox-static
       rsync gnuplot-nox dpdk-dev pahole debootstrap debhelper dh-dkms
       lintian"

missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

need=$(missing $tools)
if [ -n "$need" ] || ! apt-cache policy linux-source-6.12 | grep -q 'Candidate: [0-9]'; then
	$SUDO apt-get update -qq
fi

set -- $("$here/kver.sh")
pkgver=$1
abi=$2
have=$(dpkg-query -W -f='${Status} ${Version}\n' linux-source-6.12 2>/dev/null |
       awk '$3 == "installed" { print $4 }')
[ "$have" = "$pkgver" ] || need="$need linux-source-6.12=$pkgver"

if [ -n "$(echo $need)" ]; then
	echo "deps: installing:" $need
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $need
fi
echo "deps: ok (kernel $abi, package $pkgver)"
