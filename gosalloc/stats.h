/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h - gosalloc statistics (MStats); see malloc.c for the overview.
 *
 * Every statistic is a per-CPU counter: writers add to their own CPU's
 * copy with this_cpu_add() (one instruction on x86, irq-safe elsewhere),
 * so the fast paths share no cache line. Readers sum all CPUs. Gauges
 * such as heap_sys are kept as signed per-CPU deltas whose sum is the
 * value; a sum taken while other CPUs run is approximate, a sum taken at
 * rest is exact.
 */
#ifndef _GOSALLOC_STATS_H
#define _GOSALLOC_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

/* The order is the order of the lines in debugfs "stats". */
enum gosalloc_stat {
	GOSALLOC_HEAP_SYS,	/* bytes held from the page allocator */
	GOSALLOC_HEAP_INUSE,	/* bytes in spans in use */
	GOSALLOC_HEAP_IDLE,	/* bytes held but in no span in use */
	GOSALLOC_HEAP_RELEASED,	/* bytes given back to the page allocator */
	GOSALLOC_HEAP_ALLOC,	/* bytes of live objects, rounded up */
	GOSALLOC_MALLOCS,	/* successful allocations */
	GOSALLOC_FREES,		/* successful frees */
	GOSALLOC_TINY_ALLOCS,	/* tiny allocations served by a block */
	GOSALLOC_LARGE_ALLOCS,	/* allocations over 32 KiB */
	GOSALLOC_LARGE_FREES,	/* frees of objects over 32 KiB */
	GOSALLOC_INVALID_FREES,	/* frees of pointers never handed out */
	GOSALLOC_DOUBLE_FREES,	/* frees of pointers already freed */
	GOSALLOC_SPANS_INUSE,	/* spans (page runs) in use */
	GOSALLOC_METADATA_SYS,	/* bytes held for gosalloc's own metadata */
	GOSALLOC_NR_STATS
};

extern const char *const gosalloc_stat_names[GOSALLOC_NR_STATS];

struct gosalloc_counters {
	long v[GOSALLOC_NR_STATS];
};

DECLARE_PER_CPU(struct gosalloc_counters, gosalloc_counters);

/* Any context: one per-CPU add, no lock, no shared cache line. */
static inline void gosalloc_stat_add(enum gosalloc_stat item, long delta)
{
	this_cpu_add(gosalloc_counters.v[item], delta);
}

static inline void gosalloc_stat_inc(enum gosalloc_stat item)
{
	gosalloc_stat_add(item, 1);
}

u64 gosalloc_stat_read(enum gosalloc_stat item);
void gosalloc_stats_snapshot(u64 out[GOSALLOC_NR_STATS]);

#endif /* _GOSALLOC_STATS_H */
