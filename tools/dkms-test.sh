#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dkms-test.sh: the DKMS packaging, as a user runs it, against Debian's
# 6.12 kernel: dkms add, build and install of the project's tree, then
# "modprobe gosalloc" of the installed module in that kernel under QEMU,
# then dkms remove. It runs twice:
#
#   with-kernel	as on a machine where Debian's kernel is installed:
#		Debian 12's DKMS compresses what it installs as the
#		kernel's own modules in /lib/modules/KVER/modules.dep
#		are (its configuration has CONFIG_MODULE_COMPRESS_XZ, so
#		gosalloc.ko.xz); the test expects the suffix that the
#		configuration in the headers asks for
#   headers-only	only the headers, no modules.dep: an uncompressed .ko
#
# DKMS works in temporary trees, set by a framework.conf.d drop-in, and
# sees Debian's unpacked kernel (with a modules.dep made by depmod) as
# /lib/modules; both are bind mounts in a private mount namespace, so the
# host's DKMS state and /lib/modules are left alone. The guest checks that
# the module it loaded has the installed file's build ID. Prints "ok NAME"
# or "not ok NAME" per step; the exit status is the number that failed.
set -uo pipefail
. "$(dirname "$0")/kernel/lib.sh"

step() {
	local name=$1
	shift
	if "$@" >>"$GOSALLOC_OUT/dkms.log" 2>&1; then
		echo "ok $name"
	else
		echo "not ok $name"
		failed=$((failed + 1))
	fi
}

# In the private namespace: see the variant's /lib/modules and the test's
# DKMS trees, then add, build and install, or remove.
if [ "${1:-}" = --in-namespace ]; then
	action=$2 variant=$3 tmp=$4 failed=0
	modules=$tmp/empty-modules
	[ "$variant" = headers-only ] || modules=${DEB_MODDIR%/*}
	mount --bind "$modules" /lib/modules || exit 1
	mount --bind "$tmp/conf.d" /etc/dkms/framework.conf.d || exit 1
	case $action in
	install)
		step "$variant-dkms-add" dkms add -m gosalloc -v "$version"
		step "$variant-dkms-build" dkms build -m gosalloc -v "$version" \
			-k "$DEB_KVER" --kernelsourcedir "$DEB_KDIR"
		# No depmod: the guest runs depmod itself at boot.
		step "$variant-dkms-install" dkms install -m gosalloc \
			-v "$version" -k "$DEB_KVER" --kernelsourcedir "$DEB_KDIR" \
			--no-depmod ;;
	remove)
		step "$variant-dkms-remove" dkms remove -m gosalloc \
			-v "$version" --all ;;
	esac
	exit "$failed"
fi

# in_namespace ACTION VARIANT: the part above, its failures counted here.
in_namespace() {
	unshare --mount --propagation private "$0" --in-namespace "$@" "$tmp" ||
		failed=$((failed + $?))
}

# build_id KO: the GNU build ID of a module file, compressed or not.
build_id() {
	case $1 in
	*.xz)	xz -dc "$1" ;;
	*.zst)	zstd -qdc "$1" ;;
	*.gz)	gzip -dc "$1" ;;
	*)	cat "$1" ;;
	esac >"$tmp/plain.ko" || return
	readelf -n "$tmp/plain.ko" | sed -n 's/^ *Build ID: //p'
}

# run_variant VARIANT SUFFIX: one round, expecting gosalloc$SUFFIX.
run_variant() {
	local variant=$1 suffix=$2 ko
	rm -rf "$tmp/src" "$tmp/dkms" "$tmp/lib"
	mkdir -p "$tmp/src" "$tmp/dkms" "$tmp/lib/$DEB_KVER"
	"$GOSALLOC_TOP/tools/dkms-source.sh" "$tmp/src/gosalloc-$version"
	log "dkms ($variant): add, build, install for $DEB_KVER"
	in_namespace install "$variant"
	ko=$(find "$tmp/lib/$DEB_KVER" -name 'gosalloc.ko*' | head -n 1)
	log "dkms ($variant): installed ${ko:-nothing}"
	step "$variant-installed-gosalloc$suffix" test "${ko##*/}" = "gosalloc$suffix"
	rm -f "$GOSALLOC_OUT/dkms-$variant-guest.log"
	if [ -n "$ko" ]; then
		build_id "$ko" >"$tmp/build-id"
		MODULES=("$ko")
		boot_debian "dkms-$variant-guest" "$GOSALLOC_TOP/tools/vm/dkms-guest.sh" \
			"$tmp/build-id" >/dev/null
	fi
	step "$variant-modprobe-in-guest" grep -q '^dkms-guest: pass' \
		"$GOSALLOC_OUT/dkms-$variant-guest.log"
	in_namespace remove "$variant"
}

. "$GOSALLOC_TOP/tools/vm/guest-lib.sh"
need_pkgs dkms
eval "$("$GOSALLOC_TOP/tools/kernel/debian-kernel.sh")" || die "no headers"
mkdir -p "$GOSALLOC_OUT"
version=$(cat "$GOSALLOC_TOP/VERSION")
export DEB_KVER DEB_KDIR DEB_MODDIR version
failed=0
tmp=$(mktemp -d)
made=()
trap 'rm -rf "$tmp"; [ ${#made[@]} -eq 0 ] || rmdir "${made[@]}"' EXIT
# Mount points for the namespace's bind mounts (a bare host may lack them).
for d in /etc/dkms/framework.conf.d /lib/modules; do
	[ -d "$d" ] || { mkdir -p "$d" && made=("$d" "${made[@]}"); }
done
mkdir -p "$tmp/conf.d" "$tmp/empty-modules"
printf 'source_tree="%s"\ndkms_tree="%s"\ninstall_tree="%s"\n' \
	"$tmp/src" "$tmp/dkms" "$tmp/lib" >"$tmp/conf.d/gosalloc-test.conf"
# What "depmod" made of Debian's own modules on an installed system.
[ -f "$DEB_MODDIR/modules.dep" ] || depmod -b "${DEB_MODDIR%/lib/modules/*}" "$DEB_KVER"

case $(sed -n 's/^CONFIG_MODULE_COMPRESS_\(GZIP\|XZ\|ZSTD\)=y$/\1/p' "$DEB_KDIR/.config") in
GZIP)	suffix=.ko.gz ;;
XZ)	suffix=.ko.xz ;;
ZSTD)	suffix=.ko.zst ;;
*)	suffix=.ko ;;
esac
: >"$GOSALLOC_OUT/dkms.log"
log "Debian $DEB_KVER's configuration asks for gosalloc$suffix"
run_variant with-kernel "$suffix"
run_variant headers-only .ko
exit "$failed"
