#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# gosalloc's tracepoints and sampled call sites, seen from outside: with
# gosalloc:gosalloc_alloc and gosalloc:gosalloc_free enabled in tracefs,
# the probe client's allocations must appear with their call site and
# sizes; its 8192 live objects of 1000 bytes must be attributed to its
# allocating function in "callsites" within 20 %.
. ./ktap.sh
. ./gosalloc_lib.sh

T=/sys/kernel/tracing
D=/sys/kernel/debug/gosalloc
RATE=16384	# 8192000 bytes: about 500 samples, a deviation of 4.5 %

# traced N: the Nth "traced" line of the probe, as "PTR REQ ALLOC"
traced() {
	dmesg | sed -n 's/.*gosalloc_probe: traced ptr=\([^ ]*\) bytes_req=\([0-9]*\) bytes_alloc=\([0-9]*\).*/\1 \2 \3/p' |
		sed -n "${1}p"
}

event_seen() {
	set -- $(traced "$1")
	[ -n "$1" ] || { echo "# no traced line $1"; return 1; }
	grep -q "gosalloc_alloc: call_site=probe_traced+[^ ]* \[gosalloc_probe\] ptr=$1 bytes_req=$2 bytes_alloc=$3 gfp_flags=GFP_KERNEL cpu=[0-9]" "$T/trace" &&
		grep -q "gosalloc_free: call_site=probe_traced+[^ ]* \[gosalloc_probe\] ptr=$1 cpu=[0-9]" "$T/trace" || {
		echo "# no alloc and free events for ptr=$1 bytes_req=$2 bytes_alloc=$3"
		return 1
	}
}

events_exist() {
	[ -d "$T/events/gosalloc/gosalloc_alloc" ] &&
		[ -d "$T/events/gosalloc/gosalloc_free" ]
}

# The live bytes of the call sites whose first frame is probe_sampled.
sampled_bytes() {
	awk '/^[0-9]/ { live = $1; first = 1; next }
	     first && /probe_sampled\+/ { sum += live }
	     { first = 0 }
	     END { print sum + 0 }' "$D/callsites"
}

sampled_within_20_percent() {
	b=$(sampled_bytes)
	echo "# sampled live bytes of probe_sampled: $b, allocated 8192000"
	[ "$b" -gt 6553600 ] && [ "$b" -lt 9830400 ]
}

if [ ! -d "$T/events" ]; then
	ktap_header 1
	ktap_skip "no tracefs"
	ktap_finish
fi
ktap_header 8
dmesg -c >/dev/null
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
ktap_check "the events exist in tracefs" events_exist
echo "$RATE" > "$D/sample_rate"
echo > "$T/trace"
echo 1 > "$T/events/gosalloc/enable"
ktap_check "the probe client loads with the events on" modprobe gosalloc_probe
echo 0 > "$T/events/gosalloc/enable"
grep "probe_traced" "$T/trace" | head -n 6 | sed 's/^/# /'
ktap_check "tiny allocation traced with its sizes, then its free" event_seen 1
ktap_check "small allocation traced with its sizes, then its free" event_seen 2
ktap_check "large allocation traced with its sizes, then its free" event_seen 3
ktap_check "callsites names probe_sampled, live bytes within 20 %" \
	sampled_within_20_percent
head -n 12 "$D/callsites" | sed 's/^/# /'
rmmod gosalloc_probe
ktap_check "its live bytes are gone after unload" [ "$(sampled_bytes)" -eq 0 ]
rmmod gosalloc
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
