#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fresh-root-test.sh: "make fresh-root-test". The README's first command
# tried as a new user would: build a minimal root of the host's Debian
# release with mmdebstrap (variant minbase, plus git, make and
# ca-certificates), clone the committed tree (HEAD) into it, and run
# "make run" there as root, in a chroot with /proc, /sys and /dev mounted,
# with nothing else installed. Passes only if make run exits 0 and prints
# the statistics. The root uses the host's apt sources.
#
# Downloaded .debs (the root's and those make run installs) are cached in
# $GOSALLOC_CACHE/fresh-root/; every run installs them anew into a new
# root, deleted at the end (GOSALLOC_FRESH_ROOT_KEEP=1 keeps it). All
# mounts live in a private mount namespace, so they go when the test ends,
# however it ends. The log is $GOSALLOC_OUT/fresh-root.log.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"

# Inside the namespace: mount, run make run, check its output.
if [ "${1:-}" = --in-namespace ]; then
	root=$2 debs=$3
	trap 'umount -R "$root/proc" "$root/sys" "$root/dev" \
		"$root/var/cache/apt/archives" 2>/dev/null' EXIT
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mount --bind "$debs" "$root/var/cache/apt/archives"
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c 'cd /root/gosalloc && make run' || exit
	exit 0
fi

need_pkgs fresh-root-test
log=$GOSALLOC_OUT/fresh-root.log
debs=$GOSALLOC_CACHE/fresh-root/debs
mkdir -p "$GOSALLOC_OUT" "$debs"
: >"$log"
start=$SECONDS
. /etc/os-release
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	 /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && grep -qv '^[[:space:]]*\(#.*\)\?$' "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || die "no apt sources on this host"
root=$(mktemp -d "${TMPDIR:-/var/tmp}/gosalloc-fresh-root.XXXXXX")
cleanup() {
	ticker_stop
	if findmnt -rn -o TARGET | grep -q "^$root"; then
		log "$root still has mounts; left in place"
	elif [ -n "${GOSALLOC_FRESH_ROOT_KEEP:-}" ]; then
		log "root kept in $root"
	else
		rm -rf "$root"
	fi
}
trap cleanup EXIT

log "fresh-root: building a minimal Debian $VERSION_ID ($VERSION_CODENAME) root in $root (log: $log)"
ticker_start fresh-root "$log"
# The cache is bind-mounted over the root's apt archives while mmdebstrap
# downloads, and again while make run installs.
if ! unshare --mount --propagation private mmdebstrap --variant=minbase \
	--include=git,make,ca-certificates --skip=essential/unlink \
	--skip=download/empty \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="mount --bind '$debs' \"\$1/var/cache/apt/archives\"" \
	--customize-hook='umount "$1/var/cache/apt/archives"' \
	"$VERSION_CODENAME" "$root" "${sources[@]}" </dev/null >>"$log" 2>&1; then
	die "fresh-root: mmdebstrap failed after $((SECONDS - start)) s (log: $log)"
fi
log "fresh-root: root ready after $((SECONDS - start)) s: $(chroot "$root" dpkg-query -W | wc -l) packages"
git -C "$GOSALLOC_TOP" log -1 --format='fresh-root: cloning %h %s' >>"$log"
git clone -q "$GOSALLOC_TOP" "$root/root/gosalloc"

log "fresh-root: make run in the root"
t0=$SECONDS
rc=0
unshare --mount --pid --fork --propagation private \
	"$0" --in-namespace "$root" "$debs" </dev/null >>"$log" 2>&1 || rc=$?
ticker_stop
if [ "$rc" -eq 0 ] && ! grep -q '^heap_sys: [0-9]' "$log"; then
	log "fresh-root: make run printed no statistics"
	rc=1
fi
took=$((SECONDS - t0))
cleanup
trap - EXIT
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$log" >&2
	msg="fail: make run exited $rc after $took s"
else
	msg="pass: make run took $took s"
fi
msg="fresh-root: $msg; the whole test took $((SECONDS - start)) s"
echo "$msg" >>"$log"
log "$msg"
[ "$rc" -eq 0 ]
