#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Load gosalloc and its example client, read the statistics, unload both,
# and check that the kernel log holds no warning, BUG or Oops.
. ./ktap.sh
. ./gosalloc_lib.sh

FIELDS="heap_sys heap_inuse heap_idle heap_released heap_alloc mallocs frees
tiny_allocs large_allocs large_frees invalid_frees double_frees spans_inuse
metadata_sys corrupted_objects injected_failures cache_mallocs cache_frees
rcu_frees rcu_batches bad_page_refs memcg_sets memcg_objects"

stats_complete() {
	for f in $FIELDS; do
		[ -n "$(stat "$f")" ] || { echo "# stats lacks '$f'"; return 1; }
	done
	[ "$(grep -c . "$STATS")" -eq "$(echo $FIELDS | wc -w)" ] || {
		echo "# stats has lines outside the contract"; return 1; }
}

# The example client keeps 16 objects live while it is loaded.
client_objects_live() {
	live=$(( $(stat mallocs) - $(stat frees) ))
	echo "# mallocs=$(stat mallocs) frees=$(stat frees) heap_alloc=$(stat heap_alloc)"
	[ "$live" -eq 16 ] && [ "$(stat heap_alloc)" -gt 0 ]
}

refuses_unload_while_used() {
	! rmmod gosalloc 2>/dev/null && [ -e "$STATS" ]
}

ktap_header 8
dmesg -c >/dev/null
if ! modprobe gosalloc; then
	ktap_fail "modprobe gosalloc"
	ktap_finish
fi
ktap_pass "modprobe gosalloc"
dmesg | grep -o "per-CPU caches .*" | sed 's/^/# /'
ktap_check "stats has every contract field" stats_complete
ktap_check "modprobe gosalloc_example" modprobe gosalloc_example
ktap_check "stats count the client's live objects" client_objects_live
ktap_check "gosalloc stays while a client uses it" refuses_unload_while_used
rmmod gosalloc_example
ktap_check "all objects freed after the client unloads" all_freed
ktap_check "rmmod gosalloc removes debugfs" \
	sh -c "rmmod gosalloc && [ ! -e /sys/kernel/debug/gosalloc ]"
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
