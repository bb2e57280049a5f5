#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb-test.sh DEB DRIVER OUT DIST... - the Debian package as an operator
# meets it, without touching the host.  For each release:
#
#   1. a throwaway overlay of that release's root (the host's / for the
#      host's release, the build root of scripts/build-root.sh otherwise),
#      with Debian's kernel image and headers installed by apt;
#   2. apt installs DEB: DKMS must build and install the modules for that
#      kernel into updates/dkms, without vhost_test;
#   3. a VM boots that kernel with the overlay's module tree and plain
#      modprobe (vm.sh -M): vhost, vhost_net, vhost_scsi must be the
#      package's (build ID and srcversion; the srcversion also equal to our
#      own build's, from the same sources),
#      offer VIRTIO_F_IN_ORDER and pass the harness (suite.sh package);
#   4. apt purges the package: updates/dkms is gone, and the VM loads
#      Debian's modules again (their build IDs, in-order not offered).
#
# Downloads are cached under $BUILD/apt; the overlay is removed at the end.
# Everything runs in a mount namespace of its own with private propagation:
# its mounts never reach the host's, and vanish with it however it ends.
set -euo pipefail
if [ -z "${DEB_TEST_NS:-}" ]; then
	exec env DEB_TEST_NS=1 unshare -m --propagation private "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/scripts/lib-dist.sh"
. "$top/scripts/lib-root.sh"
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
drv=$2
out=$3
shift 3
build=${BUILD:-$top/build}
failed=0
mnt=
die() { echo "deb-test: $*" >&2; exit 1; }
[ -f "$deb" ] || die "$deb missing: run 'make deb'"
[ $# -gt 0 ] || die "no release to test the package on"

cleanup() {
	[ -n "$mnt" ] || return 0
	for m in var/cache/apt/archives dev/pts dev proc; do
		mountpoint -q "$mnt/$m" && umount "$mnt/$m"
	done
	mountpoint -q "$mnt" && umount "$mnt"
	mnt=
}
trap cleanup EXIT

# Nothing may be deleted through a mount an older run left on the host.
if findmnt -rn -o TARGET | grep -qF "$out/"; then
	die "something is mounted under $out: umount it first"
fi

inov() { # command in the overlay
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive INITRD=No chroot "$mnt" "$@"
}

build_id() { # .ko, .ko.xz or .ko.zst: the GNU build ID of the module
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*) cat "$1" ;;
	esac > "$ov/ko.tmp"
	readelf -n "$ov/ko.tmp" | sed -n 's/^ *Build ID: //p'
	rm -f "$ov/ko.tmp"
}

identities() { # module-dir tag: "module srcversion build-id tag" (srcversion
	# "-" where the module has none: vhost_scsi declares no MODULE_VERSION)
	for m in vhost vhost_net vhost_scsi; do
		f=$(ls "$1/$m".ko* 2>/dev/null | head -1)
		[ -n "$f" ] || die "no $m module in $1"
		sv=$(modinfo -F srcversion "$f")
		echo "$m ${sv:--} $(build_id "$f") $2"
	done
}

boot() { # overlay-state expect-file label
	kd=$ov/vm-$1
	rm -rf "$kd"
	mkdir -p "$kd/lib/modules" "$ov/res-$1"
	cp "$mnt/boot/vmlinuz-$abi" "$kd/vmlinuz"
	echo "$abi" > "$kd/kernelrelease"
	cp -a "$mnt/lib/modules/$abi" "$kd/lib/modules/"
	cp "$2" "$ov/res-$1/expect"
	echo "  VM      $d: $3"
	rc=0
	"$here/vm.sh" -M -K "$kd" -t 600 -o "$ov/res-$1" -- "$here/suite.sh" package "$drv" || rc=$?
	sed -n '/^  \(PASS\|FAIL\|SKIP\) \|^\(PASS\|FAIL\|SKIP\) /p' "$ov/res-$1/console.log" | tr -d '\r'
	if [ $rc = 0 ]; then
		echo "deb-test: PASS $d $1"
	else
		echo "deb-test: FAIL $d $1 (exit $rc, console: $ov/res-$1/console.log)"
		failed=1
	fi
	rm -rf "$kd"
}

for d in "$@"; do
	set -- $("$top/scripts/kver.sh" "$d")
	ver=$1
	abi=$2
	if [ "$d" = "$(host_dist)" ]; then
		base=/
		ours=$build/modules/drivers/vhost
	else
		base=$build/roots/$d
		ours=$base/build/modules/drivers/vhost
		[ -f "$base/.complete-$ver" ] || die "no $d build root: run 'make root DIST=$d'"
	fi
	[ -f "$ours/vhost_net.ko" ] || die "no modules of our own for $d in $ours: run 'make DIST=$d'"
	ov=$out/$d
	rm -rf "$ov"
	mkdir -p "$ov/upper" "$ov/work" "$ov/mnt" "$build/apt/$d-archives/partial"
	mnt=$ov/mnt
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$ov/upper,workdir=$ov/work" "$mnt"
	# proc read-only: nothing in the overlay may change the host kernel's
	# settings.
	mount -t proc -o ro proc "$mnt/proc"
	# Read-only binds: devices still work, but nothing can delete the
	# host's /dev through the overlay.
	mount --bind /dev "$mnt/dev"
	mount -o remount,bind,ro "$mnt/dev"
	mount --bind /dev/pts "$mnt/dev/pts"
	mount -o remount,bind,ro "$mnt/dev/pts"
	mount --bind "$build/apt/$d-archives" "$mnt/var/cache/apt/archives"
	echo "  DEB     $d: $(basename "$deb") into an overlay of ${base}"
	# No service may start, and no hook of the host's own kernel setup
	# (grub, initramfs, ...) may run for the overlay's kernel; DKMS's
	# stays.  Only the overlay's upper layer changes.
	root_no_services "$mnt"
	find "$mnt/etc/kernel" -type f ! -name dkms -delete 2>/dev/null || true

	# The kernel as an operator has it: image and headers from apt.
	if [ ! -f "$mnt/usr/src/linux-headers-$abi/Makefile" ]; then
		inov apt-get install -y -qq --no-install-recommends "linux-headers-$abi=$ver" \
			> "$ov/apt-headers.log" 2>&1 || die "$d: installing linux-headers-$abi: see $ov/apt-headers.log"
	fi
	[ -f "$mnt/boot/vmlinuz-$abi" ] || die "$d: no kernel image in the overlay"
	identities "$mnt/lib/modules/$abi/kernel/drivers/vhost" Debian > "$ov/debian-before"
	cp "$deb" "$mnt/tmp/"
	inov apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" \
		> "$ov/apt-install.log" 2>&1 || die "$d: apt install failed: see $ov/apt-install.log"

	status=$(inov dkms status vhost-in-order 2> /dev/null || true)
	echo "      dkms status: $status"
	dk=$mnt/lib/modules/$abi/updates/dkms
	if echo "$status" | grep -q "$abi, x86_64: installed" && [ -d "$dk" ]; then
		echo "deb-test: PASS $d dkms built and installed for $abi: $(cd "$dk" && ls | tr '\n' ' ')"
	else
		echo "deb-test: FAIL $d dkms did not install for $abi (see $ov/apt-install.log)"
		failed=1
		cleanup
		continue
	fi
	if ls "$dk"/vhost_test.ko* > /dev/null 2>&1; then
		echo "deb-test: FAIL $d the package installed vhost_test"
		failed=1
	fi
	identities "$dk" package > "$ov/expect-installed"
	# Same sources as our own build of that kernel: same srcversions.
	if [ "$(identities "$ours" x | cut -d' ' -f1,2)" = "$(cut -d' ' -f1,2 "$ov/expect-installed")" ]; then
		echo "deb-test: PASS $d package modules have the srcversion of our own build ($ours)"
	else
		echo "deb-test: FAIL $d package modules differ in srcversion from $ours"
		failed=1
	fi
	boot installed "$ov/expect-installed" "modprobe with the package installed"

	inov apt-get purge -y vhost-in-order-dkms > "$ov/apt-purge.log" 2>&1 ||
		die "$d: apt purge failed: see $ov/apt-purge.log"
	if ls "$dk"/vhost*.ko* > /dev/null 2>&1; then
		echo "deb-test: FAIL $d apt purge left $(ls "$dk")"
		failed=1
	else
		echo "deb-test: PASS $d apt purge removed the package's modules"
	fi
	identities "$mnt/lib/modules/$abi/kernel/drivers/vhost" Debian > "$ov/expect-purged"
	# Debian 13's DKMS moved Debian's modules aside: they must be back.
	if cmp -s "$ov/debian-before" "$ov/expect-purged"; then
		echo "deb-test: PASS $d Debian's modules after purge are those from before the install"
	else
		echo "deb-test: FAIL $d Debian's modules after purge differ from before the install"
		failed=1
	fi
	boot purged "$ov/expect-purged" "modprobe after apt purge"

	cleanup
	rm -rf "$ov/upper" "$ov/work"
done

if [ $failed != 0 ]; then
	echo "deb-test: FAILED"
	exit 1
fi
echo "deb-test: passed"
