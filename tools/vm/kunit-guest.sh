#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/kunit-module.sh, in the x86_64 debugging kernel:
# gosalloc loaded as a module, then its KUnit suites (gosalloc_kunit.ko),
# which run while the module loads and print KTAP to the kernel log. From
# just before that the console shows every kernel message, so the KTAP
# reaches the host as it is printed, and a crash leaves what ran before
# it. The boot is quiet until then, so the console holds no other KTAP
# (the built-in executor's empty "1..0" at boot is not shown).
# The exit status: 0 when the suites ran, whatever their results (the
# host reads those from the KTAP); 3 when the kernel log holds a report;
# 4 when the guest has fewer than two NUMA nodes (gosalloc_node's
# placement cases would skip, and pass); 5 when the kernel reported a
# problem before gosalloc was loaded (the host boots again).
GOSALLOC_LIB_DIR=/
. /gosalloc_lib.sh

if ! log_clean; then
	echo "kunit-guest: the kernel log holds a report before gosalloc loads"
	exit 5
fi
nodes=$(node_count)
if [ "$nodes" -lt 2 ]; then
	echo "kunit-guest: $nodes NUMA node(s), not 2"
	exit 4
fi
echo "kunit-guest: $nodes NUMA nodes, $(grep -c ^processor /proc/cpuinfo) CPUs"
modprobe gosalloc || exit 1
echo 8 >/proc/sys/kernel/printk
modprobe gosalloc_kunit || exit 1
rmmod gosalloc_kunit && rmmod gosalloc || exit 1
echo 4 >/proc/sys/kernel/printk
if ! log_clean; then
	echo "kunit-guest: the kernel log holds a report (above)"
	exit 3
fi
