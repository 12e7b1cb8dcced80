// SPDX-License-Identifier: GPL-2.0-only
/*
 * mheap_kunit.c - KUnit suite for the page heap: growth, split, coalesce,
 * pointer-to-span lookup and large objects.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/sizes.h>

#include "gosalloc.h"
#include "internal.h"
#include "helpers.h"

/* A run longer than every free run: the heap must grow to serve it. */
static unsigned long mheap_test_grow_size(void)
{
	unsigned long n = gosalloc_heap_sum(pages_free) + 1;

	/* Not a power of two, so the new chunk is longer and splits. */
	return is_power_of_2(n) ? n + 1 : n;
}

static void gosalloc_mheap_alloc_grows_and_splits(struct kunit *test)
{
	unsigned long npages = mheap_test_grow_size();
	unsigned long sys = gosalloc_heap_sum(pages_sys);
	struct gosalloc_span *s, *rest;

	if (npages > (1UL << MAX_PAGE_ORDER))
		kunit_skip(test, "heap idle too large to force growth");
	s = gosalloc_mheap_alloc(npages, GOSALLOC_SPAN_LARGE, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s->npages, npages);
	KUNIT_EXPECT_GE(test, gosalloc_heap_sum(pages_sys), sys + npages);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_span_lookup((void *)s->base), s);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_span_lookup((void *)(s->base +
				gosalloc_span_bytes(s) - 1)), s);
	rest = gosalloc_span_lookup((void *)(s->base + gosalloc_span_bytes(s)));
	KUNIT_ASSERT_NOT_NULL(test, rest);
	KUNIT_EXPECT_EQ(test, rest->state, GOSALLOC_SPAN_FREE);
	KUNIT_EXPECT_EQ(test, rest->base, s->base + gosalloc_span_bytes(s));
	gosalloc_mheap_free(s);
}

static void gosalloc_mheap_free_coalesces(struct kunit *test)
{
	unsigned long npages = mheap_test_grow_size();
	struct gosalloc_span *s, *rest, *merged;
	unsigned long base, end;

	if (npages > (1UL << MAX_PAGE_ORDER))
		kunit_skip(test, "heap idle too large to force growth");
	s = gosalloc_mheap_alloc(npages, GOSALLOC_SPAN_LARGE, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	base = s->base;
	rest = gosalloc_span_lookup((void *)(base + gosalloc_span_bytes(s)));
	KUNIT_ASSERT_NOT_NULL(test, rest);
	end = rest->base + gosalloc_span_bytes(rest);
	gosalloc_mheap_free(s);
	merged = gosalloc_span_lookup((void *)base);
	KUNIT_ASSERT_NOT_NULL(test, merged);
	KUNIT_EXPECT_EQ(test, merged->state, GOSALLOC_SPAN_FREE);
	KUNIT_EXPECT_LE(test, merged->base, base);
	KUNIT_EXPECT_GE(test, merged->base + gosalloc_span_bytes(merged), end);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_span_lookup((void *)(end - 1)),
			    merged);
}

static void gosalloc_mheap_small_span_maps_every_page(struct kunit *test)
{
	/* The class of 6784-byte objects has 5-page spans. */
	unsigned int cls = gosalloc_size_to_class(6784);
	unsigned long npages = gosalloc_class_to_npages[cls];
	struct gosalloc_span *s;
	unsigned long i;

	KUNIT_ASSERT_GT(test, npages, 1UL);
	s = gosalloc_mheap_alloc(npages, GOSALLOC_SPAN_SMALL, cls, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < npages; i++)
		KUNIT_EXPECT_PTR_EQ(test, gosalloc_span_lookup((void *)(s->base +
				    i * PAGE_SIZE + 100)), s);
	gosalloc_mheap_free(s);
}

static void gosalloc_span_lookup_rejects_foreign(struct kunit *test)
{
	void *k = kmalloc(GOSALLOC_TEST_SLUB_SIZE, GFP_KERNEL);
	int on_stack;

	KUNIT_EXPECT_NULL(test, gosalloc_span_lookup(&on_stack));
	KUNIT_EXPECT_NULL(test, gosalloc_span_lookup(NULL));
	KUNIT_EXPECT_NULL(test, gosalloc_span_lookup(&gosalloc_heap_limit));
	if (k)
		KUNIT_EXPECT_NULL(test, gosalloc_span_lookup(k));
	kfree(k);
}

static void gosalloc_alloc_large_is_own_span(struct kunit *test)
{
	unsigned long allocs = gosalloc_heap_sum(large_allocs);
	unsigned long frees = gosalloc_heap_sum(large_frees);
	size_t size = 100 * 1024;
	struct gosalloc_span *s;
	u8 *p = gosalloc_alloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_EQ(test, offset_in_page(p), 0UL);
	s = gosalloc_span_lookup(p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s->state, GOSALLOC_SPAN_LARGE);
	KUNIT_EXPECT_EQ(test, s->npages, PAGE_ALIGN(size) >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), PAGE_ALIGN(size));
	GOSALLOC_EXPECT_COUNT(test, gosalloc_heap_sum(large_allocs),
			      allocs + 1);
	memset(p, 0x5a, size);
	gosalloc_free(p);
	GOSALLOC_EXPECT_COUNT(test, gosalloc_heap_sum(large_frees), frees + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_span_lookup(p)->state,
			GOSALLOC_SPAN_FREE);
}

/*
 * From GOSALLOC_DIRECT_PAGES pages on, a large object has exactly its own
 * pages, outside the heap's free runs, and they leave with it; a second
 * free then finds no span.
 */
static void gosalloc_alloc_large_direct_goes_back(struct kunit *test)
{
	unsigned long npages = GOSALLOC_DIRECT_PAGES + 1;
	size_t size = (npages - 1) * PAGE_SIZE + 1;
	u64 inuse = gosalloc_stat_read(GOSALLOC_HEAP_INUSE);
	u64 idle = gosalloc_stat_read(GOSALLOC_HEAP_IDLE);
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	struct gosalloc_span *s;
	u8 *p = gosalloc_alloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	s = gosalloc_span_lookup(p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, s->direct);
	KUNIT_EXPECT_EQ(test, s->state, GOSALLOC_SPAN_LARGE);
	KUNIT_EXPECT_EQ(test, s->npages, npages);
	KUNIT_EXPECT_PTR_EQ(test, gosalloc_span_lookup(p + size - 1), s);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), npages * PAGE_SIZE);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_INUSE),
			      inuse + npages * PAGE_SIZE);
	memset(p, 0x5a, size);
	gosalloc_free(p);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_stat_read(GOSALLOC_HEAP_INUSE),
			      inuse);
	/* Nothing became a free run (the scavenger may only shrink idle). */
	KUNIT_EXPECT_LE(test, gosalloc_stat_read(GOSALLOC_HEAP_IDLE), idle);
	KUNIT_EXPECT_NULL(test, gosalloc_span_lookup(p));
	gosalloc_free(p);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 1);
}

static void gosalloc_alloc_largest_and_beyond(struct kunit *test)
{
	void *p = gosalloc_alloc(GOSALLOC_MAX_SIZE, GFP_KERNEL | __GFP_NOWARN);

	/* The largest run may fail on a fragmented machine; never beyond. */
	if (p) {
		KUNIT_EXPECT_EQ(test, gosalloc_size(p), GOSALLOC_MAX_SIZE);
		gosalloc_free(p);
	}
	KUNIT_EXPECT_NULL(test, gosalloc_alloc(GOSALLOC_MAX_SIZE + 1,
					       GFP_KERNEL));
}

static struct kunit_case gosalloc_mheap_cases[] = {
	KUNIT_CASE(gosalloc_mheap_alloc_grows_and_splits),
	KUNIT_CASE(gosalloc_mheap_free_coalesces),
	KUNIT_CASE(gosalloc_mheap_small_span_maps_every_page),
	KUNIT_CASE(gosalloc_span_lookup_rejects_foreign),
	KUNIT_CASE(gosalloc_alloc_large_is_own_span),
	KUNIT_CASE(gosalloc_alloc_large_direct_goes_back),
	KUNIT_CASE(gosalloc_alloc_largest_and_beyond),
	{}
};

static struct kunit_suite gosalloc_mheap_suite = {
	.name = "gosalloc_mheap",
	.test_cases = gosalloc_mheap_cases,
};

kunit_test_suite(gosalloc_mheap_suite);
