#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh TREE OUT
#
# Build the assembled 6.12 tree as the small debug kernel of the VM suites
# (tools/testing/vhost/kernel/debug.config: KASAN, lockdep, kmemleak,
# hung-task detection, fault injection), twice from one object directory:
#
#   OUT/modular/  vhost, vhost_net, ... as modules of our series
#   OUT/builtin/  the same kernel with every vhost module built in (=y),
#                 as users of the series in their own kernel get it
#
# Each holds bzImage, kernelrelease and lib/modules/<release> (what is
# still a module: null_blk, pktgen, and in modular/ the vhost modules).
# A variant is rebuilt only when the tree or the config changed; the
# second is an incremental rebuild of drivers/vhost and the link.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
obj=$out/obj
frag=$top/tools/testing/vhost/kernel/debug.config
jobs=$(nproc)
mk() { make -s -C "$tree" O="$obj" ARCH=x86_64 -j"$jobs" "$@"; }

# What the kernel is built from: the series stamp of assemble.sh and our
# own files, the config fragment, this script.
state=$( (cat "$tree/.series-applied" "$frag" "$0"
	  find "$tree/drivers/vhost" -type f -name '*.[ch]' | sort | xargs cat) |
	sha1sum | cut -d' ' -f1)

variant() { # modular|builtin
	dest=$out/$1
	[ "$(cat "$dest/.built-from" 2>/dev/null)" = "$state" ] && return 0
	echo "  KERNEL  debug ($1) in $obj"
	start=$(date +%s)
	mkdir -p "$obj"
	mk allnoconfig > /dev/null
	mk kvm_guest.config > /dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" > /dev/null
	if [ "$1" = builtin ]; then
		sed -i 's/^CONFIG_VHOST\([A-Z_]*\)=m$/CONFIG_VHOST\1=y/' "$obj/.config"
	fi
	mk olddefconfig > /dev/null
	# A symbol olddefconfig dropped (an unmet dependency) would silently
	# take a checker or a device out of the suites.
	missing=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p' "$frag" | while read -r s; do
		want=$(grep "^$s=" "$frag" | cut -d= -f2-)
		[ "$1" = builtin ] && case $s in CONFIG_VHOST*) [ "$want" = m ] && want=y ;; esac
		grep -qx "$s=$want" "$obj/.config" || echo "$s=$want"
	done)
	if [ -n "$missing" ]; then
		echo "debug-kernel: olddefconfig dropped:" $missing >&2
		exit 1
	fi
	mk bzImage modules
	release=$(mk kernelrelease)
	rm -rf "$dest"
	mkdir -p "$dest"
	mk INSTALL_MOD_PATH="$dest" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install > /dev/null
	cp "$obj/arch/x86/boot/bzImage" "$dest/bzImage"
	cp "$obj/.config" "$dest/config"
	echo "$release" > "$dest/kernelrelease"
	[ "$1" = builtin ] && : > "$dest/builtin"
	echo "$state" > "$dest/.built-from"
	echo "  KERNEL  debug ($1) $release built in $(( $(date +%s) - start )) s"
}

variant modular
variant builtin
