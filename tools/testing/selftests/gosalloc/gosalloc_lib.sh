# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by gosalloc's shell selftests; sourced. POSIX sh (busybox).

STATS=/sys/kernel/debug/gosalloc/stats
# What the kernel prints when something went wrong inside it, as the host
# scripts see it too (tools/kernel/lib.sh): splat.pattern, beside this
# file, or in GOSALLOC_LIB_DIR.
SPLAT=$(cat "${GOSALLOC_LIB_DIR:-.}/splat.pattern")

# stat NAME: one value of debugfs "stats"
stat() {
	sed -n "s/^$1: \([0-9]*\)\$/\1/p" "$STATS"
}

# node_count: the NUMA nodes the kernel brought up (0 without NUMA)
node_count() {
	ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l
}

# all_freed: true when every object is freed (mallocs == frees, heap_alloc 0)
all_freed() {
	echo "# mallocs=$(stat mallocs) frees=$(stat frees) heap_alloc=$(stat heap_alloc)"
	[ "$(stat mallocs)" -eq "$(stat frees)" ] && [ "$(stat heap_alloc)" -eq 0 ]
}

# log_clean: true when the kernel log (since "dmesg -c") shows no report
log_clean() {
	if dmesg | grep -E "$SPLAT"; then
		return 1
	fi
	return 0
}
