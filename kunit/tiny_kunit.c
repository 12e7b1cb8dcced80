// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny_kunit.c - KUnit suite for the tiny allocator with explicit free.
 *
 * Every case runs twice: packing 1 to 7 bytes (the default) and 1 to 15
 * (tiny_max=15, as Go packs).
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "helpers.h"

static const unsigned int tiny_limits[] = { GOSALLOC_TINY_MAX_DEFAULT, 15 };

static void tiny_limit_desc(const unsigned int *limit, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "tiny_max=%u", *limit);
}

KUNIT_ARRAY_PARAM(tiny_limit, tiny_limits, tiny_limit_desc);

static void tiny_limit_restore(void *old)
{
	gosalloc_tiny_set_max((unsigned long)old);
}

static int tiny_test_init(struct kunit *test)
{
	unsigned int limit = *(const unsigned int *)test->param_value;

	gosalloc_test_defer(test, tiny_limit_restore,
			    (void *)(unsigned long)gosalloc_tiny_set_max(limit));
	return 0;
}

static unsigned long tiny_test_align(size_t size)
{
	if (!(size & 7))
		return 8;
	if (!(size & 3))
		return 4;
	return size & 1 ? 1 : 2;
}

static bool is_tiny(const void *p)
{
	return gosalloc_tiny_block_meta(p) != 0;
}

/*
 * Every size from 1 to 15 bytes is aligned by its low bits; up to the limit
 * it is packed and gosalloc_size() is exactly the size, above it the
 * object comes from a size class.
 */
static void gosalloc_tiny_alloc_aligned_and_sized(struct kunit *test)
{
	void *p[3 * (GOSALLOC_TINY_SIZE - 1)];
	size_t size, i = 0;

	for (size = 1; size < GOSALLOC_TINY_SIZE; size++) {
		bool packed = size <= gosalloc_tiny_max;
		unsigned int k;

		for (k = 0; k < 3; k++, i++) {
			p[i] = gosalloc_alloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p[i] %
					    tiny_test_align(size), 0UL,
					    "size %zu", size);
			KUNIT_EXPECT_EQ_MSG(test, is_tiny(p[i]), packed,
					    "size %zu", size);
			if (packed)
				KUNIT_EXPECT_EQ_MSG(test, gosalloc_size(p[i]),
						    size, "size %zu", size);
			else
				KUNIT_EXPECT_GE_MSG(test, gosalloc_size(p[i]),
						    size, "size %zu", size);
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

/* gosalloc's carving, as a model: the block number and offset of each object. */
struct carve_model {
	unsigned int block, off, blocks;
};

static unsigned int model_carve(struct carve_model *m, size_t size,
				unsigned int *off)
{
	unsigned int at = ALIGN(m->off, tiny_test_align(size));

	if (m->blocks && at + size <= GOSALLOC_TINY_SIZE) {
		m->off = at + size;
		*off = at;
		return m->block;
	}
	*off = 0;
	if (!m->blocks++ || size < m->off) {	/* the new one has more room */
		m->block = m->blocks - 1;
		m->off = size;
	}
	return m->blocks - 1;
}

static const u8 carve_sizes[] = {
	12, 3, 1, 6, 8, 5, 15, 4, 2, 9, 7, 7, 1, 14, 10, 2, 13, 11, 3, 8,
};

struct carve_test {
	void *p[ARRAY_SIZE(carve_sizes)];
};

static long carve_on_cpu(void *arg)
{
	struct carve_test *t = arg;
	unsigned int i;

	gosalloc_mcache_drain(raw_smp_processor_id());
	for (i = 0; i < ARRAY_SIZE(carve_sizes); i++)
		t->p[i] = gosalloc_alloc(carve_sizes[i], GFP_KERNEL);
	return 0;
}

/*
 * Objects of mixed sizes share blocks as the model says: each aligned by
 * its size, a new block when one does not fit, and the new block kept for
 * carving only when it has more room left than the old one.
 */
static void gosalloc_tiny_carves_like_go(struct kunit *test)
{
	struct carve_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long first[ARRAY_SIZE(carve_sizes)];
	struct carve_model m = {};
	unsigned int i, j, off, block, shared = 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), carve_on_cpu, t);
	for (i = 0; i < ARRAY_SIZE(carve_sizes); i++) {
		unsigned long at = (unsigned long)t->p[i];

		KUNIT_ASSERT_NOT_NULL(test, t->p[i]);
		KUNIT_EXPECT_EQ_MSG(test, is_tiny(t->p[i]),
				    carve_sizes[i] <= gosalloc_tiny_max,
				    "object %u", i);
		if (carve_sizes[i] > gosalloc_tiny_max)
			continue;
		block = model_carve(&m, carve_sizes[i], &off);
		KUNIT_EXPECT_EQ_MSG(test, at & 15, (unsigned long)off,
				    "object %u", i);
		if (block < m.blocks - 1 || off) {
			KUNIT_EXPECT_EQ_MSG(test, at & ~15UL, first[block],
					    "object %u", i);
			shared++;
		} else {
			for (j = 0; j < block; j++)
				KUNIT_EXPECT_NE_MSG(test, at & ~15UL, first[j],
						    "object %u", i);
			first[block] = at & ~15UL;
		}
	}
	KUNIT_EXPECT_GT(test, shared, 5U);
	for (i = 0; i < ARRAY_SIZE(carve_sizes); i++)
		gosalloc_free(t->p[i]);
}

static long alloc_tiny_on_cpu(void *arg)
{
	struct tiny_test *t = arg;
	int i;

	for (i = 0; i < 16; i++)
		t->p[i] = gosalloc_alloc(1 + i % 15, GFP_KERNEL);
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

/*
 * Random allocations and frees of 1 to 15 bytes, packed and not, checked
 * against a model.
 */
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
			if (size[i] <= gosalloc_tiny_max)
				KUNIT_ASSERT_EQ(test, gosalloc_size(p[i]),
						(size_t)size[i]);
			else
				KUNIT_ASSERT_GE(test, gosalloc_size(p[i]),
						(size_t)size[i]);
			KUNIT_ASSERT_NULL(test, memchr_inv(p[i], i, size[i]));
			gosalloc_free(p[i]);
			p[i] = NULL;
			continue;
		}
		size[i] = 1 + get_random_u32_below(15);
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

/*
 * realloc moves a tiny object out of its block and keeps its bytes: all
 * of them, or under init_on_alloc (which zeroes what a shrink gave up, as
 * krealloc() does) those up to the smaller size.
 */
static void gosalloc_tiny_realloc_keeps_contents(struct kunit *test)
{
	u8 *p = gosalloc_alloc(5, GFP_KERNEL), *q;
	size_t kept = want_init_on_alloc(GFP_KERNEL) ? 3 : 5;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "tiny", 5);
	q = gosalloc_realloc(p, 3, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);	/* it fits: it stays */
	q = gosalloc_realloc(p, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, memcmp(q, "tiny", kept), 0);
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
	KUNIT_CASE_PARAM(gosalloc_tiny_double_free_detected,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_realloc_keeps_contents,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_alloc_aligned_and_sized,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_packs_and_frees_block,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_carves_like_go, tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_free_on_other_cpu,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_random_against_model,
			 tiny_limit_gen_params),
	{}
};

static struct kunit_suite gosalloc_tiny_suite = {
	.name = "gosalloc_tiny",
	.init = tiny_test_init,
	.test_cases = gosalloc_tiny_cases,
};

kunit_test_suite(gosalloc_tiny_suite);
