#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# qemu-run.sh KERNEL INITRD [LOG]: boot KERNEL with INITRD (from
# mkinitramfs.sh) in QEMU, print the serial console, and exit with the
# guest script's exit status. The guest is always powered off:
#   124	the guest ran past $GOSALLOC_VM_TIMEOUT seconds (default 600)
#   125	the guest died before reporting a status (panic, triple fault);
#	a guest that dies before its script starts is booted again, twice
#	at most
# Environment: GOSALLOC_VM_SMP (2), GOSALLOC_VM_MEM (2G, or in M),
# GOSALLOC_VM_NODES (1; more splits memory and CPUs evenly into that many
# NUMA nodes), GOSALLOC_VM_APPEND (extra kernel arguments),
# GOSALLOC_VM_ACCEL (tcg; KVM fails on the hosts this project is tested
# on, so it is opt-in).
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"

kernel=${1:?usage: qemu-run.sh KERNEL INITRD [LOG]}
initrd=${2:?INITRD}
log=${3:-$(mktemp)}
need_pkgs guest

timeout_s=${GOSALLOC_VM_TIMEOUT:-600}
smp=${GOSALLOC_VM_SMP:-2}
mem=${GOSALLOC_VM_MEM:-2G}
nodes=${GOSALLOC_VM_NODES:-1}

# numa_args: QEMU options for $nodes nodes, each with an equal share of
# the memory (a RAM backend each) and of the CPUs, each node a socket of
# its own: CPUs of one socket share a last-level cache, which the kernel
# refuses across nodes with a warning at boot ("llc-sibling ... is not on
# the same node").
numa=()
smp_arg=$smp
numa_args() {
	local mb i
	case $mem in
	*G)	mb=$((${mem%G} * 1024)) ;;
	*M)	mb=${mem%M} ;;
	*)	die "GOSALLOC_VM_MEM=$mem: give it in G or M" ;;
	esac
	[ $((mb % nodes)) -eq 0 ] && [ $((smp % nodes)) -eq 0 ] ||
		die "cannot split $mem and $smp CPUs into $nodes nodes"
	smp_arg="$smp,sockets=$nodes,cores=$((smp / nodes)),threads=1"
	for ((i = 0; i < nodes; i++)); do
		numa+=(-object "memory-backend-ram,id=mem$i,size=$((mb / nodes))M"
		       -numa "node,nodeid=$i,cpus=$((i * smp / nodes))-$(((i + 1) * smp / nodes - 1)),memdev=mem$i")
	done
}
[ "$nodes" -le 1 ] || numa_args

boot() {
	set +e
	timeout --foreground -k 10 "$timeout_s" \
		qemu-system-x86_64 -accel "${GOSALLOC_VM_ACCEL:-tcg}" -cpu max \
		-smp "$smp_arg" -m "$mem" "${numa[@]}" \
		-bios qboot.rom -nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 ${GOSALLOC_VM_APPEND:-}" \
		</dev/null 2>&1 | tr -d '\r' | tee "$log"
	qemu_rc=${PIPESTATUS[0]}
	set -e
}

# A guest that dies before its init starts the script has not run any of
# gosalloc's code: Debian's kernel under TCG was once seen to crash while
# booting (an int3 Oops in code being patched, no module loaded). Such a
# boot is tried again, up to twice; the failed boot's log is kept beside
# the log, and a crash after the start is never retried.
for attempt in 1 2 3; do
	boot
	grep -q '^GOSALLOC_GUEST_START' "$log" && break
	[ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ] && break
	[ "$attempt" -eq 3 ] && break
	cp "$log" "$log.boot-failed-$attempt"
	log "guest died while booting, before its script started (see $log.boot-failed-$attempt); booting again"
done

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	log "guest timed out after ${timeout_s}s"
	exit 124
fi
status=$(sed -n 's/^GOSALLOC_GUEST_EXIT=\([0-9]*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
	log "guest died without reporting a status (qemu exit $qemu_rc)"
	exit 125
fi
exit "$status"
