#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of "make run": load gosalloc and its example client, which
# runs a short workload, and print the statistics, the size classes and
# tools/gosalloc-stat's view of them.
set -e
modprobe gosalloc
modprobe gosalloc_example
dmesg | grep -E 'gosalloc' || true
echo "---- /sys/kernel/debug/gosalloc/stats ----"
cat /sys/kernel/debug/gosalloc/stats
echo "---- /sys/kernel/debug/gosalloc/classes ----"
cat /sys/kernel/debug/gosalloc/classes
echo "---- gosalloc-stat -s memory -n 8 ----"
/gosalloc-stat.static -s memory -n 8
echo "--------------------------------------------"
rmmod gosalloc_example
rmmod gosalloc
