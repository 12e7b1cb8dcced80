#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# gosalloc objects freed by the kernel's own kfree(), kvfree() and
# kmem_cache_free() (gosalloc_kfree): on the first page of a chunk, twice,
# on a later page, and on the first page of a large object. The kernel
# warns (once a boot) and drops a reference on each page; gosalloc's
# guard references must keep every page allocated and every object
# intact, gosalloc must keep working and give its memory back, keeping
# and reporting the pages that took stray frees, and the kernel log must
# hold the kernel's warnings and nothing else: no "Bad page state", no
# BUG, no list corruption, no refcount report.
. ./ktap.sh
. ./gosalloc_lib.sh

PARAMS=/sys/module/gosalloc_kfree/parameters

# What must never appear, besides the two expected warnings.
BAD="Bad page state|BUG:|kernel BUG|list_del corruption|list_add corruption|refcount_t|page dumped|Oops|general protection|KASAN:|UBSAN"

no_failures() {
	dmesg | grep "gosalloc_kfree: " | sed 's/^/# /'
	[ "$(cat $PARAMS/failures)" -eq 0 ]
}

# count PATTERN: kernel log lines matching PATTERN (extended regex)
count() {
	dmesg | grep -cE -- "$1"
}

# expect N PATTERN: exactly N kernel log lines match
expect() {
	n=$(count "$2")
	echo "# $n lines match '$2', expected $1"
	[ "$n" -eq "$1" ]
}

kernel_warned() {
	expect 1 "WARNING: .*free_large_kmalloc" &&
		expect 1 "object pointer: 0x" || return 1
	if [ "$cache_freed" = Y ]; then
		expect 1 "virt_to_cache: Object is not a Slab page" || return 1
	fi
}

keeps_working() {
	modprobe gosalloc_example rounds=0 stress_ops=300000 fill_mib=64 &&
		rmmod gosalloc_example && all_freed
}

released_and_kept() {
	echo 1 >/sys/kernel/debug/gosalloc/release
	echo "# heap_sys=$(stat heap_sys) heap_released=$(stat heap_released) bad_page_refs=$(stat bad_page_refs)"
	[ "$(stat heap_sys)" -lt $((8 << 20)) ] &&
		[ "$(stat bad_page_refs)" = "$hit" ] &&
		expect "$hit" "gosalloc: page .*freed by the kernel's kfree\(\)\?\): kept"
}

# Only the kernel's expected warnings: one WARNING line for kfree() and
# one for kmem_cache_free(), nothing from the list above.
log_clean_but_warnings() {
	warnings=1
	[ "$cache_freed" = Y ] && warnings=2
	if dmesg | grep -E "$BAD"; then
		return 1
	fi
	expect "$warnings" "WARNING:"
}

ktap_header 7
dmesg -c >/dev/null
if ! modprobe gosalloc; then
	ktap_fail "modprobe gosalloc"
	ktap_finish
fi
ktap_check "client passing objects to kfree(), kvfree(), kmem_cache_free() loads" \
	modprobe gosalloc_kfree
ktap_check "pages still allocated, objects and neighbours intact" no_failures
# The module's results, read before it goes.
hit=$(cat $PARAMS/pages_hit 2>/dev/null)
cache_freed=$(cat $PARAMS/cache_freed 2>/dev/null)
ktap_check "the kernel warned about the kfree() (and kmem_cache_free())" \
	kernel_warned
rmmod gosalloc_kfree
ktap_check "allocating and freeing 64 MiB and 300000 objects after" \
	keeps_working
ktap_check "release gives memory back, keeps and reports the pages hit" \
	released_and_kept
ktap_check "gosalloc unloads" rmmod gosalloc
dmesg | grep -E "gosalloc: |WARNING:|object pointer" | sed 's/^/# /'
ktap_check "kernel log: no Bad page state, BUG, corruption, other warning" \
	log_clean_but_warnings
ktap_finish
