#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# debian-kernel.sh [SERIES [FLAVOUR]]: fetch the newest Debian kernel of
# SERIES (default GOSALLOC_SERIES, lib.sh) and FLAVOUR (default amd64;
# rt-amd64 is the PREEMPT_RT one) that the mirror offers: its image,
# modules and headers, unpacked (not installed) under
# $GOSALLOC_CACHE/debian/<version>/.
# Prints shell assignments for eval:
#   DEB_KVER	  the kernel release (uname -r in the guest)
#   DEB_VMLINUZ	  the kernel image
#   DEB_KDIR	  the headers, a KDIR for building modules
#   DEB_MODDIR	  the kernel's own modules (/lib/modules/DEB_KVER)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-$GOSALLOC_SERIES}
flavour=${2:-amd64}
need_pkgs debian-kernel
apt_update_once

# Package names carry the ABI: linux-image-6.12.117+deb12-amd64-unsigned,
# linux-image-6.1.0-37-amd64-unsigned.
re="^linux-image-${series//./\\.}\\.[0-9]+(\\+deb[0-9]+|-[0-9]+)-$flavour-unsigned\$"
image=$(apt-cache search --names-only "$re" | cut -d' ' -f1 | sort -V | tail -n 1)
[ -n "$image" ] || die "no Debian kernel image matching $re"
kver=${image#linux-image-}
kver=${kver%-unsigned}
dir=$GOSALLOC_CACHE/debian/$kver
root=$dir/root

# One fetch at a time: make check's steps run side by side.
mkdir -p "$GOSALLOC_CACHE/debian"
exec 9>"$GOSALLOC_CACHE/debian/.lock"
flock 9
if [ ! -f "$dir/.ready" ]; then
	log "fetching Debian kernel $kver"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$root"
	headers=linux-headers-$kver
	# The headers depend on their -common part and on linux-kbuild.
	deps=$(apt-cache depends "$headers" |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p')
	(cd "$dir/debs" && apt_quietly "apt-get download $image" \
		apt-get download -o APT::Sandbox::User=root \
		"$image" "$headers" $deps) || exit
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	# Absolute links (scripts, tools, the build link) point into /usr;
	# point them into the unpacked root instead.
	find "$root" -type l -lname '/*' -print0 |
		while IFS= read -r -d '' link; do
			ln -sfn "$root$(readlink "$link")" "$link"
		done
	# The flavour's Makefile includes the -common one by absolute path.
	sed -i "s|^include /usr/|include $root/usr/|" \
		"$root"/usr/src/linux-headers-*/Makefile
	rm -rf "$dir/debs"
	touch "$dir/.ready"
fi

echo "DEB_KVER=$kver"
echo "DEB_VMLINUZ=$root/boot/vmlinuz-$kver"
echo "DEB_KDIR=$root/usr/src/linux-headers-$kver"
echo "DEB_MODDIR=$root/lib/modules/$kver"
