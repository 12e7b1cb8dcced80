#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/dropin-test.sh: /stock holds Debian's modules,
# /dropin the same modules rebuilt on gosalloc, /images empty minix and
# bfs images. Each filesystem runs the same workload on both builds.
set -e
G=/sys/kernel/debug/gosalloc
FILES=${DROPIN_FILES:-2000}
DIRS=20

# Free memory in KiB: MemFree plus the page allocator's per-CPU lists.
mem_kb() {
	free=$(awk '/^MemFree/ {print $2}' /proc/meminfo)
	pcp=$(awk '/^ *count:/ {s += $2} END {print s * 4}' /proc/zoneinfo)
	echo $((free + pcp))
}

now_ms() {
	awk '{printf "%d\n", $1 * 1000}' /proc/uptime
}

# content N: the bytes of file N, different for every file.
content() {
	i=0
	while [ $i -lt $(( ($1 % 7) + 1 )) ]; do
		echo "file $1 line $i gosalloc drop-in workload"
		i=$((i + 1))
	done
}

# fill DIR NDIRS NFILES: write NFILES files across NDIRS directories.
fill() {
	d=0
	while [ $d -lt "$2" ]; do
		[ "$2" -gt 1 ] && mkdir -p "$1/d$d"
		d=$((d + 1))
	done
	n=0
	while [ $n -lt "$3" ]; do
		sub=$1
		[ "$2" -gt 1 ] && sub=$1/d$((n % $2))
		content $n >"$sub/f$n"
		n=$((n + 1))
	done
}

# verify DIR NDIRS NFILES: every file reads back as written.
verify() {
	n=0
	while [ $n -lt "$3" ]; do
		sub=$1
		[ "$2" -gt 1 ] && sub=$1/d$((n % $2))
		content $n | cmp -s - "$sub/f$n" || {
			echo "MISMATCH $sub/f$n"
			return 1
		}
		n=$((n + 1))
	done
}

# Delete every other file, verify the rest after a remount.
thin() {
	n=0
	while [ $n -lt "$3" ]; do
		sub=$1
		[ "$2" -gt 1 ] && sub=$1/d$((n % $2))
		rm "$sub/f$n"
		n=$((n + 2))
	done
}

# workload NAME FSTYPE IMAGE NDIRS NFILES: mount, fill, verify,
# remount, verify, delete half, remount, check, delete all, umount.
workload() {
	loop=$(losetup -f)
	losetup "$loop" "$3"
	mkdir -p /mnt
	t0=$(now_ms)
	mount -t "$2" "$loop" /mnt
	fill /mnt "$4" "$5"
	sync
	verify /mnt "$4" "$5"
	umount /mnt
	mount -t "$2" "$loop" /mnt
	verify /mnt "$4" "$5"
	thin /mnt "$4" "$5"
	umount /mnt
	mount -t "$2" "$loop" /mnt
	left=$(find /mnt -type f | wc -l)
	[ "$left" -eq $(( $5 / 2 )) ] || { echo "LEFT $left"; return 1; }
	rm -rf /mnt/*
	umount /mnt
	t1=$(now_ms)
	losetup -d "$loop"
	echo "RESULT $1 files=$5 ms=$((t1 - t0))"
}

# run BUILD FS FSTYPE IMAGE NDIRS NFILES MODULES...: load the modules of
# BUILD (stock or dropin), run the workload on a fresh copy of IMAGE,
# unload them; print time and the memory the modules kept while loaded.
run() {
	build=$1 fs=$2 fstype=$3 image=$4 ndirs=$5 nfiles=$6
	shift 6
	cp "$image" /tmp/fs.img
	[ "$fstype" = vfat ] && mkdosfs -F 32 /tmp/fs.img >/dev/null
	before=$(mem_kb)
	for m in "$@"; do insmod "/$build/$m.ko"; done
	workload "$build-$fs" "$fstype" /tmp/fs.img "$ndirs" "$nfiles"
	loaded=$(mem_kb)
	[ "$build" = dropin ] && { echo "---- caches ($fs) ----"; cat $G/caches; }
	for m in $(echo "$@" | tr ' ' '\n' | sed '1!G;h;$!d'); do rmmod "$m"; done
	# gosalloc keeps free pages for reuse; give them back to compare.
	echo 1 >$G/release
	after=$(mem_kb)
	echo "MEM $build-$fs used_while_loaded_kb=$((before - loaded)) kept_after_rmmod_kb=$((before - after))"
	rm -f /tmp/fs.img
}

insmod /stock/loop.ko
for m in nls_cp437 nls_ascii nls_utf8; do insmod /stock/$m.ko; done
modprobe gosalloc
dd if=/dev/zero of=/tmp/fat.img bs=1M count=48 2>/dev/null
for build in stock dropin; do
	run $build minix minix /images/minix.img $DIRS "$FILES" minix
	run $build bfs bfs /images/bfs.img 1 300 bfs
	run $build vfat vfat /tmp/fat.img $DIRS "$FILES" fat vfat
done
echo "---- stats after rmmod ----"
cat $G/stats
/gosalloc-stat.static -s memory -n 4 || true
live=$(awk '/^heap_alloc:/ {print $2}' $G/stats)
cm=$(awk '/^cache_mallocs:/ {print $2}' $G/stats)
cf=$(awk '/^cache_frees:/ {print $2}' $G/stats)
m=$(awk '/^mallocs:/ {print $2}' $G/stats)
f=$(awk '/^frees:/ {print $2}' $G/stats)
echo "SUMMARY heap_alloc=$live mallocs=$m frees=$f cache_mallocs=$cm cache_frees=$cf"
dmesg | grep -iE 'gosalloc|minix|bfs|fat' | tail -20
[ "$live" -eq 0 ] && [ "$cm" -eq "$cf" ] && [ "$m" -eq "$f" ] && [ "$cm" -gt 0 ]
rmmod gosalloc
