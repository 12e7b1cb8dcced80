#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Memory-cgroup charging: a task in a cgroup v2 with a memory.max has
# gosalloc_charge allocate through gosalloc with __GFP_ACCOUNT. Its
# cgroup's memory.current rises by about what it allocated, small objects,
# large ones and those of a SLAB_ACCOUNT cache, and falls back after the free to within what the cgroup's
# spare spans keep; at memory.max the allocation fails with -ENOMEM and
# no task is OOM-killed; objects still charged to a cgroup that has been
# removed are freed from outside it, and the kernel reports nothing.
# memory.current moves in steps of the memcg's per-CPU charge stock (up
# to 64 pages per CPU are charged ahead), so the sizes are a few MiB and
# the bounds allow 512 KiB either way; memory.stat's "kernel", which
# counts the pages charged to the cgroup itself, is shown beside it.
. ./ktap.sh
. ./gosalloc_lib.sh

CGROOT=/sys/fs/cgroup
# The test's cgroup; the tasks go in its leaves (cgroup v2 keeps tasks
# out of a cgroup whose controllers its children share).
CG=$CGROOT/gosalloc_test
W=$CG/work
CTL=/sys/kernel/debug/gosalloc_charge/ctl
KIB=1024
MIB=$((1024 * 1024))

current() {
	cat "$1/memory.current"
}

kernel() {
	sed -n 's/^kernel \([0-9]*\)$/\1/p' "$1/memory.stat"
}

# in_cgroup DIR COMMAND: run COMMAND in a shell that joined cgroup DIR
in_cgroup() {
	sh -c "echo 0 >$1/cgroup.procs && $2"
}

# charge_check CMD WHAT LO HI: CMD written to the test module from cgroup
# W raises its memory.current by LO to HI bytes
charge_check() {
	before=$(current "$W")
	kbefore=$(kernel "$W")
	in_cgroup "$W" "echo '$1' >$CTL" || return 1
	after=$(current "$W")
	echo "# $2: memory.current $before -> $after (+$((after - before))), kernel +$(($(kernel "$W") - kbefore))"
	[ $((after - before)) -ge "$3" ] && [ $((after - before)) -le "$4" ]
}

# charged_by N SIZE LO HI: N objects of SIZE bytes allocated in cgroup W
# raise its memory.current by LO to HI bytes
charged_by() {
	charge_check "alloc $1 $2" "$1 x $2 bytes" "$3" "$4"
}

# cache_charged_by N LO HI: as charged_by, N objects of the test's
# SLAB_ACCOUNT cache
cache_charged_by() {
	charge_check "cache $1" "$1 cache objects" "$2" "$3"
}

# uncharged_to HI: after "free", memory.current is at most HI
uncharged_to() {
	in_cgroup "$W" "echo free >$CTL" || return 1
	after=$(current "$W")
	echo "# freed: memory.current $after"
	[ "$after" -le "$1" ]
}

# refused_at_max: 16 MiB more than memory.max allows fails with ENOMEM,
# nothing is OOM-killed, and memory.current stays under memory.max. The
# writer, at its cgroup's limit then, writes no error message (its page
# would be charged, and the kernel would OOM-kill the writer for it): the
# module keeps the error for the read.
refused_at_max() {
	base=$(current "$W")
	echo $((base + 4 * MIB)) >"$W/memory.max"
	if in_cgroup "$W" "echo 'alloc 16384 1024' >$CTL 2>/dev/null"; then
		echo "# the allocation past memory.max succeeded"
		return 1
	fi
	echo "# kept: $(cat $CTL)"
	echo "# memory.current $(current "$W") memory.max $(cat "$W/memory.max")"
	echo "# memory.events: $(tr '\n' ' ' <"$W/memory.events")"
	grep -q " error -12$" "$CTL" &&
		[ "$(current "$W")" -le "$(cat "$W/memory.max")" ] &&
		grep -q "^oom_kill 0$" "$W/memory.events" &&
		[ "$(sed -n 's/^objects \([0-9]*\) .*/\1/p' $CTL)" -lt 16384 ]
}

# freed_after_rmdir: 4 MiB of objects charged to a cgroup that is then
# removed are freed from the root, and the parent's charge (which took
# the removed cgroup's) falls by as much
freed_after_rmdir() {
	mkdir "$CG/gone" || return 1
	before=$(current "$CG")
	in_cgroup "$CG/gone" "echo 'alloc 8192 512' >$CTL" || return 1
	rmdir "$CG/gone" || return 1
	mid=$(current "$CG")
	echo free >"$CTL" || return 1
	echo 1 >/sys/kernel/debug/gosalloc/release
	after=$(current "$CG")
	echo "# parent memory.current $before, $mid after alloc and rmdir, $after after free"
	[ $((mid - before)) -ge $((4 * MIB - 512 * KIB)) ] &&
		[ $((mid - after)) -ge $((4 * MIB - 512 * KIB)) ]
}

# sets_released: no charged object left, nor spans of removed cgroups,
# once their removal is complete (the kernel takes a cgroup offline in a
# worker, after an RCU grace period): a release within 10 s frees them
sets_released() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo 1 >/sys/kernel/debug/gosalloc/release
		[ "$(stat memcg_sets)" -eq 0 ] && break
		sleep 1
	done
	echo "# memcg_sets=$(stat memcg_sets) memcg_objects=$(stat memcg_objects) after $i release(s)"
	all_freed && [ "$(stat memcg_objects)" -eq 0 ] &&
		[ "$(stat memcg_sets)" -eq 0 ]
}

ktap_header 9
dmesg -c >/dev/null
if ! grep -qw cgroup2 /proc/filesystems; then
	echo "# SKIP no cgroup2 file system"
	exit 4
fi
modprobe gosalloc && modprobe gosalloc_charge ||
	{ ktap_fail "modprobe gosalloc gosalloc_charge"; ktap_finish; }
grep -qw "$CGROOT" /proc/mounts || mount -t cgroup2 none "$CGROOT"
if ! grep -qw memory "$CGROOT/cgroup.controllers"; then
	echo "# SKIP no memory controller"
	exit 4
fi
echo +memory >"$CGROOT/cgroup.subtree_control"
mkdir -p "$CG"
echo +memory >"$CG/cgroup.subtree_control"
mkdir -p "$W"
echo $((64 * MIB)) >"$W/memory.max"
in_cgroup "$W" true	# the first charge fills the per-CPU stock
start=$(current "$W")
echo "# memory.current $start before allocating"
# 4 MiB in 512-byte objects: spans of the cgroup's own, charged a page
# at a time. The shell that joins the cgroup is charged a little too.
ktap_check "4 MiB of small objects charge about 4 MiB" \
	charged_by 8192 512 $((4 * MIB - 512 * KIB)) $((4 * MIB + 512 * KIB))
ktap_check "4 MiB of 64 KiB objects charge about 4 MiB" \
	charged_by 64 $((64 * KIB)) $((4 * MIB - 512 * KIB)) $((4 * MIB + 512 * KIB))
# 2 MiB: 131072 tiny objects of 8 bytes, charged as 16 bytes each
ktap_check "tiny objects are charged" \
	charged_by 131072 8 $((2 * MIB - 512 * KIB)) $((2 * MIB + 512 * KIB))
# 16384 objects of a SLAB_ACCOUNT cache of 200 bytes at 64: 256 bytes each
ktap_check "objects of a SLAB_ACCOUNT cache are charged" \
	cache_charged_by 16384 $((4 * MIB - 512 * KIB)) $((4 * MIB + 512 * KIB))
ktap_check "freeing uncharges all but the spare spans" \
	uncharged_to $((start + 512 * KIB))
ktap_check "past memory.max the allocation fails, nothing OOM-killed" \
	refused_at_max
echo free >"$CTL"
ktap_check "objects of a removed cgroup are freed and uncharged" \
	freed_after_rmdir
rmmod gosalloc_charge
rmdir "$W" "$CG"
ktap_check "every object freed, the removed cgroups' spans released" \
	sets_released
ktap_check "no kernel report" log_clean
ktap_finish
