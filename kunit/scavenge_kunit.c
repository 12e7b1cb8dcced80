// SPDX-License-Identifier: GPL-2.0-only
/*
 * scavenge_kunit.c - KUnit suite for giving memory back.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/cpu.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "helpers.h"

static void gosalloc_release_all_returns_free_runs(struct kunit *test)
{
	u64 before[GOSALLOC_NR_STATS], after[GOSALLOC_NR_STATS];
	void *big[16];
	u8 *keep;
	size_t i;

	keep = gosalloc_alloc(300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	memset(keep, 0x3c, 300);
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		big[i] = gosalloc_alloc(SZ_128K, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, big[i]);
	}
	gosalloc_free_bulk(ARRAY_SIZE(big), big);
	gosalloc_stats_snapshot(before);
	KUNIT_EXPECT_GE(test, before[GOSALLOC_HEAP_IDLE], (u64)SZ_2M);
	KUNIT_EXPECT_GT(test, gosalloc_release_all(), 0UL);
	gosalloc_stats_snapshot(after);
	KUNIT_EXPECT_EQ(test, after[GOSALLOC_HEAP_IDLE], 0ULL);
	KUNIT_EXPECT_LE(test, after[GOSALLOC_HEAP_SYS] + SZ_2M,
			before[GOSALLOC_HEAP_SYS]);
	KUNIT_EXPECT_EQ(test, before[GOSALLOC_HEAP_SYS] - after[GOSALLOC_HEAP_SYS],
			after[GOSALLOC_HEAP_RELEASED] -
			before[GOSALLOC_HEAP_RELEASED]);
	KUNIT_EXPECT_EQ(test, after[GOSALLOC_HEAP_INUSE] + after[GOSALLOC_HEAP_IDLE],
			after[GOSALLOC_HEAP_SYS]);
	/* What is in use stays, and the heap grows again on demand. */
	KUNIT_EXPECT_NULL(test, memchr_inv(keep, 0x3c, 300));
	gosalloc_free(keep);
	big[0] = gosalloc_alloc(SZ_128K, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, big[0]);
	gosalloc_free(big[0]);
}

static void gosalloc_mheap_release_waits_for_idle(struct kunit *test)
{
	void *p = gosalloc_alloc(SZ_128K, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	gosalloc_free(p);
	/* Nothing in a fresh boot has been free for an hour. */
	KUNIT_EXPECT_EQ(test, gosalloc_mheap_release(ULONG_MAX, 3600 * HZ), 0UL);
	KUNIT_EXPECT_GT(test, gosalloc_mheap_release(ULONG_MAX, 0), 0UL);
}

struct hotplug_test {
	void *objs[8];
	unsigned int cls;
};

static long cache_on_cpu(void *arg)
{
	struct hotplug_test *t = arg;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t->objs); i++)
		t->objs[i] = gosalloc_alloc(200, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(t->objs); i++)
		gosalloc_free(t->objs[i]);
	return gosalloc_test_count(raw_smp_processor_id(), t->cls);
}

/* A CPU going offline has its cache drained; back online, it works. */
static void gosalloc_cpu_offline_drains_cache(struct kunit *test)
{
	unsigned int a = cpumask_first(cpu_online_mask);
	unsigned int b = cpumask_next(a, cpu_online_mask);
	struct hotplug_test t = { .cls = gosalloc_size_to_class(200) };

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || b >= nr_cpu_ids)
		kunit_skip(test, "needs CPU hotplug and two online CPUs");
	KUNIT_ASSERT_GE(test, gosalloc_test_on_cpu(b, cache_on_cpu, &t), 1L);
	if (remove_cpu(b))
		kunit_skip(test, "CPU %u cannot go offline", b);
	KUNIT_EXPECT_EQ(test, gosalloc_test_count(b, t.cls), 0U);
	KUNIT_ASSERT_EQ(test, add_cpu(b), 0);
	KUNIT_EXPECT_GE(test, gosalloc_test_on_cpu(b, cache_on_cpu, &t), 1L);
}

static void gosalloc_mcache_set_batch_bounds(struct kunit *test)
{
	unsigned int cls = gosalloc_size_to_class(64);
	unsigned int old = gosalloc_cache_batch_bytes;

	KUNIT_EXPECT_EQ(test, gosalloc_mcache_set_batch(100), -EINVAL);
	KUNIT_EXPECT_EQ(test, gosalloc_mcache_set_batch(SZ_2M), -EINVAL);
	KUNIT_ASSERT_EQ(test, gosalloc_mcache_set_batch(SZ_1K), 0);
	KUNIT_EXPECT_EQ(test, gosalloc_class_batch[cls], 16U);
	KUNIT_ASSERT_EQ(test, gosalloc_mcache_set_batch(old), 0);
	KUNIT_EXPECT_EQ(test, gosalloc_class_batch[cls],
			min(old / 64, 64U));	/* 64 objects per span */
}

static struct kunit_case gosalloc_scavenge_cases[] = {
	KUNIT_CASE(gosalloc_cpu_offline_drains_cache),
	KUNIT_CASE(gosalloc_mcache_set_batch_bounds),
	KUNIT_CASE(gosalloc_release_all_returns_free_runs),
	KUNIT_CASE(gosalloc_mheap_release_waits_for_idle),
	{}
};

static struct kunit_suite gosalloc_scavenge_suite = {
	.name = "gosalloc_scavenge",
	.test_cases = gosalloc_scavenge_cases,
};

kunit_test_suite(gosalloc_scavenge_suite);
