#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ordering-test.sh: the "ordering" step of make check. Builds the Relacy
# model of how the heap publishes spans and how a lockless pointer check
# reads them (tools/testing/ordering/span_publish.cpp) and runs it on the
# current protocol, release and acquire, and on the old one, every access
# WRITE_ONCE() or READ_ONCE() as before issue 14's defect 12 was fixed.
# For each case of the model (state, slot, arena) Relacy's full search
# must find no failure in the current protocol and must find the failing
# assertion in the old one, so the check is seen to be able to fail.
# Prints "ok NAME" or "not ok NAME" per case and run; exits 1 on any
# unexpected outcome. Relacy's output is in out/ordering/.
#
# Usage: ordering-test.sh [current|old]...	(default: both)
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"

protocols=("$@")
[ ${#protocols[@]} -gt 0 ] || protocols=(current old)
for p in "${protocols[@]}"; do
	case $p in
	current|old) ;;
	*) echo "usage: $0 [current|old]..." >&2; exit 2 ;;
	esac
done

need_pkgs ordering
src=$GOSALLOC_TOP/tools/testing/ordering/span_publish.cpp
out=$GOSALLOC_OUT/ordering
mkdir -p "$out"
cases=(state slot arena)
failed=0

# -O0: the search takes milliseconds, and optimising would double the
# build, which is most of the step's time.
if ! g++ -std=gnu++17 -O0 -Wall -Werror -o "$out/span_publish" "$src" \
	>"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	die "the model did not build (log: $out/build.log)"
fi

for p in "${protocols[@]}"; do
	for c in "${cases[@]}"; do
		res=$out/$p-$c.log
		rc=0
		"$out/span_publish" "$p" "$c" >"$res" 2>&1 || rc=$?
		iters=$(sed -n 's/^iterations\?: //p' "$res" | head -n 1)
		if [ "$p" = current ]; then
			if [ "$rc" -eq 0 ]; then
				log "$c, current protocol: no failure in $iters runs (full search)"
				echo "ok current-$c"
				continue
			fi
		elif [ "$rc" -eq 1 ] && grep -q '^USER ASSERT FAILED' "$res"; then
			log "$c, old protocol: $(grep -m1 '^USER ASSERT FAILED' "$res") in run $iters"
			echo "ok old-$c-caught"
			continue
		fi
		# A current failure, or an old run that passed or failed
		# otherwise than by the checker's assertion.
		head -n 3 "$res" >&2
		log "$c, $p protocol: unexpected (exit $rc, see $res)"
		if [ "$p" = current ]; then
			echo "not ok current-$c"
		else
			echo "not ok old-$c-caught"
		fi
		failed=$((failed + 1))
	done
done
[ "$failed" -eq 0 ]
