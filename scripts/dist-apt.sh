#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dist-apt.sh DIST - print the apt options that look at DIST's archive
# (bookworm, trixie, ...) through an apt configuration of our own under
# $BUILD/apt/DIST, never the host's: lists and downloads stay in the build
# directory, the host's sources and state are not touched.  The lists are
# fetched when missing or older than a week.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib-dist.sh"
dist=$1
dir=${BUILD:-$top/build}/apt/$dist
mirror=$(dist_mirror)

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
cat > "$dir/sources.list.new" <<SRC
deb $mirror $dist main
deb $mirror $dist-updates main
deb ${mirror%/debian}/debian-security $dist-security main
SRC
if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null; then
	mv "$dir/sources.list.new" "$dir/sources.list"
	rm -f "$dir/lists/"*_Packages*
else
	rm -f "$dir/sources.list.new"
fi
opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache
      -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -7 2>/dev/null | head -1)" ]; then
	echo "  APT     $dist lists from $mirror" >&2
	apt-get $opts update -qq >&2 || { echo "dist-apt: apt-get update for $dist failed" >&2; exit 1; }
fi
echo $opts
