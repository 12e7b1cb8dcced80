# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for gosalloc's kernel and VM scripts; sourced, not run.
#
# GOSALLOC_CACHE (default: ~/.cache/gosalloc) holds everything fetched or
# built: Debian kernels and headers, kernel source trees and KUnit builds.
# It lives outside the work tree and may be deleted at any time.
# GOSALLOC_OUT (default: out/ in the work tree) receives logs and results.

GOSALLOC_CACHE=${GOSALLOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gosalloc}
GOSALLOC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GOSALLOC_OUT=${GOSALLOC_OUT:-$GOSALLOC_TOP/out}
export GOSALLOC_CACHE GOSALLOC_TOP GOSALLOC_OUT

# The Debian kernel series gosalloc is made for (its kernel, headers and
# linux-source package), and the oldest series it builds against.
GOSALLOC_SERIES=6.12
GOSALLOC_OLDEST_SERIES=6.1

# What the kernel prints when something went wrong inside it: one
# extended regular expression, shared with the guest's selftests.
GOSALLOC_SPLAT=$(cat "$GOSALLOC_TOP/tools/testing/selftests/gosalloc/splat.pattern")

log() { printf '[gosalloc] %s\n' "$*" >&2; }
die() { printf '[gosalloc] error: %s\n' "$*" >&2; exit 1; }

# need_pkgs GROUP...: install the Debian packages of the GROUPs in
# tools/packages.txt that are missing. One line says what is installed and
# for what (GOSALLOC_FOR, else the groups); apt's and dpkg's own output
# goes to $GOSALLOC_OUT/apt.log and is shown only when the install fails.
need_pkgs() {
	local pkgs missing=() p
	pkgs=$(pkg_groups "$@") || exit 1
	command -v dpkg-query >/dev/null || return 0	# not Debian: the user's job
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (install as root): ${missing[*]}"
	log "installing ${missing[*]} for ${GOSALLOC_FOR:-$*}"
	apt_update_once
	apt_quietly "apt-get install" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}"
}

# pkg_groups GROUP...: the packages of the GROUPs, one a line, sorted.
pkg_groups() {
	local g all=
	for g in "$@"; do
		all+=$(pkg_group "$g")$'\n' || return
	done
	printf '%s' "$all" | sort -u
}

pkg_group() {
	local word words
	words=$(awk -v g="$1" '$1 == g { $1 = ""; print; n++ } END { exit !n }' \
		"$GOSALLOC_TOP/tools/packages.txt") ||
		{ log "error: no package group $1 in tools/packages.txt"; return 1; }
	for word in $words; do
		case $word in
		@*)	pkg_group "${word#@}" || return ;;
		*)	echo "$word" ;;
		esac
	done
}

# apt_quietly WHAT CMD...: run an apt command with its output appended to
# $GOSALLOC_OUT/apt.log; on failure show that output and die.
apt_quietly() {
	local what=$1 tmp rc=0 outer=${GOSALLOC_TICKER:-}
	shift
	mkdir -p "$GOSALLOC_OUT"
	tmp=$(mktemp)
	ticker_start "$what" "$tmp"
	"$@" </dev/null >"$tmp" 2>&1 || rc=$?
	ticker_stop
	GOSALLOC_TICKER=$outer
	sed -i -e '$a\' "$tmp"	# apt may end without a newline
	{ echo "==== $(date -u '+%F %T') $what (exit $rc)"; cat "$tmp"; } \
		>>"$GOSALLOC_OUT/apt.log"
	if [ "$rc" -ne 0 ]; then
		cat "$tmp" >&2
		rm -f "$tmp"
		die "$what failed (exit $rc; log: $GOSALLOC_OUT/apt.log)"
	fi
	rm -f "$tmp"
}

# apt_update_once: refresh the package lists once per day at most, or when
# there are none.
apt_update_once() {
	local stamp=$GOSALLOC_CACHE/apt-updated
	mkdir -p "$GOSALLOC_CACHE"
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] ||
	   ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || return 0
		log "apt-get update"
		apt_quietly "apt-get update" apt-get update \
			-o DPkg::Lock::Timeout=600
		touch "$stamp"
	fi
}

# config_hash FILE...: a short key for a set of configuration files.
config_hash() {
	cat "$@" | sha256sum | cut -c1-12
}

# ticker_start NAME LOG: until ticker_stop, print to the terminal every
# 30 s how long NAME has been running and the last progress line of LOG:
# one of gosalloc's own, kunit.py's ("[hh:mm:ss] Building KUnit Kernel"),
# a KTAP result, a guest starting, or apt's (prefixes dropped). A kernel
# build or a guest that prints nothing for minutes still says what it is
# doing.
GOSALLOC_PROGRESS='^(\[gosalloc\]|\[[0-9:]+\]|(# )?(not )?ok [0-9]|GOSALLOC_GUEST_START|I: |Unpacking|Setting up|Get:)'
ticker_start() {
	local name=$1 file=$2 t0=$SECONDS
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		while :; do
			sleep 30 &
			s=$!
			wait "$s"
			kill -0 $$ 2>/dev/null || exit 0
			last=$(grep -E "$GOSALLOC_PROGRESS" "$file" 2>/dev/null |
				tail -n 1 | tr -d '\r' |
				sed -E 's/^(\[[^]]*\] |# )//' | cut -c1-72)
			log "$name, $((SECONDS - t0)) s${last:+: $last}"
		done
	) &
	GOSALLOC_TICKER=$!
}

ticker_stop() {
	[ -n "${GOSALLOC_TICKER:-}" ] || return 0
	kill "$GOSALLOC_TICKER" 2>/dev/null
	wait "$GOSALLOC_TICKER" 2>/dev/null
	GOSALLOC_TICKER=
}
