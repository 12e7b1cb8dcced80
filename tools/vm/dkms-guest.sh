#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tools/dkms-test.sh: "modprobe gosalloc" finds the module
# DKMS installed (compressed or not) through depmod's modules.dep, the
# module loaded has that file's build ID (/build-id, read on the host),
# it serves an allocation-free stats file, and it unloads.
set -e
grep -E '(^|/)gosalloc\.ko(\.[a-z]+)?:' "/lib/modules/$(uname -r)/modules.dep"
modprobe gosalloc
id=$(od -An -tx1 -v /sys/module/gosalloc/notes/.note.gnu.build-id |
	tr -d ' \n' | tail -c 40)
echo "dkms-guest: loaded build ID $id, installed $(cat /build-id)"
[ -n "$id" ] && [ "$id" = "$(cat /build-id)" ]
grep -E '^(heap_sys|mallocs):' /sys/kernel/debug/gosalloc/stats
rmmod gosalloc
echo "dkms-guest: pass"
