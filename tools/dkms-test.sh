#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dkms-test.sh: the DKMS packaging, as a user runs it, against Debian's
# 6.12 headers: dkms add, build and install of the project's tree, then
# "modprobe gosalloc" of the installed module in Debian's 6.12 kernel under
# QEMU, then dkms remove. DKMS works in temporary trees (a drop-in in
# /etc/dkms/framework.conf.d, removed at exit), so the host's own DKMS
# state and /lib/modules are left alone. Prints "ok NAME" or
# "not ok NAME" per step.
set -uo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"

need_pkgs dkms
eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" 6.12)" || die "no headers"
out=$GOSALLOC_OUT
mkdir -p "$out"
version=$(cat "$GOSALLOC_TOP/VERSION")
tmp=$(mktemp -d)
conf=/etc/dkms/framework.conf.d/zz-gosalloc-test.conf
trap 'rm -f "$conf"; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/dkms" "$tmp/lib/$DEB_KVER" "$(dirname "$conf")"
printf 'source_tree="%s"\ndkms_tree="%s"\ninstall_tree="%s"\n' \
	"$tmp/src" "$tmp/dkms" "$tmp/lib" >"$conf"
failed=0

step() {
	local name=$1
	shift
	if "$@" >>"$out/dkms.log" 2>&1; then
		echo "ok $name"
	else
		echo "not ok $name"
		failed=$((failed + 1))
	fi
}

: >"$out/dkms.log"
"$GOSALLOC_TOP/tools/dkms-source.sh" "$tmp/src/gosalloc-$version"
step dkms-add dkms add -m gosalloc -v "$version"
step dkms-build dkms build -m gosalloc -v "$version" -k "$DEB_KVER" \
	--kernelsourcedir "$DEB_KDIR"
# No depmod: it would work on /lib/modules, not the temporary tree; the
# guest runs depmod itself at boot.
step dkms-install dkms install -m gosalloc -v "$version" -k "$DEB_KVER" \
	--kernelsourcedir "$DEB_KDIR" --no-depmod
ko=$(find "$tmp/lib/$DEB_KVER" -name 'gosalloc.ko*' | head -n 1)
log "installed: ${ko:-nothing}"
if [ -n "$ko" ]; then
	MODULES=("$ko")
	boot_debian dkms-guest "$GOSALLOC_TOP/tools/vm/dkms-guest.sh" >/dev/null
fi
step modprobe-in-guest grep -q '^dkms-guest: pass' "$out/dkms-guest.log"
step dkms-remove dkms remove -m gosalloc -v "$version" --all
exit "$failed"
