#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The free fuzzer, reduced (gosalloc_fuzz): pointers into every byte of
# the first and last page of a span of every size class, of a tiny span
# and of large objects, passed to gosalloc_free() and gosalloc_size()
# under the kernel's own init_on_alloc and init_on_free. Exactly the live
# objects are accepted, every other pointer is counted as a bad free, no
# live object is overwritten, and the heap is empty after.
. ./ktap.sh
. ./gosalloc_lib.sh

PARAMS=/sys/module/gosalloc_fuzz/parameters

no_failures() {
	dmesg | grep "gosalloc_fuzz: " | sed 's/^/# /'
	echo "# classes=$(cat $PARAMS/classes) tried=$(cat $PARAMS/tried)"
	[ "$(cat $PARAMS/failures)" -eq 0 ] && [ "$(cat $PARAMS/classes)" -gt 60 ]
}

ktap_header 4
dmesg -c >/dev/null
echo "# $(tr ' ' '\n' </proc/cmdline | grep '^init_on_' | tr '\n' ' ')"
if ! modprobe gosalloc; then
	ktap_fail "modprobe gosalloc"
	ktap_finish
fi
ktap_check "fuzzer loads" modprobe gosalloc_fuzz
ktap_check "only live objects accepted, every bad pointer counted, objects intact" \
	no_failures
rmmod gosalloc_fuzz
ktap_check "every object freed" all_freed
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
rmmod gosalloc
ktap_finish
