#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# assemble.sh TREE [KSRC]
#
# Lay out a 6.12 kernel tree at TREE: upstream's files from KSRC (a tree) or
# from Debian's /usr/src/linux-source-6.12.tar.xz, our patches/series applied
# on top, our own files copied in.  Re-running is cheap: the source is
# extracted once, and every file the series ever touched is restored from a
# pristine copy before the series is applied again, so edits to a patch take
# effect without a fresh extraction.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
ksrc=${2:-}
tarball=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}

die() { echo "assemble: $*" >&2; exit 1; }

if [ -n "$ksrc" ]; then
	[ -f "$ksrc/drivers/vhost/vhost.c" ] || die "KSRC=$ksrc is not a kernel tree"
	origin=$(cd "$ksrc" && pwd)
else
	[ -f "$tarball" ] || die "$tarball missing: run 'make deps'"
	origin="$tarball $(stat -c %Y "$tarball")"
fi

# 1. Upstream source, once per origin.
if [ ! -f "$tree/.assembled-from" ] || [ "$(cat "$tree/.assembled-from")" != "$origin" ]; then
	echo "  ASSEMBLE $tree (from ${ksrc:-$tarball})"
	rm -rf "$tree"
	mkdir -p "$tree"
	if [ -n "$ksrc" ]; then
		rsync -a --exclude=.git "$ksrc/" "$tree/"
	else
		tar -xJf "$tarball" -C "$tree" --strip-components=1
	fi
	echo "$origin" > "$tree/.assembled-from"
fi
[ "$(sed -n 's/^VERSION = //p' "$tree/Makefile").$(sed -n 's/^PATCHLEVEL = //p' "$tree/Makefile")" = 6.12 ] ||
	die "$tree is not a 6.12 tree"

# Our files: drivers/, include/ and tools/ mirror the kernel layout; the
# top-level Kconfig holds our config symbols.  rsync leaves unchanged files
# alone so kbuild only rebuilds what was edited.
for d in drivers include tools Documentation; do
	[ -d "$top/$d" ] && rsync -a --checksum "$top/$d/" "$tree/$d/"
done
rsync -a --checksum "$top/Kconfig" "$tree/drivers/vhost/in_order.kconfig"

# The series is re-applied only when it changed.
stamp=$(cat "$top"/patches/series "$top"/patches/*.patch \
	"$top"/patches/backports/series "$top"/patches/backports/*.patch | sha1sum | cut -d' ' -f1)
[ "$(cat "$tree/.series-applied" 2>/dev/null)" = "$stamp" ] && exit 0
rm -f "$tree/.series-applied"

# 2. Put back every file an earlier run of the series changed.
pristine=$tree/.pristine
mkdir -p "$pristine"
( cd "$pristine" && find . -type f ) | while read -r f; do
	case "$f" in
	*.absent) rm -f "$tree/${f%.absent}" ;;
	*) cp -p "$pristine/$f" "$tree/$f" ;;
	esac
done

# Files a patch changes.
patched_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}

apply() { # patch file
	patched_files "$1" | while read -r f; do
		[ -e "$pristine/$f" ] || [ -e "$pristine/$f.absent" ] && continue
		mkdir -p "$(dirname "$pristine/$f")"
		if [ -e "$tree/$f" ]; then
			cp -p "$tree/$f" "$pristine/$f"
		else
			: > "$pristine/$f.absent"
		fi
	done
	patch -s -p1 -N -r - --no-backup-if-mismatch -d "$tree" < "$1" ||
		die "${1#"$top"/} does not apply to $tree"
}

# 3. Backports the tree lacks, then the series, in order.
grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/backports/series" |
while IFS='	' read -r p marker; do
	bp=$top/patches/backports/$p
	if patch -s -p1 -N -f --dry-run -d "$tree" < "$bp" > /dev/null 2>&1; then
		apply "$bp"
		echo "  BACKPORT $p"
	elif patched_files "$bp" | (cd "$tree" && xargs grep -qF -- "$marker"); then
		:	# already in the tree, in upstream's wording
	else
		die "backports/$p neither applies nor is in $tree already"
	fi
done
grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/series" | while read -r p _; do
	apply "$top/patches/$p"
done
echo "$stamp" > "$tree/.series-applied"
echo "  PATCHED $tree ($(grep -vc '^[[:space:]]*\(#\|$\)' "$top/patches/series") patches)"
