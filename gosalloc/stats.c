// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - gosalloc statistics (MStats); see malloc.c for the overview.
 */
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "stats.h"

DEFINE_PER_CPU(struct gosalloc_counters, gosalloc_counters);

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
};

static_assert(ARRAY_SIZE(gosalloc_stat_names) == GOSALLOC_NR_STATS);

/**
 * gosalloc_stat_read() - sum one statistic over all possible CPUs
 * @item: the statistic
 *
 * Context: any context.
 * Return: the sum, or 0 when a gauge's racy sum is transiently negative.
 */
u64 gosalloc_stat_read(enum gosalloc_stat item)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(gosalloc_counters.v[item], cpu);
	return sum < 0 ? 0 : sum;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_stat_read);

/**
 * gosalloc_stats_snapshot() - sum every statistic
 * @out: filled with one value per &enum gosalloc_stat
 *
 * Context: any context.
 */
void gosalloc_stats_snapshot(u64 out[GOSALLOC_NR_STATS])
{
	int i;

	for (i = 0; i < GOSALLOC_NR_STATS; i++)
		out[i] = gosalloc_stat_read(i);
}
