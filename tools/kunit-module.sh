#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kunit-module.sh: the kunit-x86_64 step. gosalloc's KUnit suites built as
# a module (gosalloc_kunit.ko, "make KUNIT=1") and loaded after
# gosalloc.ko in the x86_64 debugging kernel of tools/kernel/debug-kernel.sh
# (full preemption, lockdep, KASAN, kmemleak, DEBUG_VM), the kernel the
# module-debug step loads gosalloc into: one build serves both steps. It
# boots under QEMU with 2 CPUs on two NUMA nodes of 512 MiB each, runs
# tools/vm/kunit-guest.sh, and the kernel's kunit.py reads the KTAP from
# the console log ($GOSALLOC_OUT/kunit-x86_64.log) into
# $GOSALLOC_OUT/kunit-x86_64.json.
# The exit status is kunit.py's (non-zero when a case failed or the KTAP
# is cut short by a crash or a hang), or the guest's: 3 when every case
# passed but the kernel log holds a warning, a BUG, a lockdep or
# sleep-in-atomic report, 4 when the guest did not bring up its two
# nodes. A boot whose kernel reports a problem before gosalloc loads is
# tried again, at most twice (boot_kernel_clean).
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

need_pkgs kunit-x86_64
out=$GOSALLOC_OUT
name=kunit-x86_64
eval "$("$GOSALLOC_TOP/tools/kernel/debug-kernel.sh")"
# Built in a copy of the sources: make check runs this step beside those
# that build in the work tree.
GOSALLOC_BUILD_DIR=${GOSALLOC_BUILD_DIR:-$out/$name-build} \
	project_modules "$DBG_KDIR" KUNIT=1
MODULES=("$GOSALLOC_BUILT/gosalloc/gosalloc.ko"
	 "$GOSALLOC_BUILT/kunit/gosalloc_kunit.ko")
selftests=$GOSALLOC_TOP/tools/testing/selftests/gosalloc
log "KUnit suites as a module in the debugging kernel $DBG_KVER under QEMU"
export GOSALLOC_VM_MEM=1G GOSALLOC_VM_NODES=2 GOSALLOC_VM_TIMEOUT=1200
export GOSALLOC_VM_APPEND="log_buf_len=8M ${GOSALLOC_VM_APPEND:-}"
rm -f "$out/$name.json"
# The guest exits 5 when the kernel log held a report before gosalloc
# was loaded.
dirty() {
	[ "$1" -eq 5 ]
}
rc=0
boot_kernel_clean "$name" dirty "$DBG_VMLINUZ" "$DBG_KVER" \
	"$GOSALLOC_TOP/tools/vm/kunit-guest.sh" \
	"$selftests/gosalloc_lib.sh" "$selftests/splat.pattern" || rc=$?
parsed=0
python3 "$DBG_TREE/tools/testing/kunit/kunit.py" parse \
	--json="$(realpath "$out")/$name.json" "$(realpath "$out/$name.log")" ||
	parsed=$?
# A guest that stopped short (modprobe failed, too few nodes, a crash or
# a hang) says why by its own status; one that ran every suite, by the
# cases' results and then by its check of the kernel log.
case $rc in
0|3)	[ "$parsed" -eq 0 ] || exit "$parsed" ;;
esac
exit "$rc"
