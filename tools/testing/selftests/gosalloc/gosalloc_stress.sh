#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the example client's stress workload: kthreads on every CPU allocate
# random sizes across all classes and large sizes, write a pattern, and
# free each other's objects after checking it. GOSALLOC_STRESS_OPS sets the
# number of operations (default 10 million). Then two shorter runs (a
# fifth each): with tiny_max=15, where every request under 16 bytes is
# packed as Go packs them, and with gosalloc in debug mode, where every
# object is also checked for overflows and writes after free.
. ./ktap.sh
. ./gosalloc_lib.sh

OPS=${GOSALLOC_STRESS_OPS:-10000000}
PARAMS=/sys/module/gosalloc_example/parameters

param() {
	cat "$PARAMS/$1"
}

enough_ops() {
	echo "# $(param stress_done) operations, $(grep -c ^processor /proc/cpuinfo) CPUs"
	[ "$(param stress_done)" -ge "$OPS" ]
}

# fifth_run PARAM [packs]: a fifth of the stress with gosalloc loaded with
# PARAM: no mismatch, failed allocation, bad free or corrupted object, all
# freed after, and with "packs", tiny objects served by the fast path
fifth_run() {
	modprobe gosalloc "$1" || return 1
	modprobe gosalloc_example rounds=0 stress_ops=$((OPS / 5)) || return 1
	echo "# $1: $(param stress_done) operations, $(param stress_mismatches) mismatches, tiny_allocs=$(stat tiny_allocs) corrupted_objects=$(stat corrupted_objects) double_frees=$(stat double_frees) invalid_frees=$(stat invalid_frees)"
	ok=0
	[ "$(param stress_mismatches)" -eq 0 ] && [ "$(param stress_failures)" -eq 0 ] &&
		[ "$(stat corrupted_objects)" -eq 0 ] && [ "$(stat double_frees)" -eq 0 ] &&
		[ "$(stat invalid_frees)" -eq 0 ] || ok=1
	[ "$2" != packs ] || [ "$(stat tiny_allocs)" -gt 0 ] || ok=1
	rmmod gosalloc_example
	all_freed || ok=1
	rmmod gosalloc
	return $ok
}

ktap_header 8
dmesg -c >/dev/null
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
if ! modprobe gosalloc_example rounds=0 stress_ops="$OPS"; then
	ktap_fail "stress workload loads"
	ktap_finish
fi
ktap_pass "stress workload loads"
ktap_check "at least $OPS operations" enough_ops
ktap_check "no pattern mismatch" [ "$(param stress_mismatches)" -eq 0 ]
ktap_check "no failed allocation" [ "$(param stress_failures)" -eq 0 ]
rmmod gosalloc_example
ktap_check "everything freed: mallocs == frees, heap_alloc == 0" all_freed
rmmod gosalloc
ktap_check "tiny_max=15: no mismatch, bad free or leftover" \
	fifth_run tiny_max=15 packs
ktap_check "debug mode: no mismatch, corruption or leftover" \
	fifth_run debug=1
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
