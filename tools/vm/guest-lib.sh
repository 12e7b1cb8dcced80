# SPDX-License-Identifier: GPL-2.0-only
# Host-side helper, sourced: build gosalloc's modules for Debian's kernel
# and boot that kernel in QEMU with a guest script.

# debian_modules [SERIES]: fetch Debian's kernel, build the project's modules
# against its headers; sets DEB_* (see debian-kernel.sh) and MODULES.
debian_modules() {
	eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" "$@")"
	make -s -C "$GOSALLOC_TOP" modules KDIR="$DEB_KDIR" >&2
	MODULES=("$GOSALLOC_TOP/gosalloc/gosalloc.ko"
		 "$GOSALLOC_TOP/tools/example-client/gosalloc_example.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_misuse.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_probe.ko"
		 "$GOSALLOC_TOP/tools/test-modules/gosalloc_fuzz.ko")
}

# gosalloc_stat_static: build tools/gosalloc-stat as a static binary, for
# the busybox guest, and print its path.
gosalloc_stat_static() {
	need_pkgs stat-static
	make -s -C "$GOSALLOC_TOP/tools/gosalloc-stat" static >/dev/null
	echo "$GOSALLOC_TOP/tools/gosalloc-stat/gosalloc-stat.static"
}

# boot_debian NAME SCRIPT [EXTRA...]: run SCRIPT in the Debian guest with
# the modules and EXTRA files; the log goes to $GOSALLOC_OUT/NAME.log.
boot_debian() {
	local name=$1 script=$2 out=$GOSALLOC_OUT
	shift 2
	mkdir -p "$out"
	"$GOSALLOC_TOP/tools/vm/mkinitramfs.sh" "$out/$name.cpio.gz" \
		"$DEB_KVER" "$script" "${MODULES[@]}" "$@"
	"$GOSALLOC_TOP/tools/vm/qemu-run.sh" "$DEB_VMLINUZ" \
		"$out/$name.cpio.gz" "$out/$name.log"
}
