#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu-root.sh SUITE ROOT - a Debian 13 root at ROOT for the qemu suite:
# QEMU from SUITE (trixie: 10.0, trixie-backports: 11.x) and the tools the
# Linux 7.x guest runs from it (the suite exports ROOT to that guest as
# its root filesystem).  Inside the test VM, QEMU runs chrooted in ROOT
# with the VM's /dev.  Nothing of trixie touches the host: debootstrap
# and apt write into ROOT only.  Cached: ROOT/.complete-qemu names the
# suite and QEMU version once set up; a second run only prints the version.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-dist.sh"
. "$here/lib-root.sh"
suite=$1
root=$(mkdir -p "$2" && cd "$2" && pwd)
die() { echo "qemu-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
# "<suite> <version>": a root is QEMU of one suite.
if [ -f "$root/.complete-qemu" ]; then
	set -- $(cat "$root/.complete-qemu")
	[ "$1" = "$suite" ] || die "$root holds QEMU $2 of $1, not of $suite"
	echo "$2"
	exit 0
fi
if [ -z "${QEMU_ROOT_NS:-}" ]; then
	exec env QEMU_ROOT_NS=1 unshare -m --propagation private "$0" "$@"
fi

# What the guest runs: fio (verified block I/O), ethtool (offloads),
# python3 (the byte-exact stream checker), e2fsprogs, ping.
tools="kmod,iproute2,procps,iputils-ping,ethtool,fio,python3,e2fsprogs"
root_debootstrap trixie "$root" "$tools" trixie-backports || exit 1
root_prepare "$root"
echo "  ROOT    qemu-system-x86 from $suite"
inroot "$root" apt-get update -qq || die "apt-get update in $root failed"
# No recommends: no GUI, no firmware beyond SeaBIOS (the guest boots with
# -kernel; the NICs carry no option ROM).
inroot "$root" apt-get install -y -qq --no-install-recommends -t "$suite" \
	qemu-system-x86 > "$root.apt.log" 2>&1 ||
	die "installing qemu-system-x86 from $suite failed: see $root.apt.log"
inroot "$root" apt-get clean
v=$(inroot "$root" qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
[ -n "$v" ] || die "qemu-system-x86_64 does not run in $root"
echo "$suite $v" > "$root/.complete-qemu"
echo "$v"
