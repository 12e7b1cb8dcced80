#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of "make bench": run the benchmark module's rows, then the
# trace replay on a freshly loaded gosalloc; print the module's lines.
set -e
modprobe gosalloc
modprobe gosalloc_bench
rmmod gosalloc_bench gosalloc
modprobe gosalloc
modprobe gosalloc_bench rows=0
cat /kmalloc.trace >/sys/kernel/debug/gosalloc_bench/trace
echo 1 >/sys/kernel/debug/gosalloc_bench/replay
dmesg | grep 'gosalloc_bench:'
