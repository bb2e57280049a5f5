#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-root.sh DIST ROOT - a build root of another Debian release at ROOT
# (debootstrap, minbase), with that release's compiler and its
# linux-source-6.12 and linux-headers-<abi> of one version (kver.sh DIST),
# so `make DIST=...` builds modules as that release's DKMS would.  Nothing
# of DIST touches the host: packages go into ROOT only.
#
# Cached: debootstrap runs once; a new kernel version is installed into
# the existing root.  ROOT/.complete-<version> marks a finished setup.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-dist.sh"
. "$here/lib-root.sh"
dist=$1
root=$2
set -- $("$here/kver.sh" "$dist")
ver=$1
abi=$2
root=$(mkdir -p "$root" && cd "$root" && pwd)
tools="build-essential,bc,bison,flex,libelf-dev,libssl-dev,xz-utils,kmod,rsync,pahole,patch,ca-certificates"

die() { echo "build-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
# In a mount namespace of its own: what it mounts (debootstrap's proc, sys,
# dev; our proc) goes away with it, however it ends, so nothing can be
# deleted through a mount a killed run left.
if [ -z "${BUILD_ROOT_NS:-}" ]; then
	exec env BUILD_ROOT_NS=1 unshare -m --propagation private "$0" "$dist" "$root"
fi

root_debootstrap "$dist" "$root" "$tools" || exit 1
root_prepare "$root"
echo "  ROOT    $dist: linux-source-6.12 and linux-headers-$abi $ver"
inroot "$root" apt-get update -qq || die "apt-get update in $root failed"
# The headers depend on an image: it lands in ROOT, where nothing boots it.
inroot "$root" apt-get install -y -qq --no-install-recommends \
	"linux-source-6.12=$ver" "linux-headers-$abi=$ver" > "$root.apt.log" 2>&1 ||
	die "installing the $dist kernel packages failed: see $root.apt.log"
inroot "$root" apt-get clean
[ -f "$root/usr/src/linux-source-6.12.tar.xz" ] || die "no linux-source-6.12 tarball in $root"
[ -f "$root/usr/src/linux-headers-$abi/Makefile" ] || die "no headers for $abi in $root"
rm -f "$root"/.complete-*
: > "$root/.complete-$ver"
echo "  ROOT    $dist ready: $(inroot "$root" gcc --version | head -1)"
