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

# files WHAT DIR NDIRS NFILES [STEP]: file N, in directory d(N % NDIRS) of
# DIR when there are several, holds (N % 7) + 1 lines naming N and the
# line. For N = 0, STEP, 2 * STEP... below NFILES, one awk process does
# WHAT: "write" writes the files, "paths" prints their paths, "bytes"
# prints what they hold, one after the other. Under TCG, starting a
# process or two per file cost far more than the filesystem work the
# test is about.
files() {
	awk -v what="$1" -v root="$2" -v dirs="$3" -v n="$4" -v step="${5:-1}" '
	BEGIN {
		for (d = 0; what == "write" && dirs > 1 && d < dirs; d++)
			if (system("mkdir -p " root "/d" d))
				exit 1
		for (f = 0; f < n; f += step) {
			p = dirs > 1 ? root "/d" (f % dirs) "/f" f : root "/f" f
			if (what == "paths") {
				print p
				continue
			}
			for (i = 0; i <= f % 7; i++) {
				l = "file " f " line " i " gosalloc drop-in workload"
				if (what == "write")
					print l > p
				else
					print l
			}
			if (what == "write")
				close(p)
		}
	}'
}

# verify DIR NDIRS NFILES STEP: files 0, STEP, 2 * STEP... hold exactly
# what was written.
verify() {
	files bytes "$@" >/tmp/want
	files paths "$@" | xargs cat | cmp - /tmp/want || {
		echo "MISMATCH in $1: files 0, $4, $(($4 * 2))... of $3"
		return 1
	}
	rm -f /tmp/want
}

# thin DIR NDIRS NFILES: delete every other file (1, 3, 5...).
thin() {
	files paths "$@" | sed -n 'n;p' | xargs rm
}

# workload NAME FSTYPE IMAGE NDIRS NFILES: mount, fill, verify,
# remount, verify, delete half, remount, verify and count the rest,
# delete all, umount.
workload() {
	loop=$(losetup -f)
	losetup "$loop" "$3"
	mkdir -p /mnt
	t0=$(now_ms)
	mount -t "$2" "$loop" /mnt
	files write /mnt "$4" "$5"
	sync
	verify /mnt "$4" "$5" 1
	umount /mnt
	mount -t "$2" "$loop" /mnt
	verify /mnt "$4" "$5" 1
	thin /mnt "$4" "$5"
	umount /mnt
	mount -t "$2" "$loop" /mnt
	verify /mnt "$4" "$5" 2
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
