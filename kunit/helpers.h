/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * helpers.h - shared helpers of gosalloc's KUnit suites.
 */
#ifndef _GOSALLOC_KUNIT_HELPERS_H
#define _GOSALLOC_KUNIT_HELPERS_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/kallsyms.h>
#include <linux/version.h>
#include <linux/workqueue.h>

#include "internal.h"

/* KUnit's differences between 6.1 and 6.12, in one place. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name)	KUNIT_CASE(test_name)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/* Run @fn(@arg) when @test ends, however it ends. */
static inline void gosalloc_test_defer(struct kunit *test,
				       void (*fn)(void *), void *arg)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, fn, arg), 0);
}
#else
struct gosalloc_test_deferred {
	void (*fn)(void *arg);
	void *arg;
};

static inline int gosalloc_test_deferred_init(struct kunit_resource *res,
					      void *context)
{
	res->data = context;
	return 0;
}

static inline void gosalloc_test_deferred_run(struct kunit_resource *res)
{
	struct gosalloc_test_deferred *d = res->data;

	d->fn(d->arg);
	kfree(d);
}

static inline void gosalloc_test_defer(struct kunit *test,
				       void (*fn)(void *), void *arg)
{
	struct gosalloc_test_deferred *d = kmalloc(sizeof(*d), GFP_KERNEL);
	void *res;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->fn = fn;
	d->arg = arg;
	res = kunit_alloc_resource(test, gosalloc_test_deferred_init,
				   gosalloc_test_deferred_run, GFP_KERNEL, d);
	KUNIT_ASSERT_NOT_NULL(test, res);
}
#endif

/*
 * Kernel mode (CONFIG_GOSALLOC_KMALLOC, Documentation/kernel-mode.rst):
 * the kernel's own kmalloc traffic runs through the heap, the CPU caches
 * and the counters while a test runs. Exact counts of the whole heap and
 * the exact content of a CPU's list then no longer follow from the test's
 * own calls; tests check them only when the heap is the test's alone.
 */
static inline bool gosalloc_test_heap_shared(void)
{
	return gosalloc_kmalloc_active();
}

static inline void gosalloc_test_needs_own_heap(struct kunit *test)
{
	if (gosalloc_test_heap_shared())
		kunit_skip(test, "kernel mode: the kernel's kmalloc shares the CPU caches");
}

/*
 * Expect a count of the whole heap that only grows (allocations, frees)
 * to be @expected: exactly when the heap is the test's, at least that when
 * the kernel's kmalloc shares it.
 */
static inline void gosalloc_expect_count(struct kunit *test, u64 count,
					 u64 expected, const char *what,
					 int line)
{
	if (gosalloc_test_heap_shared())
		KUNIT_EXPECT_GE_MSG(test, count, expected, "%s, line %d", what,
				    line);
	else
		KUNIT_EXPECT_EQ_MSG(test, count, expected, "%s, line %d", what,
				    line);
}

#define GOSALLOC_EXPECT_COUNT(test, count, expected)			\
	gosalloc_expect_count(test, count, expected, #count, __LINE__)

/*
 * Expect a level of the whole heap (bytes or spans in use) to be
 * @expected; not checked when the kernel's kmalloc shares the heap.
 */
static inline void gosalloc_expect_level(struct kunit *test, u64 level,
					 u64 expected, const char *what,
					 int line)
{
	if (!gosalloc_test_heap_shared())
		KUNIT_EXPECT_EQ_MSG(test, level, expected, "%s, line %d", what,
				    line);
}

#define GOSALLOC_EXPECT_LEVEL(test, level, expected)			\
	gosalloc_expect_level(test, level, expected, #level, __LINE__)

/*
 * A size the kernel's kmalloc() serves from SLUB in either mode: in
 * kernel mode gosalloc leaves multiples of two pages to SLUB and the page
 * allocator. Tests that need memory of another allocator take it.
 */
#define GOSALLOC_TEST_SLUB_SIZE	(2 * PAGE_SIZE)

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

/*
 * Does code address @caller lie in the function named @fn? In a module
 * "%ps" adds the module's name after a space: "fn [gosalloc_kunit]".
 */
static inline bool gosalloc_test_caller_is(unsigned long caller,
					   const char *fn)
{
	char name[KSYM_SYMBOL_LEN];

	snprintf(name, sizeof(name), "%ps", (void *)caller);
	name[strcspn(name, " ")] = '\0';
	return !strcmp(name, fn);
}

static inline unsigned int gosalloc_test_count(unsigned int cpu,
					       unsigned int cls)
{
	return gosalloc_mcache_count(cpu, cls);
}

#endif /* _GOSALLOC_KUNIT_HELPERS_H */
