#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh OUT KVER SCRIPT [MODULE.ko|DIR]...: build a busybox
# initramfs (gzip'd cpio) that runs SCRIPT as root and reboots: under
# qemu-run.sh (QEMU with -no-reboot, as kunit.py runs it) that ends QEMU,
# in any kernel, with or without ACPI.
#   KVER	the guest kernel release; modules go to /lib/modules/KVER/extra
#   SCRIPT	run by /init with busybox sh; its exit status is printed as
#		"GOSALLOC_GUEST_EXIT=<status>", which qemu-run.sh reads
#   MODULE.ko	a module to install (depmod runs at boot, so modprobe works);
#		also MODULE.ko.xz, .ko.zst or .ko.gz, installed as it is
#   DIR		a directory copied to /DIR's basename (selftests, data)
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"

out=${1:?usage: mkinitramfs.sh OUT KVER SCRIPT [MODULE.ko|DIR]...}
kver=${2:?KVER}
script=${3:?SCRIPT}
shift 3
need_pkgs guest

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root} \
	"$root/lib/modules/$kver/extra"
cp /bin/busybox "$root/bin/busybox"
cp "$script" "$root/run.sh"
for item in "$@"; do
	case $item in
	*.ko|*.ko.xz|*.ko.zst|*.ko.gz)
		cp "$item" "$root/lib/modules/$kver/extra/" ;;
	*)	cp -r "$item" "$root/$(basename "$item")" ;;
	esac
done

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
depmod -a
echo "GOSALLOC_GUEST_START $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
cd /root
sh /run.sh
echo "GOSALLOC_GUEST_EXIT=$?"
reboot -f
INIT
chmod +x "$root/init" "$root/run.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
