#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make-deb.sh OUT VERSION "MODULES" "CONFIG" TREE=ABI... - build
# OUT/vhost-in-order-dkms_VERSION_all.deb from the assembled trees (one
# per supported kernel), with debhelper and dh-dkms, then lintian it.
# The maintainer is DEBFULLNAME/DEBEMAIL, else git's user.name/email: the
# person who builds the package.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
version=$2
modules=$3
config=$4
shift 4
die() { echo "make-deb: $*" >&2; exit 1; }

name=${DEBFULLNAME:-$(git -C "$top" config user.name || true)}
email=${DEBEMAIL:-$(git -C "$top" config user.email || true)}
[ -n "$name" ] && [ -n "$email" ] ||
	die "no maintainer: set DEBFULLNAME and DEBEMAIL (or git's user.name and user.email)"

stage=$out/vhost-in-order-dkms-$version
rm -rf "$out"
mkdir -p "$stage/src"
cp -a "$top/packaging/debian" "$stage/debian"
sed -i "s|@MAINTAINER@|$name <$email>|" "$stage/debian/control"

abis=
for spec in "$@"; do
	tree=${spec%%=*}
	abi=${spec#*=}
	case " $abis " in *" $abi "*) die "$abi named twice" ;; esac
	"$top/scripts/stage-vhost.sh" "$tree" "$stage/src/$abi/drivers/vhost"
	abis="$abis $abi"
done
[ -n "$abis" ] || die "no kernel to build the package for (DEB_DISTS is empty)"
# The notices of the files shipped, then ours (in_order.c and friends
# carry only an SPDX line).
notices=$(grep -rhoE '(\(C\) )?Copyright (\(C\) )?[0-9].*' "$stage/src" |
	sed 's/^(C) //; s/^Copyright (C) //; s/^Copyright //; s/[[:space:]]*$//' | sort -u)
notices=$(printf '%s\n%s\n' "$notices" "2026 the vhost in-order contributors" |
	sed '2,$s/^/ /' | sed 's/$/\\n/' | tr -d '\n' | sed 's/\\n$//')
sed -i "s|@COPYRIGHT@|$notices|" "$stage/debian/copyright"
# shellcheck disable=SC2086
"$top/packaging/dkms-conf.sh" "$version" "$modules" "$config" $abis > "$stage/src/dkms.conf"
cp "$stage/src/dkms.conf" "$stage/dkms.conf"
cp "$top/docs/operators.md" "$stage/operators.md"
printf '%s\n' operators.md > "$stage/debian/vhost-in-order-dkms.docs"

commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
{
	echo "vhost-in-order-dkms ($version) unstable; urgency=medium"
	echo
	echo "  * Snapshot $commit of the vhost in-order series, assembled for"
	echo "   " $abis.
	echo
	echo " -- $name <$email>  $(date -R -d "@$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)")"
} > "$stage/debian/changelog"

echo "  DEB     vhost-in-order-dkms $version for$abis"
(cd "$stage" && dpkg-buildpackage -b -us -uc > "$out/build.log" 2>&1) ||
	die "dpkg-buildpackage failed: see $out/build.log"
deb=$out/vhost-in-order-dkms_${version}_all.deb
[ -f "$deb" ] || die "$deb was not built"
echo "  LINTIAN $(basename "$deb")"
lintian --fail-on error,warning "$deb" || die "lintian found errors or warnings in $deb"
echo "deb: $deb"
