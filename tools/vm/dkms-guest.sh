#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/dkms-test.sh: the DKMS-installed gosalloc.ko loads,
# serves an allocation-free stats file, and unloads.
set -e
modprobe gosalloc
grep -E '^(heap_sys|mallocs):' /sys/kernel/debug/gosalloc/stats
rmmod gosalloc
echo "dkms-guest: pass"
