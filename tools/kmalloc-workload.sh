#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kmalloc-workload.sh [SECONDS]: "make kmalloc-workload". Kernel mode under
# a user space: the x86_64 debugging kernel (lockdep, KASAN, kmemleak,
# DEBUG_VM) built from the kernel-mode tree with gosalloc serving kmalloc
# (tools/kernel/kmalloc-workload.config), booted under QEMU (TCG, 2 CPUs)
# twice with tools/vm/kmalloc-workload-guest.sh running its busybox
# workload for SECONDS (600 by default): once with gosalloc.kmalloc=0,
# kmalloc on SLUB, then with gosalloc serving it; the same kernel, the
# same boot otherwise. Prints both sides' rounds, kmalloc memory after
# boot and at peak, and the guests' KTAP; logs go to
# $GOSALLOC_OUT/kmalloc-workload-{slub,gosalloc}.log. The exit status is
# non-zero when either guest failed.
#
# GOSALLOC_WORKLOAD_KERNEL=plain builds and boots the same tree without
# the debugging options (tools/kernel/plain-x86_64.config), for time and
# memory as a production kernel sees them; its logs are
# kmalloc-workload-plain-{slub,gosalloc}.log. GOSALLOC_WORKLOAD_SIDES
# ("slub gosalloc" by default) boots one side alone;
# GOSALLOC_WORKLOAD_APPEND is added to both sides' kernel command line.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

seconds=${1:-600}
name=kmalloc-workload
case ${GOSALLOC_WORKLOAD_KERNEL:-debug} in
debug)	;;
plain)	export GOSALLOC_KERNEL_BASE=$GOSALLOC_TOP/tools/kernel/plain-x86_64.config
	name=kmalloc-workload-plain ;;
*)	die "GOSALLOC_WORKLOAD_KERNEL is debug or plain" ;;
esac
eval "$("$GOSALLOC_TOP/tools/kernel/debug-kernel.sh" "$GOSALLOC_SERIES" \
	kmalloc "$GOSALLOC_TOP/tools/kernel/kmalloc-workload.config")"
selftests=$GOSALLOC_TOP/tools/testing/selftests/gosalloc
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
	echo "#!/bin/sh"
	echo "WORKLOAD_SECONDS=$seconds"
	cat "$GOSALLOC_TOP/tools/vm/kmalloc-workload-guest.sh"
} >"$script"
MODULES=()
export GOSALLOC_VM_TIMEOUT=$((seconds + 1800))
rc=0
sides=${GOSALLOC_WORKLOAD_SIDES:-slub gosalloc}
for side in $sides; do
	log "kernel mode, kmalloc on $side: $seconds s of workload in $DBG_KVER"
	export GOSALLOC_VM_APPEND=${GOSALLOC_WORKLOAD_APPEND:-}
	[ $side = gosalloc ] ||
		GOSALLOC_VM_APPEND="gosalloc.kmalloc=0 $GOSALLOC_VM_APPEND"
	boot_kernel "$name-$side" "$DBG_VMLINUZ" "$DBG_KVER" \
		"$script" "$selftests/ktap.sh" "$selftests/gosalloc_lib.sh" \
		"$selftests/splat.pattern" || rc=1
done
for side in $sides; do
	echo "== kmalloc on $side"
	grep -E '^# (after boot|WORKLOAD|gosalloc:|failed)|^(not )?ok ' \
		"$GOSALLOC_OUT/$name-$side.log" || true
done
exit $rc
