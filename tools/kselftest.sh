#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kselftest.sh [SERIES [VARIANT]]: run gosalloc's kselftests in Debian's
# kernel of SERIES (default GOSALLOC_SERIES, lib.sh) under QEMU. VARIANT
# boots the guest differently:
#   free	init_on_free=1 (init_on_alloc as the kernel ships it)
#   free-noalloc init_on_free=1 init_on_alloc=0
#   numa	two NUMA nodes (a CPU and half the memory each): every test,
#		gosalloc_node.sh's two-node checks included, runs with
#		objects placed on, and freed across, two nodes
# The hardening variants run the tests whose paths the policies change:
# the fuzzer, the misuse client and the stress workload. The KTAP goes to
# $GOSALLOC_OUT/kselftest-SERIES[-VARIANT].log; the exit status is the
# guest's.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

series=${1:-$GOSALLOC_SERIES}
variant=${2:-}
out=$GOSALLOC_OUT
only=
case $variant in
"")	;;
free)	append=init_on_free=1 ;;
free-noalloc) append="init_on_free=1 init_on_alloc=0" ;;
numa)	append=
	export GOSALLOC_VM_NODES=2 ;;
*)	die "unknown variant $variant" ;;
esac
case $variant in
free*)	only="gosalloc_fuzz.sh|gosalloc_misuse.sh|gosalloc_stress.sh" ;;
esac
[ -z "$variant" ] ||
	export GOSALLOC_VM_APPEND="${GOSALLOC_VM_APPEND:+$GOSALLOC_VM_APPEND }$append"
debian_modules "$series"
rm -rf "$out/selftests"
make -s -C "$GOSALLOC_TOP/tools/testing/selftests/gosalloc" install \
	INSTALL_PATH="$out/selftests" >/dev/null
if [ -n "$only" ]; then
	grep -E ":($only)\$" "$out/selftests/kselftest-list.txt" >"$out/list.tmp"
	mv "$out/list.tmp" "$out/selftests/kselftest-list.txt"
fi
stat_tool=$(gosalloc_stat_static)
log "kselftests in Debian $DEB_KVER under QEMU${variant:+ ($variant)}"
name=kselftest-$series${variant:+-$variant}
rc=0
boot_debian "$name" "$GOSALLOC_TOP/tools/vm/selftest-guest.sh" \
	"$out/selftests" "$stat_tool" || rc=$?
if [ "$variant" = numa ] && ! grep -q ", 2 nodes, per-CPU caches" "$out/$name.log"; then
	log "the guest did not see two nodes in the numa run (see $out/$name.log)"
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
