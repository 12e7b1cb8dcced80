#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dropin-test.sh [SERIES]: rebuild unmodified modules of Debian's
# linux-source-SERIES (default GOSALLOC_SERIES, lib.sh) on gosalloc with the drop-in header
# alone, and run the same workloads on them and on Debian's own builds of
# the same modules, in one boot of Debian's kernel under QEMU.
#   minix	filesystem: thousands of files across directories, written,
#		read back, deleted, remounted and verified
#   bfs		filesystem: one directory of files, the same cycle
#   fat, vfat	filesystem: the same as minix on a FAT32 image
# The guest prints the time and memory of each run and gosalloc's
# statistics and caches; the log is $GOSALLOC_OUT/dropin-SERIES.log.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

series=${1:-$GOSALLOC_SERIES}
out=$GOSALLOC_OUT
work=$out/dropin-$series
need_pkgs dropin
debian_modules "$series"
tree=$("$GOSALLOC_TOP/tools/kernel/kunit-tree.sh" "$series")
rm -rf "$work"
mkdir -p "$work/dropin" "$work/stock" "$work/images"

# dropin_build DIR: fs/DIR's sources and a Kbuild made from its Makefile,
# with every module built (obj-m) and the drop-in header force-included.
dropin_build() {
	local dir=$1 b=$work/build/$1
	mkdir -p "$b"
	cp "$tree/fs/$dir/"*.[ch] "$b/"
	grep -v -e KUNIT -e '^#' "$tree/fs/$dir/Makefile" |
		sed 's/^obj-\$(CONFIG_[A-Z0-9_]*)/obj-m/' >"$b/Kbuild"
	echo "ccflags-y += -include $GOSALLOC_BUILT/gosalloc/gosalloc_dropin.h" >>"$b/Kbuild"
	make -s -C "$DEB_KDIR" M="$b" \
		KBUILD_EXTRA_SYMBOLS="$GOSALLOC_BUILT/Module.symvers" modules
	cp "$b"/*.ko "$work/dropin/"
}

for dir in minix bfs fat; do
	dropin_build "$dir"
done
for m in minix bfs fat vfat loop nls_cp437 nls_ascii nls_utf8; do
	ko=$(find "$DEB_MODDIR/kernel" -name "$m.ko.xz" | head -n1)
	[ -n "$ko" ] || die "Debian's kernel has no module $m"
	xz -dc "$ko" >"$work/stock/$m.ko"
done
truncate -s 48M "$work/images/minix.img"
mkfs.minix -3 -i 16384 "$work/images/minix.img" >/dev/null
truncate -s 16M "$work/images/bfs.img"
mkfs.bfs -N 512 "$work/images/bfs.img" >/dev/null 2>&1
stat_tool=$(gosalloc_stat_static)
log "drop-in modules in Debian $DEB_KVER under QEMU"
boot_debian "dropin-$series" "$GOSALLOC_TOP/tools/vm/dropin-guest.sh" \
	"$work/dropin" "$work/stock" "$work/images" "$stat_tool"
