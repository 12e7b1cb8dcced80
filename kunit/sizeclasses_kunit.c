// SPDX-License-Identifier: GPL-2.0-only
/*
 * sizeclasses_kunit.c - KUnit suite for the size-class table: the
 * generator's invariants, recomputed from the compiled table.
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include "gosalloc.h"
#include "internal.h"

static void gosalloc_size_to_class_smallest_fit(struct kunit *test)
{
	size_t size;

	for (size = 1; size <= GOSALLOC_MAX_SMALL_SIZE; size++) {
		unsigned int cls = gosalloc_size_to_class(size);

		KUNIT_ASSERT_GE_MSG(test, cls, 1U, "size %zu", size);
		KUNIT_ASSERT_LT_MSG(test, cls, GOSALLOC_NR_CLASSES, "size %zu", size);
		KUNIT_ASSERT_GE_MSG(test, (size_t)gosalloc_class_to_size[cls],
				    size, "size %zu", size);
		if (cls > 1)
			KUNIT_ASSERT_LT_MSG(test,
					    (size_t)gosalloc_class_to_size[cls - 1],
					    size, "size %zu", size);
	}
}

/* 0 and 32 KiB + 1 are the edges of the table: the API handles them. */
static void gosalloc_size_to_class_edges(struct kunit *test)
{
	unsigned int top = gosalloc_size_to_class(SZ_32K);
	void *p = gosalloc_alloc(SZ_32K + 1, GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, gosalloc_size_to_class(0), 1U);
	KUNIT_EXPECT_EQ(test, top, GOSALLOC_NR_CLASSES - 1);
	KUNIT_EXPECT_EQ(test, (unsigned int)gosalloc_class_to_size[top],
			(unsigned int)SZ_32K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), PAGE_ALIGN(SZ_32K + 1));
	gosalloc_free(p);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(gosalloc_alloc(0, GFP_KERNEL)));
}

static void gosalloc_class_waste_bounded(struct kunit *test)
{
	unsigned int cls;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		unsigned long size = gosalloc_class_to_size[cls];
		unsigned long span = gosalloc_class_to_npages[cls] * PAGE_SIZE;
		unsigned long prev = gosalloc_class_to_size[cls - 1];
		unsigned long nobjs = gosalloc_class_to_nobjs[cls];

		KUNIT_EXPECT_EQ_MSG(test, nobjs, span / size, "class %u", cls);
		KUNIT_EXPECT_LE_MSG(test, 8 * (span - nobjs * size), span,
				    "class %u: tail waste over 12.5%%", cls);
		if (size >= 128)
			KUNIT_EXPECT_LE_MSG(test, 8 * (size - prev - 1), size,
					    "class %u: rounding waste over 12.5%%",
					    cls);
		KUNIT_EXPECT_EQ_MSG(test, size % 8, 0UL, "class %u", cls);
	}
}

static void gosalloc_class_power_of_two_exact(struct kunit *test)
{
	size_t size;

	for (size = 8; size <= PAGE_SIZE; size <<= 1) {
		unsigned int cls = gosalloc_size_to_class(size);

		KUNIT_EXPECT_EQ_MSG(test, (size_t)gosalloc_class_to_size[cls],
				    size, "power of two %zu is not a class", size);
	}
}

static void gosalloc_class_index_exact(struct kunit *test)
{
	unsigned int cls;
	unsigned long off;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		unsigned long size = gosalloc_class_to_size[cls];
		unsigned long span = gosalloc_class_to_npages[cls] * PAGE_SIZE;

		for (off = 0; off < span; off++)
			if (gosalloc_class_index(cls, off) != off / size) {
				KUNIT_FAIL(test, "class %u offset %lu", cls, off);
				break;
			}
	}
}

static struct kunit_case gosalloc_sizeclasses_cases[] = {
	KUNIT_CASE(gosalloc_size_to_class_smallest_fit),
	KUNIT_CASE(gosalloc_size_to_class_edges),
	KUNIT_CASE(gosalloc_class_waste_bounded),
	KUNIT_CASE(gosalloc_class_power_of_two_exact),
	KUNIT_CASE(gosalloc_class_index_exact),
	{}
};

static struct kunit_suite gosalloc_sizeclasses_suite = {
	.name = "gosalloc_sizeclasses",
	.test_cases = gosalloc_sizeclasses_cases,
};

kunit_test_suite(gosalloc_sizeclasses_suite);
