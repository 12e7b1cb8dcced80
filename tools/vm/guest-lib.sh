# SPDX-License-Identifier: GPL-2.0-only
# Host-side helper, sourced: build gosalloc's modules for a kernel (Debian's
# or the debugging kernel) and boot that kernel in QEMU with a guest script.

# build_tree: print the tree the project is built in: the work tree, or,
# with GOSALLOC_BUILD_DIR set, a copy of its sources there (refreshed
# here; what git ignores, build products included, is not copied), so
# that a step may build beside another step's build in the work tree.
build_tree() {
	local dir=${GOSALLOC_BUILD_DIR:-}
	if [ -z "$dir" ]; then
		echo "$GOSALLOC_TOP"
		return
	fi
	mkdir -p "$dir"
	rsync -a --delete --filter=':- .gitignore' --exclude=/.git/ \
		"$GOSALLOC_TOP/" "$dir/" >&2
	echo "$dir"
}

# project_modules KDIR [MAKEARG...]: build the project's modules against
# KDIR in build_tree, with MAKEARGs ("KUNIT=1") on make's command line;
# sets GOSALLOC_BUILT (that tree) and MODULES.
project_modules() {
	GOSALLOC_BUILT=$(build_tree)
	make -s -C "$GOSALLOC_BUILT" modules KDIR="$1" "${@:2}" >&2
	MODULES=("$GOSALLOC_BUILT/gosalloc/gosalloc.ko"
		 "$GOSALLOC_BUILT/tools/example-client/gosalloc_example.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_misuse.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_probe.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_fuzz.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_kfree.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_charge.ko"
		 "$GOSALLOC_BUILT/tools/test-modules/gosalloc_node.ko")
}

# debian_modules [SERIES [MAKEARG...]]: fetch Debian's kernel, build the
# project's modules against its headers (with MAKEARGs, as
# project_modules); sets DEB_* (see debian-kernel.sh) and MODULES.
debian_modules() {
	eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" ${1:+"$1"})"
	project_modules "$DEB_KDIR" "${@:2}"
}

# gosalloc_stat_static: build tools/gosalloc-stat as a static binary in
# the tree project_modules built in (else build_tree), for the busybox
# guest, and print its path.
gosalloc_stat_static() {
	local top=${GOSALLOC_BUILT:-}
	need_pkgs stat-static
	[ -n "$top" ] || top=$(build_tree)
	make -s -C "$top/tools/gosalloc-stat" static >/dev/null
	echo "$top/tools/gosalloc-stat/gosalloc-stat.static"
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

# boot_kernel_clean NAME DIRTY KERNEL KVER SCRIPT [EXTRA...]: boot_kernel,
# booted again (three boots at most) while the command DIRTY, given the
# boot's exit status, says the kernel reported a problem before gosalloc
# was loaded. Such a report is the kernel's own (seen under TCG: KASAN
# "wild-memory-access in rcu_is_watching" while a CPU is set up, at one
# boot in several); each such boot's log is kept as NAME.bootN.log.
# Returns the last boot's exit status.
boot_kernel_clean() {
	local name=$1 dirty=$2 boot rc
	shift 2
	for boot in 1 2 3; do
		rc=0
		boot_kernel "$name" "$@" || rc=$?
		"$dirty" "$rc" && [ "$boot" -lt 3 ] || break
		cp "$GOSALLOC_OUT/$name.log" "$GOSALLOC_OUT/$name.boot$boot.log"
		log "the kernel reported a problem before gosalloc loaded ($name.boot$boot.log); booting again"
	done
	return "$rc"
}

# boot_debian NAME SCRIPT [EXTRA...]: boot_kernel with Debian's kernel
# (after debian_modules).
boot_debian() {
	local name=$1
	shift
	boot_kernel "$name" "$DEB_VMLINUZ" "$DEB_KVER" "$@"
}
