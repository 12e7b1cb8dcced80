#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/module-debug.sh, in the debugging kernel
# (lockdep, KASAN, kmemleak, ...): gosalloc loaded as a module, its
# clients loaded on top (the example client's stress for STRESS_SECONDS,
# the misuse client's bad frees, the probe client's objects kept until
# unload), everything unloaded again, gosalloc last, then kmemleak asked
# for leaks. KTAP; any report in the kernel log fails the run.
GOSALLOC_LIB_DIR=/
. /ktap.sh
. /gosalloc_lib.sh

STRESS_SECONDS=20
KMEMLEAK=/sys/kernel/debug/kmemleak
EXAMPLE=/sys/module/gosalloc_example/parameters
MISUSE=/sys/module/gosalloc_misuse/parameters

# kmemleak_scan: scan twice (an object whose contents changed since the
# last scan is not reported yet), then print the suspects.
kmemleak_scan() {
	echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK" && cat "$KMEMLEAK"
}

# commented: stdin as KTAP comments
commented() {
	sed 's/^/# /'
}

stress_held() {
	modprobe gosalloc_example stress_ops=0 \
		stress_seconds="$STRESS_SECONDS" || return 1
	echo "# stress: $(cat $EXAMPLE/stress_done) operations," \
		"$(cat $EXAMPLE/stress_mismatches) mismatches," \
		"$(cat $EXAMPLE/stress_failures) failed allocations"
	[ "$(cat $EXAMPLE/stress_mismatches)" -eq 0 ] &&
		[ "$(cat $EXAMPLE/stress_failures)" -eq 0 ]
}

bad_frees_counted() {
	invalid=$(stat invalid_frees)
	doubles=$(stat double_frees)
	modprobe gosalloc_misuse || return 1
	echo "# invalid_frees $invalid -> $(stat invalid_frees)," \
		"double_frees $doubles -> $(stat double_frees)"
	[ "$(cat $MISUSE/checks_failed)" -eq 0 ] &&
		[ "$(stat invalid_frees)" -eq $((invalid + 10)) ] &&
		[ "$(stat double_frees)" -eq $((doubles + 3)) ] &&
		dmesg | grep -q "pointer not from gosalloc: .* passed by bad_frees" &&
		dmesg | grep -q "double free: .* passed by bad_frees"
}

clients_unload() {
	rmmod gosalloc_example && rmmod gosalloc_misuse && rmmod gosalloc_probe
}

stats_readable() {
	stats=$(cat "$STATS") || return 1
	echo "$stats" | commented
}

gosalloc_gone() {
	[ ! -e /sys/module/gosalloc ] && [ ! -e /sys/kernel/debug/gosalloc ]
}

ktap_header 12
ktap_check "kernel log clean before gosalloc loads" log_clean
# The kernel's own suspects from booting are not gosalloc's: scanned and
# cleared before gosalloc loads, and the automatic scans stopped, so that
# the last scan names only what leaked since. kmemleak reports no object
# younger than 5 seconds: the scan waits until booting is that old.
echo scan=off >"$KMEMLEAK"
sleep 5
kmemleak_scan >/dev/null
echo clear >"$KMEMLEAK"
dmesg -c >/dev/null
if ! modprobe gosalloc; then
	ktap_fail "modprobe gosalloc"
	dmesg | commented
	ktap_finish
fi
ktap_pass "modprobe gosalloc"
ktap_check "example client: ${STRESS_SECONDS}s of stress, every pattern intact" \
	stress_held
ktap_check "misuse client: bad frees reported and counted, not fatal" \
	bad_frees_counted
ktap_check "probe client keeps its objects until unload" modprobe gosalloc_probe
ktap_check "debugfs stats readable" stats_readable
ktap_check "clients unload" clients_unload
ktap_check "every object freed" all_freed
ktap_check "rmmod gosalloc" rmmod gosalloc
ktap_check "gosalloc gone: no module, no debugfs directory" gosalloc_gone
leaks=$(kmemleak_scan)
[ -z "$leaks" ] || echo "$leaks" | commented
ktap_check "kmemleak finds no leak" [ -z "$leaks" ]
ktap_check "kernel log clean: no warning, BUG, lockdep, KASAN or kmemleak report" \
	log_clean
if [ "$ktap_failed" -ne 0 ]; then
	echo "# kernel log since gosalloc was loaded:"
	dmesg | commented
fi
ktap_finish
