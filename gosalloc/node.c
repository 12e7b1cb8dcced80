// SPDX-License-Identifier: GPL-2.0-only
/*
 * node.c - memory nodes: a heap and central lists per node; see malloc.c
 * for the overview.
 *
 * Every possible node has a heap of pages of its own, a central list per
 * size class and tiny partial lists (tiny.c), holding only spans of that
 * heap. A CPU's caches serve its node's memory (gosalloc_local_node()):
 * they are refilled from that node's central lists, its tiny spans come
 * from that node, and an object of another node freed on the CPU goes
 * back, in a batch with others, to its own node's central list
 * (mcache.c). gosalloc_alloc_node() asks for another node's memory from
 * that node's lists directly.
 *
 * The node structures are made once at load for every possible node
 * (for_each_node()), so that a node whose memory is hot-added later
 * needs nothing new, and are read without a lock.
 */
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "internal.h"

struct gosalloc_node **gosalloc_nodes;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_nodes);

DEFINE_STATIC_KEY_FALSE(gosalloc_numa);
EXPORT_SYMBOL_IF_KUNIT(gosalloc_numa);

/* Spans of class @cls in the central lists of every node. */
unsigned long gosalloc_central_nspans(unsigned int cls)
{
	unsigned long n = 0;
	int nid;

	for_each_node(nid)
		n += READ_ONCE(gosalloc_central_of(nid, cls)->nspans);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_central_nspans);

static struct gosalloc_node *node_new(int nid)
{
	struct gosalloc_node *n;

	n = kzalloc_node(sizeof(*n), GFP_KERNEL,
			 node_state(nid, N_MEMORY) ? nid : NUMA_NO_NODE);
	if (!n)
		return NULL;
	gosalloc_mheap_node_init(&n->heap, nid);
	gosalloc_mcentral_init(n->central);
	gosalloc_tiny_node_init(n->tiny_partial);
	return n;
}

/**
 * gosalloc_nodes_init() - a heap and central lists for every node
 *
 * Context: process context, at load.
 * Return: 0, or -ENOMEM.
 */
int gosalloc_nodes_init(void)
{
	int nid;

	gosalloc_nodes = kcalloc(nr_node_ids, sizeof(*gosalloc_nodes),
				 GFP_KERNEL);
	if (!gosalloc_nodes)
		return -ENOMEM;
	for_each_node(nid) {
		gosalloc_nodes[nid] = node_new(nid);
		if (!gosalloc_nodes[nid]) {
			gosalloc_nodes_exit();
			return -ENOMEM;
		}
	}
	if (num_possible_nodes() > 1)
		static_branch_enable(&gosalloc_numa);
	return 0;
}

/* At unload or after a failed load, once the heaps are empty. */
void gosalloc_nodes_exit(void)
{
	int nid;

	if (!gosalloc_nodes)
		return;
	static_branch_disable(&gosalloc_numa);
	for_each_node(nid)
		kfree(gosalloc_nodes[nid]);
	kfree(gosalloc_nodes);
	gosalloc_nodes = NULL;
}
