#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench.sh: "make bench". Runs tools/bench/gosalloc_bench (gosalloc and
# SLUB side by side, in one boot) in two environments, each twice:
#
#   debian	Debian's 6.12 kernel under QEMU (TCG), 2 CPUs: as shipped
#		(init_on_alloc=1) and with init_on_alloc=0
#   uml		a UML kernel, native speed, 1 CPU: init_on_alloc=1 and 0
#
# The trace replay (tools/trace/kmalloc.trace) runs in the Debian guest
# only, where a shell can write the trace to the module's debugfs file.
#
# and prints one table per run. out/bench/ (GOSALLOC_OUT) receives the
# logs, bench.csv and ratios.png (gnuplot).
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

out=$GOSALLOC_OUT/bench
mkdir -p "$out"
rm -f "$out"/*.log
need_pkgs bench

debian_modules
make -s -C "$GOSALLOC_TOP" modules KDIR="$DEB_KDIR" BENCH=1 >&2
MODULES+=("$GOSALLOC_TOP/tools/bench/gosalloc_bench.ko")
for ioa in shipped 0; do
	append=
	[ "$ioa" = shipped ] || append="init_on_alloc=$ioa"
	log "bench: Debian $DEB_KVER, QEMU, 2 CPUs, ${append:-as shipped}"
	GOSALLOC_VM_APPEND=$append GOSALLOC_OUT=$out \
		boot_debian "debian-$ioa" "$GOSALLOC_TOP/tools/vm/bench-guest.sh" \
		"$GOSALLOC_TOP/tools/trace/kmalloc.trace" >/dev/null
done

for ioa in 1 0; do
	log "bench: UML, 1 CPU, init_on_alloc=$ioa"
	GOSALLOC_KUNIT_TAG=bench GOSALLOC_KUNIT_ARGS="init_on_alloc=$ioa" \
	GOSALLOC_OUT=$out "$GOSALLOC_TOP/tools/kernel/kunit-run.sh" um "$GOSALLOC_SERIES" \
		"$GOSALLOC_TOP/tools/kernel/bench.config" >"$out/uml-$ioa.out" 2>&1 ||
		die "UML bench run failed (see $out/uml-$ioa.out)"
	mv "$out/kunit-um-bench.kernel.log" "$out/uml-$ioa.log"
done

python3 "$GOSALLOC_TOP/tools/bench-report.py" "$out" \
	"debian-shipped.log:Debian $DEB_KVER, QEMU TCG, 2 CPUs, as shipped" \
	"debian-0.log:Debian $DEB_KVER, QEMU TCG, 2 CPUs, init_on_alloc=0" \
	"uml-1.log:UML $GOSALLOC_SERIES, native, 1 CPU, init_on_alloc=1" \
	"uml-0.log:UML $GOSALLOC_SERIES, native, 1 CPU, init_on_alloc=0"
