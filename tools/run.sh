#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh: "make run". Boot Debian's 6.12 kernel in QEMU, load gosalloc and
# the example client (which runs a short workload), print the statistics.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

debian_modules 6.12
need_pkgs gcc libc6-dev
make -s -C "$GOSALLOC_TOP/tools/gosalloc-stat" static >/dev/null
log "booting Debian $DEB_KVER in QEMU"
boot_debian run "$GOSALLOC_TOP/tools/vm/run-guest.sh" \
	"$GOSALLOC_TOP/tools/gosalloc-stat/gosalloc-stat.static"
