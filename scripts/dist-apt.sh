#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dist-apt.sh DIST - print the apt options that look at DIST's archive
# (bookworm, trixie, ...) through an apt configuration of our own under
# $BUILD/apt/DIST, never the host's: lists and downloads stay in the build
# directory, and neither the host's sources nor its installed packages or
# pins play a part (an empty dpkg status, no preferences).  The lists are
# fetched when missing or older than a week; offline, week-old lists are
# used with a warning.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib-dist.sh"
dist=$1
dir=${BUILD:-$top/build}/apt/$dist

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
dist_sources "$dist" > "$dir/sources.list.new"
if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null; then
	mv "$dir/sources.list.new" "$dir/sources.list"
	rm -f "$dir/lists/"*_Packages*
else
	rm -f "$dir/sources.list.new"
fi
opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache
      -o Dir::State::status=/dev/null -o Dir::Etc::Preferences=/dev/null
      -o Dir::Etc::PreferencesParts=/dev/null -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -7 2>/dev/null | head -1)" ]; then
	echo "  APT     $dist lists from $(dist_mirror)" >&2
	if ! apt-get $opts update -qq >&2; then
		ls "$dir/lists/"*_Packages* > /dev/null 2>&1 ||
			{ echo "dist-apt: apt-get update for $dist failed" >&2; exit 1; }
		echo "dist-apt: apt-get update for $dist failed: using the lists of $(date -r "$dir/lists" -u '+%Y-%m-%d')" >&2
	fi
fi
echo $opts
