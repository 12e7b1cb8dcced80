#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Giving memory back: 256 MiB allocated in small objects and freed, then a
# release through debugfs brings heap_sys under 8 MiB; a stress workload
# survives CPU 1 going offline and back; and free memory after unloading
# is within 1 MiB of free memory before loading. Free memory is MemFree
# plus the free pages waiting on the page allocator's per-CPU lists
# (/proc/zoneinfo "count:"), which MemFree leaves out: the pages gosalloc
# gives back one by one land there first.
. ./ktap.sh
. ./gosalloc_lib.sh

memfree_kib() {
	sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' /proc/meminfo
}

pcp_kib() {
	kib=$(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)
	awk -v kib="$kib" '/^ *count:/ { n += $2 } END { print n * kib }' \
		/proc/zoneinfo
}

released_under_8mib() {
	echo 1 >/sys/kernel/debug/gosalloc/release
	echo "# heap_sys=$(stat heap_sys) heap_released=$(stat heap_released)"
	[ "$(stat heap_sys)" -lt $((8 << 20)) ] && [ "$(stat heap_released)" -gt 0 ]
}

cpu1_online() {
	echo "$1" >/sys/devices/system/cpu/cpu1/online
}

hotplug_under_stress() {
	modprobe gosalloc_example rounds=0 stress_ops=3000000 &
	load=$!
	for i in 1 2 3; do
		sleep 1
		cpu1_online 0 || return 1
		sleep 1
		cpu1_online 1 || return 1
	done
	wait $load || return 1
	echo "# stress_done=$(cat /sys/module/gosalloc_example/parameters/stress_done) mismatches=$(cat /sys/module/gosalloc_example/parameters/stress_mismatches)"
	[ "$(cat /sys/module/gosalloc_example/parameters/stress_mismatches)" -eq 0 ] &&
		rmmod gosalloc_example && all_freed
}

ktap_header 5
dmesg -c >/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
before=$(memfree_kib)
before_pcp=$(pcp_kib)
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
ktap_check "256 MiB of small objects allocated and freed" \
	modprobe gosalloc_example rounds=0 stress_ops=0 fill_mib=256
rmmod gosalloc_example
ktap_check "release brings heap_sys under 8 MiB" released_under_8mib
if [ -e /sys/devices/system/cpu/cpu1/online ]; then
	ktap_check "stress survives CPU 1 going offline and back" \
		hotplug_under_stress
else
	ktap_skip "stress survives CPU 1 going offline and back (no CPU 1)"
fi
rmmod gosalloc
sync
echo 3 >/proc/sys/vm/drop_caches
after=$(memfree_kib)
after_pcp=$(pcp_kib)
echo "# MemFree before=$before kB after=$after kB; per-CPU free lists before=$before_pcp kB after=$after_pcp kB"
ktap_check "free memory after unload within 1 MiB of before" \
	[ $((before + before_pcp - after - after_pcp)) -lt 1024 ]
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
