// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_kunit.c - KUnit suite for gosalloc's public interface.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "internal.h"
#include "helpers.h"

static const size_t api_sizes[] = {
	1, 7, 8, 15, 16, 24, 100, 128, 1000, 4096, 5000, SZ_32K, SZ_32K + 1,
	SZ_64K, SZ_1M,
};

static void gosalloc_alloc_fills_usable_size(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(api_sizes); i++) {
		size_t size = api_sizes[i];
		u8 *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		KUNIT_EXPECT_GE(test, gosalloc_size(p), size);
		OPTIMIZER_HIDE_VAR(p);	/* past __alloc_size(), as ksize() users */
		memset(p, 0xa5, gosalloc_size(p));
		KUNIT_EXPECT_EQ(test, p[size - 1], 0xa5);
		gosalloc_free(p);
	}
}

static void gosalloc_alloc_power_of_two_aligned(struct kunit *test)
{
	size_t size;

	for (size = 8; size <= PAGE_SIZE; size <<= 1) {
		void *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p & (size - 1), 0UL,
				    "size %zu", size);
		gosalloc_free(p);
	}
}

static void gosalloc_alloc_aligned_to_8(struct kunit *test)
{
	size_t size;

	for (size = 8; size <= SZ_32K + 64; size += 8 + size / 16) {
		void *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p & 7, 0UL,
				    "size %zu", size);
		gosalloc_free(p);
	}
}

static void gosalloc_size_is_class_size(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(api_sizes); i++) {
		size_t size = api_sizes[i];
		void *p = gosalloc_alloc(size, GFP_KERNEL);
		size_t want = size <= gosalloc_tiny_max ? size :
			size <= SZ_32K ?
			gosalloc_class_to_size[gosalloc_size_to_class(size)] :
			PAGE_ALIGN(size);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, gosalloc_size(p), want, "size %zu", size);
		gosalloc_free(p);
	}
}

static void gosalloc_alloc_zero_size(struct kunit *test)
{
	void *p = gosalloc_alloc(0, GFP_KERNEL);

	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(p));
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), 0UL);
	gosalloc_free(p);
	gosalloc_free(NULL);
}

static void gosalloc_alloc_too_large(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, gosalloc_alloc(SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, gosalloc_alloc(SIZE_MAX / 2, GFP_KERNEL));
}

static void gosalloc_zalloc_zeroes(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(api_sizes); i++) {
		size_t size = api_sizes[i];
		u8 *p = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		memset(p, 0xff, size);
		gosalloc_free(p);
		p = gosalloc_zalloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, size),
				      "size %zu", size);
		gosalloc_free(p);
	}
}

static void gosalloc_alloc_array_overflow(struct kunit *test)
{
	u32 *p;

	KUNIT_EXPECT_NULL(test, gosalloc_alloc_array(SIZE_MAX / 2 + 1, 2,
						     GFP_KERNEL));
	p = gosalloc_alloc_array(100, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_GE(test, gosalloc_size(p), 100 * sizeof(*p));
	gosalloc_free(p);
}

static void gosalloc_realloc_keeps_contents(struct kunit *test)
{
	size_t steps[] = { 10, 100, 5000, SZ_64K, 300, 16 };
	size_t i, have = 0;
	u8 *p = NULL;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		size_t keep = min(have, steps[i]);
		size_t j;

		p = gosalloc_realloc(p, steps[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
		for (j = 0; j < keep; j++)
			KUNIT_ASSERT_EQ(test, p[j], (u8)j);
		for (j = 0; j < steps[i]; j++)
			p[j] = j;
		have = steps[i];
	}
	p = gosalloc_realloc(p, 0, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(p));
}

static void gosalloc_alloc_bulk_all_or_nothing(struct kunit *test)
{
	void *objs[64];
	size_t i;

	KUNIT_ASSERT_EQ(test, gosalloc_alloc_bulk(64, GFP_KERNEL,
						  ARRAY_SIZE(objs), objs),
			(int)ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_GE(test, gosalloc_size(objs[i]), 64UL);
	}
	gosalloc_free_bulk(ARRAY_SIZE(objs), objs);
	KUNIT_EXPECT_EQ(test, gosalloc_alloc_bulk(SIZE_MAX, GFP_KERNEL, 4,
						  objs), 0);
}

/* free_bulk takes any mix: classes, large objects, NULL, size 0. */
static void gosalloc_free_bulk_mixed(struct kunit *test)
{
	u64 mallocs = gosalloc_stat_read(GOSALLOC_MALLOCS);
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	void *objs[42];
	size_t i;

	for (i = 0; i < 40; i++) {
		objs[i] = gosalloc_alloc(i % 10 ? 24 * i : SZ_64K, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	objs[40] = NULL;
	objs[41] = gosalloc_alloc(0, GFP_KERNEL);
	GOSALLOC_EXPECT_COUNT(test,
			      gosalloc_stat_read(GOSALLOC_MALLOCS) - mallocs,
			      40ULL);
	gosalloc_free_bulk(ARRAY_SIZE(objs), objs);
	GOSALLOC_EXPECT_COUNT(test, gosalloc_stat_read(GOSALLOC_FREES) - frees,
			      40ULL);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

static void gosalloc_stats_count_mallocs_and_frees(struct kunit *test)
{
	u64 mallocs = gosalloc_stat_read(GOSALLOC_MALLOCS);
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	void *objs[10];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = gosalloc_alloc(100 * (i + 1), GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, objs[i]);
	}
	GOSALLOC_EXPECT_COUNT(test,
			      gosalloc_stat_read(GOSALLOC_MALLOCS) - mallocs,
			      (u64)ARRAY_SIZE(objs));
	KUNIT_EXPECT_GT(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC), alloc);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		gosalloc_free(objs[i]);
	GOSALLOC_EXPECT_COUNT(test, gosalloc_stat_read(GOSALLOC_FREES) - frees,
			      (u64)ARRAY_SIZE(objs));
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

static int ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Many live objects at once are all distinct, in LIFO and random frees. */
static void gosalloc_alloc_batch_distinct(struct kunit *test)
{
	const unsigned int n = 1000;
	void **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	unsigned long *sorted = kunit_kcalloc(test, n, sizeof(*sorted),
					      GFP_KERNEL);
	unsigned int round, i, dups;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < n; i++) {
			objs[i] = gosalloc_alloc(128, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[i]);
			sorted[i] = (unsigned long)objs[i];
		}
		sort(sorted, n, sizeof(*sorted), ptr_cmp, NULL);
		for (i = 1, dups = 0; i < n; i++)
			dups += sorted[i] == sorted[i - 1];
		KUNIT_ASSERT_EQ_MSG(test, dups, 0U, "round %u", round);
		for (i = 0; i < n; i++)
			gosalloc_free(objs[round % 2 ? n - 1 - i :
					   (i * 7919) % n]);
	}
}

/* @n objects of @objs distinct and each of usable size @size at least? */
static void expect_distinct(struct kunit *test, void **objs, unsigned int n,
			    size_t size, unsigned long *sorted)
{
	unsigned int i, dups = 0;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_GE(test, gosalloc_size(objs[i]), size);
		sorted[i] = (unsigned long)objs[i];
	}
	sort(sorted, n, sizeof(*sorted), ptr_cmp, NULL);
	for (i = 1; i < n; i++)
		dups += sorted[i] == sorted[i - 1];
	KUNIT_EXPECT_EQ_MSG(test, dups, 0U, "%zu-byte objects", size);
}

/*
 * Bulk calls of every class, each more than a CPU list holds, so that
 * whole chains cross the list's limit: nothing is lost or handed out
 * twice, and the counters add up.
 */
static void gosalloc_bulk_chains_every_class(struct kunit *test)
{
	const unsigned int max = 1024;
	void **objs = kunit_kcalloc(test, max, sizeof(*objs), GFP_KERNEL);
	unsigned long *sorted = kunit_kcalloc(test, max, sizeof(*sorted),
					      GFP_KERNEL);
	u64 frees, alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	unsigned int cls, n, round;
	size_t size;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		size = gosalloc_class_to_size[cls];
		n = min(2 * gosalloc_class_batch[cls] + 17, max);
		for (round = 0; round < 2; round++) {
			KUNIT_ASSERT_EQ(test, gosalloc_alloc_bulk(size, GFP_KERNEL,
								  n, objs), (int)n);
			expect_distinct(test, objs, n, size, sorted);
			frees = gosalloc_stat_read(GOSALLOC_FREES);
			gosalloc_free_bulk(n, objs);
			GOSALLOC_EXPECT_COUNT(test,
					      gosalloc_stat_read(GOSALLOC_FREES) - frees,
					      (u64)n);
		}
	}
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

/*
 * A second free of the object just before it in one bulk call is refused
 * and counted; the list stays whole: the others come back, once each.
 */
static void gosalloc_free_bulk_double_in_chain(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	void *objs[4], *again[3];
	unsigned int i;

	preempt_disable();	/* one CPU's list throughout */
	for (i = 0; i < 3; i++)
		objs[i] = gosalloc_alloc(96, GFP_ATOMIC);
	objs[3] = objs[2];
	gosalloc_free_bulk(ARRAY_SIZE(objs), objs);
	for (i = 0; i < 3; i++)
		again[i] = gosalloc_alloc(96, GFP_ATOMIC);
	gosalloc_free_bulk(ARRAY_SIZE(again), again);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	for (i = 0; i < 3; i++)		/* last in, first out */
		KUNIT_EXPECT_PTR_EQ(test, again[i], objs[2 - i]);
}

/* Alloc+free pairs of one size, size after size, as a hot loop does. */
static void gosalloc_alloc_hot_pairs(struct kunit *test)
{
	size_t size;
	int i;

	for (size = 8; size <= SZ_64K; size *= 2) {
		void *first = gosalloc_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, first);
		gosalloc_free(first);
		for (i = 0; i < 2000; i++) {
			void *p = gosalloc_alloc(size, GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, p);
			gosalloc_free(p);
		}
		kunit_info(test, "size %zu done", size);
	}
}

static struct kunit_case gosalloc_api_cases[] = {
	KUNIT_CASE(gosalloc_alloc_hot_pairs),
	KUNIT_CASE(gosalloc_alloc_batch_distinct),
	KUNIT_CASE(gosalloc_alloc_fills_usable_size),
	KUNIT_CASE(gosalloc_alloc_power_of_two_aligned),
	KUNIT_CASE(gosalloc_alloc_aligned_to_8),
	KUNIT_CASE(gosalloc_size_is_class_size),
	KUNIT_CASE(gosalloc_alloc_zero_size),
	KUNIT_CASE(gosalloc_alloc_too_large),
	KUNIT_CASE(gosalloc_zalloc_zeroes),
	KUNIT_CASE(gosalloc_alloc_array_overflow),
	KUNIT_CASE(gosalloc_realloc_keeps_contents),
	KUNIT_CASE(gosalloc_alloc_bulk_all_or_nothing),
	KUNIT_CASE(gosalloc_free_bulk_mixed),
	KUNIT_CASE(gosalloc_bulk_chains_every_class),
	KUNIT_CASE(gosalloc_free_bulk_double_in_chain),
	KUNIT_CASE(gosalloc_stats_count_mallocs_and_frees),
	{}
};

static struct kunit_suite gosalloc_api_suite = {
	.name = "gosalloc_api",
	.test_cases = gosalloc_api_cases,
};

kunit_test_suite(gosalloc_api_suite);

MODULE_DESCRIPTION("KUnit tests for gosalloc's public interface");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(GOSALLOC_INTERNAL);
