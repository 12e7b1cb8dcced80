// SPDX-License-Identifier: GPL-2.0-only
/*
 * fixalloc_kunit.c - KUnit suite for the metadata allocator.
 */
#include <kunit/test.h>
#include <linux/mm.h>

#include "internal.h"

struct fixalloc_obj {
	unsigned long a, b, c;
};

static void gosalloc_fixalloc_alloc_needs_page(struct kunit *test)
{
	struct gosalloc_fixalloc f;

	gosalloc_fixalloc_init(&f, sizeof(struct fixalloc_obj));
	KUNIT_EXPECT_NULL(test, gosalloc_fixalloc_alloc(&f));
	KUNIT_EXPECT_EQ(test, f.nfree, 0UL);
}

static void gosalloc_fixalloc_alloc_carves_page(struct kunit *test)
{
	unsigned long per_page = PAGE_SIZE / sizeof(struct fixalloc_obj);
	struct gosalloc_fixalloc f;
	struct fixalloc_obj *o, *prev = NULL;
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	gosalloc_fixalloc_init(&f, sizeof(*o));
	gosalloc_fixalloc_add_page(&f, page);
	KUNIT_EXPECT_EQ(test, f.nfree, per_page);
	for (i = 0; i < per_page; i++) {
		o = gosalloc_fixalloc_alloc(&f);
		KUNIT_ASSERT_NOT_NULL(test, o);
		KUNIT_EXPECT_EQ(test, o->a | o->b | o->c, 0UL);
		KUNIT_EXPECT_PTR_EQ(test, virt_to_page(o), page);
		if (prev)
			KUNIT_EXPECT_PTR_EQ(test, o, prev + 1);
		memset(o, 0xff, sizeof(*o));
		prev = o;
	}
	KUNIT_EXPECT_NULL(test, gosalloc_fixalloc_alloc(&f));
	KUNIT_EXPECT_EQ(test, f.inuse, per_page);
	gosalloc_fixalloc_destroy(&f);
	KUNIT_EXPECT_EQ(test, f.npages, 0UL);
}

static void gosalloc_fixalloc_free_reuses_zeroed(struct kunit *test)
{
	struct gosalloc_fixalloc f;
	struct fixalloc_obj *o, *again;
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	gosalloc_fixalloc_init(&f, sizeof(*o));
	gosalloc_fixalloc_add_page(&f, page);
	o = gosalloc_fixalloc_alloc(&f);
	KUNIT_ASSERT_NOT_NULL(test, o);
	memset(o, 42, sizeof(*o));
	gosalloc_fixalloc_free(&f, o);
	KUNIT_EXPECT_EQ(test, f.inuse, 0UL);
	again = gosalloc_fixalloc_alloc(&f);
	KUNIT_EXPECT_PTR_EQ(test, again, o);
	KUNIT_EXPECT_EQ(test, again->a | again->b | again->c, 0UL);
	gosalloc_fixalloc_destroy(&f);
}

static struct kunit_case gosalloc_fixalloc_cases[] = {
	KUNIT_CASE(gosalloc_fixalloc_alloc_needs_page),
	KUNIT_CASE(gosalloc_fixalloc_alloc_carves_page),
	KUNIT_CASE(gosalloc_fixalloc_free_reuses_zeroed),
	{}
};

static struct kunit_suite gosalloc_fixalloc_suite = {
	.name = "gosalloc_fixalloc",
	.test_cases = gosalloc_fixalloc_cases,
};

kunit_test_suite(gosalloc_fixalloc_suite);
