/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * node.h - memory nodes: a heap and central lists per node; see malloc.c
 * for the overview and node.c.
 */
#ifndef _GOSALLOC_NODE_H
#define _GOSALLOC_NODE_H

#include <linux/atomic.h>
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/topology.h>

#include "mcentral.h"
#include "mheap.h"
#include "tiny.h"

/*
 * What gosalloc keeps per node: made for every possible node at load,
 * on that node when it has memory, and never freed before unload.
 */
struct gosalloc_node {
	struct gosalloc_heap heap;	/* the node's pages */
	struct gosalloc_central central[GOSALLOC_NR_CENTRALS];
	/*
	 * The node's tiny spans that no CPU owns with a free slot, per size
	 * (tiny.c): the node's tiny lock, central[GOSALLOC_TINY_CLASS].lock.
	 */
	struct list_head tiny_partial[GOSALLOC_TINY_SIZE];
	/* Statistics, counted once per batch or per slow allocation: */
	atomic_long_t remote_frees;	/* objects of the node freed on a
					 * CPU of another node
					 */
	atomic_long_t node_allocs;	/* objects a node-wanting allocation
					 * took from the node's lists on a
					 * CPU of another node
					 */
};

/* One per possible node, nr_node_ids entries; set at load. */
extern struct gosalloc_node **gosalloc_nodes;

/* More than one possible node: frees check the object's node. */
DECLARE_STATIC_KEY_FALSE(gosalloc_numa);

static __always_inline bool gosalloc_numa_on(void)
{
	return static_branch_unlikely(&gosalloc_numa);
}

static inline struct gosalloc_node *gosalloc_node(int nid)
{
	return gosalloc_nodes[nid];
}

static inline struct gosalloc_heap *gosalloc_node_heap(int nid)
{
	return &gosalloc_nodes[nid]->heap;
}

static inline struct gosalloc_central *gosalloc_central_of(int nid,
							   unsigned int cls)
{
	return &gosalloc_nodes[nid]->central[cls];
}

/*
 * The node this CPU's caches serve: its own, or the nearest with memory
 * for a CPU of a memoryless node. Racy where the caller may migrate: a
 * stale answer costs placement, never correctness.
 */
static __always_inline int gosalloc_local_node(void)
{
	return numa_mem_id();
}

/*
 * Does span @s lie on another node than the one this CPU's caches serve?
 * Always false, at the cost of a no-op jump, with one possible node.
 */
static __always_inline bool gosalloc_span_remote(const struct gosalloc_span *s)
{
	return gosalloc_numa_on() && unlikely(s->node != gosalloc_local_node());
}

/* Does @p, an address of the direct map, lie on node @nid? */
static inline bool gosalloc_on_node(const void *p, int nid)
{
	return page_to_nid(virt_to_page(p)) == nid;
}

int gosalloc_nodes_init(void);
void gosalloc_nodes_exit(void);
unsigned long gosalloc_central_nspans(unsigned int cls);

#endif /* _GOSALLOC_NODE_H */
