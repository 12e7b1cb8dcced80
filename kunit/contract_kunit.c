// SPDX-License-Identifier: GPL-2.0-only
/*
 * contract_kunit.c - KUnit suite gosalloc_contract: kmalloc's contract
 * for every gfp modifier, and one case for each way the contract was
 * once found broken (each failed before its fix).
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "helpers.h"

/* One size of each kind: tiny, small, a page, large, large direct. */
static const size_t contract_sizes[] = {
	4, 64, SZ_4K, SZ_32K + 1, (GOSALLOC_DIRECT_PAGES << PAGE_SHIFT) + 1,
};

/*
 * Every gfp modifier on GFP_KERNEL, for every kind of object: the zone
 * modifiers gosalloc does not serve are refused (NULL, a report), every
 * other one gives a usable object, zeroed for __GFP_ZERO. The kernel log
 * must stay free of warnings (kunit-run.sh checks it).
 */
static void gosalloc_alloc_every_gfp_modifier(struct kunit *test)
{
	unsigned int bit, i;
	gfp_t gfp;
	u8 *p;

	for (bit = 0; bit < __GFP_BITS_SHIFT; bit++) {
		gfp = GFP_KERNEL | (__force gfp_t)BIT(bit);
		for (i = 0; i < ARRAY_SIZE(contract_sizes); i++) {
			size_t size = contract_sizes[i];

			/*
			 * As for kmalloc(): __GFP_NOFAIL past the page
			 * allocator's costly order warns there.
			 */
			if ((gfp & __GFP_NOFAIL) &&
			    size > (PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER))
				continue;
			p = gosalloc_alloc(size, gfp);
			if (gfp & (__GFP_DMA | __GFP_DMA32)) {
				KUNIT_EXPECT_NULL_MSG(test, p, "%pGg, %zu bytes",
						      &gfp, size);
				gosalloc_free(p);
				continue;
			}
			KUNIT_ASSERT_NOT_NULL_MSG(test, p, "%pGg, %zu bytes",
						  &gfp, size);
			if (gfp & __GFP_ZERO)
				KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, size),
						      "%pGg, %zu bytes", &gfp,
						      size);
			memset(p, 0xa5, size);
			gosalloc_free(p);
		}
	}
}

/* GFP_DMA and GFP_DMA32 fail on every path, bulk included. */
static void gosalloc_alloc_dma_refused(struct kunit *test)
{
	static const gfp_t zones[] = { GFP_DMA, GFP_DMA32 };
	void *objs[4];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(zones); i++) {
		for (j = 0; j < ARRAY_SIZE(contract_sizes); j++)
			KUNIT_EXPECT_NULL(test,
					  gosalloc_alloc(contract_sizes[j],
							 GFP_KERNEL | zones[i]));
		KUNIT_EXPECT_NULL(test, gosalloc_zalloc(64, GFP_ATOMIC | zones[i]));
		KUNIT_EXPECT_EQ(test, gosalloc_alloc_bulk(64, GFP_KERNEL | zones[i],
							  ARRAY_SIZE(objs), objs), 0);
	}
}

/* __GFP_NOFAIL on GFP_KERNEL never returns NULL, up to 32 KiB. */
static void gosalloc_alloc_nofail_never_null(struct kunit *test)
{
	unsigned int i, round;
	void *p;

	for (round = 0; round < 64; round++) {
		for (i = 0; contract_sizes[i] <= SZ_32K; i++) {
			p = gosalloc_alloc(contract_sizes[i],
					   GFP_KERNEL | __GFP_NOFAIL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			gosalloc_free(p);
		}
	}
}

/*
 * The tail a span's objects leave is no object: in a one-page span of
 * 3584-byte objects, the 512 bytes after the object (and the same for
 * every class with a tail) are refused.
 */
static void gosalloc_free_tail_waste(struct kunit *test)
{
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	unsigned int cls, tested = 0;
	struct gosalloc_span *s;
	unsigned long tail;
	void *p;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		unsigned long span = (unsigned long)gosalloc_class_to_npages[cls]
				     << PAGE_SHIFT;
		unsigned int size = gosalloc_class_to_size[cls];

		if (!(span % size) || size <= gosalloc_tiny_max)
			continue;	/* no tail */
		p = gosalloc_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		s = gosalloc_span_lookup(p);
		tail = s->base + (unsigned long)gosalloc_class_to_nobjs[cls] * size;
		/* Ask first: a free of it, if accepted, would corrupt the heap. */
		KUNIT_ASSERT_EQ_MSG(test, gosalloc_size((void *)tail), 0,
				    "class %u: tail at %#lx accepted", cls,
				    tail - s->base);
		gosalloc_free((void *)tail);
		gosalloc_free(p);
		tested++;
	}
	KUNIT_EXPECT_GT(test, tested, 0);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 2 * tested);
}

/*
 * Fill free run @s with @byte, as old data; heap.lock held, so the run
 * may be marked as holding old data (init_on_alloc then zeroes it).
 */
static void poison_run(const struct gosalloc_span *s, void *byte)
{
	gosalloc_memset((void *)s->base, (unsigned long)byte,
			gosalloc_span_bytes(s));
	((struct gosalloc_span *)s)->needzero = true;
}

/*
 * A tiny span made of pages that held other data: no block of it was
 * carved yet, so no pointer into it is a live object.
 */
static void gosalloc_free_never_carved_tiny_block(struct kunit *test)
{
	struct gosalloc_span *s;
	unsigned long off;

	/* At least one free run, then every free run full of ones. */
	s = gosalloc_mheap_alloc(1, GOSALLOC_SPAN_LARGE, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	gosalloc_mheap_free(s);
	gosalloc_mheap_visit_free(poison_run, (void *)0xffUL);
	s = gosalloc_mheap_alloc(1, GOSALLOC_SPAN_TINY, GOSALLOC_TINY_CLASS,
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (off = 0; off < PAGE_SIZE; off++)
		if (gosalloc_tiny_size(s, (void *)s->base + off))
			break;
	KUNIT_EXPECT_EQ_MSG(test, off, PAGE_SIZE,
			    "offset %lu of a block never carved accepted", off);
	gosalloc_mheap_free(s);
}

/*
 * With init_on_free, a second free of the most recent free object of a
 * CPU list is refused before the object is zeroed: its link, and so the
 * list, stay whole. Tried through gosalloc_free() and gosalloc_free_bulk().
 * Runs where the kernel boots with init_on_free=1 (make check's
 * kunit-um-init step); the page allocator's policy cannot change later.
 */
static void gosalloc_free_double_head_init_on_free(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	unsigned int round, cls = gosalloc_size_to_class(64);
	void *p, *q, *link;

	if (!want_init_on_free())
		kunit_skip(test, "the kernel runs without init_on_free=1");
	for (round = 0; round < 2; round++) {
		preempt_disable();	/* one CPU's list throughout */
		q = gosalloc_alloc(64, GFP_ATOMIC);
		p = gosalloc_alloc(64, GFP_ATOMIC);
		gosalloc_free(q);
		gosalloc_free(p);	/* p is the head, linked to q */
		link = gosalloc_next(p, cls);
		if (round)
			gosalloc_free_bulk(1, &p);
		else
			gosalloc_free(p);
		KUNIT_EXPECT_PTR_EQ(test, gosalloc_next(p, cls), link);
		KUNIT_EXPECT_PTR_EQ(test, gosalloc_alloc(64, GFP_ATOMIC), p);
		KUNIT_EXPECT_PTR_EQ(test, gosalloc_alloc(64, GFP_ATOMIC), q);
		gosalloc_free(q);
		gosalloc_free(p);
		preempt_enable();
	}
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 2);
}

/*
 * At a sample rate of a few bytes, a request of 8 GiB (which fails)
 * counts its samples without drawing a gap for each of them: a few
 * billion random draws with interrupts off.
 */
static void gosalloc_sample_huge_request_small_rate(struct kunit *test)
{
	unsigned long rate = READ_ONCE(gosalloc_sample_rate);
	u64 start = ktime_get_ns();

	gosalloc_sample_set_rate(2);
	KUNIT_EXPECT_NULL(test, gosalloc_alloc(SZ_8G, GFP_KERNEL | __GFP_NOWARN));
	gosalloc_sample_set_rate(rate);
	/* Not jiffies: they stand still with interrupts off on one CPU. */
	KUNIT_EXPECT_LT(test, ktime_get_ns() - start, (u64)NSEC_PER_SEC);
}

/*
 * Shrinking in place with __GFP_ZERO leaves the bytes given up zeroed,
 * as krealloc() does; without it they are left alone.
 */
static void gosalloc_realloc_shrink_zeroes(struct kunit *test)
{
	u8 *p = gosalloc_alloc(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 64);
	KUNIT_ASSERT_PTR_EQ(test, (u8 *)gosalloc_realloc(p, 10,
							 GFP_KERNEL | __GFP_ZERO),
			    p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x5a, 10));
	/* As ksize(), gosalloc_size() makes all 64 bytes usable again. */
	KUNIT_ASSERT_EQ(test, gosalloc_size(p), (size_t)64);
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 10, 0, 64 - 10));
	gosalloc_free(p);
}

/*
 * A class's objects in use, from counts read one after the other: never
 * more than were allocated, nor than its spans hold.
 */
static void gosalloc_class_stats_inuse_never_wraps(struct kunit *test)
{
	unsigned int cls = gosalloc_size_to_class(64), i;
	struct gosalloc_class_stats cs;
	void *p;

	for (i = 0; i < 10000; i++) {
		p = gosalloc_alloc(64, GFP_KERNEL);
		gosalloc_class_stats(cls, &cs);
		gosalloc_free(p);
		KUNIT_ASSERT_LE(test, cs.inuse, cs.mallocs);
		KUNIT_ASSERT_LE(test, cs.inuse, cs.spans *
				gosalloc_class_to_nobjs[cls]);
	}
}

static void heap_limit_restore(void *saved)
{
	unsigned long limit = READ_ONCE(gosalloc_heap_limit);

	WRITE_ONCE(gosalloc_heap_limit,
		   max_t(unsigned long, limit, (unsigned long)saved));
}

/*
 * Memory above the bound lookups started with. arm64 sets high_memory
 * once at boot, so memory hot-added later lies above it, and the lookup
 * once rejected gosalloc's own objects there (issue 14, defect 7). Here
 * the bound is put just past the start of the linear map, so that every
 * page the heap adopts now lies above it, as hot-added pages would: a
 * large object on fresh pages must still be found, sized and freed.
 * Not in kernel mode, where every kfree() would meanwhile miss.
 */
static void gosalloc_span_lookup_above_boot_limit(struct kunit *test)
{
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	size_t size = GOSALLOC_DIRECT_PAGES << PAGE_SHIFT;
	struct gosalloc_span *s;
	void *p;

	if (gosalloc_test_heap_shared())
		kunit_skip(test, "kernel mode: every kfree() would miss meanwhile");
	rcu_barrier();		/* no RCU free of an older object meanwhile */
	gosalloc_test_defer(test, heap_limit_restore,
			    (void *)READ_ONCE(gosalloc_heap_limit));
	WRITE_ONCE(gosalloc_heap_limit, PAGE_OFFSET + PAGE_SIZE);
	p = gosalloc_alloc(size, GFP_KERNEL);	/* pages of its own */
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = gosalloc_span_lookup(p);
	KUNIT_ASSERT_NOT_NULL_MSG(test, s, "%p above the boot bound missed", p);
	KUNIT_EXPECT_GE(test, READ_ONCE(gosalloc_heap_limit),
			s->base + gosalloc_span_bytes(s));
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), size);
	gosalloc_free(p);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid);
}

static struct kunit_case gosalloc_contract_cases[] = {
	KUNIT_CASE(gosalloc_alloc_every_gfp_modifier),
	KUNIT_CASE(gosalloc_alloc_dma_refused),
	KUNIT_CASE(gosalloc_alloc_nofail_never_null),
	KUNIT_CASE(gosalloc_free_tail_waste),
	KUNIT_CASE(gosalloc_free_never_carved_tiny_block),
	KUNIT_CASE(gosalloc_free_double_head_init_on_free),
	KUNIT_CASE(gosalloc_sample_huge_request_small_rate),
	KUNIT_CASE(gosalloc_realloc_shrink_zeroes),
	KUNIT_CASE(gosalloc_class_stats_inuse_never_wraps),
	KUNIT_CASE(gosalloc_span_lookup_above_boot_limit),
	{}
};

static struct kunit_suite gosalloc_contract_suite = {
	.name = "gosalloc_contract",
	.test_cases = gosalloc_contract_cases,
};

kunit_test_suite(gosalloc_contract_suite);
