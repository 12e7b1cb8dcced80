#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kselftest.sh [SERIES [held]]: run gosalloc's kselftests in Debian's
# kernel of SERIES (default GOSALLOC_SERIES, lib.sh) under QEMU. With
# "held" the guest boots with clearcpuid=cx16, so that gosalloc's fast
# paths hold the CPU's lists instead of exchanging (mcache.h) on real SMP
# x86_64. The KTAP goes to
# $GOSALLOC_OUT/kselftest-SERIES[-held].log; the exit status is the
# guest's.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

series=${1:-$GOSALLOC_SERIES}
variant=${2:-}
out=$GOSALLOC_OUT
case $variant in
"")	;;
held)	export GOSALLOC_VM_APPEND="${GOSALLOC_VM_APPEND:+$GOSALLOC_VM_APPEND }clearcpuid=cx16" ;;
*)	die "unknown variant $variant" ;;
esac
debian_modules "$series"
rm -rf "$out/selftests"
make -s -C "$GOSALLOC_TOP/tools/testing/selftests/gosalloc" install \
	INSTALL_PATH="$out/selftests" >/dev/null
stat_tool=$(gosalloc_stat_static)
log "kselftests in Debian $DEB_KVER under QEMU${variant:+ ($variant)}"
name=kselftest-$series${variant:+-$variant}
rc=0
boot_debian "$name" "$GOSALLOC_TOP/tools/vm/selftest-guest.sh" \
	"$out/selftests" "$stat_tool" || rc=$?
if [ "$variant" = held ] && ! grep -q "per-CPU caches held" "$out/$name.log"; then
	log "gosalloc did not hold its lists in the held run (see $out/$name.log)"
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
