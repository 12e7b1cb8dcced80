#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# debug-kernel.sh [SERIES [VARIANT [FRAGMENT...]]]: build (once) the
# x86_64 debugging kernel that gosalloc is loaded into as a module, from
# the source tree kunit-tree.sh prepares (of VARIANT, "kmalloc" for the
# kernel-mode tree), with the kernel's own kunit.py. Its configuration is
# kunit-x86_64.config (the debugging options of the KUnit run) plus
# module-debug.config (modules, an initramfs, a serial console) plus any
# FRAGMENTs; without them gosalloc is not built in. GOSALLOC_KERNEL_BASE
# names another file to take the place of kunit-x86_64.config (for
# example plain-x86_64.config, no debugging options). The build directory is
# cached under
# $GOSALLOC_CACHE/module-debug/, keyed by source version and
# configuration, and a cached build is brought up to date, not redone;
# steps that ask for the same build at once (module-debug and
# kunit-x86_64, in make check's two lanes) take turns, and the second
# finds it done.
# Prints shell assignments for eval:
#   DBG_KVER	 the kernel release (uname -r in the guest)
#   DBG_VMLINUZ	 the kernel image
#   DBG_KDIR	 the build directory, a KDIR for building modules
#   DBG_TREE	 the source tree (its tools/testing/kunit/kunit.py)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$("$GOSALLOC_TOP/tools/kernel/kunit-tree.sh" "${1:-$GOSALLOC_SERIES}" \
	${2:-})
shift $(( $# < 2 ? $# : 2 ))
configs=("${GOSALLOC_KERNEL_BASE:-$GOSALLOC_TOP/tools/kernel/kunit-x86_64.config}"
	 "$GOSALLOC_TOP/tools/kernel/module-debug.config" "$@")
build=$GOSALLOC_CACHE/module-debug/$(basename "$tree")-$(config_hash "${configs[@]}")
mkdir -p "$build"
exec 9>"$build.lock"
flock 9
kc_args=()
for c in "${configs[@]}"; do
	kc_args+=(--kunitconfig="$c")
done

log "debugging kernel, build cached in $build"
(cd "$tree" &&
	python3 tools/testing/kunit/kunit.py build --arch=x86_64 \
		--build_dir="$build" --jobs="$(nproc)" "${kc_args[@]}") >&2 ||
	die "building the debugging kernel failed"
printf 'DBG_KVER=%q\nDBG_VMLINUZ=%q\nDBG_KDIR=%q\nDBG_TREE=%q\n' \
	"$(cat "$build/include/config/kernel.release")" \
	"$build/arch/x86/boot/bzImage" "$build" "$tree"
