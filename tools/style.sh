#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# style.sh: the style gate. checkpatch.pl --strict on every C file,
# kernel-doc -Wall -none on the module's sources, a build of the modules
# against Debian's 6.12 headers with W=1 and sparse (C=2), and one against
# Debian's 6.1 headers with W=1; none may print a warning. Exit status:
# the number of gates that failed.
set -uo pipefail
. "$(dirname "$0")/kernel/lib.sh"

need_pkgs style
tree=$("$GOSALLOC_TOP/tools/kernel/kunit-tree.sh") || die "no kernel tree"
eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh")" || die "no headers"
cd "$GOSALLOC_TOP"
failed=0

mapfile -t sources < <(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null ||
	find gosalloc kunit tools -name '*.[ch]')
# The compatibility headers test kernel versions, which checkpatch
# discourages in code meant for one tree; only those two checks are off
# for them.
compat=(gosalloc/compat.h kunit/helpers.h)
mapfile -t sources < <(printf '%s\n' "${sources[@]}" | grep -vxF -f <(printf '%s\n' "${compat[@]}"))
log "checkpatch --strict on ${#sources[@]} + ${#compat[@]} files"
if ! perl "$tree/scripts/checkpatch.pl" --no-tree --strict --quiet \
	--show-types -f "${sources[@]}" ||
   ! perl "$tree/scripts/checkpatch.pl" --no-tree --strict --quiet \
	--show-types --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	-f "${compat[@]}"; then
	log "checkpatch: FAIL"
	failed=$((failed + 1))
fi

log "kernel-doc -Wall -none on gosalloc/"
if [ -n "$(perl "$tree/scripts/kernel-doc" -Wall -none gosalloc/*.[ch] 2>&1)" ]; then
	perl "$tree/scripts/kernel-doc" -Wall -none gosalloc/*.[ch]
	log "kernel-doc: FAIL"
	failed=$((failed + 1))
fi

log "W=1 and sparse build against Debian $DEB_KVER"
build_log=$(make -s modules KDIR="$DEB_KDIR" BENCH=1 W=1 C=2 2>&1)
if grep -E 'warning|error' <<<"$build_log"; then
	log "W=1/sparse build: FAIL"
	failed=$((failed + 1))
fi

# The oldest kernel supported: Debian's 6.1 LTS, in a copy of the tree so
# that the 6.12 build products stay.
eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh" "$GOSALLOC_OLDEST_SERIES")" ||
	die "no $GOSALLOC_OLDEST_SERIES headers"
log "W=1 build against Debian $DEB_KVER"
copy=$(mktemp -d)
git ls-files --cached --others --exclude-standard | grep -v '^out/' |
	rsync -a --files-from=- ./ "$copy/"
build_log=$(make -s -C "$copy" modules KDIR="$DEB_KDIR" BENCH=1 W=1 2>&1)
rm -rf "$copy"
if grep -E 'warning|error' <<<"$build_log"; then
	log "W=1 build against $GOSALLOC_OLDEST_SERIES: FAIL"
	failed=$((failed + 1))
fi
exit "$failed"
