#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host-sim.sh DIST [SUITES] - the project on a host of release DIST, as a
# new user has it: a clone of this repository's HEAD in a throwaway
# overlay of DIST's build root (scripts/build-root.sh), where nothing of
# ours is installed yet, then `make deps && make && make vmtest` run
# natively there (default suites: test net).  For a Debian 13 host from
# a Debian 12 machine; never part of make test.  In a private mount
# namespace: nothing it mounts reaches the host.
set -euo pipefail
if [ -z "${HOST_SIM_NS:-}" ]; then
	exec env HOST_SIM_NS=1 unshare -m --propagation private "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
dist=$1
suites=${2:-test net}
build=${BUILD:-$top/build}
root=$build/roots/$dist
ov=$build/host-sim/$dist
die() { echo "host-sim: $*" >&2; exit 1; }
ls "$root"/.complete-* > /dev/null 2>&1 || die "no $dist build root: run 'make root DIST=$dist'"
! findmnt -rn -o TARGET | grep -qF "$ov/" || die "something is mounted under $ov"

rm -rf "$ov"
mkdir -p "$ov/upper" "$ov/work" "$ov/mnt"
m=$ov/mnt
mount -t overlay overlay -o "lowerdir=$root,upperdir=$ov/upper,workdir=$ov/work" "$m"
mount -t proc proc "$m/proc"
mount -t sysfs sysfs "$m/sys"
mount --bind /dev "$m/dev"
mount --bind /dev/pts "$m/dev/pts"
. "$top/scripts/lib-root.sh"
root_no_services "$m"
git clone -q "$top" "$m/src"
echo "  HOSTSIM $dist: make deps && make && make vmtest SUITES=\"$suites\" in $m/src"
chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
	sh -c "apt-get install -y -qq --no-install-recommends git > /dev/null &&
	       git config --global --add safe.directory /src && cd /src &&
	       make deps && make && make vmtest SUITES='$suites'"
echo "host-sim: passed on a $dist host"
