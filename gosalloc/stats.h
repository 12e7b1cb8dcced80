/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h - gosalloc statistics (MStats); see malloc.c for the overview.
 *
 * Nothing here is counted on its own: the statistics are summed on read
 * from the counters the allocator keeps anyway. Per-class frees, and the
 * objects moved between a CPU's list and the central list, live in each
 * CPU's cache (mcache.h), written by their CPU alone; allocations follow
 * from them and the lists' lengths. Heap figures live in the heap
 * (mheap.h), written under heap.lock. A sum read while other CPUs run is
 * approximate; at rest it is exact. Bad frees, corruptions and injected
 * failures are rare and counted atomically (gosalloc_stats_event()).
 */
#ifndef _GOSALLOC_STATS_H
#define _GOSALLOC_STATS_H

#include <linux/types.h>

/* The order is the order of the lines in debugfs "stats". */
enum gosalloc_stat {
	GOSALLOC_HEAP_SYS,	/* bytes held from the page allocator */
	GOSALLOC_HEAP_INUSE,	/* bytes in spans in use */
	GOSALLOC_HEAP_IDLE,	/* bytes in free spans */
	GOSALLOC_HEAP_RELEASED,	/* bytes given back to the page allocator */
	GOSALLOC_HEAP_ALLOC,	/* bytes of live objects, rounded up */
	GOSALLOC_MALLOCS,	/* successful allocations */
	GOSALLOC_FREES,		/* successful frees */
	GOSALLOC_TINY_ALLOCS,	/* tiny allocations served by a block */
	GOSALLOC_LARGE_ALLOCS,	/* allocations over 32 KiB */
	GOSALLOC_LARGE_FREES,	/* frees of objects over 32 KiB */
	GOSALLOC_INVALID_FREES,	/* frees of pointers never handed out */
	GOSALLOC_DOUBLE_FREES,	/* frees of pointers already freed */
	GOSALLOC_SPANS_INUSE,	/* spans in use */
	GOSALLOC_METADATA_SYS,	/* bytes held for gosalloc's own metadata */
	GOSALLOC_CORRUPTIONS,	/* debug mode: objects found overwritten */
	GOSALLOC_INJECTED_FAILURES,	/* allocations failed on purpose */
	GOSALLOC_CACHE_MALLOCS,	/* objects allocated from named caches */
	GOSALLOC_CACHE_FREES,	/* objects freed to named caches */
	GOSALLOC_RCU_FREES,	/* objects freed after a grace period */
	GOSALLOC_RCU_BATCHES,	/* batches handed to RCU */
	GOSALLOC_BAD_PAGE_REFS,	/* pages kept for a wrong reference count */
	GOSALLOC_MEMCG_SETS,	/* cgroups with charged spans (memcg.c) */
	GOSALLOC_MEMCG_OBJECTS,	/* charged small objects out */
	GOSALLOC_NR_STATS
};

extern const char *const gosalloc_stat_names[GOSALLOC_NR_STATS];

struct gosalloc_class_stats {
	unsigned long mallocs;
	unsigned long frees;
	unsigned long inuse;	/* mallocs - frees, never below 0 */
	unsigned long spans;
};

/* One CPU's cache, and what was allocated and freed on that CPU. */
struct gosalloc_cpu_stats {
	unsigned long objects;	/* free objects held in its lists */
	unsigned long bytes;	/* their bytes */
	unsigned long mallocs;	/* small and tiny objects allocated on it */
	unsigned long frees;	/* small and tiny objects freed on it */
};

/* One node: its heap, and what was allocated and freed there. */
struct gosalloc_node_stats {
	unsigned long heap_sys;		/* bytes held from the page allocator */
	unsigned long heap_inuse;	/* bytes in spans in use */
	unsigned long cpu_mallocs;	/* small and tiny objects allocated on
					 * the node's CPUs
					 */
	unsigned long node_mallocs;	/* taken from the node's lists for
					 * CPUs of other nodes
					 */
	unsigned long large_allocs;	/* large objects placed on the node */
	unsigned long remote_frees;	/* objects of the node freed on CPUs
					 * of other nodes
					 */
};

void gosalloc_stats_snapshot(u64 out[GOSALLOC_NR_STATS]);
void gosalloc_node_stats(int nid, struct gosalloc_node_stats *ns);
void gosalloc_cpu_stats(unsigned int cpu, struct gosalloc_cpu_stats *cs);
u64 gosalloc_stat_read(enum gosalloc_stat item);
void gosalloc_class_stats(unsigned int cls, struct gosalloc_class_stats *cs);
void gosalloc_stats_event(enum gosalloc_stat kind);

#endif /* _GOSALLOC_STATS_H */
