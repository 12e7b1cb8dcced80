# SPDX-License-Identifier: GPL-2.0-only
# KTAP output for gosalloc's shell selftests; sourced. POSIX sh (busybox).
#
#   ktap_header N	print the version line and a plan of N tests
#   ktap_pass NAME	record one result; ktap_fail NAME, ktap_skip NAME
#   ktap_check NAME CMD...	pass if CMD succeeds, else fail
#   ktap_finish		print the totals and exit: 0 when nothing failed,
#			1 when something did, 4 when everything was skipped

ktap_n=0
ktap_passed=0
ktap_failed=0
ktap_skipped=0

ktap_header() {
	echo "TAP version 13"
	echo "1..$1"
}

ktap_pass() {
	ktap_n=$((ktap_n + 1))
	ktap_passed=$((ktap_passed + 1))
	echo "ok $ktap_n $*"
}

ktap_fail() {
	ktap_n=$((ktap_n + 1))
	ktap_failed=$((ktap_failed + 1))
	echo "not ok $ktap_n $*"
}

ktap_skip() {
	ktap_n=$((ktap_n + 1))
	ktap_skipped=$((ktap_skipped + 1))
	echo "ok $ktap_n $* # SKIP"
}

ktap_check() {
	ktap_name=$1
	shift
	if "$@"; then
		ktap_pass "$ktap_name"
	else
		ktap_fail "$ktap_name"
	fi
}

ktap_finish() {
	echo "# Totals: pass:$ktap_passed fail:$ktap_failed xfail:0 xpass:0 skip:$ktap_skipped error:0"
	[ "$ktap_failed" -eq 0 ] || exit 1
	[ "$ktap_passed" -gt 0 ] || [ "$ktap_skipped" -eq 0 ] || exit 4
	exit 0
}
