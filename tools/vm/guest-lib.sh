# SPDX-License-Identifier: GPL-2.0-only
# Host-side helper, sourced: build gosalloc's modules for a kernel (Debian's
# or the debugging kernel) and boot that kernel in QEMU with a guest script.

# project_modules KDIR: build the project's modules against KDIR; sets
# MODULES.
project_modules() {
	make -s -C "$GOSALLOC_TOP" modules KDIR="$1" >&2
	MODULES=("$GOSALLOC_TOP/gosalloc/gosalloc.ko"
		 "$GOSALLOC_TOP/tools/example-client/gosalloc_example.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_misuse.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_probe.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_fuzz.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_kfree.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_charge.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_node.ko")
}

# debian_modules [SERIES]: fetch Debian's kernel, build the project's modules
# against its headers; sets DEB_* (see debian-kernel.sh) and MODULES.
debian_modules() {
	eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" "$@")"
	project_modules "$DEB_KDIR"
}

# gosalloc_stat_static: build tools/gosalloc-stat as a static binary, for
# the busybox guest, and print its path.
gosalloc_stat_static() {
	need_pkgs stat-static
	make -s -C "$GOSALLOC_TOP/tools/gosalloc-stat" static >/dev/null
	echo "$GOSALLOC_TOP/tools/gosalloc-stat/gosalloc-stat.static"
}

# boot_kernel NAME KERNEL KVER SCRIPT [EXTRA...]: run SCRIPT in a guest of
# KERNEL (release KVER) with the modules and EXTRA files; the log goes to
# $GOSALLOC_OUT/NAME.log.
boot_kernel() {
	local name=$1 kernel=$2 kver=$3 script=$4 out=$GOSALLOC_OUT
	shift 4
	mkdir -p "$out"
	"$GOSALLOC_TOP/tools/vm/mkinitramfs.sh" "$out/$name.cpio.gz" \
		"$kver" "$script" "${MODULES[@]}" "$@"
	"$GOSALLOC_TOP/tools/vm/qemu-run.sh" "$kernel" \
		"$out/$name.cpio.gz" "$out/$name.log"
}

# boot_debian NAME SCRIPT [EXTRA...]: boot_kernel with Debian's kernel
# (after debian_modules).
boot_debian() {
	local name=$1
	shift
	boot_kernel "$name" "$DEB_VMLINUZ" "$DEB_KVER" "$@"
}
