#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# capture.sh [OUT]: record the sizes and lifetimes of real kmalloc() calls
# for the trace replay of "make bench". Boots Debian's 6.12 kernel in QEMU
# (2 CPUs) with the kmem:kmalloc and kmem:kfree tracepoints enabled from
# the command line, so that the boot itself is recorded, then runs a small
# workload (find, /proc and /sys reads, loading and unloading gosalloc and
# its example client) and writes the events in replay form to OUT
# (default tools/trace/kmalloc.trace): a header, then one line per event,
# "a ID SIZE" for an allocation of SIZE bytes and "f ID" for its free.
# Frees of objects allocated before tracing began, or by other
# allocation calls than kmalloc(), are not recorded.
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

out=${1:-$GOSALLOC_TOP/tools/trace/kmalloc.trace}
tmp=$GOSALLOC_OUT
need_pkgs run
debian_modules
GOSALLOC_VM_APPEND="trace_event=kmem:kmalloc,kmem:kfree trace_buf_size=64M" \
	boot_debian trace-capture "$GOSALLOC_TOP/tools/trace/capture-guest.sh" \
	>/dev/null
{
	echo "# kmalloc trace: Debian $DEB_KVER booting under QEMU (2 CPUs) and"
	echo "# running tools/trace/capture-guest.sh; made by tools/trace/capture.sh"
	echo "# on $(date -u +%Y-%m-%d). 'a ID SIZE': kmalloc(SIZE); 'f ID': kfree."
	sed -n '/^GOSALLOC_TRACE_BEGIN$/,/^GOSALLOC_TRACE_END$/p' \
		"$tmp/trace-capture.log" | grep -E '^[af] [0-9]'
} >"$out"
log "$(grep -c '^a' "$out") allocations, $(grep -c '^f' "$out") frees in $out"
