#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# stress.sh: "make stress". Boot Debian's 6.12 kernel in QEMU with 2 CPUs
# and run the example client's stress workload for STRESS_SECONDS
# (default 600): kthreads on every CPU allocate random sizes (tiny, every
# class, large), write a pattern, and check and free each other's objects.
# Prints the operations done, the mismatches and failed allocations, and
# fails on any mismatch, failed allocation, object left over or kernel
# report. STRESS_DEBUG=1 loads gosalloc in debug mode.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

seconds=${STRESS_SECONDS:-600}
debug=${STRESS_DEBUG:-0}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || die "STRESS_SECONDS: a positive number"
out=$GOSALLOC_OUT
mkdir -p "$out"

guest=$out/stress-guest.sh
{
	echo '#!/bin/sh'
	echo "SECONDS_WANTED=$seconds"
	echo "DEBUG=$debug"
	cat "$GOSALLOC_TOP/tools/vm/stress-guest.sh"
} >"$guest"
chmod +x "$guest"

need_pkgs stress
debian_modules
log "stress for ${seconds}s in Debian $DEB_KVER under QEMU (2 CPUs)"
export GOSALLOC_VM_TIMEOUT=$((seconds + 300))
boot_debian stress "$guest" \
	"$GOSALLOC_TOP/tools/testing/selftests/gosalloc/gosalloc_lib.sh" \
	"$GOSALLOC_TOP/tools/testing/selftests/gosalloc/splat.pattern"
grep -q '^result: pass' "$out/stress.log"
