#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/gosalloc-stat in the guest, after the example client's stress
# workload: its totals must agree with the stats file, and it must find
# nothing inconsistent. The tool is installed as /gosalloc-stat.static
# (tools/kselftest.sh builds it statically for the busybox guest).
. ./ktap.sh
. ./gosalloc_lib.sh

TOOL=${GOSALLOC_STAT:-/gosalloc-stat.static}
D=/sys/kernel/debug/gosalloc

if [ ! -x "$TOOL" ]; then
	ktap_header 1
	ktap_skip "gosalloc-stat not installed"
	ktap_finish
fi

# shown LABEL: the number the tool printed after LABEL
shown() {
	echo "$out" | sed -n "s/^$1: *\([0-9]*\).*/\1/p"
}

agrees() {
	echo "# $1: tool $(shown "$1"), stats $(stat "$2")"
	[ "$(shown "$1")" = "$(stat "$2")" ]
}

live_agrees() {
	live=$(( $(stat mallocs) - $(stat frees) ))
	echo "# live objects: tool $(shown "live objects"), stats $live"
	[ "$(shown "live objects")" = "$live" ]
}

cache_live_agrees() {
	live=$(( $(stat cache_mallocs) - $(stat cache_frees) ))
	echo "# cache objects: tool $(shown "cache objects"), stats $live"
	[ "$(shown "cache objects")" = "$live" ]
}

ktap_header 9
dmesg -c >/dev/null
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
echo 0 > $D/scavenge_delay_ms		# nothing moves while we compare
modprobe gosalloc_example stress_ops=2000000
out=$("$TOOL" -b)
ktap_check "gosalloc-stat runs after the stress workload" [ -n "$out" ]
echo "$out" | sed 's/^/# /'
ktap_check "heap held agrees with heap_sys" agrees "heap held" heap_sys
ktap_check "heap in use agrees with heap_inuse" agrees "heap in use" heap_inuse
ktap_check "heap idle agrees with heap_idle" agrees "heap idle" heap_idle
ktap_check "live bytes agree with heap_alloc" agrees "live bytes" heap_alloc
ktap_check "live objects agree with mallocs - frees" live_agrees
ktap_check "cache objects agree with cache_mallocs - cache_frees" \
	cache_live_agrees
ktap_check "no inconsistency found" sh -c "! echo \"\$0\" | grep '^warning:'" "$out"
echo "# the classes holding the most memory:"
"$TOOL" -C -s memory -n 5 | sed 's/^/# /'
echo "# the named caches:"
"$TOOL" -k -a | sed 's/^/# /'
rmmod gosalloc_example
rmmod gosalloc
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
