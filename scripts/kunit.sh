#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh TREE OUT
#
# Run the vhost KUnit suites in the assembled tree on UML with KASAN,
# lockdep and UBSAN.  UBSAN's alignment check is off: on UML it reports
# false positives against whatever test happens to run.  The plain
# kunitconfig (what `kunit.py run --kunitconfig=drivers/vhost` builds) is
# configured first, which checks that every symbol it asks for survives;
# building and running it as well would cost a second UML kernel build
# (about 4 minutes) for the same deterministic cases, so KUNIT_PLAIN=1
# asks for that.  KUNIT_ARCH=x86_64 runs them under QEMU instead.
#
# A run fails if kunit.py fails, if any case was skipped, or if fewer cases
# ran than KUNIT_MIN_CASES: a suite that silently stopped building must not
# pass.
set -eu

tree=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
arch=${KUNIT_ARCH:-um}
min=${KUNIT_MIN_CASES:-25}
jobs=$(nproc)

run() {
	name=$1
	shift
	log=$out/kunit-$name.log
	echo "  KUNIT   $name ($arch)"
	cd "$tree"
	if ! python3 tools/testing/kunit/kunit.py run --arch="$arch" \
		--kunitconfig=drivers/vhost --build_dir="$out/kunit-$arch-$name" \
		--jobs="$jobs" --timeout=600 "$@" > "$log" 2>&1; then
		tail -60 "$log"
		echo "kunit ($name): FAILED, full log in $log" >&2
		exit 1
	fi
	# Lockdep and UBSAN report without failing the case: read the console.
	# Only from the first test on: UML warns once at boot (virt-pci.c).
	splat=$(sed -n '/KTAP version/,$p' "$out/kunit-$arch-$name/test.log" |
		grep -E 'BUG:|WARNING:|UBSAN:|KASAN:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|Call Trace' || true)
	if [ -n "$splat" ]; then
		echo "$splat"
		echo "kunit ($name): kernel reports in $out/kunit-$arch-$name/test.log" >&2
		exit 1
	fi
	summary=$(grep 'Testing complete' "$log" | tail -1)
	sed -n '/^\[..:..:..\] =\+ \[/,$p' "$log" | grep -v '^\[..:..:..\] Elapsed' || true
	ran=$(echo "$summary" | sed -n 's/.*Ran \([0-9]*\) tests.*/\1/p')
	case "$summary" in
	*skipped*) echo "kunit ($name): cases were skipped: $summary" >&2; exit 1 ;;
	esac
	if [ -z "$ran" ] || [ "$ran" -lt "$min" ]; then
		echo "kunit ($name): ran ${ran:-no} cases, expected at least $min" >&2
		exit 1
	fi
}

if [ "${KUNIT_PLAIN:-0}" = 1 ]; then
	run plain
else
	echo "  KUNIT   plain ($arch): configure only"
	log=$out/kunit-plain-config.log
	# From scratch: kunit.py keeps a .config that already has everything.
	rm -f "$out/kunit-$arch-plain/.config"
	if ! (cd "$tree" && python3 tools/testing/kunit/kunit.py config --arch="$arch" \
		--kunitconfig=drivers/vhost --build_dir="$out/kunit-$arch-plain") > "$log" 2>&1; then
		tail -30 "$log"
		echo "kunit (plain): the kunitconfig does not configure, log in $log" >&2
		exit 1
	fi
fi
run sanitizers \
	--kconfig_add CONFIG_DEBUG_KERNEL=y \
	--kconfig_add CONFIG_KASAN=y \
	--kconfig_add CONFIG_KASAN_VMALLOC=y \
	--kconfig_add CONFIG_PROVE_LOCKING=y \
	--kconfig_add CONFIG_DEBUG_ATOMIC_SLEEP=y \
	--kconfig_add CONFIG_UBSAN=y \
	--kconfig_add CONFIG_UBSAN_ALIGNMENT=n
