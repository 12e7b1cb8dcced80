#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of "make bench": run the benchmark module, print its lines.
set -e
modprobe gosalloc
modprobe gosalloc_bench
dmesg | grep 'gosalloc_bench:'
