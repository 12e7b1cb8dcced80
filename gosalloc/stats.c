// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - gosalloc statistics (MStats); see malloc.c for the overview.
 */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "internal.h"

const char *const gosalloc_stat_names[GOSALLOC_NR_STATS] = {
	[GOSALLOC_HEAP_SYS]		= "heap_sys",
	[GOSALLOC_HEAP_INUSE]		= "heap_inuse",
	[GOSALLOC_HEAP_IDLE]		= "heap_idle",
	[GOSALLOC_HEAP_RELEASED]	= "heap_released",
	[GOSALLOC_HEAP_ALLOC]		= "heap_alloc",
	[GOSALLOC_MALLOCS]		= "mallocs",
	[GOSALLOC_FREES]		= "frees",
	[GOSALLOC_TINY_ALLOCS]		= "tiny_allocs",
	[GOSALLOC_LARGE_ALLOCS]		= "large_allocs",
	[GOSALLOC_LARGE_FREES]		= "large_frees",
	[GOSALLOC_INVALID_FREES]	= "invalid_frees",
	[GOSALLOC_DOUBLE_FREES]		= "double_frees",
	[GOSALLOC_SPANS_INUSE]		= "spans_inuse",
	[GOSALLOC_METADATA_SYS]		= "metadata_sys",
	[GOSALLOC_CORRUPTIONS]		= "corrupted_objects",
	[GOSALLOC_INJECTED_FAILURES]	= "injected_failures",
	[GOSALLOC_CACHE_MALLOCS]	= "cache_mallocs",
	[GOSALLOC_CACHE_FREES]		= "cache_frees",
	[GOSALLOC_RCU_FREES]		= "rcu_frees",
	[GOSALLOC_RCU_BATCHES]		= "rcu_batches",
	[GOSALLOC_BAD_PAGE_REFS]	= "bad_page_refs",
	[GOSALLOC_MEMCG_SETS]		= "memcg_sets",
	[GOSALLOC_MEMCG_OBJECTS]	= "memcg_objects",
};
EXPORT_SYMBOL_IF_KUNIT(gosalloc_stat_names);

static_assert(ARRAY_SIZE(gosalloc_stat_names) == GOSALLOC_NR_STATS);

/* Rare events, counted as they happen: indexed by enum gosalloc_stat. */
static atomic_long_t gosalloc_events[GOSALLOC_NR_STATS];

/*
 * Count one GOSALLOC_INVALID_FREES, GOSALLOC_DOUBLE_FREES,
 * GOSALLOC_CORRUPTIONS or GOSALLOC_INJECTED_FAILURES.
 */
void gosalloc_stats_event(enum gosalloc_stat kind)
{
	atomic_long_inc(&gosalloc_events[kind]);
}

/**
 * gosalloc_class_stats() - allocations, frees and spans of one class
 * @cls: size class
 * @cs: filled with the sums over all CPUs
 *
 * Context: any context.
 */
void gosalloc_class_stats(unsigned int cls, struct gosalloc_class_stats *cs)
{
	unsigned long frees;
	long allocs, sum = 0;
	unsigned int cpu;

	*cs = (struct gosalloc_class_stats) {
		.spans = gosalloc_central_nspans(cls),
	};
	for_each_possible_cpu(cpu) {
		gosalloc_mcache_raw_counts(cpu, cls, &allocs, &frees);
		sum += allocs;	/* one CPU's figure may be off, the sum is not */
		cs->frees += frees;
	}
	cs->mallocs = max(sum, 0L);
	/* Read while other CPUs run, the frees may be ahead of the mallocs. */
	cs->inuse = cs->mallocs - min(cs->frees, cs->mallocs);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_class_stats);

/* Add the tiny allocator's counts, summed over every CPU. */
static void tiny_stats(u64 *mallocs, u64 *frees, u64 *bytes, u64 *fast)
{
	struct gosalloc_tiny_counts tc;
	long live = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		gosalloc_tiny_counts(cpu, &tc);
		*mallocs += tc.mallocs;
		*frees += tc.frees;
		*fast += tc.fast;
		live += tc.bytes;
	}
	*bytes += max(live, 0L);
}

/**
 * gosalloc_cpu_stats() - the cache and the counts of one CPU
 * @cpu: a possible CPU
 * @cs: filled in
 *
 * Context: any context; racy reads, exact at rest.
 */
void gosalloc_cpu_stats(unsigned int cpu, struct gosalloc_cpu_stats *cs)
{
	unsigned long nmalloc, nfree, n;
	struct gosalloc_tiny_counts tc;
	unsigned int cls;

	gosalloc_tiny_counts(cpu, &tc);
	*cs = (struct gosalloc_cpu_stats) {
		.mallocs = tc.mallocs,
		.frees = tc.frees,
	};
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		n = gosalloc_mcache_count(cpu, cls);
		cs->objects += n;
		cs->bytes += n * gosalloc_class_to_size[cls];
		gosalloc_mcache_counts(cpu, cls, &nmalloc, &nfree);
		cs->mallocs += nmalloc;
		cs->frees += nfree;
	}
}

/**
 * gosalloc_node_stats() - the heap and the counts of one node
 * @nid: a possible node
 * @ns: filled in
 *
 * Context: any context; racy reads, exact at rest.
 */
void gosalloc_node_stats(int nid, struct gosalloc_node_stats *ns)
{
	struct gosalloc_heap *h = gosalloc_node_heap(nid);
	struct gosalloc_cpu_stats cs;
	unsigned int cpu;

	*ns = (struct gosalloc_node_stats) {
		.heap_sys = READ_ONCE(h->pages_sys) << PAGE_SHIFT,
		.heap_inuse = READ_ONCE(h->pages_inuse) << PAGE_SHIFT,
		.node_mallocs = atomic_long_read(&gosalloc_node(nid)->node_allocs),
		.large_allocs = READ_ONCE(h->large_allocs),
		.remote_frees = atomic_long_read(&gosalloc_node(nid)->remote_frees),
	};
	for_each_possible_cpu(cpu) {
		if (cpu_to_mem(cpu) != nid)
			continue;
		gosalloc_cpu_stats(cpu, &cs);
		ns->cpu_mallocs += cs.mallocs;
	}
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_node_stats);

/**
 * gosalloc_stats_snapshot() - sum every statistic
 * @out: filled with one value per &enum gosalloc_stat
 *
 * Context: any context.
 */
void gosalloc_stats_snapshot(u64 out[GOSALLOC_NR_STATS])
{
	struct gosalloc_class_stats cs;
	u64 mallocs = 0, frees = 0, live_bytes = 0, tiny_allocs = 0;
	u64 cache_bytes;
	unsigned int cls;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		gosalloc_class_stats(cls, &cs);
		mallocs += cs.mallocs;
		frees += cs.frees;
		live_bytes += (u64)cs.inuse * gosalloc_class_to_size[cls];
	}
	tiny_stats(&mallocs, &frees, &live_bytes, &tiny_allocs);
	gosalloc_caches_stats(&out[GOSALLOC_CACHE_MALLOCS],
			      &out[GOSALLOC_CACHE_FREES], &cache_bytes);
	gosalloc_rcu_stats(&out[GOSALLOC_RCU_FREES], &out[GOSALLOC_RCU_BATCHES]);
	gosalloc_memcg_stats(&out[GOSALLOC_MEMCG_SETS],
			     &out[GOSALLOC_MEMCG_OBJECTS]);
	out[GOSALLOC_HEAP_SYS] = (u64)gosalloc_heap_sum(pages_sys) << PAGE_SHIFT;
	out[GOSALLOC_HEAP_INUSE] = (u64)gosalloc_heap_sum(pages_inuse) << PAGE_SHIFT;
	out[GOSALLOC_HEAP_IDLE] = (u64)gosalloc_heap_sum(pages_free) << PAGE_SHIFT;
	out[GOSALLOC_HEAP_RELEASED] = (u64)gosalloc_heap_sum(pages_released) <<
				     PAGE_SHIFT;
	out[GOSALLOC_HEAP_ALLOC] = live_bytes + cache_bytes +
		((u64)gosalloc_heap_sum(large_pages) << PAGE_SHIFT);
	out[GOSALLOC_LARGE_ALLOCS] = gosalloc_heap_sum(large_allocs);
	out[GOSALLOC_LARGE_FREES] = gosalloc_heap_sum(large_frees);
	out[GOSALLOC_MALLOCS] = mallocs + out[GOSALLOC_LARGE_ALLOCS];
	out[GOSALLOC_FREES] = frees + out[GOSALLOC_LARGE_FREES];
	out[GOSALLOC_TINY_ALLOCS] = tiny_allocs;
	out[GOSALLOC_INVALID_FREES] =
		atomic_long_read(&gosalloc_events[GOSALLOC_INVALID_FREES]);
	out[GOSALLOC_DOUBLE_FREES] =
		atomic_long_read(&gosalloc_events[GOSALLOC_DOUBLE_FREES]);
	out[GOSALLOC_SPANS_INUSE] = gosalloc_heap_sum(spans_inuse);
	out[GOSALLOC_METADATA_SYS] = ((u64)(gosalloc_heap_sum(pages_meta) +
					    gosalloc_mheap_arena_pages()) <<
				      PAGE_SHIFT) + gosalloc_mcache_bytes() +
				     nr_node_ids * sizeof(struct gosalloc_node);
	out[GOSALLOC_CORRUPTIONS] =
		atomic_long_read(&gosalloc_events[GOSALLOC_CORRUPTIONS]);
	out[GOSALLOC_INJECTED_FAILURES] =
		atomic_long_read(&gosalloc_events[GOSALLOC_INJECTED_FAILURES]);
	out[GOSALLOC_BAD_PAGE_REFS] = gosalloc_heap_sum(pages_kept);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_stats_snapshot);

/**
 * gosalloc_stat_read() - one statistic
 * @item: the statistic
 *
 * Exported in the GOSALLOC_INTERNAL namespace for the project's own test
 * and benchmark modules; it is not part of the public interface.
 *
 * Context: any context.
 * Return: its value, as gosalloc_stats_snapshot() computes it.
 */
u64 gosalloc_stat_read(enum gosalloc_stat item)
{
	u64 v[GOSALLOC_NR_STATS];

	gosalloc_stats_snapshot(v);
	return v[item];
}
EXPORT_SYMBOL_NS_GPL(gosalloc_stat_read, GOSALLOC_INTERNAL);
