#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rt-test.sh: gosalloc refuses PREEMPT_RT kernels at build time, with a
# message that names the reason (gosalloc/compat.h), instead of building a
# module that would take sleeping locks with interrupts off. Builds a copy
# of the module's sources against Debian's 6.12 PREEMPT_RT headers, as
# DKMS would for a machine running that kernel, and passes only if the
# build fails with that message. Prints "ok NAME" or "not ok NAME".
set -uo pipefail
. "$(dirname "$0")/kernel/lib.sh"

eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" "$GOSALLOC_SERIES" rt-amd64)" ||
	die "no PREEMPT_RT headers"
out=$GOSALLOC_OUT
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$GOSALLOC_TOP/Kbuild" "$GOSALLOC_TOP/gosalloc" "$tmp/"
rm -f "$tmp"/gosalloc/*.o "$tmp"/gosalloc/*.ko "$tmp"/gosalloc/.*.cmd

grep -q '^CONFIG_PREEMPT_RT=y' "$DEB_KDIR/.config" ||
	die "$DEB_KVER is not a PREEMPT_RT kernel"
if make -C "$DEB_KDIR" M="$tmp" CONFIG_GOSALLOC=m modules \
	>"$out/rt-build.log" 2>&1; then
	echo "not ok rt-build-refused (the module built: see $out/rt-build.log)"
	exit 1
fi
if ! grep -q 'gosalloc does not support PREEMPT_RT' "$out/rt-build.log"; then
	echo "not ok rt-build-refused (no message naming PREEMPT_RT: see $out/rt-build.log)"
	exit 1
fi
grep -m1 'error:.*PREEMPT_RT' "$out/rt-build.log" >&2
echo "ok rt-build-refused"
