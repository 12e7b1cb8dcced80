#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Giving memory back: a stress workload survives CPU 1 going offline and
# back; 256 MiB allocated in small objects and freed, then a release
# through debugfs brings heap_sys under 8 MiB; and free memory after that,
# a stress workload and unloading is within 1 MiB of free memory before
# loading, both as MemFree and as MemFree plus the free pages waiting on
# the page allocator's per-CPU lists (/proc/zoneinfo "count:"), which
# MemFree leaves out.
#
# Since 6.7 the page allocator sizes those lists by itself, up to an eighth
# of the zone shared among the CPUs: in this guest MemFree moved by up to
# 26 MiB over a load, workload and unload while MemFree plus the lists
# moved by 40 kB at most. So the test fixes them at their smallest (four
# batches, about 1 MiB per CPU) through vm.percpu_pagelist_high_fraction,
# which also turns the tuning off, and lets the vmstat worker trim them
# before each sample. Every node's zones have lists of their own, so
# MemFree alone may move by 1 MiB per node: in the two-node guest
# (kselftest-6.12-numa) it moved by 1276 kB as the lists shrank by 1064
# kB, while MemFree plus the lists moved by 212 kB.
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

# settle: write back, drop caches, and give the vmstat worker (once a
# second) time to trim the per-CPU lists, and deferred frees time to run
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 5
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

# workload: a stress run on every CPU, all freed
workload() {
	modprobe gosalloc_example rounds=0 stress_ops=1000000 &&
		rmmod gosalloc_example && all_freed
}

ktap_header 7
dmesg -c >/dev/null
# The hotplug comes first: a CPU going offline also empties the kernel's
# own per-CPU caches (SLUB's among them), which moved MemFree by 9 MiB
# when it came between the two samples.
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
if [ -e /sys/devices/system/cpu/cpu1/online ]; then
	ktap_check "stress survives CPU 1 going offline and back" \
		hotplug_under_stress
else
	ktap_skip "stress survives CPU 1 going offline and back (no CPU 1)"
fi
rmmod gosalloc
fraction=/proc/sys/vm/percpu_pagelist_high_fraction
old_fraction=$(cat $fraction)
echo 1000000000 >$fraction
settle
before=$(memfree_kib)
before_pcp=$(pcp_kib)
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
ktap_check "256 MiB of small objects allocated and freed" \
	modprobe gosalloc_example rounds=0 stress_ops=0 fill_mib=256
rmmod gosalloc_example
ktap_check "release brings heap_sys under 8 MiB" released_under_8mib
ktap_check "a stress workload after the release" workload
rmmod gosalloc
settle
after=$(memfree_kib)
after_pcp=$(pcp_kib)
echo "$old_fraction" >$fraction
echo "# MemFree before=$before kB after=$after kB ($((after - before)) kB); per-CPU free lists before=$before_pcp kB after=$after_pcp kB"
delta=$((after - before))
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ "$nodes" -ge 1 ] || nodes=1
ktap_check "MemFree after unload within $nodes MiB of before" \
	[ "${delta#-}" -lt $((1024 * nodes)) ]
delta=$((after + after_pcp - before - before_pcp))
ktap_check "MemFree and per-CPU lists after unload within 1 MiB of before" \
	[ "${delta#-}" -lt 1024 ]
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
