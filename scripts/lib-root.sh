# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Roots of other Debian releases under the build directory (debootstrap):
# sourced by build-root.sh, qemu-root.sh and the package tests.  Callers
# run in a mount namespace of their own, so their mounts go with them.

# Packages may not start services in ROOT.
root_no_services() {
	printf '#!/bin/sh\nexit 101\n' > "$1/usr/sbin/policy-rc.d"
	chmod +x "$1/usr/sbin/policy-rc.d"
}

# A minbase root of release DIST at ROOT with the packages INCLUDE (comma
# separated), its sources.list from dist_sources SOURCES (default DIST),
# once: ROOT/.debootstrapped marks it done.  Log: ROOT.debootstrap.log.
root_debootstrap() { # DIST ROOT INCLUDE [SOURCES]
	[ ! -f "$2/.debootstrapped" ] || return 0
	echo "  ROOT    $1 at $2 (debootstrap from $(dist_mirror))"
	if findmnt -rn -o TARGET | grep -qF "$2/"; then
		echo "root: something is mounted under $2: umount it first" >&2
		return 1
	fi
	rm -rf "$2"
	mkdir -p "$2"
	debootstrap --variant=minbase --include="$3" "$1" "$2" "$(dist_mirror)" \
		> "$2.debootstrap.log" 2>&1 ||
		{ echo "root: debootstrap $1 failed: see $2.debootstrap.log" >&2; return 1; }
	dist_sources "${4:-$1}" > "$2/etc/apt/sources.list"
	: > "$2/.debootstrapped"
}

# apt and dpkg scripts want /proc: read-only, so nothing in ROOT may change
# the host kernel's settings; and no service may start.
root_prepare() {
	mount -t proc -o ro proc "$1/proc"
	root_no_services "$1"
}

# Run a command in ROOT with a clean environment.
inroot() { # ROOT CMD...
	_r=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive INITRD=No chroot "$_r" "$@"
}
