#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh - run a command in Debian's 6.12 kernel under QEMU TCG, with our
# vhost modules loaded in place of Debian's.
#
#   vm.sh [-i] [-1] [-c CPUS] [-t SECONDS] [-m MODDIR | -M] [-o RESULTS]
#         [-D DIST | -K DIR] [-a ARGS] -- CMD [ARG...]
#
#   -i  interactive: a shell on the console instead of CMD
#   -1  one host thread for both vCPUs (single-threaded TCG): slower, but
#       live kernel text patching (kprobes, ftrace) is safe; under
#       multi-threaded TCG it can trap on a half-patched instruction
#   -c  vCPUs (default 2); with 1, no vCPU can run kernel text another is
#       patching (the qemu suite: KVM here patches its static keys
#       whenever a guest starts)
#   -t  bound on the whole run (default 600)
#   -m  where our .ko files are (default: those `make DIST=...` built)
#   -M  load no vhost module: CMD modprobes what the kernel's module tree
#       holds (the DKMS package test)
#   -o  results directory, writable by the guest as /vmresults
#   -D  boot Debian's 6.12 kernel of DIST (default: the host's release),
#       unpacked into the build directory by scripts/debian-kernel.sh
#   -K  boot the kernel in DIR instead (scripts/debug-kernel.sh, or a
#       Debian kernel with another module tree: DIR/bzImage or
#       DIR/vmlinuz, DIR/kernelrelease, DIR/lib/modules/<release>); its
#       vhost modules are DIR's, or built in if DIR/builtin exists
#   -a  more kernel command line (module parameters of built-in vhost)
#
# The guest sees the host's / read-only over virtio-9p with a tmpfs overlay,
# so host programs (the harness, testpmd) run in it unchanged.  It loads our
# modules and only ours: the kernel's request_module() is pointed at
# /bin/false first, so opening /dev/vhost-* cannot pull in Debian's copies.
#
# Exit status: CMD's, or 1 if the console shows a panic, Oops, BUG, WARNING,
# KASAN or UBSAN report, if the kernel is tainted beyond O and E (unsigned
# out-of-tree modules), or if the run times out (124).  A run that died of
# "Oops: int3" under multi-threaded TCG (a coherence race of the emulator,
# see the end) is booted once more, and the second run's verdict stands.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
interactive=0
timeout=600
moddir=$top/build/modules/drivers/vhost
results=
dist=
modprobe_only=0

kdir=
append=
accel=tcg
cpus=2
while getopts "i1c:t:m:Mo:D:K:a:" opt; do
	case $opt in
	i) interactive=1 ;;
	t) timeout=$OPTARG ;;
	m) moddir=$(cd "$OPTARG" && pwd) ;;
	o) results=$OPTARG ;;
	D) dist=$OPTARG ;;
	M) modprobe_only=1 ;;
	K) kdir=$(cd "$OPTARG" && pwd) ;;
	a) append=$OPTARG ;;
	1) accel=tcg,thread=single ;;
	c) cpus=$OPTARG ;;
	*) sed -n '4,28p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
if [ $interactive = 0 ] && [ $# = 0 ]; then
	echo "vm.sh: no command (or -i)" >&2
	exit 2
fi

# Debian's kernel (its 9p and overlay modules go into the initramfs), or
# one of ours with everything the VM needs built in.  Either way the
# kernel's module tree is a directory of the build, linked into the
# guest's /lib/modules: nothing is installed on the host.
builtin=0
build=${BUILD:-$top/build}
if [ -n "$kdir" ]; then
	kernel=$kdir/bzImage
	[ -f "$kernel" ] || kernel=$kdir/vmlinuz
	[ -f "$kernel" ] || { echo "vm.sh: no bzImage or vmlinuz in $kdir: run 'make vmtest KERNEL=debug'" >&2; exit 2; }
	[ -f "$kdir/builtin" ] && builtin=1
	[ "$moddir" != "$top/build/modules/drivers/vhost" ] ||
		moddir=$kdir/lib/modules/$(cat "$kdir/kernelrelease")/kernel/drivers/vhost
else
	. "$top/scripts/lib-dist.sh"
	[ -n "$dist" ] || dist=$(host_dist)
	kdir=$("$top/scripts/debian-kernel.sh" "$dist") ||
		{ echo "vm.sh: no Debian kernel for $dist (scripts/debian-kernel.sh failed)" >&2; exit 2; }
	kernel=$kdir/vmlinuz
	if [ "$moddir" = "$top/build/modules/drivers/vhost" ] && [ "$dist" != "$(host_dist)" ]; then
		moddir=$build/roots/$dist/build/modules/drivers/vhost
	fi
fi
kver=$(cat "$kdir/kernelrelease")
kmods=$kdir/lib/modules/$kver
for need in "$kernel" /bin/busybox; do
	[ -e "$need" ] || { echo "vm.sh: $need missing: run 'make deps'" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "vm.sh: qemu-system-x86_64 missing: run 'make deps'" >&2; exit 2; }
ours="vhost_iotlb vhost vhost_test vhost_net vhost_scsi vhost_vsock vhost_vdpa"
if [ $builtin = 1 ]; then
	ours=
	moddir=built-in
elif [ $modprobe_only = 1 ]; then
	ours=
	moddir=by-modprobe
fi
for m in $ours; do
	[ -f "$moddir/$m.ko" ] || { echo "vm.sh: $moddir/$m.ko missing: run 'make'" >&2; exit 2; }
done

work=$top/build/vm
mkdir -p "$work"
[ -n "$results" ] || results=$(mktemp -d "$work/results.XXXXXX")
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results/console.log" "$results/console.int3.log"

# The initramfs: busybox and what it takes to mount the host root.
initrd=$work/initramfs-$kver.cpio.gz
if [ ! -f "$initrd" ] || [ "$here/initramfs.sh" -nt "$initrd" ] || [ "$kernel" -nt "$initrd" ]; then
	"$here/initramfs.sh" "$kmods" "$initrd"
fi

# Ours in dependency order; Debian's modules they need (and the LIO
# backends the scsi tests use) come from the image package, or are built
# into our kernel (modprobe finds them in modules.builtin).
stock="configfs target_core_file"
for m in $ours; do
	for d in $(modinfo -F depends "$moddir/$m.ko" | tr , ' '); do
		case " $ours $stock " in *" $d "*) ;; *) stock="$stock $d" ;; esac
	done
done

# What the guest runs after switch_root, from the results share.
{
	cat <<GUEST
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
# No tmpfs over /tmp or /run: the root is already a writable overlay, and
# the project (or CI's clone of it) may live under /tmp on the host.
ip link set lo up 2>/dev/null
# The kernel's module tree (Debian's unpacked, or ours with modules.builtin,
# null_blk, ...) where modprobe looks for it; the overlay root is writable.
mkdir -p /lib/modules
ln -sfn "$kmods" /lib/modules/\$(uname -r)
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
export moddir=$moddir
export FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_EPISODES=${FUZZ_EPISODES:-25}
export VHOST_BUILTIN=$builtin SUITE_SCALE=${SUITE_SCALE:-1} DPDK_IOS="${DPDK_IOS:-1 0}" QEMU_DISRUPT=${QEMU_DISRUPT:-0}
ours="$ours"
stock="$stock"
GUEST
	cat <<'GUEST'
# Only our vhost modules: nothing may load Debian's behind our back.
echo /bin/false > /proc/sys/kernel/modprobe
ok=1
for m in $stock; do
	modprobe "$m" || ok=0
done
for m in $ours; do
	insmod "$moddir/$m.ko" || ok=0
done
# configfs is a module: its mount point exists once it is loaded.
mount -t configfs configfs /sys/kernel/config || ok=0
if [ $ok = 0 ]; then
	echo "vm: module setup failed"
	echo 2 > /vmresults/status
	busybox poweroff -f
fi
echo "vm: kernel $(uname -r), modules: $(cat /sys/module/vhost/srcversion 2>/dev/null) from $moddir"
cd /vmresults
GUEST
	if [ $interactive = 1 ]; then
		echo 'setsid cttyhack sh -l || sh'
		echo 'echo 0 > /vmresults/status'
	else
		printf '%q ' "$@"
		echo '< /dev/null'
		echo 'echo $? > /vmresults/status'
	fi
	cat <<'GUEST'
cat /proc/sys/kernel/tainted > /vmresults/taint
sync
# busybox: a host without systemd-sysv (a minimal root) has no poweroff.
busybox poweroff -f
GUEST
} > "$results/guest.sh"

console=$results/console.log
qemu=(qemu-system-x86_64 -accel $accel -cpu max -machine q35 -smp $cpus -m 2048
      -nographic -no-reboot -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=4 $append"
      -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
      -fsdev local,id=results,path="$results",security_model=none
      -device virtio-9p-pci,fsdev=results,mount_tag=results)

if [ $interactive = 1 ]; then
	"${qemu[@]}"
	exit 0
fi

# One boot: the verdict of one QEMU run on the console and the guest's
# results.
run_once() {
	local rc=0 verdict=0 taint status

	rm -f "$results/status" "$results/taint"
	timeout --kill-after=10 "$timeout" "${qemu[@]}" < /dev/null > "$console" 2>&1 || rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "vm: timed out after ${timeout}s" >&2
		verdict=124
	fi
	if grep -n -E 'Kernel panic|Oops|BUG:|WARNING:|KASAN|UBSAN|Call Trace' "$console" >&2; then
		# The first report whole, so a CI log shows where it was.
		sed -n '/Oops\|BUG:\|WARNING:\|KASAN\|UBSAN/,/end trace\|Kernel panic/p' "$console" |
			head -40 | tr -d '\r' >&2
		echo "vm: kernel reported a problem, see $console" >&2
		verdict=1
	fi
	taint=$(cat "$results/taint" 2>/dev/null || echo missing)
	# O (out-of-tree, 4096) and E (unsigned, 8192) are expected for our modules.
	if [ "$taint" = missing ] || [ $((taint & ~12288)) != 0 ]; then
		echo "vm: kernel taint $taint (allowed: O, E)" >&2
		[ $verdict != 0 ] || verdict=1
	fi
	status=$(cat "$results/status" 2>/dev/null || echo missing)
	if [ "$status" = missing ]; then
		echo "vm: the guest did not finish, see $console" >&2
		[ $verdict != 0 ] || verdict=1
	elif [ "$status" != 0 ] && [ $verdict = 0 ]; then
		verdict=$status
	fi
	return $verdict
}

verdict=0
run_once || verdict=$?
# Multi-threaded TCG does not keep one vCPU's translated code coherent
# with a live patch made by the other: a vCPU can execute the int3 that
# text_poke_bp() had already replaced, and the kernel dies of an int3 it
# does not own ("Oops: int3"), at boot or when a module's static keys
# are patched, in whatever code the timer interrupt ran.  That is no
# finding about vhost; the run is repeated once, in full, and the second
# run's verdict stands.  A second trap fails: it would no longer be rare.
if [ $verdict != 0 ] && [ "$accel" = tcg ] && [ "$cpus" -gt 1 ] && grep -q 'Oops: int3' "$console"; then
	mv "$console" "$results/console.int3.log"
	echo "vm: the guest trapped on an int3 of live text patching (multi-threaded TCG, see $results/console.int3.log); booting once more" >&2
	verdict=0
	run_once || verdict=$?
fi
exit $verdict
