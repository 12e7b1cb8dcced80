#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# module-debug.sh: gosalloc loaded as a module in a debugging kernel, used
# by its clients and unloaded: the x86_64 kernel of
# tools/kernel/debug-kernel.sh (full preemption, lockdep, sleep-in-atomic
# and preemption checks, KASAN, kmemleak, DEBUG_VM), the project's modules
# built against it, and tools/vm/module-debug-guest.sh run in it under
# QEMU with 2 CPUs. The KTAP goes to $GOSALLOC_OUT/module-debug.log; the
# exit status is the guest's.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

eval "$("$GOSALLOC_TOP/tools/kernel/debug-kernel.sh")"
project_modules "$DBG_KDIR"
selftests=$GOSALLOC_TOP/tools/testing/selftests/gosalloc
log "gosalloc as a module in the debugging kernel $DBG_KVER under QEMU"
# Any report after gosalloc loads fails the step at once; one before
# is the kernel's own, and the guest boots again (boot_kernel_clean).
dirty() {
	grep -q '^not ok 1 kernel log clean before gosalloc loads' \
		"$GOSALLOC_OUT/module-debug.log"
}
boot_kernel_clean module-debug dirty "$DBG_VMLINUZ" "$DBG_KVER" \
	"$GOSALLOC_TOP/tools/vm/module-debug-guest.sh" \
	"$selftests/ktap.sh" "$selftests/gosalloc_lib.sh" \
	"$selftests/splat.pattern"
