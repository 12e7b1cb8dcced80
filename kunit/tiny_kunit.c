// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny_kunit.c - KUnit suite for the tiny allocator with explicit free.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "helpers.h"

static unsigned long tiny_test_align(size_t size)
{
	if (!(size & 7))
		return 8;
	if (!(size & 3))
		return 4;
	return size & 1 ? 1 : 2;
}

static void gosalloc_tiny_alloc_aligned_and_sized(struct kunit *test)
{
	void *p[3 * GOSALLOC_TINY_MAX];
	size_t size, i = 0;

	for (size = 1; size <= GOSALLOC_TINY_MAX; size++) {
		unsigned int k;

		for (k = 0; k < 3; k++, i++) {
			p[i] = gosalloc_alloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p[i] %
					    tiny_test_align(size), 0UL,
					    "size %zu", size);
			KUNIT_EXPECT_EQ_MSG(test, gosalloc_size(p[i]), size,
					    "size %zu", size);
			memset(p[i], size, size);
		}
	}
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		size = i / 3 + 1;
		KUNIT_EXPECT_NULL(test, memchr_inv(p[i], size, size));
		gosalloc_free(p[i]);
	}
}

struct tiny_test {
	struct kunit *test;
	void *p[16];
	u64 packed;
	u32 meta_one_left, meta_after;
};

static long pack_on_cpu(void *arg)
{
	struct tiny_test *t = arg;
	u64 before;
	int i;

	gosalloc_mcache_drain(raw_smp_processor_id());
	before = gosalloc_stat_read(GOSALLOC_TINY_ALLOCS);
	for (i = 0; i < 4; i++)
		t->p[i] = gosalloc_alloc(4, GFP_KERNEL);
	t->packed = gosalloc_stat_read(GOSALLOC_TINY_ALLOCS) - before;
	/* The block is full: the next object starts a new one. */
	t->p[4] = gosalloc_alloc(4, GFP_KERNEL);
	gosalloc_free(t->p[0]);
	gosalloc_free(t->p[1]);
	gosalloc_free(t->p[2]);
	t->meta_one_left = gosalloc_tiny_block_meta(t->p[3]);
	gosalloc_free(t->p[3]);
	t->meta_after = gosalloc_tiny_block_meta(t->p[3]);
	gosalloc_free(t->p[4]);
	return 0;
}

/* Four 4-byte objects share one block, which goes back once all are freed. */
static void gosalloc_tiny_packs_and_frees_block(struct kunit *test)
{
	struct tiny_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), pack_on_cpu, t);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_NOT_NULL(test, t->p[i]);
		KUNIT_EXPECT_EQ(test, (unsigned long)t->p[i] & ~15UL,
				(unsigned long)t->p[0] & ~15UL);
		KUNIT_EXPECT_EQ(test, (unsigned long)t->p[i] & 15UL, 4UL * i);
	}
	KUNIT_EXPECT_EQ(test, t->packed, 3ULL);
	KUNIT_EXPECT_NE(test, (unsigned long)t->p[4] & ~15UL,
			(unsigned long)t->p[0] & ~15UL);
	/* With one object left the block holds its start bit (offset 12). */
	KUNIT_EXPECT_EQ(test, t->meta_one_left & 0xffffU, (u32)BIT(12));
	KUNIT_EXPECT_EQ(test, t->meta_after & 0xffffU, 0U);
}

static long alloc_tiny_on_cpu(void *arg)
{
	struct tiny_test *t = arg;
	int i;

	for (i = 0; i < 16; i++)
		t->p[i] = gosalloc_alloc(1 + i % GOSALLOC_TINY_MAX, GFP_KERNEL);
	return 0;
}

static long free_tiny_on_cpu(void *arg)
{
	struct tiny_test *t = arg;
	int i;

	for (i = 0; i < 16; i++)
		gosalloc_free(t->p[i]);
	return 0;
}

static void gosalloc_tiny_free_on_other_cpu(struct kunit *test)
{
	struct tiny_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int a = cpumask_first(cpu_online_mask);
	unsigned int b = cpumask_next(a, cpu_online_mask);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);

	if (b >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_on_cpu(a, alloc_tiny_on_cpu, t);
	gosalloc_test_on_cpu(b, free_tiny_on_cpu, t);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_FREES) - frees, 16ULL);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC), alloc);
}

/* Random allocations and frees of 1 to 15 bytes, checked against a model. */
static void gosalloc_tiny_random_against_model(struct kunit *test)
{
	const unsigned int n = 512, ops = 20000;
	u8 **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	u8 *size = kunit_kcalloc(test, n, 1, GFP_KERNEL);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	unsigned int i, k;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, size);
	for (k = 0; k < ops; k++) {
		i = get_random_u32_below(n);
		if (p[i]) {
			KUNIT_ASSERT_EQ(test, gosalloc_size(p[i]), (size_t)size[i]);
			KUNIT_ASSERT_NULL(test, memchr_inv(p[i], i, size[i]));
			gosalloc_free(p[i]);
			p[i] = NULL;
			continue;
		}
		size[i] = 1 + get_random_u32_below(GOSALLOC_TINY_MAX);
		p[i] = gosalloc_alloc(size[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i, size[i]);
	}
	for (i = 0; i < n; i++) {
		if (!p[i])
			continue;
		KUNIT_EXPECT_NULL(test, memchr_inv(p[i], i, size[i]));
		gosalloc_free(p[i]);
	}
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC), alloc);
}

/* realloc moves a tiny object out of its block and keeps its bytes. */
static void gosalloc_tiny_realloc_keeps_contents(struct kunit *test)
{
	u8 *p = gosalloc_alloc(5, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "tiny", 5);
	q = gosalloc_realloc(p, 3, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);	/* it fits: it stays */
	q = gosalloc_realloc(p, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, memcmp(q, "tiny", 5), 0);
	KUNIT_EXPECT_GE(test, gosalloc_size(q), (size_t)100);
	gosalloc_free(q);
}

/* A second free of a tiny object is counted and changes nothing else. */
static void gosalloc_tiny_double_free_detected(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	u8 *a = gosalloc_alloc(3, GFP_KERNEL);
	u8 *b = gosalloc_alloc(3, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0x77, 3);
	gosalloc_free(a);
	gosalloc_free(a);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_size(b), (size_t)3);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x77, 3));
	gosalloc_free(b);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC), alloc);
}

static struct kunit_case gosalloc_tiny_cases[] = {
	KUNIT_CASE(gosalloc_tiny_double_free_detected),
	KUNIT_CASE(gosalloc_tiny_realloc_keeps_contents),
	KUNIT_CASE(gosalloc_tiny_alloc_aligned_and_sized),
	KUNIT_CASE(gosalloc_tiny_packs_and_frees_block),
	KUNIT_CASE(gosalloc_tiny_free_on_other_cpu),
	KUNIT_CASE(gosalloc_tiny_random_against_model),
	{}
};

static struct kunit_suite gosalloc_tiny_suite = {
	.name = "gosalloc_tiny",
	.test_cases = gosalloc_tiny_cases,
};

kunit_test_suite(gosalloc_tiny_suite);
