#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the installed kselftests listed in kselftest-list.txt, each under
# the timeout of its collection's "settings", and print KTAP: one result
# per test program, with the program's own KTAP nested under "# ", and
# after it a line with the seconds the program took.
cd "$(dirname "$0")" || exit 1
total=$(wc -l <kselftest-list.txt)
failed=0
n=0
echo "TAP version 13"
echo "1..$total"
while IFS=: read -r collection test; do
	n=$((n + 1))
	limit=$(sed -n 's/^timeout=//p' "$collection/settings" 2>/dev/null)
	echo "# selftests: $collection: $test"
	t0=$(cut -d' ' -f1 /proc/uptime)
	(cd "$collection" && timeout "${limit:-45}" sh "./$test") \
		>"/tmp/ktap.$$" 2>&1
	rc=$?
	sed 's/^/# /' "/tmp/ktap.$$"
	case $rc in
	0)	echo "ok $n selftests: $collection: $test" ;;
	4)	echo "ok $n selftests: $collection: $test # SKIP" ;;
	*)	echo "not ok $n selftests: $collection: $test # exit=$rc"
		failed=$((failed + 1)) ;;
	esac
	awk -v t0="$t0" '{ printf "# %s took %.1f s\n", test, $1 - t0 }' \
		test="$test" /proc/uptime
done <kselftest-list.txt
rm -f "/tmp/ktap.$$"
[ "$failed" -eq 0 ]
