#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of "make run": load gosalloc and its example client, which
# runs a short workload, and print the statistics and the size classes.
set -e
modprobe gosalloc
modprobe gosalloc_example
dmesg | grep -E 'gosalloc' || true
echo "---- /sys/kernel/debug/gosalloc/stats ----"
cat /sys/kernel/debug/gosalloc/stats
echo "---- /sys/kernel/debug/gosalloc/classes ----"
cat /sys/kernel/debug/gosalloc/classes
echo "--------------------------------------------"
rmmod gosalloc_example
rmmod gosalloc
