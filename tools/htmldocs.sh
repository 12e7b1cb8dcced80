#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# htmldocs.sh: "make htmldocs". Builds Documentation/ to HTML in
# $GOSALLOC_OUT/htmldocs with Debian's Sphinx and the kernel's kernel-doc
# extension (from the cached linux-source-6.12 tree); any warning fails.
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"

need_pkgs htmldocs
out=$GOSALLOC_OUT
GOSALLOC_KSRC=$("$GOSALLOC_TOP/tools/kernel/kunit-tree.sh")
export GOSALLOC_KSRC
rm -rf "$out/htmldocs"
# Debian's sphinx-build runs on Debian's python3, with its own modules.
/usr/bin/python3 -m sphinx -W --keep-going -q -b html \
	-d "$out/htmldocs/.doctrees" "$GOSALLOC_TOP/Documentation" \
	"$out/htmldocs"
log "HTML in $out/htmldocs/index.html"
