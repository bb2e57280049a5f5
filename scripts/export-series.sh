#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# export-series.sh GITDIR
#
# Maintainer helper: the series is developed as commits in a git tree of
# drivers/vhost (GITDIR, base commit tagged "base"); this writes them to
# patches/ in git format-patch form and regenerates patches/series.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rm -f "$top"/patches/*.patch
git -C "$1" format-patch -q --no-signature --zero-commit -N \
	-o "$top/patches" base..HEAD
{
	echo "# vhost in-order series: quilt format, -p1 against a Debian 6.12 tree"
	(cd "$top/patches" && ls ./*.patch | sed 's|^\./||')
} > "$top/patches/series"
cat "$top/patches/series"
