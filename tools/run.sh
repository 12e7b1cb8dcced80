#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh: "make run". Boot Debian's 6.12 kernel in QEMU, load gosalloc and
# the example client (which runs a short workload), print the statistics.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

need_pkgs run
debian_modules
stat_tool=$(gosalloc_stat_static)
log "booting Debian $DEB_KVER in QEMU"
boot_debian run "$GOSALLOC_TOP/tools/vm/run-guest.sh" "$stat_tool"
