#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench.sh: "make bench". Runs tools/bench/gosalloc_bench (gosalloc and
# SLUB side by side, in one boot) in two environments, each in two
# settings, each booted GOSALLOC_BENCH_BOOTS times (3 by default);
# GOSALLOC_BENCH_ENVS ("debian uml" by default) chooses the environments:
#
#   debian	Debian's 6.12 kernel under QEMU (TCG), 2 CPUs: as shipped
#		(init_on_alloc=1) and with init_on_alloc=0; Debian's
#		kernel of another series with GOSALLOC_BENCH_SERIES
#		("6.1": Debian 12's own kernel)
#   uml		a UML kernel, native speed, 1 CPU: init_on_alloc=1 and 0
#
# The trace replay (tools/trace/kmalloc.trace) runs in the Debian guest
# only, where a shell can write the trace to the module's debugfs file.
#
# It prints one table per setting: per row, the median over the boots of
# each allocator's time and of their ratio, and the ratio's range across
# the boots (tools/bench-report.py). out/bench/ (GOSALLOC_OUT) receives the
# logs (ENV-BOOT.log), bench.csv, medians.csv and ratios.png (gnuplot).
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

out=$GOSALLOC_OUT/bench
boots=${GOSALLOC_BENCH_BOOTS:-3}
envs=" ${GOSALLOC_BENCH_ENVS:-debian uml} "
want() { [[ $envs == *" $1 "* ]]; }
want debian || want uml || die "GOSALLOC_BENCH_ENVS names neither debian nor uml"
mkdir -p "$out"
rm -f "$out"/*.log
need_pkgs bench

report=()
if want debian; then
	debian_modules "${GOSALLOC_BENCH_SERIES:-$GOSALLOC_SERIES}" BENCH=1
	MODULES+=("$GOSALLOC_BUILT/tools/bench/gosalloc_bench.ko")
	report+=("debian-shipped:Debian $DEB_KVER, QEMU TCG, 2 CPUs, as shipped"
		 "debian-0:Debian $DEB_KVER, QEMU TCG, 2 CPUs, init_on_alloc=0")
fi
want uml && report+=("uml-1:UML $GOSALLOC_SERIES, native, 1 CPU, init_on_alloc=1"
		     "uml-0:UML $GOSALLOC_SERIES, native, 1 CPU, init_on_alloc=0")

# Boots alternate between the settings, so that a slow spell of the host
# lands on all of them rather than on one.
for n in $(seq "$boots"); do
	for ioa in shipped 0; do
		want debian || break
		append=
		[ "$ioa" = shipped ] || append="init_on_alloc=$ioa"
		log "bench: Debian $DEB_KVER, QEMU, 2 CPUs, ${append:-as shipped}, boot $n of $boots"
		GOSALLOC_VM_APPEND=$append GOSALLOC_OUT=$out \
			boot_debian "debian-$ioa-$n" "$GOSALLOC_TOP/tools/vm/bench-guest.sh" \
			"$GOSALLOC_TOP/tools/trace/kmalloc.trace" >/dev/null
	done
	for ioa in 1 0; do
		want uml || break
		log "bench: UML, 1 CPU, init_on_alloc=$ioa, boot $n of $boots"
		GOSALLOC_KUNIT_TAG=bench GOSALLOC_KUNIT_ARGS="init_on_alloc=$ioa" \
		GOSALLOC_OUT=$out "$GOSALLOC_TOP/tools/kernel/kunit-run.sh" um "$GOSALLOC_SERIES" \
			"$GOSALLOC_TOP/tools/kernel/bench.config" >"$out/uml-$ioa-$n.out" 2>&1 ||
			die "UML bench run failed (see $out/uml-$ioa-$n.out)"
		mv "$out/kunit-um-bench.kernel.log" "$out/uml-$ioa-$n.log"
	done
done

python3 "$GOSALLOC_TOP/tools/bench-report.py" "$out" "${report[@]}"
