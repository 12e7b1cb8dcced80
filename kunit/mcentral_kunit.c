// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcentral_kunit.c - KUnit suite for the per-class central lists.
 */
#include <kunit/test.h>

#include "helpers.h"

static unsigned int check_chain(struct kunit *test, unsigned int cls,
				struct gosalloc_chain *chain)
{
	unsigned int size = gosalloc_class_to_size[cls];
	void *obj, *last = NULL;
	unsigned int n = 0;

	/* Read links as gosalloc does: KASAN sees free objects poisoned. */
	for (obj = chain->head; obj; obj = gosalloc_next(obj, cls)) {
		struct gosalloc_span *s = gosalloc_span_lookup(obj);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, s->state, GOSALLOC_SPAN_SMALL);
		KUNIT_EXPECT_EQ(test, (unsigned int)s->sizeclass, cls);
		KUNIT_EXPECT_EQ(test, ((unsigned long)obj - s->base) % size, 0UL);
		last = obj;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, chain->count);
	KUNIT_EXPECT_PTR_EQ(test, chain->tail, last);
	return n;
}

/* A grab never takes more than asked, nor from more than one new span. */
static void gosalloc_mcentral_grab_carves_class_objects(struct kunit *test)
{
	unsigned int cls = gosalloc_size_to_class(128);
	unsigned int nobjs = gosalloc_class_to_nobjs[cls];
	struct gosalloc_chain a, b;

	gosalloc_test_needs_own_heap(test);
	gosalloc_test_drain_all();
	KUNIT_ASSERT_TRUE(test, gosalloc_mcentral_grab(cls, nobjs - 1,
						       GFP_KERNEL, &a));
	KUNIT_EXPECT_EQ(test, check_chain(test, cls, &a), nobjs - 1);
	KUNIT_ASSERT_TRUE(test, gosalloc_mcentral_grab(cls, 40, GFP_KERNEL, &b));
	KUNIT_EXPECT_GE(test, check_chain(test, cls, &b), 1U);
	KUNIT_EXPECT_LE(test, b.count, 40U);
	KUNIT_EXPECT_PTR_NE(test, a.head, b.head);
	gosalloc_mcentral_release(cls, a.head);
	gosalloc_mcentral_release(cls, b.head);
}

/* The 3584-byte class has one object per one-page span. */
static void gosalloc_mcentral_release_returns_spans(struct kunit *test)
{
	unsigned int cls = gosalloc_size_to_class(3584);
	int nid = gosalloc_local_node();
	struct gosalloc_central *c = gosalloc_central_of(nid, cls);
	struct gosalloc_chain chain[6];
	unsigned long inuse;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, (unsigned int)gosalloc_class_to_nobjs[cls], 1U);
	gosalloc_test_drain_all();
	KUNIT_ASSERT_LE(test, c->nspans, 1UL);
	inuse = gosalloc_heap_sum(spans_inuse) - c->nspans;
	for (i = 0; i < ARRAY_SIZE(chain); i++) {
		KUNIT_ASSERT_TRUE(test, gosalloc_mcentral_grab_node(nid, cls, 4,
								    GFP_KERNEL,
								    &chain[i]));
		KUNIT_EXPECT_EQ(test, check_chain(test, cls, &chain[i]), 1U);
	}
	KUNIT_EXPECT_EQ(test, c->nspans, ARRAY_SIZE(chain));
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_heap_sum(spans_inuse),
			      inuse + ARRAY_SIZE(chain));
	for (i = 0; i < ARRAY_SIZE(chain); i++)
		gosalloc_mcentral_release(cls, chain[i].head);
	/* All free: back to the heap, but for one kept in the class. */
	KUNIT_EXPECT_EQ(test, c->nspans, 1UL);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_heap_sum(spans_inuse), inuse + 1);
}

static struct kunit_case gosalloc_mcentral_cases[] = {
	KUNIT_CASE(gosalloc_mcentral_grab_carves_class_objects),
	KUNIT_CASE(gosalloc_mcentral_release_returns_spans),
	{}
};

static struct kunit_suite gosalloc_mcentral_suite = {
	.name = "gosalloc_mcentral",
	.test_cases = gosalloc_mcentral_cases,
};

kunit_test_suite(gosalloc_mcentral_suite);
