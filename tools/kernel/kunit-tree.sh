#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kunit-tree.sh SERIES [kmalloc]: print the path of a cached kernel source
# tree of Debian's linux-source-SERIES with gosalloc linked in, creating
# it first if needed. gosalloc's sources are copied to <tree>/gosalloc/
# (only the files kbuild reads, so that out-of-tree build products never
# leak in) and hooked into the tree's Kconfig and Kbuild under
# CONFIG_GOSALLOC. With "kmalloc", a tree of its own that also has the
# patch series of tools/kernel/kmalloc/ applied (kernel mode,
# CONFIG_GOSALLOC_KMALLOC); when the series changes, the applied patches
# from the first changed one on are reversed and the new ones applied, so
# only what they touch rebuilds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-$GOSALLOC_SERIES}
pkg=linux-source-$series
need_pkgs "kernel-tree-$series"
version=$(dpkg-query -W -f='${Version}' "$pkg")
variant=${2:-}
tree=$GOSALLOC_CACHE/src/$pkg-${version//[~+:]/_}${variant:+-$variant}
# make check builds kernels side by side from one tree: one unpack or
# copy at a time (the lock goes when this script exits).
mkdir -p "$GOSALLOC_CACHE/src"
exec 9>"$GOSALLOC_CACHE/src/.lock"
flock 9

if [ ! -f "$tree/.gosalloc-ready" ]; then
	log "unpacking $pkg $version into $tree"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xf /usr/src/$pkg.tar.xz -C "$tree.tmp"
	mv "$tree.tmp/$pkg" "$tree"
	rmdir "$tree.tmp"
	printf '\nsource "gosalloc/Kconfig"\n' >>"$tree/Kconfig"
	printf '\nobj-$(CONFIG_GOSALLOC)\t+= gosalloc/\n' >>"$tree/Kbuild"
	touch "$tree/.gosalloc-ready"
fi

if [ "$variant" = kmalloc ]; then
	applied=$tree/.gosalloc-patches
	series_dir=$GOSALLOC_TOP/tools/kernel/kmalloc
	mkdir -p "$applied"
	# The patches both series share, from the first: they stay applied,
	# so that the files they touch keep their times and nothing that
	# includes them rebuilds.
	keep=()
	for p in "$series_dir"/*.patch; do
		cmp -s "$p" "$applied/$(basename "$p")" || break
		keep+=("$(basename "$p")")
	done
	for p in $(ls -r "$applied"/*.patch 2>/dev/null); do
		[[ " ${keep[*]} " == *" $(basename "$p") "* ]] && break
		patch -s -R -p1 -d "$tree" <"$p" || die "cannot reverse $p in $tree"
		rm "$p"
	done
	for p in "$series_dir"/*.patch; do
		[ -f "$applied/$(basename "$p")" ] && continue
		log "applying $(basename "$p") to $tree"
		patch -s -p1 -d "$tree" <"$p" || die "$p does not apply"
		cp "$p" "$applied/"
	done
fi

# Copy without preserving times: a changed file gets a new mtime, so make
# rebuilds it; an unchanged file (-c) is not touched at all.
(cd "$GOSALLOC_TOP" &&
	rsync -rcR --delete --include='*/' --include='*.[ch]' --include=Kbuild \
		--include=Kconfig --exclude='*' --prune-empty-dirs \
		./Kconfig ./Kbuild ./gosalloc ./kunit ./tools/bench \
		"$tree/gosalloc/")
echo "$tree"
