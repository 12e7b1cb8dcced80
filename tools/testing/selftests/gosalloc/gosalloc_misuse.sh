#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Bad input from a client module (gosalloc_misuse): frees of pointers
# gosalloc never handed out, double frees and bad sizes must be reported
# once per call site, counted, and leave the heap intact. In debug mode a
# one-byte overflow and a write after free must be reported with the
# object and the callers that allocated and freed it.
. ./ktap.sh
. ./gosalloc_lib.sh

PARAMS=/sys/module/gosalloc_misuse/parameters

# misuse_ptr WHAT N: the Nth pointer the module printed on its WHAT line
misuse_ptr() {
	dmesg | sed -n "s/.*gosalloc_misuse: $1: //p" | head -n 1 |
		tr ',' '\n' | sed -n "${2}p" | awk '{ print $NF }'
}

# reported_once PATTERN: exactly one kernel log line matches
reported_once() {
	n=$(dmesg | grep -c -- "$1")
	[ "$n" -eq 1 ] || { echo "# $n lines match '$1'"; return 1; }
}

checks_held() {
	[ "$(cat $PARAMS/checks_failed)" -eq 0 ]
}

# grew NAME BEFORE BY: stat NAME is BEFORE + BY
grew() {
	echo "# $1: $2 -> $(stat "$1"), expected +$3"
	[ "$(stat "$1")" -eq $(($2 + $3)) ]
}

bad_pointers_reported() {
	for i in 1 2 3 4; do
		p=$(misuse_ptr "invalid frees" $i)
		reported_once "pointer not from gosalloc: $p passed by bad_frees" ||
			return 1
	done
	for i in 1 2 3; do
		p=$(misuse_ptr "double frees" $i)
		reported_once "double free: $p passed by bad_frees" || return 1
	done
}

overflow_reported() {
	p=$(misuse_ptr overflow 1)
	reported_once "out-of-bounds write: object $p (class [0-9]*, [0-9]* bytes): byte 100 overwritten; allocated by misuse_overflow_alloc+.*, found at free by misuse_overflow_free+"
}

write_after_free_reported() {
	p=$(misuse_ptr "write after free" 1)
	reported_once "write after free: object $p (class [0-9]*, [0-9]* bytes): byte 60 overwritten; allocated by misuse_uaf_alloc+.*, freed by misuse_uaf_free+"
}

debug_double_free_reported() {
	p=$(misuse_ptr "double free in debug mode" 1)
	reported_once "double free: object $p (class [0-9]*) freed by misuse_double_free+.*, already freed by misuse_double_free+"
}

# Pointers print hashed; the hash needs the random generator ready.
pointers_hashed() {
	! dmesg | grep -q "gosalloc_misuse: .*ptrval"
}

ktap_header 14
dmesg -c >/dev/null
if ! modprobe gosalloc; then
	ktap_fail "modprobe gosalloc"
	ktap_finish
fi
invalid=$(stat invalid_frees)
doubles=$(stat double_frees)
ktap_check "misuse client loads; sizes 0, too large, overflowing: defined results" \
	sh -c "modprobe gosalloc_misuse && [ \$(cat $PARAMS/checks_failed) -eq 0 ]"
ktap_check "pointers in the log are hashed, comparable" pointers_hashed
ktap_check "10 invalid frees counted" grew invalid_frees "$invalid" 10
ktap_check "3 double frees counted (small, large, tiny)" \
	grew double_frees "$doubles" 3
ktap_check "each bad pointer reported once, with its caller" \
	bad_pointers_reported
dmesg | grep "gosalloc: " | sed 's/^/# /'
rmmod gosalloc_misuse
ktap_check "heap intact: every other object freed" all_freed
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
rmmod gosalloc

dmesg -c >/dev/null
modprobe gosalloc debug=1
ktap_check "debug mode: misuse client with corruptions loads" \
	sh -c "modprobe gosalloc_misuse corrupt=1 && [ \$(cat $PARAMS/checks_failed) -eq 0 ]"
ktap_check "debug mode: one-byte overflow reported with object and callers" \
	overflow_reported
ktap_check "debug mode: write after free reported with object and callers" \
	write_after_free_reported
ktap_check "debug mode: double free of a non-latest object caught" \
	debug_double_free_reported
ktap_check "debug mode: 2 corrupted objects, 4 double frees counted" \
	sh -c '. ./gosalloc_lib.sh; [ "$(stat corrupted_objects)" -eq 2 ] && [ "$(stat double_frees)" -eq 4 ]'
dmesg | grep "gosalloc: " | sed 's/^/# /'
rmmod gosalloc_misuse
ktap_check "debug mode: every object freed" all_freed
ktap_check "debug mode: kernel log holds no warning, BUG or Oops" log_clean
rmmod gosalloc
ktap_finish
