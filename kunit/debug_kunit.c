// SPDX-License-Identifier: GPL-2.0-only
/*
 * debug_kunit.c - KUnit suites for bad input, debug mode, the sanitizer
 * hooks and fault injection.
 */
#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/kasan.h>
#include <linux/kernel.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "gosalloc.h"
#include "helpers.h"

/* ---- Bad input, in the normal mode ---- */

static void gosalloc_bad_frees_are_counted(struct kunit *test)
{
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u8 *kmem = kmalloc(GOSALLOC_TEST_SLUB_SIZE, GFP_KERNEL);
	u8 *live = gosalloc_alloc(100, GFP_KERNEL);
	u8 *obj = gosalloc_alloc(100, GFP_KERNEL);
	u8 *large = gosalloc_alloc(SZ_64K, GFP_KERNEL);
	u8 *a, *b;
	char on_stack[32] = "";

	KUNIT_ASSERT_NOT_NULL(test, kmem);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_NOT_NULL(test, large);
	memset(live, 0x5a, 100);

	gosalloc_free(kmem);			/* another allocator's */
	gosalloc_free(on_stack);		/* not heap memory at all */
	gosalloc_free(obj + 8);			/* the middle of an object */
	gosalloc_free(large + PAGE_SIZE);	/* the middle of a large one */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 4);
	KUNIT_EXPECT_EQ(test, gosalloc_size(obj + 8), 0UL);
	KUNIT_EXPECT_NULL(test, gosalloc_realloc(obj + 8, 200, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 6);

	gosalloc_free(obj);
	gosalloc_free(obj);			/* still this CPU's latest */
	gosalloc_free(large);
	gosalloc_free(large);			/* its span is free now */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 2);
	/*
	 * A page of a freed run: a double free if the heap still knows the
	 * run, a pointer not from gosalloc if the run merged with another.
	 */
	gosalloc_free(large + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES) +
			gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			doubles + invalid + 9);

	/* The heap is intact: the live object, and fresh distinct ones. */
	KUNIT_EXPECT_NULL(test, memchr_inv(live, 0x5a, 100));
	a = gosalloc_alloc(100, GFP_KERNEL);
	b = gosalloc_alloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, a, live);
	KUNIT_EXPECT_PTR_NE(test, b, live);
	gosalloc_free(a);
	gosalloc_free(b);
	gosalloc_free(live);
	kfree(kmem);
}

static void gosalloc_bad_sizes_have_defined_results(struct kunit *test)
{
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);
	void *p, *bulk[4];

	KUNIT_EXPECT_NULL(test, gosalloc_alloc(GOSALLOC_MAX_SIZE + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, gosalloc_zalloc(SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, gosalloc_alloc_array(SIZE_MAX / 8, 16,
						     GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gosalloc_alloc_bulk(SIZE_MAX, GFP_KERNEL,
						  ARRAY_SIZE(bulk), bulk), 0);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_alloc_array(0, 16, GFP_KERNEL),
			    ZERO_SIZE_PTR);

	p = gosalloc_alloc(40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, gosalloc_realloc(p, SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_GE(test, gosalloc_size(p), 40UL);	/* p untouched */
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_realloc(p, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	GOSALLOC_EXPECT_COUNT(test, gosalloc_stat_read(GOSALLOC_FREES),
			      frees + 1);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_realloc(NULL, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
}

static struct kunit_case gosalloc_bad_input_cases[] = {
	KUNIT_CASE(gosalloc_bad_frees_are_counted),
	KUNIT_CASE(gosalloc_bad_sizes_have_defined_results),
	{}
};

static struct kunit_suite gosalloc_bad_input_suite = {
	.name = "gosalloc_bad_input",
	.test_cases = gosalloc_bad_input_cases,
};

/* ---- Debug mode ---- */

/*
 * Each case switches debug mode on, with nothing live, and off after; in
 * kernel mode something is always live (boot with gosalloc.debug=1).
 */
static int debug_test_init(struct kunit *test)
{
	gosalloc_test_needs_own_heap(test);
	return gosalloc_debug_set(true);
}

static void debug_test_exit(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, gosalloc_debug_set(false), 0);
}

/*
 * A corrupting write. KASAN, when built in, would stop the test at the
 * write itself; this suite checks what gosalloc finds on its own.
 */
static void corrupt_byte(u8 *p)
{
	gosalloc_memset(p, 0x41, 1);
}

/*
 * Named callers for the reports: no tail calls, so they are the callers,
 * and noipa, so that no identical function is merged with them.
 */
static noinline __attribute__((__noipa__)) void *debug_victim_alloc(size_t size)
{
	void *p = gosalloc_alloc(size, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline __attribute__((__noipa__)) void debug_victim_free(void *p)
{
	gosalloc_free(p);
	barrier();
}

static void gosalloc_debug_objects_keep_size_and_alignment(struct kunit *test)
{
	u64 corrupted = gosalloc_stat_read(GOSALLOC_CORRUPTIONS);
	size_t size;

	for (size = 1; size <= 300; size++) {
		u8 *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, gosalloc_size(p), size);
		memset(p, 0xee, size);		/* every byte may be used */
		gosalloc_free(p);
	}
	for (size = 8; size <= PAGE_SIZE; size <<= 1) {
		void *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, size),
				      "size %zu at %p", size, p);
		gosalloc_free(p);
	}
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CORRUPTIONS),
			corrupted);
}

/* Sizes with no room for a trailer in any class are large objects. */
static void gosalloc_debug_largest_small_sizes(struct kunit *test)
{
	u64 corrupted = gosalloc_stat_read(GOSALLOC_CORRUPTIONS);
	size_t size;

	for (size = GOSALLOC_DEBUG_MAX - 1; size <= GOSALLOC_MAX_SMALL_SIZE + 1;
	     size++) {
		u8 *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_GE(test, gosalloc_size(p), size);
		OPTIMIZER_HIDE_VAR(p);	/* past __alloc_size() */
		memset(p, 0xee, gosalloc_size(p));
		gosalloc_free(p);
	}
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CORRUPTIONS),
			corrupted);
	GOSALLOC_EXPECT_COUNT(test, gosalloc_stat_read(GOSALLOC_MALLOCS),
			      gosalloc_stat_read(GOSALLOC_FREES));
}

static void gosalloc_debug_reports_overflow(struct kunit *test)
{
	const struct gosalloc_debug_report *last = &gosalloc_last_report;
	u64 corrupted = gosalloc_stat_read(GOSALLOC_CORRUPTIONS);
	u8 *p = debug_victim_alloc(100);

	KUNIT_ASSERT_NOT_NULL(test, p);
	corrupt_byte(p + 100);			/* one byte past the end */
	debug_victim_free(p);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CORRUPTIONS),
			corrupted + 1);
	KUNIT_EXPECT_STREQ(test, gosalloc_last_report.what,
			   "out-of-bounds write");
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_last_report.object, (const void *)p);
	KUNIT_EXPECT_EQ(test, gosalloc_last_report.sizeclass,
			gosalloc_span_lookup(p)->sizeclass);
	KUNIT_EXPECT_TRUE(test, gosalloc_test_caller_is(last->alloc_caller,
							"debug_victim_alloc"));
	KUNIT_EXPECT_TRUE(test, gosalloc_test_caller_is(last->free_caller,
							"debug_victim_free"));
}

static void gosalloc_debug_reports_write_after_free(struct kunit *test)
{
	const struct gosalloc_debug_report *last = &gosalloc_last_report;
	u64 corrupted = gosalloc_stat_read(GOSALLOC_CORRUPTIONS);
	u8 *p, *q;

	migrate_disable();	/* the next allocation reuses p: LIFO */
	p = debug_victim_alloc(200);
	KUNIT_ASSERT_NOT_NULL(test, p);
	debug_victim_free(p);
	corrupt_byte(p + 50);
	q = gosalloc_alloc(200, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CORRUPTIONS),
			corrupted + 1);
	KUNIT_EXPECT_STREQ(test, gosalloc_last_report.what, "write after free");
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_last_report.object, (const void *)p);
	KUNIT_EXPECT_TRUE(test, gosalloc_test_caller_is(last->alloc_caller,
							"debug_victim_alloc"));
	KUNIT_EXPECT_TRUE(test, gosalloc_test_caller_is(last->free_caller,
							"debug_victim_free"));
	gosalloc_free(q);
}

/* The double free the normal mode misses: not the CPU list's head. */
static void gosalloc_debug_catches_every_double_free(struct kunit *test)
{
	const struct gosalloc_debug_report *last = &gosalloc_last_report;
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	void *a = debug_victim_alloc(64), *b = gosalloc_alloc(64, GFP_KERNEL);
	void *objs[8];
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	debug_victim_free(a);
	gosalloc_free(b);
	gosalloc_free(a);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_last_report.object, (const void *)a);
	KUNIT_EXPECT_TRUE(test, gosalloc_test_caller_is(last->free_caller,
							"debug_victim_free"));
	/* The free lists are intact: no object is handed out twice. */
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = gosalloc_alloc(64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, objs[i], objs[j]);
	}
	gosalloc_free_bulk(ARRAY_SIZE(objs), objs);
}

static void gosalloc_debug_realloc_keeps_contents(struct kunit *test)
{
	u64 corrupted = gosalloc_stat_read(GOSALLOC_CORRUPTIONS);
	u8 *p = gosalloc_alloc(10, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x3c, 10);
	p = gosalloc_realloc(p, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), 3000UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x3c, 10));
	memset(p, 0x3c, 3000);
	gosalloc_free(p);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CORRUPTIONS),
			corrupted);
}

static struct kunit_case gosalloc_debug_cases[] = {
	KUNIT_CASE(gosalloc_debug_objects_keep_size_and_alignment),
	KUNIT_CASE(gosalloc_debug_largest_small_sizes),
	KUNIT_CASE(gosalloc_debug_reports_overflow),
	KUNIT_CASE(gosalloc_debug_reports_write_after_free),
	KUNIT_CASE(gosalloc_debug_catches_every_double_free),
	KUNIT_CASE(gosalloc_debug_realloc_keeps_contents),
	{}
};

static struct kunit_suite gosalloc_debug_suite = {
	.name = "gosalloc_debug",
	.init = debug_test_init,
	.exit = debug_test_exit,
	.test_cases = gosalloc_debug_cases,
};

/* ---- KASAN ---- */

static void gosalloc_kasan_sees_objects(struct kunit *test)
{
#ifdef CONFIG_KASAN_GENERIC
	unsigned int usable = gosalloc_class_to_size[gosalloc_size_to_class(37)];
	u8 *p = gosalloc_alloc(37, GFP_KERNEL);
	s8 *shadow;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_GE(test, usable, 48U);
	shadow = kasan_mem_to_shadow(p);
	KUNIT_EXPECT_EQ(test, shadow[0], 0);	/* bytes 0-7 usable */
	KUNIT_EXPECT_EQ(test, shadow[3], 0);	/* bytes 24-31 usable */
	KUNIT_EXPECT_EQ(test, shadow[4], 5);	/* bytes 32-36 of 32-39 */
	KUNIT_EXPECT_LT(test, shadow[5], 0);	/* red zone to the class size */
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), (size_t)usable);
	KUNIT_EXPECT_EQ(test, shadow[4], 0);	/* all of it is usable now */
	KUNIT_EXPECT_EQ(test, shadow[5], 0);
	gosalloc_free(p);
	KUNIT_EXPECT_LT(test, shadow[0], 0);	/* freed */
	KUNIT_EXPECT_LT(test, shadow[5], 0);
#else
	kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
#endif
}

static struct kunit_case gosalloc_kasan_cases[] = {
	KUNIT_CASE(gosalloc_kasan_sees_objects),
	{}
};

static struct kunit_suite gosalloc_kasan_suite = {
	.name = "gosalloc_kasan",
	.test_cases = gosalloc_kasan_cases,
};

/* ---- Fault injection ---- */

static void fail_arm(unsigned long probability, unsigned long interval,
		     long times)
{
	WRITE_ONCE(gosalloc_fail.interval, interval);
	WRITE_ONCE(gosalloc_fail.times, times);
	gosalloc_fail_set_probability(probability);
}

static void fail_disarm(void *unused)
{
	gosalloc_fail_set_probability(0);
	WRITE_ONCE(gosalloc_fail.interval, 1);
	WRITE_ONCE(gosalloc_fail.times, -1);
}

static void gosalloc_fail_nth_allocation(struct kunit *test)
{
	u64 injected = gosalloc_stat_read(GOSALLOC_INJECTED_FAILURES);
	void *objs[9];
	unsigned int i;

	gosalloc_test_defer(test, fail_disarm, NULL);
	fail_arm(100, 3, 2);	/* the 3rd and 6th allocations, then no more */
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = gosalloc_alloc(i % 2 ? 24 : SZ_64K, GFP_KERNEL);
	fail_disarm(NULL);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_EQ_MSG(test, !objs[i], i == 2 || i == 5,
				    "allocation %u", i + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INJECTED_FAILURES),
			injected + 2);
	gosalloc_free_bulk(ARRAY_SIZE(objs), objs);
}

static void gosalloc_fail_percent_keeps_heap_consistent(struct kunit *test)
{
	u64 live = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	void **objs = kunit_kcalloc(test, 1000, sizeof(*objs), GFP_KERNEL);
	void *bulk[10];
	unsigned int i, failed = 0;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	gosalloc_test_defer(test, fail_disarm, NULL);
	fail_arm(50, 1, -1);
	for (i = 0; i < 1000; i++) {
		objs[i] = gosalloc_alloc(1 + i % 3000, GFP_KERNEL);
		failed += !objs[i];
	}
	/* All or nothing, whichever allocation fails. */
	for (i = 0; i < 20; i++) {
		int n = gosalloc_alloc_bulk(64, GFP_KERNEL, ARRAY_SIZE(bulk),
					    bulk);

		KUNIT_EXPECT_TRUE(test, n == 0 || n == ARRAY_SIZE(bulk));
		if (n)
			gosalloc_free_bulk(n, bulk);
	}
	fail_disarm(NULL);
	/* 1000 draws at 50 %: 350..650 is more than nine deviations wide. */
	KUNIT_EXPECT_GT(test, failed, 350U);
	KUNIT_EXPECT_LT(test, failed, 650U);
	gosalloc_free_bulk(1000, objs);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      live);
}

static struct kunit_case gosalloc_fail_cases[] = {
	KUNIT_CASE(gosalloc_fail_nth_allocation),
	KUNIT_CASE(gosalloc_fail_percent_keeps_heap_consistent),
	{}
};

static struct kunit_suite gosalloc_fail_suite = {
	.name = "gosalloc_fail",
	.test_cases = gosalloc_fail_cases,
};

kunit_test_suites(&gosalloc_bad_input_suite, &gosalloc_debug_suite,
		  &gosalloc_kasan_suite, &gosalloc_fail_suite);
