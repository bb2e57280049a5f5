#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the Debian 6.12 kernel version this project builds against, as
# "<package version> <kernel ABI name>", e.g.
#   6.12.117-1~deb12u1 6.12.117+deb12-amd64
#
# Source, headers and image must share one version, or MODVERSIONS and the
# patch series disagree.  LINUX_PKG_VERSION pins one; otherwise an installed
# linux-source-6.12 wins (so a machine keeps building what it has), then
# apt's candidate.
set -eu

ver=${LINUX_PKG_VERSION:-}
if [ -z "$ver" ]; then
	ver=$(dpkg-query -W -f='${Status} ${Version}\n' linux-source-6.12 2>/dev/null |
	      awk '$3 == "installed" { print $4 }')
fi
if [ -z "$ver" ]; then
	ver=$(apt-cache policy linux-source-6.12 2>/dev/null |
	      awk '/Candidate:/ { print $2 }')
fi
case "$ver" in
""|"(none)")
	echo "kver.sh: no linux-source-6.12 known to apt; run 'apt-get update' or set LINUX_PKG_VERSION" >&2
	exit 1 ;;
esac

# 6.12.117-1~deb12u1 -> 6.12.117+deb12-amd64
upstream=${ver%%-*}
suffix=$(echo "$ver" | sed -n 's/.*~\(deb[0-9]*\)u[0-9]*$/\1/p')
echo "$ver $upstream+${suffix:-deb12}-amd64"
