#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/kmalloc-workload.sh, in a kernel-mode kernel (the
# debugging one or the plain one), with kmalloc served by gosalloc or
# (gosalloc.kmalloc=0) by SLUB. For WORKLOAD_SECONDS (set by the host
# above this line) it repeats rounds of: process creation, files on
# tmpfs, files on a loop-mounted ext2 filesystem (written, unmounted,
# mounted again and verified), transfers over loopback TCP with busybox's
# httpd and wget, and reads of /proc files (a sysctl or seq_file read
# kmallocs its buffer). Then it checks the kernel log and, last, has LKDTM
# copy past a kmalloc object to user space, which hardened usercopy must
# stop. KTAP.
GOSALLOC_LIB_DIR=/
. /ktap.sh
. /gosalloc_lib.sh

DIRS=8
FILES=16

# meminfo FIELD: a /proc/meminfo value in KiB
meminfo() {
	sed -n "s/^$1: *\([0-9]*\) kB\$/\1/p" /proc/meminfo
}

# kmalloc_kib: the memory kmalloc holds: gosalloc's heap when it serves
# kmalloc (its pages count as Slab too), else SLUB's unreclaimable slabs
kmalloc_kib() {
	if [ -n "$SERVED" ]; then
		echo $(($(stat heap_sys) / 1024))
	else
		meminfo SUnreclaim
	fi
}

peak=0
sample() {
	now=$(kmalloc_kib)
	[ "$now" -gt "$peak" ] && peak=$now
	now=$(meminfo Slab)
	[ "$now" -gt "$peak_slab" ] && peak_slab=$now
}

processes() {
	i=0
	while [ $i -lt 40 ]; do
		/bin/true && sh -c 'seq 200 | sort -rn | md5sum >/dev/null'
		i=$((i + 1))
	done
}

# proc_files: every sysctl under /proc/sys/kernel and some of /proc's
# tables, read ten times; the tables must be readable
proc_files() {
	i=0
	while [ $i -lt 10 ]; do
		cat /proc/meminfo /proc/vmstat /proc/interrupts /proc/self/status \
			/proc/self/maps /proc/net/tcp >/dev/null || return 1
		find /proc/sys/kernel -type f -perm -0444 | xargs cat \
			>/dev/null 2>&1
		i=$((i + 1))
	done
}

# fill DIR ROUND: DIRS directories of FILES files, each its own content
fill() {
	d=0
	while [ $d -lt $DIRS ]; do
		mkdir -p "$1/d$d"
		f=0
		while [ $f -lt $FILES ]; do
			seq "$2$d$f" $((d * 97 + f * 13 + 50)) >"$1/d$d/f$f"
			f=$((f + 1))
		done
		d=$((d + 1))
	done
}

# sums DIR: one checksum over every file
sums() {
	(cd "$1" && find . -type f | sort | xargs md5sum | md5sum)
}

tmpfs_files() {
	mount -t tmpfs tmpfs /mnt/t || return 1
	fill /mnt/t "$1"
	a=$(sums /mnt/t)
	b=$(sums /mnt/t)
	rm -r /mnt/t/d*
	umount /mnt/t
	[ "$a" = "$b" ]
}

ext2_files() {
	mount -t ext2 /dev/loop0 /mnt/e || return 1
	fill /mnt/e "$1"
	a=$(sums /mnt/e)
	umount /mnt/e || return 1
	mount -t ext2 /dev/loop0 /mnt/e || return 1
	b=$(sums /mnt/e)
	rm -r /mnt/e/d*
	umount /mnt/e
	[ "$a" = "$b" ]
}

network() {
	seq "$1" 20000 >/www/data
	want=$(md5sum </www/data)
	got=$(wget -q -O - http://127.0.0.1:8080/data | md5sum)
	[ "$got" = "$want" ] || { echo "# wget: $got, want $want"; return 1; }
	# four transfers at once, each on a connection of its own
	for i in 1 2 3 4; do
		wget -q -O "/tmp/recv$i" http://127.0.0.1:8080/data &
	done
	wait
	for i in 1 2 3 4; do
		got=$(md5sum <"/tmp/recv$i")
		[ "$got" = "$want" ] ||
			{ echo "# wget $i: $got, want $want"; return 1; }
	done
}

ktap_header 4
SERVED=
ALLOCATOR=SLUB
if [ "$(cat /sys/module/gosalloc/parameters/kmalloc)" = Y ]; then
	SERVED=1
	ALLOCATOR=gosalloc
fi
echo "# kmalloc served by $ALLOCATOR"
mkdir -p /mnt/t /mnt/e /www
ifconfig lo 127.0.0.1 up
httpd -p 8080 -h /www
dd if=/dev/zero of=/tmp/ext2.img bs=1M count=24 2>/dev/null
losetup /dev/loop0 /tmp/ext2.img && mke2fs -q /dev/loop0
peak_slab=0
sample
echo "# after boot: kmalloc $(kmalloc_kib) KiB, Slab $(meminfo Slab) KiB"
[ -n "$SERVED" ] && boot_mallocs=$(stat mallocs)

start=$(date +%s)
rounds=0
failed=
while [ $(($(date +%s) - start)) -lt "$WORKLOAD_SECONDS" ]; do
	processes || failed="$failed processes"
	sample
	tmpfs_files $rounds || failed="$failed tmpfs"
	sample
	ext2_files $rounds || failed="$failed ext2"
	sample
	network $rounds || failed="$failed network"
	sample
	proc_files || failed="$failed proc"
	sample
	rounds=$((rounds + 1))
done
elapsed=$(($(date +%s) - start))
echo "# WORKLOAD rounds=$rounds seconds=$elapsed kmalloc_peak_kib=$peak slab_peak_kib=$peak_slab kmalloc_end_kib=$(kmalloc_kib)"
[ -z "$failed" ] || echo "# failed:$failed"
ktap_check "every round's processes, files and transfers right" \
	[ -z "$failed" ]
if [ -n "$SERVED" ]; then
	# Under KASAN, freed objects wait in gosalloc's quarantine (1/32 of
	# memory) and count as frees only when they leave it.
	echo "# gosalloc: mallocs $(stat mallocs) ($boot_mallocs after boot)," \
		"frees $(stat frees), heap_sys $(stat heap_sys)"
	ktap_check "gosalloc served the workload's kmallocs (1000 a round or more)" \
		[ "$(($(stat mallocs) - boot_mallocs))" -ge $((rounds * 1000)) ]
else
	ktap_skip "gosalloc served the kernel's traffic (kmalloc on SLUB)"
fi
# log_reported: log_clean, and when the log is not, its reports in full:
# from each line log_clean's pattern matches to the end of its trace
log_reported() {
	log_clean && return 0
	dmesg | sed -En "/$SPLAT/,/end trace/p" | head -n 120 | sed 's/^/# /'
	return 1
}
ktap_check "kernel log clean" log_reported

# usercopy_stopped: LKDTM copies more than a kmalloc object holds to
# user space; hardened usercopy kills the copying process and says why.
usercopy_stopped() {
	sh -c 'echo USERCOPY_SLAB_SIZE_TO >/sys/kernel/debug/provoke-crash/DIRECT' \
		2>/dev/null
	dmesg | grep "usercopy: Kernel memory exposure attempt" | sed 's/^/# /'
	dmesg | grep -q "usercopy: Kernel memory exposure attempt detected from $ALLOCATOR"
}
ktap_check "hardened usercopy stops a copy past a kmalloc object" \
	usercopy_stopped
ktap_finish
