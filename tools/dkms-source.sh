#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dkms-source.sh DIR: put the files DKMS builds gosalloc.ko from into DIR
# (normally /usr/src/gosalloc-<version>): the module's sources, the
# kbuild files and dkms.conf with the version of the VERSION file.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: dkms-source.sh DIR}
version=$(cat "$top/VERSION")
rm -rf "$dir"
mkdir -p "$dir/gosalloc"
cp "$top"/gosalloc/*.[ch] "$top/gosalloc/Kbuild" "$dir/gosalloc/"
rm -f "$dir"/gosalloc/*.mod.c
cp "$top/Kbuild" "$top/Kconfig" "$top/VERSION" "$dir/"
sed "s/@VERSION@/$version/" "$top/dkms.conf" >"$dir/dkms.conf"
