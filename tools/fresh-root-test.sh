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
# The root is a tmpfs in a private mount and PID namespace: everything in
# it, and every mount, goes when the test ends, however it ends. Downloaded
# .debs (the root's and those make run installs) are cached in
# $GOSALLOC_CACHE/fresh-root/ and bind-mounted over the root's apt
# archives; every run installs them anew. The log is
# $GOSALLOC_OUT/fresh-root.log; its last line gives the time taken.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"

# say MESSAGE: a line for the log and for the terminal (fd 3).
say() {
	log "fresh-root: $*"
	log "fresh-root: $*" 2>&3
}

# Inside the namespace: build the root, clone, run make run in it.
if [ "${1:-}" = --in-namespace ]; then
	root=$2 debs=$3 t0=$SECONDS
	shift 3
	trap 'umount -R -l "$root" 2>/dev/null' EXIT
	mount -t tmpfs -o size=12G,mode=755 gosalloc-fresh-root "$root"
	. /etc/os-release
	say "building a minimal Debian $VERSION_ID ($VERSION_CODENAME) root"
	# The cache is bind-mounted over the root's apt archives while
	# mmdebstrap downloads, and again while make run installs.
	mmdebstrap --variant=minbase --include=git,make,ca-certificates \
		--skip=essential/unlink --skip=download/empty \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
		--setup-hook="mount --bind '$debs' \"\$1/var/cache/apt/archives\"" \
		--customize-hook='umount "$1/var/cache/apt/archives"' \
		"$VERSION_CODENAME" "$root" "$@" </dev/null ||
		{ say "mmdebstrap failed"; exit 1; }
	say "root ready after $((SECONDS - t0)) s: $(chroot "$root" dpkg-query -W | wc -l) packages"
	say "cloning $(git -C "$GOSALLOC_TOP" log -1 --format='%h %s')"
	git clone -q "$GOSALLOC_TOP" "$root/root/gosalloc"
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mount --bind "$debs" "$root/var/cache/apt/archives"
	say "make run in the root"
	t0=$SECONDS
	rc=0
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c 'cd /root/gosalloc && make run' || rc=$?
	echo "fresh-root: make run exited $rc after $((SECONDS - t0)) s"
	exit "$rc"
fi

need_pkgs fresh-root-test
log=$GOSALLOC_OUT/fresh-root.log
debs=$GOSALLOC_CACHE/fresh-root/debs
mkdir -p "$GOSALLOC_OUT" "$debs"
: >"$log"
start=$SECONDS
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	 /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && grep -qv '^[[:space:]]*\(#.*\)\?$' "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || die "no apt sources on this host"
root=$(mktemp -d "${TMPDIR:-/tmp}/gosalloc-fresh-root.XXXXXX")
trap 'ticker_stop; rmdir "$root"' EXIT

log "fresh-root: log in $log"
ticker_start fresh-root "$log"
rc=0
unshare --mount --pid --fork --propagation private \
	"$0" --in-namespace "$root" "$debs" "${sources[@]}" \
	</dev/null 3>&2 >>"$log" 2>&1 || rc=$?
ticker_stop
if [ "$rc" -eq 0 ] && ! grep -q '^heap_sys: [0-9]' "$log"; then
	log "fresh-root: make run printed no statistics"
	rc=1
fi
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$log" >&2
	msg="fail (exit $rc)"
else
	msg="pass: $(sed -n 's/^fresh-root: make run exited 0 after \([0-9]*\) s$/make run took \1 s/p' "$log")"
fi
msg="fresh-root: $msg; the whole test took $((SECONDS - start)) s"
echo "$msg" >>"$log"
log "$msg"
[ "$rc" -eq 0 ]
