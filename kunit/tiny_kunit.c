// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny_kunit.c - KUnit suite for the tiny allocator with explicit free.
 *
 * Every case but one runs twice: tiny objects of 1 to 7 bytes (the
 * default) and 1 to 15 (tiny_max=15, as Go's tiny allocator takes).
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
	unsigned int limit;

	if (gosalloc_test_heap_shared())
		kunit_skip(test, "kernel mode: no tiny objects (kmalloc's alignment)");
	if (!test->param_value)
		return 0;
	limit = *(const unsigned int *)test->param_value;
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
	return gosalloc_tiny_is_live(p);
}

/*
 * Every size from 1 to 15 bytes is aligned by its low bits; up to the limit
 * it is tiny and gosalloc_size() is exactly the size, above it the
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

#define TINY_TEST_OBJS	8

struct tiny_test {
	struct kunit *test;
	void *p[16];
	u64 fast;
	bool same_after_free;
};

static long pack_on_cpu(void *arg)
{
	struct tiny_test *t = arg;
	u64 before;
	void *again;
	int i;

	gosalloc_mcache_drain(raw_smp_processor_id());
	before = gosalloc_stat_read(GOSALLOC_TINY_ALLOCS);
	for (i = 0; i < TINY_TEST_OBJS; i++)
		t->p[i] = gosalloc_alloc(4, GFP_KERNEL);
	t->fast = gosalloc_stat_read(GOSALLOC_TINY_ALLOCS) - before;
	/* A free on the CPU that owns the span makes the slot the next one. */
	gosalloc_free(t->p[2]);
	again = gosalloc_alloc(4, GFP_KERNEL);
	t->same_after_free = again == t->p[2];
	t->p[2] = again;
	for (i = 0; i < TINY_TEST_OBJS; i++)
		gosalloc_free(t->p[i]);
	return 0;
}

/*
 * 4-byte objects are packed 4 bytes apart in a span of their own; after
 * the first, which takes a span, the fast path serves them; a freed slot
 * is taken again first.
 */
static void gosalloc_tiny_alloc_packs_one_size(struct kunit *test)
{
	struct tiny_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), pack_on_cpu, t);
	for (i = 0; i < TINY_TEST_OBJS; i++) {
		KUNIT_ASSERT_NOT_NULL(test, t->p[i]);
		KUNIT_EXPECT_EQ(test, (unsigned long)t->p[i],
				(unsigned long)t->p[0] + 4 * i);
	}
	KUNIT_EXPECT_EQ(test, t->fast, (u64)TINY_TEST_OBJS - 1);
	KUNIT_EXPECT_TRUE(test, t->same_after_free);
}

/* Objects of different sizes never share a span; slots follow the size. */
static void gosalloc_tiny_alloc_span_per_size(struct kunit *test)
{
	void *p[GOSALLOC_TINY_SIZE][2] = {};
	size_t size, other;

	for (size = 1; size <= gosalloc_tiny_max; size++) {
		p[size][0] = gosalloc_alloc(size, GFP_KERNEL);
		p[size][1] = gosalloc_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[size][0]);
		KUNIT_ASSERT_NOT_NULL(test, p[size][1]);
	}
	for (size = 1; size <= gosalloc_tiny_max; size++) {
		unsigned long a = (unsigned long)p[size][0];
		unsigned long b = (unsigned long)p[size][1];

		KUNIT_EXPECT_EQ_MSG(test, a & PAGE_MASK, b & PAGE_MASK,
				    "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, (b > a ? b - a : a - b) % size, 0UL,
				    "size %zu", size);
		for (other = 1; other < size; other++)
			KUNIT_EXPECT_NE_MSG(test, a & PAGE_MASK,
					    (unsigned long)p[other][0] & PAGE_MASK,
					    "sizes %zu and %zu", size, other);
	}
	for (size = 1; size <= gosalloc_tiny_max; size++) {
		gosalloc_free(p[size][0]);
		gosalloc_free(p[size][1]);
	}
}

/* A span holds as many objects as its bitmaps leave room for. */
static void gosalloc_tiny_slots_fill_page(struct kunit *test)
{
	size_t size;

	for (size = 1; size < GOSALLOC_TINY_SIZE; size++) {
		unsigned int n = gosalloc_tiny_slots(size);

		KUNIT_EXPECT_LE_MSG(test, n * size + n / 4, PAGE_SIZE,
				    "size %zu", size);
		KUNIT_EXPECT_GE_MSG(test, n * size + n / 4 + 64 + 2 * size,
				    PAGE_SIZE, "size %zu", size);
	}
	/* Under 4.3 bytes a 4-byte object, on 4 KiB pages. */
	if (PAGE_SIZE == SZ_4K)
		KUNIT_EXPECT_GE(test, gosalloc_tiny_slots(4), 950U);
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
	GOSALLOC_EXPECT_COUNT(test, gosalloc_stat_read(GOSALLOC_FREES) - frees,
			      16ULL);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

/* A span's worth of 4-byte objects, freed remotely. */
struct tiny_remote_test {
	void **p;
	unsigned int n;
	u64 doubles;
	u64 spans_before, spans_after;
	bool reused;
};

/*
 * Free @t's objects as code that interrupted a holder of this CPU's cache
 * does: remotely, though this CPU owns their span.
 */
static void remote_free_all(struct tiny_remote_test *t)
{
	struct gosalloc_mcache *c;
	unsigned int i;

	preempt_disable();
	c = this_cpu_ptr(gosalloc_mcache);
	WRITE_ONCE(c->held, 1);
	for (i = 0; i < t->n; i++)
		gosalloc_free(t->p[i]);
	/* Freed, not yet folded in by their owner: still caught. */
	gosalloc_free(t->p[0]);
	WRITE_ONCE(c->held, 0);
	preempt_enable();
}

static long remote_on_cpu(void *arg)
{
	struct tiny_remote_test *t = arg;
	void *first;
	unsigned int i;

	gosalloc_mcache_drain(raw_smp_processor_id());
	for (i = 0; i < t->n; i++)
		t->p[i] = gosalloc_alloc(4, GFP_KERNEL);
	first = t->p[0];
	t->doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	remote_free_all(t);
	/* On the owner's own path, the remote bit catches it too. */
	gosalloc_free(t->p[1]);
	t->doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES) - t->doubles;
	t->spans_before = gosalloc_stat_read(GOSALLOC_SPANS_INUSE);
	for (i = 0; i < t->n; i++)
		t->p[i] = gosalloc_alloc(4, GFP_KERNEL);
	t->spans_after = gosalloc_stat_read(GOSALLOC_SPANS_INUSE);
	for (i = 0; i < t->n && !t->reused; i++)
		t->reused = t->p[i] == first;
	for (i = 0; i < t->n; i++)
		gosalloc_free(t->p[i]);
	return 0;
}

/*
 * Objects freed remotely into a span a CPU owns are folded back into it
 * when it runs out of room: allocating as many again takes no new span,
 * and reuses their slots. A second free of such an object is caught,
 * remotely and on the owner's path.
 */
static void gosalloc_tiny_free_remote_then_reuse(struct kunit *test)
{
	struct tiny_remote_test t = {};
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);

	if (gosalloc_tiny_max < 4)
		kunit_skip(test, "4-byte objects are not tiny");
	t.n = gosalloc_tiny_slots(4);
	t.p = kunit_kcalloc(test, t.n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t.p);
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), remote_on_cpu,
			     &t);
	KUNIT_EXPECT_EQ(test, t.doubles, 2ULL);
	KUNIT_EXPECT_LE(test, t.spans_after, t.spans_before + 1);
	KUNIT_EXPECT_TRUE(test, t.reused);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

struct tiny_unowned_test {
	void **p;
	unsigned int n;
	u64 spans, spans_after;
};

static long unowned_on_cpu(void *arg)
{
	struct tiny_unowned_test *t = arg;
	unsigned int i;

	gosalloc_mcache_drain(raw_smp_processor_id());
	gosalloc_mcentral_trim();
	t->spans = gosalloc_stat_read(GOSALLOC_SPANS_INUSE);
	for (i = 0; i < t->n; i++)
		t->p[i] = gosalloc_alloc(2, GFP_KERNEL);
	/* Nobody owns the spans now: frees go through the tiny lock. */
	gosalloc_mcache_drain(raw_smp_processor_id());
	for (i = 0; i < t->n; i++)
		gosalloc_free(t->p[i]);
	gosalloc_mcentral_trim();
	t->spans_after = gosalloc_stat_read(GOSALLOC_SPANS_INUSE);
	return 0;
}

/* Spans nobody owns empty as their objects are freed and go back. */
static void gosalloc_tiny_free_unowned_returns_spans(struct kunit *test)
{
	struct tiny_unowned_test t = {};
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);

	if (gosalloc_tiny_max < 2)
		kunit_skip(test, "2-byte objects are not tiny");
	t.n = 3 * gosalloc_tiny_slots(2);
	t.p = kunit_kcalloc(test, t.n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t.p);
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), unowned_on_cpu,
			     &t);
	/*
	 * At most as many as before: the heap's background work may free
	 * spans of other users meanwhile (seen once in 5 s of a loaded
	 * x86_64 debugging guest), but the test's three spans' worth must
	 * all have gone back.
	 */
	KUNIT_EXPECT_LE(test, t.spans_after, t.spans);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

struct tiny_held_test {
	void *p, *q;
	bool live, size_ok;
	u64 doubles;
};

/*
 * As code that interrupted a holder of this CPU's cache: allocate and
 * free with the held flag set, the span this CPU owns left alone.
 */
static long held_on_cpu(void *arg)
{
	struct tiny_held_test *t = arg;
	struct gosalloc_mcache *c;
	u64 doubles;

	t->q = gosalloc_alloc(3, GFP_KERNEL);	/* this CPU owns a span */
	doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	preempt_disable();
	c = this_cpu_ptr(gosalloc_mcache);
	WRITE_ONCE(c->held, 1);
	t->p = gosalloc_alloc(3, GFP_ATOMIC);
	t->live = t->p && gosalloc_tiny_is_live(t->p);
	t->size_ok = t->p && gosalloc_size(t->p) == 3;
	gosalloc_free(t->p);
	gosalloc_free(t->q);	/* in the owned span: a remote free */
	gosalloc_free(t->q);
	gosalloc_mcache_drain(raw_smp_processor_id());	/* skipped */
	WRITE_ONCE(c->held, 0);
	preempt_enable();
	t->doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES) - doubles;
	return 0;
}

static void gosalloc_tiny_held_cache_bypassed(struct kunit *test)
{
	struct tiny_held_test t = {};
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);

	if (gosalloc_tiny_max < 3)
		kunit_skip(test, "3-byte objects are not tiny");
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), held_on_cpu, &t);
	KUNIT_ASSERT_NOT_NULL(test, t.p);
	KUNIT_EXPECT_TRUE(test, t.live);
	KUNIT_EXPECT_TRUE(test, t.size_ok);
	KUNIT_EXPECT_EQ(test, t.doubles, 1ULL);
	KUNIT_EXPECT_FALSE(test, gosalloc_tiny_is_live(t.q));
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
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
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
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

/*
 * A second free of a tiny object is counted as a double free, a free of
 * a pointer inside one as invalid, as for the size classes; neither
 * changes anything else.
 */
static void gosalloc_tiny_double_free_detected(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u64 invalids = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	u64 alloc = gosalloc_stat_read(GOSALLOC_HEAP_ALLOC);
	u8 *a = gosalloc_alloc(3, GFP_KERNEL);
	u8 *b = gosalloc_alloc(3, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0x77, 3);
	gosalloc_free(b + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_size(b + 2), (size_t)0);
	gosalloc_free(a);
	gosalloc_free(a);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalids + 2);
	KUNIT_EXPECT_EQ(test, gosalloc_size(b), (size_t)3);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x77, 3));
	gosalloc_free(b);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_ALLOC),
			      alloc);
}

static struct kunit_case gosalloc_tiny_cases[] = {
	KUNIT_CASE_PARAM(gosalloc_tiny_double_free_detected,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_realloc_keeps_contents,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_alloc_aligned_and_sized,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_alloc_packs_one_size,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_alloc_span_per_size,
			 tiny_limit_gen_params),
	KUNIT_CASE(gosalloc_tiny_slots_fill_page),
	KUNIT_CASE_PARAM(gosalloc_tiny_free_on_other_cpu,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_free_remote_then_reuse,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_free_unowned_returns_spans,
			 tiny_limit_gen_params),
	KUNIT_CASE_PARAM(gosalloc_tiny_held_cache_bypassed,
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
