#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh: "make check". Runs every test and gate, keeps going past a
# failure so that one run names every failing case, then prints a summary
# ending in "N passed, N failed" and exits non-zero if anything failed.
#
#   sizeclasses		the size-class generator's invariants, and the
#			checked-in table equal to its output
#   ordering		a Relacy model of how spans are published and checked
#			without a lock: no failure with release/acquire, and
#			the failure found with the old WRITE_ONCE/READ_ONCE
#   style		checkpatch, W=1 and sparse (tools/style.sh)
#   stat-tool		tools/gosalloc-stat on captured snapshots (golden)
#   htmldocs		Documentation/ built to HTML with no warning
#   kunit-um		KUnit suites in a UML kernel (native speed, 1 CPU)
#   kunit-um-init	the same, booted with init_on_alloc=1 init_on_free=1
#			(the kernel's hardening policies; same build)
#   kunit-um-6.1	the same in a UML kernel built from linux-source-6.1
#   kunit-um-kmalloc	kernel mode: a UML kernel whose kmalloc is gosalloc's
#			(tools/kernel/kmalloc/), running kunit.py's default
#			suites and gosalloc's; the reports those suites
#			provoke on purpose (kunit-default.expected) are no
#			failure
#   kunit-x86_64	KUnit suites as a module (tools/kunit-module.sh) in an
#			x86_64 debugging kernel under QEMU, 2 CPUs on two
#			NUMA nodes
#   module-debug	gosalloc loaded as a module, used by its clients and
#			unloaded in the same kernel under QEMU, 2 CPUs; any
#			lockdep, KASAN, kmemleak or other kernel report fails
#			it
#   kunit-arm64		KUnit suites in an arm64 kernel under QEMU, 2 CPUs
#   kselftest-6.12	the kselftests in Debian's 6.12 kernel under QEMU
#   kselftest-6.12-free	the fuzzer, misuse and stress kselftests in the
#			6.12 guest booted with init_on_free=1
#   kselftest-6.12-free-noalloc  the same with init_on_free=1
#			init_on_alloc=0
#   kselftest-6.12-numa	the kselftests in the 6.12 guest booted with two
#			NUMA nodes
#   kselftest-6.1	the same in Debian's 6.1 kernel
#   dropin-6.12		Debian's minix, bfs and FAT modules rebuilt on gosalloc
#			with the drop-in header alone, and the same
#			filesystem workload on them and on Debian's builds
#   rt-refused		the module's build against Debian's 6.12 PREEMPT_RT
#			headers stops with a message naming PREEMPT_RT
#   dkms		dkms add/build/install against Debian's 6.12 headers,
#			modprobe of the result in the 6.12 guest, with the
#			kernel's compression (.ko.xz) and without
#
# A step that passed is reused, not run, while its inputs stay the same
# (below, and Documentation/testing.rst); GOSALLOC_CHECK_CACHE=0 runs all.
# Each step's log is in out/ (GOSALLOC_OUT). GOSALLOC_CHECK_STEPS limits
# the run to the named steps; "check.sh quick" ("make check-quick") runs
# kunit-um and kselftest-6.12 only, for the edit-build-test loop.
#
# The steps run in two lanes side by side: those that build outside the
# work tree in one (kunit-*, each kernel in its own build directory, then
# dropin-*, which builds the project in a copy of its sources in out/), and
# everything that builds in the work tree in the other, each lane in the
# order above (GOSALLOC_CHECK_LANES=1: all in one lane). Every 30 s
# a running step prints its time and the last progress line of its log.
set -uo pipefail
. "$(dirname "$0")/kernel/lib.sh"

out=$GOSALLOC_OUT
mkdir -p "$out"
[ "${1:-}" != quick ] || GOSALLOC_CHECK_STEPS=${GOSALLOC_CHECK_STEPS:-kunit-um kselftest-6.12}
steps=${GOSALLOC_CHECK_STEPS:-sizeclasses ordering style stat-tool htmldocs kunit-um kunit-um-init kunit-um-6.1 kunit-um-kmalloc kunit-x86_64 module-debug kunit-arm64 kselftest-6.12 kselftest-6.12-free kselftest-6.12-free-noalloc kselftest-6.12-numa kselftest-6.1 dropin-6.12 dkms rt-refused}
# All of make check's packages at once; a subset of steps installs its own.
if [ -n "${GOSALLOC_CHECK_STEPS:-}" ]; then
	need_pkgs summary
else
	need_pkgs check
fi
start=$SECONDS
: >"$out/steps.txt"

# Passing results are reused, as "go test" reuses them: a step that passed
# is not run again while nothing it could depend on has changed. Its key
# (inputs_key) covers the work tree's content (tracked and untracked
# files that git does not ignore), every installed Debian package and its
# version, the package lists the Debian kernels are chosen from, the host's
# kernel release, architecture and CPU count, the step's name and every
# GOSALLOC_ setting in its environment. The step's logs are kept under
# $GOSALLOC_CACHE/results/KEY and copied back to out/; the summary marks
# the step "reused". A failed step is never reused.
# GOSALLOC_CHECK_CACHE=0 runs every step (passes are still recorded).
results=$GOSALLOC_CACHE/results
reuse=${GOSALLOC_CHECK_CACHE:-1}

# inputs_key NAME: print the step's key, or nothing where it cannot be
# known (no git, not a git work tree).
inputs_key() {
	local idx tree
	command -v git >/dev/null || return 0
	git -C "$GOSALLOC_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		return 0
	# The work tree as a git tree object, through a scratch index.
	# A file a build in the other lane removes while git reads the tree
	# fails the read: read it again.
	idx=$(mktemp)
	cp "$(git -C "$GOSALLOC_TOP" rev-parse --path-format=absolute \
		--git-path index)" "$idx" 2>/dev/null
	for _ in 1 2 3; do
		tree=$(cd "$GOSALLOC_TOP" && export GIT_INDEX_FILE=$idx &&
			{ git add -A . && git write-tree; } 2>/dev/null) && break
	done
	rm -f "$idx"
	[ -n "$tree" ] || return 0
	{
		echo "step $1 tree $tree"
		uname -mr
		nproc
		dpkg-query -W -f='${Package} ${Version}\n' 2>/dev/null
		stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* 2>/dev/null
		env | grep '^GOSALLOC_' | sort |
			grep -Ev '^GOSALLOC_(TOP|OUT|CACHE|CHECK_(STEPS|LANES|CACHE))='
	} | sha256sum | cut -c1-32
}

# reuse_result NAME KEY: copy a recorded pass of NAME back to out/.
reuse_result() {
	[ "$reuse" != 0 ] && [ -n "$2" ] && [ -f "$results/$2/passed" ] || return 1
	cp -p "$results/$2/$1".* "$out/" 2>/dev/null
	touch "$results/$2/passed"	# recently used: kept by the pruning
}

# record_result NAME KEY: keep the logs of a pass of NAME (not the guest
# images), and forget results unused for 14 days.
record_result() {
	local f dir=$results/$2
	[ -n "$2" ] || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "$out/$1".*; do
		[[ $f == *.cpio.gz ]] || cp -p "$f" "$dir/" 2>/dev/null
	done
	date -u '+%F %T' >"$dir/passed"
	find "$results" -mindepth 2 -maxdepth 2 -name passed -mtime +14 \
		-printf '%h\0' 2>/dev/null | xargs -0r rm -rf
}

# cpu_seconds FILE: the CPU time (user and system) of finished children
# in FILE, which bash's "times" wrote, in whole seconds (0 without FILE).
cpu_seconds() {
	sed -n 2p "$1" 2>/dev/null | tr 'ms' '  ' |
		awk '{ c = $1 * 60 + $2 + $3 * 60 + $4 } END { printf "%d\n", c }'
}

# run_step NAME CMD...: one step; "NAME STATUS SECONDS STARTED CPU
# [reused]" goes to steps.txt (STARTED: seconds after make check began;
# CPU: the CPU seconds the step's processes used, on every core).
run_step() {
	local name=$1 t0=$SECONDS rc key
	shift
	key=$(inputs_key "$name")
	if reuse_result "$name" "$key"; then
		echo "$name 0 0 $((t0 - start)) 0 reused" >>"$out/steps.txt"
		log "$name: reused the pass of $(cat "$results/$key/passed") UTC" \
			"(same inputs; GOSALLOC_CHECK_CACHE=0 runs it)"
		return
	fi
	log "$name: started (log: $out/$name.out)"
	ticker_start "$name" "$out/$name.out"
	# In a subshell of its own, whose "times" counts the step alone
	# ("times" in a pipe or $(...) would run in a new process and count
	# nothing).
	rm -f "$out/$name.times"
	( "$@" >"$out/$name.out" 2>&1; rc=$?
	  times >"$out/$name.times"; exit $rc )
	rc=$?
	ticker_stop
	echo "$name $rc $((SECONDS - t0)) $((t0 - start))" \
		"$(cpu_seconds "$out/$name.times")" >>"$out/steps.txt"
	log "$name: exit $rc after $((SECONDS - t0)) s"
	# Recorded only if the inputs did not change while it ran.
	[ "$rc" -ne 0 ] || [ "$key" != "$(inputs_key "$name")" ] ||
		record_result "$name" "$key"
}

# run_lane STEP...: the steps one after the other.
run_lane() {
	local step series arch rest variant
	for step; do
		case $step in
		sizeclasses)	run_step sizeclasses python3 \
					"$GOSALLOC_TOP/tools/sizeclasses/mksizeclasses.py" --check ;;
		ordering)	run_step ordering "$GOSALLOC_TOP/tools/ordering-test.sh" ;;
		style)		run_step style "$GOSALLOC_TOP/tools/style.sh" ;;
		htmldocs)	run_step htmldocs "$GOSALLOC_TOP/tools/htmldocs.sh" ;;
		dkms)		run_step dkms "$GOSALLOC_TOP/tools/dkms-test.sh" ;;
		rt-refused)	run_step rt-refused "$GOSALLOC_TOP/tools/rt-test.sh" ;;
		dropin-*)	GOSALLOC_BUILD_DIR=$out/$step-build run_step "$step" \
					"$GOSALLOC_TOP/tools/dropin-test.sh" "${step#dropin-}" ;;
		module-debug)	rm -f "$out/$step.log"
				run_step "$step" "$GOSALLOC_TOP/tools/module-debug.sh" ;;
		stat-tool)	need_pkgs stat-static
				run_step stat-tool "$GOSALLOC_TOP/tools/gosalloc-stat/test.sh" ;;
		kunit-um-init)	rm -f "$out/$step.json"	# kunit-um's build
				GOSALLOC_KUNIT_TAG=init \
				GOSALLOC_KUNIT_ARGS="init_on_alloc=1 init_on_free=1" \
					run_step "$step" \
					"$GOSALLOC_TOP/tools/kernel/kunit-run.sh" um ;;
		kunit-x86_64)	run_step "$step" "$GOSALLOC_TOP/tools/kunit-module.sh" ;;
		kunit-*-kmalloc) rm -f "$out/$step.json"	# kunit-ARCH-kmalloc
				arch=${step#kunit-}
				GOSALLOC_KUNIT_TAG=kmalloc GOSALLOC_KUNIT_TREE=kmalloc \
				GOSALLOC_KUNIT_EXPECTED="$GOSALLOC_TOP/tools/kernel/kunit-default.expected" \
					run_step "$step" \
					"$GOSALLOC_TOP/tools/kernel/kunit-run.sh" \
					"${arch%-*}" "$GOSALLOC_SERIES" \
					"$GOSALLOC_TOP/tools/kernel/kunit-default.config" \
					"$GOSALLOC_TOP/tools/kernel/kmalloc.config" ;;
		kunit-*-*)	rm -f "$out/$step.json"	# kunit-ARCH-SERIES
				series=${step##*-}
				arch=${step#kunit-}
				GOSALLOC_KUNIT_TAG=$series run_step "$step" \
					"$GOSALLOC_TOP/tools/kernel/kunit-run.sh" \
					"${arch%-*}" "$series" ;;
		kunit-*)	rm -f "$out/$step.json"
				run_step "$step" "$GOSALLOC_TOP/tools/kernel/kunit-run.sh" \
					"${step#kunit-}" ;;
		kselftest-*)	rest=${step#kselftest-}	# kselftest-SERIES[-VARIANT]
				series=${rest%%-*}
				variant=${rest#"$series"}
				run_step "$step" "$GOSALLOC_TOP/tools/kselftest.sh" \
					"$series" ${variant#-} ;;
		*)		log "error: unknown step $step"
				echo "$step 2 0 $((SECONDS - start))" >>"$out/steps.txt" ;;
		esac
	done
}

kunit=() tree=()
for step in $steps; do
	case $step in
	kunit-*|dropin-*) kunit+=("$step") ;;
	*)		tree+=("$step") ;;
	esac
done
if [ "${GOSALLOC_CHECK_LANES:-2}" -gt 1 ] && [ ${#kunit[@]} -gt 0 ] &&
   [ ${#tree[@]} -gt 0 ]; then
	log "make check: ${kunit[*]} side by side with ${tree[*]}"
	run_lane "${kunit[@]}" &
	lane=$!
	run_lane "${tree[@]}"
	wait "$lane"
else
	run_lane $steps
fi

log "make check took $((SECONDS - start)) s"
exec python3 "$GOSALLOC_TOP/tools/check-summary.py" "$out"
