#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test.sh: golden tests of gosalloc-stat. Builds it, runs it on the
# snapshots in tests/snapshots and tests/bad (see tests/README) with the
# options below, and compares its stdout with tests/expected/NAME.out, its
# stderr with tests/expected/NAME.err (no such file: stderr must be empty)
# and its exit status with the one given here. Prints "ok NAME" or
# "not ok NAME" for each case, and exits 1 if any failed.
#
# Usage: test.sh [--static] [--update]
#   --static  build and test gosalloc-stat.static instead
#   --update  rewrite the expected files from what the tool prints (a
#             status mismatch still fails); review them with git diff
set -euo pipefail

cd "$(dirname "$0")"
bin=./gosalloc-stat
target=all
update=0
for arg; do
	case $arg in
	--static) bin=./gosalloc-stat.static target=static ;;
	--update) update=1 ;;
	*) echo "usage: $0 [--static] [--update]" >&2; exit 2 ;;
	esac
done
make -s "$target"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
snap=tests/snapshots
bad=tests/bad
exp=tests/expected
failed=0
total=0

# check NAME STATUS ARGS...: one case.
check() {
	local name=$1 want=$2 rc=0 why='' err
	shift 2
	total=$((total + 1))
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if ((update)); then
		cp "$tmp/out" "$exp/$name.out"
		rm -f "$exp/$name.err"
		if [[ -s $tmp/err ]]; then
			cp "$tmp/err" "$exp/$name.err"
		fi
	fi
	err=$exp/$name.err
	[[ -e $err ]] || err=/dev/null
	if [[ $rc != "$want" ]]; then
		why="exit status $rc, expected $want"
	elif ! diff -u "$exp/$name.out" "$tmp/out" >"$tmp/diff" 2>&1; then
		why="stdout differs"
	elif ! diff -u "$err" "$tmp/err" >"$tmp/diff" 2>&1; then
		why="stderr differs"
	fi
	if [[ -z $why ]]; then
		echo "ok $name"
		return
	fi
	echo "not ok $name: $why"
	[[ $why == exit* ]] || sed 's/^/#   /' "$tmp/diff"
	failed=$((failed + 1))
}

# The realistic snapshot, part by part and sorted every way.
check realistic		0 -d $snap/realistic
check realistic-all	0 -d $snap/realistic -a -C
check realistic-totals	0 -d $snap/realistic -t
check realistic-bytes	0 -d $snap/realistic -t -b
check realistic-classes	0 -d $snap/realistic -C
check realistic-cpus	0 -d $snap/realistic -p
check realistic-t-p	0 -d $snap/realistic -t -p
check sort-memory	0 -d $snap/realistic -C -s memory
check sort-waste-n5	0 -d $snap/realistic -C -s waste -n 5
check sort-activity-n3	0 -d $snap/realistic -C -s activity -n 3
check sort-size-n0	0 -d $snap/realistic -C -s size -n 0
check watch		0 -d $snap/realistic -w 1 -c 2
check watch-short	0 -d $snap/realistic -C -n 2 -w 0.2 -c 3
check count-only	0 -d $snap/realistic -t -c 1
# A newer module's files: more stats lines, one more column.
check extra		0 -d $snap/extra
# An older module's, just loaded: all zeros, no cpus file, two stats fewer.
check empty		0 -d $snap/empty
check empty-all		0 -d $snap/empty -a -C -s waste
check empty-cpus	0 -d $snap/empty -p
# Named caches (a name with a blank among them), every view and sort.
check caches		0 -d $snap/caches
check caches-k		0 -d $snap/caches -k
check caches-k-all	0 -d $snap/caches -k -a
check caches-t-k	0 -d $snap/caches -t -k
check caches-memory	0 -d $snap/caches -k -s memory
check caches-waste	0 -d $snap/caches -k -s waste
check caches-activity-n2 0 -d $snap/caches -k -C -s activity -n 2
check caches-watch	0 -d $snap/caches -k -w 0.2 -c 2
# A caches file from before its pages column: memory and waste unknown.
check caches-old	0 -d $snap/caches-old -k
# Totals that disagree: warnings, exit status 0.
check inconsistent	0 -d $snap/inconsistent
check inconsistent-t	0 -d $snap/inconsistent -t -s memory
check caches-inconsistent 0 -d $snap/caches-inconsistent -k
# Missing or malformed input: a message, exit status 1.
check missing-dir	1 -d $snap/nonexistent
check not-a-dir		1 -d $snap/realistic/stats
for dir in "$bad"/*/; do
	dir=${dir%/}
	check "bad-${dir##*/}" 1 -d "$dir"
done
# Usage.
check help		0 -h
check unknown-option	2 -x
check missing-argument	2 -d $snap/realistic -n
check bad-sort		2 -s name
check bad-limit		2 -n -1
check bad-interval	2 -w 0
check bad-count		2 -c 0
check extra-argument	2 -d $snap/realistic stats

if ((failed)); then
	echo "$failed of $total cases failed"
	exit 1
fi
echo "all $total cases passed"
