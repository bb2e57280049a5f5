#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh DRIVER OUT - the README's main job: boot Debian's 6.12 kernel
# under TCG with our modules (vm.sh), drive each vhost device with the
# in-order driver (demo-guest.sh) and summarise what it saw: the features
# each device offers and negotiates, and the used-ring traffic per queue.
set -u
here=$(cd "$(dirname "$0")" && pwd)
drv=$1
out=$2
rm -rf "$out"
mkdir -p "$out"

kver=$("$here/../../../scripts/kver.sh" | cut -d' ' -f2)
echo "Booting Debian's $kver under QEMU TCG with our vhost modules..."
"$here/vm.sh" -t 600 -o "$out" -- "$here/demo-guest.sh" "$drv"
rc=$?
tr -d '\r' < "$out/console.log" > "$out/demo.log"

awk '
function yn(s) { return s ~ /in-order yes/ ? "yes" : "no" }
/^=== vhost-/ { dev = $2; next }
/^features offered:/ { off[dev] = yn($0); next }
/^features negotiated:/ { neg[dev] = yn($0); next }
/^(test|net tx|net rx|scsi io): [0-9]+ buffers/ {
	q = $0; sub(/:.*/, "", q); sub(/.* /, "", q)
	line = $0; sub(/^[^:]*: /, "", line)
	n = split(line, f, /, /)
	row[++rows] = sprintf("%-11s %-6s %-8s %-10s %8d %9d %14d %8d %13d", dev, q, off[dev], neg[dev],
		f[1] + 0, f[2] + 0, f[3] + 0, substr(f[4], 15) + 0, f[5] + 0)
	next
}
/^(net|scsi|dpdk): / { detail[++details] = $0; next }
/^(PASS|FAIL|SKIP) / { verdict[++verdicts] = $0 }
END {
	printf "\n%-11s %-6s %-8s %-10s %8s %9s %14s %8s %13s\n", "device", "queue", "offers", "negotiated",
		"buffers", "used", "single-entry", "largest", "out-of-order"
	printf "%-11s %-6s %-8s %-10s %8s %9s %14s %8s %13s\n", "", "", "in-order", "in-order",
		"", "entries", "batches", "batch", "seen by driver"
	for (i = 1; i <= rows; i++) print row[i]
	print ""
	for (i = 1; i <= details; i++) print detail[i]
	for (i = 1; i <= verdicts; i++) print verdict[i]
}' "$out/demo.log"

cat <<'NOTE'

vhost-test completes each group of 8 buffers last to first (reorder=8) and
vhost-scsi completes commands in the order the target finishes them: the
reorder window turns both into in-order runs, each published as one used
entry naming the run's last buffer.  vhost-net TX names each flushed batch
by its last buffer; RX writes every entry, since DPDK reads each buffer's
length.  "out-of-order" counts what an in-order driver could not have
accepted.
NOTE
echo "Full console: $out/console.log"
exit $rc
