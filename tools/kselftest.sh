#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kselftest.sh [SERIES]: run gosalloc's kselftests in Debian's kernel of
# SERIES (default 6.12) under QEMU. The KTAP goes to
# $GOSALLOC_OUT/kselftest-SERIES.log; the exit status is the guest's.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

series=${1:-6.12}
out=${GOSALLOC_OUT:-$GOSALLOC_TOP/out}
debian_modules "$series"
rm -rf "$out/selftests"
make -s -C "$GOSALLOC_TOP/tools/testing/selftests/gosalloc" install \
	INSTALL_PATH="$out/selftests" >/dev/null
stat_tool=$(gosalloc_stat_static)
log "kselftests in Debian $DEB_KVER under QEMU"
boot_debian "kselftest-$series" "$GOSALLOC_TOP/tools/vm/selftest-guest.sh" \
	"$out/selftests" "$stat_tool"
