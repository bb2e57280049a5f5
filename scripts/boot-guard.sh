#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# boot-guard.sh save|verify FILE - what the host boots must not change
# because somebody ran our setup or tests: /boot's files (name, size,
# mtime), the kernels' module trees in /lib/modules, the kernel hooks in
# /etc/kernel, and the kernel image and header packages dpkg has
# installed.  `save` records the state unless FILE exists (the Makefile
# saves before the very first `make deps`, else when make test starts);
# `verify` fails if it changed since.
set -eu
state() {
	find /boot /etc/kernel -printf '%p %s %T@ %l\n' 2>/dev/null | sort
	find /lib/modules -maxdepth 2 -printf '%p %l\n' 2>/dev/null | sort
	dpkg-query -W -f='${Package} ${Version} ${Status}\n' 'linux-image*' 'linux-headers*' 2>/dev/null |
		grep ' installed$' || true
}
case $1 in
save)
	[ -f "$2" ] && exit 0
	mkdir -p "$(dirname "$2")"
	state > "$2" ;;
verify)
	[ -f "$2" ] || { echo "boot-guard: no saved state $2" >&2; exit 1; }
	if state | diff -u "$2" - > "$2.diff"; then
		echo "boot-guard: PASS /boot and installed kernels unchanged since $(date -r "$2" -u '+%Y-%m-%d %H:%M UTC')"
	else
		echo "boot-guard: FAIL what the host boots changed:" >&2
		cat "$2.diff" >&2
		exit 1
	fi ;;
*)
	echo "usage: boot-guard.sh save|verify FILE" >&2
	exit 2 ;;
esac
