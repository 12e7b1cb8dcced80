#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kunit-run.sh ARCH [SERIES] [KCONFIG_FRAGMENT...]: build gosalloc's KUnit
# suites into a kernel with the kernel's own kunit.py and run them.
#   ARCH	um (native, one CPU), x86_64 (QEMU TCG, 2 CPUs on two NUMA
#		nodes of 512 MiB each) or arm64 (QEMU TCG, 2 CPUs,
#		cross-compiled with Debian's gcc-aarch64-linux-gnu)
#   SERIES	the linux-source-SERIES package to build from
#		(default GOSALLOC_SERIES, lib.sh)
# The build directory is cached, keyed by series, arch and configuration.
# Results go to $GOSALLOC_OUT/kunit-ARCH.json. The exit status is
# kunit.py's (non-zero when a case fails or the kernel crashes or hangs),
# or 3 when every case passed but the kernel log holds a warning, a BUG,
# a lockdep or sleep-in-atomic report (tests cannot always see those),
# or 4 when the x86_64 guest did not bring up its two nodes.
# GOSALLOC_KUNIT_TAG names a variant (its outputs are kunit-ARCH-TAG.*);
# GOSALLOC_KUNIT_ARGS adds kernel command-line arguments;
# GOSALLOC_KUNIT_FILTER, a kunit.py filter glob ("kasan", "gosalloc*"),
# runs only the suites it matches.
# GOSALLOC_KUNIT_TREE=kmalloc builds from the tree with the kernel-mode
# patches (kunit-tree.sh). GOSALLOC_KUNIT_EXPECTED names a file of reports
# the kernel's own suites provoke on purpose, left out of the check for
# reports (kunit-expected.py). With KCSAN in the kernel, its reports on
# races in which gosalloc takes no part are left out too (kcsan-own.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:?usage: kunit-run.sh ARCH [SERIES] [FRAGMENT...]}
series=${2:-$GOSALLOC_SERIES}
shift $(( $# < 2 ? $# : 2 ))
out=$GOSALLOC_OUT
mkdir -p "$out"

configs=("$GOSALLOC_TOP/kunit/.kunitconfig")
qemu_args=()
cross=()
case $arch in
um)	configs+=("$GOSALLOC_TOP/tools/kernel/kunit-um.config") ;;
x86_64)	need_pkgs kunit-x86_64
	configs+=("$GOSALLOC_TOP/tools/kernel/kunit-x86_64.config"
		  "$GOSALLOC_TOP/tools/kernel/kunit-x86_64-nodes.config")
	# kunit.py gives the guest 1024 MiB (-m 1024): half per node; a
	# socket per node, as in qemu-run.sh.
	qemu_args=(--qemu_args="-smp 2,sockets=2,cores=1,threads=1
		-object memory-backend-ram,id=mem0,size=512M
		-object memory-backend-ram,id=mem1,size=512M
		-numa node,nodeid=0,cpus=0,memdev=mem0
		-numa node,nodeid=1,cpus=1,memdev=mem1")
	;;
arm64)	need_pkgs kunit-arm64
	configs+=("$GOSALLOC_TOP/tools/kernel/kunit-arm64.config")
	qemu_args=(--qemu_args="-smp 2")
	cross=(--cross_compile=aarch64-linux-gnu-)
	;;
*)	die "unsupported arch $arch" ;;
esac
configs+=("$@")

tree=$("$(dirname "$0")/kunit-tree.sh" "$series" ${GOSALLOC_KUNIT_TREE:-})
name=$arch${GOSALLOC_KUNIT_TAG:+-$GOSALLOC_KUNIT_TAG}
# Keyed by series, arch and configuration, not by tag: variants that
# differ only in their command line share one build.
[ "$series" = "$GOSALLOC_SERIES" ] || build_series=-$series
build=$GOSALLOC_CACHE/kunit/$(basename "$tree")-$arch${build_series:-}-$(config_hash "${configs[@]}")
mkdir -p "$build"
kc_args=()
for c in "${configs[@]}"; do
	kc_args+=(--kunitconfig="$c")
done

log "KUnit on $name ($series), build cached in $build"
cd "$tree"
kernel_args=()
for a in ${GOSALLOC_KUNIT_ARGS:-}; do
	kernel_args+=(--kernel_args="$a")
done
rm -f "$build/test.log"
python3 tools/testing/kunit/kunit.py run --arch="$arch" \
	--build_dir="$build" --jobs="$(nproc)" --timeout=1200 \
	"${kc_args[@]}" "${qemu_args[@]}" "${cross[@]}" "${kernel_args[@]}" \
	--json="$out/kunit-$name.json" ${GOSALLOC_KUNIT_FILTER:+"$GOSALLOC_KUNIT_FILTER"} ||
	exit
cp "$build/test.log" "$out/kunit-$name.kernel.log"
checked=$build/test.log
if [ -n "${GOSALLOC_KUNIT_EXPECTED:-}" ]; then
	checked=$out/kunit-$name.checked.log
	python3 "$GOSALLOC_TOP/tools/kernel/kunit-expected.py" \
		"$GOSALLOC_KUNIT_EXPECTED" \
		<"$build/test.log" >"$checked"
fi
# KCSAN (kunit-arm64.config) watches the whole kernel: a race it finds in
# the kernel's own code, where no function of gosalloc's or its tests'
# takes part, is named but does not fail the step (kcsan-own.py).
if grep -qx 'CONFIG_KCSAN=y' "$build/.config"; then
	find "$build/gosalloc" -name '*.o' -exec nm --defined-only {} + |
		awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$out/kunit-$name.functions"
	grep -qx gosalloc_alloc "$out/kunit-$name.functions" ||
		die "no function of gosalloc's found in $build/gosalloc"
	python3 "$GOSALLOC_TOP/tools/kernel/kcsan-own.py" --test
	python3 "$GOSALLOC_TOP/tools/kernel/kcsan-own.py" \
		"$out/kunit-$name.functions" <"$checked" >"$out/kunit-$name.kcsan.log"
	checked=$out/kunit-$name.kcsan.log
fi
if grep -E "$GOSALLOC_SPLAT" "$checked"; then
	log "the kernel log of the KUnit run holds a report (above)"
	exit 3
fi
# Without two nodes gosalloc_node's placement cases skip, and pass.
if [ "$arch" = x86_64 ] && ! grep -q "Brought up 2 nodes" "$build/test.log"; then
	log "the x86_64 guest did not bring up two NUMA nodes (see $out/kunit-$name.kernel.log)"
	exit 4
fi
