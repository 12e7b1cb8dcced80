# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for gosalloc's kernel and VM scripts; sourced, not run.
#
# GOSALLOC_CACHE (default: ~/.cache/gosalloc) holds everything fetched or
# built: Debian kernels and headers, kernel source trees and KUnit builds.
# It lives outside the work tree and may be deleted at any time.

GOSALLOC_CACHE=${GOSALLOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gosalloc}
GOSALLOC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export GOSALLOC_CACHE GOSALLOC_TOP

# What the kernel prints when something went wrong inside it: one
# extended regular expression, shared with the guest's selftests.
GOSALLOC_SPLAT=$(cat "$GOSALLOC_TOP/tools/testing/selftests/gosalloc/splat.pattern")

log() { printf '[gosalloc] %s\n' "$*" >&2; }
die() { printf '[gosalloc] error: %s\n' "$*" >&2; exit 1; }

# need_pkgs PKG...: install the Debian packages that are missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (install as root): ${missing[*]}"
	log "installing ${missing[*]}"
	apt_update_once
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# apt_update_once: refresh the package lists once per day at most.
apt_update_once() {
	local stamp=$GOSALLOC_CACHE/apt-updated
	mkdir -p "$GOSALLOC_CACHE"
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		[ "$(id -u)" -eq 0 ] || return 0
		log "apt-get update"
		apt-get update -q >&2 || die "apt-get update failed"
		touch "$stamp"
	fi
}

# config_hash FILE...: a short key for a set of configuration files.
config_hash() {
	cat "$@" | sha256sum | cut -c1-12
}
