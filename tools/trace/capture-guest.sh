#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of capture.sh: the kmem:kmalloc and kmem:kfree events were
# enabled from the kernel command line at boot; run a workload, stop
# tracing, and print the trace in replay form between two markers.
T=/sys/kernel/tracing
for i in 1 2 3 4 5 6 7 8; do
	find / -xdev >/dev/null 2>&1
	cat /proc/*/status /proc/*/maps >/dev/null 2>&1
	ls -lR /sys/kernel >/dev/null 2>&1
	modprobe gosalloc && modprobe gosalloc_example rounds=10 stress_ops=1000
	rmmod gosalloc_example gosalloc
	dmesg >/dev/null
done
echo 0 >$T/tracing_on
echo "GOSALLOC_TRACE_BEGIN"
# "a ID SIZE" for kmalloc(SIZE) (bytes requested); "f ID" for its kfree.
# Pointers are hashed by the trace (%p), consistently within a boot.
awk '
/ kmalloc: / || / kfree: / {
	ptr = ""; req = ""
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^ptr=/) ptr = substr($i, 5)
		else if ($i ~ /^bytes_req=/) req = substr($i, 11)
	}
	if (req != "") { id[ptr] = ++n; print "a", n, req }
	else if (ptr in id) { print "f", id[ptr]; delete id[ptr] }
}' $T/trace
echo "GOSALLOC_TRACE_END"
