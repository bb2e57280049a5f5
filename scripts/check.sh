#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh TOP TREE KDIR OUT
#
# The checks every change must pass with zero findings:
#   1. W=1 and sparse (C=2) over every vhost module, built from scratch,
#      and over drivers/vhost with the KUnit suites in the UML tree
#   2. checkpatch.pl --strict on every patch and on our own sources
#   3. scripts/kernel-doc -none -Wall on our own sources
#   4. bisectability: the series applied one patch at a time to a pristine
#      drivers/vhost, the modules built (W=1) after each
set -eu

top=$1
tree=$(cd "$2" && pwd)
kdir=$3
mkdir -p "$4"
out=$(cd "$4" && pwd)
jobs=$(nproc)
config="CONFIG_VHOST=m CONFIG_VHOST_NET=m CONFIG_VHOST_SCSI=m CONFIG_VHOST_VSOCK=m
	CONFIG_VHOST_VDPA=m CONFIG_VHOST_TEST=m CONFIG_VHOST_IOTLB=m"
fail=0

finding() {
	echo "check: $*" >&2
	fail=1
}

# Lines from a build that are neither progress nor make's own chatter.
findings() {
	grep -v -E -e '^  [A-Z0-9]+( \[M\])? +[^ ]' -e '^make(\[[0-9]+\])?: ' \
		-e '^Skipping BTF generation' || true
}

build() { # dir extra-make-args
	# shellcheck disable=SC2086
	make -C "$kdir" M="$1" $config W=1 -j"$jobs" $2 modules 2>&1
}

# Every patch we carry: the series, then the backports.
series_patches() {
	grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/series" | cut -f1
	grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/backports/series" |
		cut -f1 | sed 's|^|backports/|'
}

# Our own sources: what the series does not carry.
ours=$(cd "$top" && git ls-files 'drivers/*.c' 'drivers/*.h' 'include/*.h' 'tools/*.c' 'tools/*.h')

echo "  CHECK   W=1 C=2 (sparse) on all vhost modules"
rm -rf "$out/check/drivers/vhost"
mkdir -p "$out/check/drivers"
rsync -a --exclude=tests/ --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$tree/drivers/vhost/" "$out/check/drivers/vhost/"
res=$(build "$out/check/drivers/vhost" C=2 | findings)
[ -z "$res" ] || finding "W=1/sparse findings:
$res"

# The KUnit suites build only in the full tree: check them there, in the
# build directory `make kunit` uses.
echo "  CHECK   W=1 C=2 (sparse) on drivers/vhost in the KUnit (UML) build"
kb=$out/kunit-um-plain
(cd "$tree" && python3 tools/testing/kunit/kunit.py config \
	--kunitconfig=drivers/vhost --build_dir="$kb") > "$out/check-kunit-config.log" 2>&1 ||
	finding "kunit.py config failed, see $out/check-kunit-config.log"
res=$(make -C "$tree" ARCH=um O="$kb" W=1 C=2 -j"$jobs" drivers/vhost/ 2>&1 | findings)
[ -z "$res" ] || finding "W=1/sparse findings in the UML build:
$res"

echo "  CHECK   checkpatch --strict"
# The assembled tree has no git history, so checkpatch cannot look up the
# commit ids that Fixes: tags and commit references name.
cp="$tree/scripts/checkpatch.pl --strict --no-tree --show-types --color=never -q"
cp="$cp --ignore UNKNOWN_COMMIT_ID"
# No Signed-off-by for people who do not exist: the submitter adds theirs.
cp="$cp --ignore MISSING_SIGN_OFF"
for p in $(series_patches); do
	# shellcheck disable=SC2086
	res=$(cd "$tree" && $cp "$top/patches/$p" 2>&1 || true)
	[ -z "$res" ] || finding "checkpatch on patches/$p:
$res"
done
for f in $ours; do
	# shellcheck disable=SC2086
	res=$(cd "$tree" && $cp -f "$top/$f" 2>&1 || true)
	[ -z "$res" ] || finding "checkpatch on $f:
$res"
done

echo "  CHECK   kernel-doc -Wall"
for f in $ours; do
	res=$("$tree/scripts/kernel-doc" -none -Wall "$top/$f" 2>&1 || true)
	[ -z "$res" ] || finding "kernel-doc on $f:
$res"
done

echo "  CHECK   bisect: build after each patch"
base=$out/bisect
rm -rf "$base"
mkdir -p "$base/drivers"
rsync -a --exclude=tests/ --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$tree/drivers/vhost/" "$base/drivers/vhost/"
( cd "$tree/.pristine" && find drivers/vhost -type f ) | while read -r f; do
	case "$f" in
	*.absent) rm -f "$base/${f%.absent}" ;;
	*) cp "$tree/.pristine/$f" "$base/$f" ;;
	esac
done
n=0
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/series"); do
	n=$((n + 1))
	if ! patch -s -p1 -d "$base" < "$top/patches/$p"; then
		finding "bisect: patches/$p does not apply on top of its predecessors"
		break
	fi
	res=$(build "$base/drivers/vhost" "" | findings)
	if [ -n "$res" ] || [ ! -f "$base/drivers/vhost/vhost.ko" ]; then
		finding "bisect: the modules do not build cleanly after patches/$p:
$res"
	else
		echo "          $n $p: ok"
	fi
done

if [ $fail != 0 ]; then
	echo "check: FAILED" >&2
	exit 1
fi
echo "check: 0 findings"
