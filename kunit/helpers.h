/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * helpers.h - shared helpers of gosalloc's KUnit suites.
 */
#ifndef _GOSALLOC_KUNIT_HELPERS_H
#define _GOSALLOC_KUNIT_HELPERS_H

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Run @fn(@arg) on @cpu, in process context; returns its result. */
static inline long gosalloc_test_on_cpu(unsigned int cpu, long (*fn)(void *),
					void *arg)
{
	return work_on_cpu(cpu, fn, arg);
}

static inline long gosalloc_test_drain_fn(void *unused)
{
	gosalloc_mcache_drain(raw_smp_processor_id());
	return 0;
}

/* Empty every online CPU's cache, so that central counts are exact. */
static inline void gosalloc_test_drain_all(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		gosalloc_test_on_cpu(cpu, gosalloc_test_drain_fn, NULL);
}

static inline unsigned int gosalloc_test_count(unsigned int cpu,
					       unsigned int cls)
{
	return gosalloc_mcache_count(cpu, cls);
}

#endif /* _GOSALLOC_KUNIT_HELPERS_H */
