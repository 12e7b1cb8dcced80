#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Node placement. The gosalloc_node client allocates objects of every
# size, and of a named cache, on every node with memory, and refuses to
# load if one lies on another node or a tiny one is not of its exact
# size; then it frees objects of every node on its CPU and keeps some on
# every node. debugfs "nodes" must show one row per node, memory in use
# on every node with memory, and, with two such nodes, the frees of the
# other node's objects as remote frees. Loaded again by a task in a
# memory cgroup, with account=1, it places objects charged to that
# cgroup on every node too (skipped without cgroup v2 and its memory
# controller). On a guest with one node the two-node checks are skipped;
# the kselftest "numa" variant (tools/kselftest.sh) boots two.
. ./ktap.sh
. ./gosalloc_lib.sh

NODES=/sys/kernel/debug/gosalloc/nodes
KEEP=256
CGROOT=/sys/fs/cgroup
CG=$CGROOT/gosalloc_node_test

# col NODE COLUMN: the value of COLUMN in NODE's row of debugfs "nodes"
col() {
	awk -v n="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		$1 == n { print $k }' "$NODES"
}

# memory_nodes: the nodes debugfs "nodes" marks as having memory
memory_nodes() {
	awk 'NR > 1 && $2 == 1 { print $1 }' "$NODES"
}

one_row_per_node() {
	rows=$(($(grep -c . "$NODES") - 1))
	online=$(node_count)
	echo "# $rows rows, $online nodes online"
	[ "$rows" -ge 1 ] && [ "$rows" -ge "$online" ]
}

placed_on_every_node() {
	for n in $(memory_nodes); do
		dmesg | grep -q "gosalloc_node: node $n: [1-9][0-9]* objects placed" ||
			{ echo "# nothing placed on node $n"; return 1; }
	done
}

# Every node with memory holds the client's objects: KEEP of 1000 bytes.
in_use_on_every_node() {
	for n in $(memory_nodes); do
		echo "# node $n: heap_sys $(col "$n" heap_sys) heap_inuse $(col "$n" heap_inuse)"
		[ "$(col "$n" heap_inuse)" -ge $((KEEP * 1000)) ] || return 1
	done
}

# Every node with memory had charged objects placed on it.
charged_on_every_node() {
	for n in $(memory_nodes); do
		dmesg | grep -q "gosalloc_node: node $n: [1-9][0-9]* objects placed on it, [1-9][0-9]* charged" ||
			{ echo "# nothing charged on node $n"; return 1; }
	done
}

# memcg_ready: cgroup v2 mounted, with the memory controller for $CG
memcg_ready() {
	grep -qw cgroup2 /proc/filesystems || return 1
	grep -qw "$CGROOT" /proc/mounts || mount -t cgroup2 none "$CGROOT" ||
		return 1
	grep -qw memory "$CGROOT/cgroup.controllers" || return 1
	echo +memory >"$CGROOT/cgroup.subtree_control" && mkdir -p "$CG"
}

# charged_placement: the client loaded by a task in $CG with account=1
charged_placement() {
	sh -c "echo 0 >$CG/cgroup.procs && exec modprobe gosalloc_node account=1 tiny_max=$TINY_MAX keep_objects=0 remote_objects=0" ||
		return 1
	dmesg | grep "gosalloc_node:.* [1-9][0-9]* charged" | sed 's/^/# /'
	rmmod gosalloc_node && charged_on_every_node
}

remote_frees_counted() {
	total=0
	for n in $(memory_nodes); do
		total=$((total + $(col "$n" remote_frees)))
	done
	echo "# remote frees: $total"
	[ "$total" -gt 0 ]
}

ktap_header 8
dmesg -c >/dev/null
modprobe gosalloc || { ktap_fail "modprobe gosalloc"; ktap_finish; }
TINY_MAX=$(cat /sys/module/gosalloc/parameters/tiny_max)
ktap_check "nodes has a header and one row per node" one_row_per_node
sed 's/^/# /' "$NODES"
ktap_check "the client places objects on every node" \
	modprobe gosalloc_node keep_objects=$KEEP tiny_max=$TINY_MAX
dmesg | grep "gosalloc_node:" | sed 's/^/# /'
ktap_check "the client reports each node" placed_on_every_node
echo 1 > /sys/kernel/debug/gosalloc/release	# sends remote frees home
sed 's/^/# /' "$NODES"
ktap_check "every node with memory has memory in use" in_use_on_every_node
if [ "$(memory_nodes | wc -l)" -ge 2 ]; then
	ktap_check "frees of the other node's objects are remote frees" \
		remote_frees_counted
else
	ktap_skip "remote frees: one node with memory"
fi
rmmod gosalloc_node
if memcg_ready; then
	ktap_check "charged objects are placed on every node" charged_placement
	rmdir "$CG"
else
	ktap_skip "charged placement: no cgroup v2 memory controller"
fi
ktap_check "everything is freed" all_freed
rmmod gosalloc
ktap_check "kernel log holds no warning, BUG or Oops" log_clean
ktap_finish
