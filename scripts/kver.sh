#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kver.sh [DIST] - the Debian 6.12 kernel this project builds against for
# DIST (default: the host's release), as "<package version> <kernel ABI>":
#   bookworm: 6.12.117-1~deb12u1 6.12.117+deb12-amd64
#   trixie:   6.12.118-1         6.12.118+deb13-amd64
#
# Source, headers and image must share one version, or MODVERSIONS and the
# patch series disagree.  LINUX_PKG_VERSION pins the host's release,
# LINUX_PKG_VERSION_<release> (LINUX_PKG_VERSION_trixie) another one.  For
# the host's own release an installed linux-source-6.12 wins next (so a
# machine keeps building what it has), then apt's candidate; another
# release's candidate comes from our own apt configuration (dist-apt.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-dist.sh"
dist=${1:-$(host_dist)}
num=$(dist_number "$dist")

eval "ver=\${LINUX_PKG_VERSION_$dist:-}"
if [ "$dist" = "$(host_dist)" ]; then
	opts=
	[ -n "$ver" ] || ver=${LINUX_PKG_VERSION:-}
	[ -n "$ver" ] ||
		ver=$(dpkg-query -W -f='${Status} ${Version}\n' linux-source-6.12 2>/dev/null |
		      awk '$3 == "installed" { print $4 }')
else
	opts=$("$here/dist-apt.sh" "$dist")
fi
if [ -z "$ver" ]; then
	# shellcheck disable=SC2086
	ver=$(apt-cache $opts policy linux-source-6.12 2>/dev/null |
	      awk '/Candidate:/ { print $2 }')
fi
case "$ver" in
""|"(none)")
	echo "kver.sh: no linux-source-6.12 known to apt for $dist; run 'apt-get update' or set LINUX_PKG_VERSION" >&2
	exit 1 ;;
esac

# The ABI names the release that built the package: a backport says so
# (~deb12u1, +deb13u1), a release's own upload does not (6.12.118-1).
upstream=${ver%%-*}
suffix=$(echo "$ver" | sed -n 's/.*[~+]\(deb[0-9]*\)u[0-9]*$/\1/p')
echo "$ver $upstream+${suffix:-deb$num}-amd64"
