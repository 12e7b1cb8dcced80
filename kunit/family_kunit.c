// SPDX-License-Identifier: GPL-2.0-only
/*
 * family_kunit.c - KUnit suite for the rest of the kmalloc family
 * (family.c).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "gosalloc.h"
#include "internal.h"
#include "helpers.h"

static void gosalloc_kvmalloc_small_from_gosalloc(struct kunit *test)
{
	void *p = gosalloc_kvmalloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(p));
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
	gosalloc_kvfree(p);
}

static void gosalloc_kvzalloc_huge_from_vmalloc(struct kunit *test)
{
	size_t size = (PAGE_SIZE << MAX_PAGE_ORDER) + 1, i;
	u8 *p = gosalloc_kvzalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	for (i = 0; i < size; i += 4096)
		KUNIT_EXPECT_EQ(test, p[i], 0);
	gosalloc_kvfree(p);
	KUNIT_EXPECT_NULL(test, gosalloc_kvmalloc(size, GFP_ATOMIC));
}

static void gosalloc_kmemdup_copies(struct kunit *test)
{
	static const char src[] = "gosalloc kmemdup";
	char *p = gosalloc_kmemdup(src, sizeof(src), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, src);
	gosalloc_free(p);
}

static void gosalloc_kstrdup_copies(struct kunit *test)
{
	char *p = gosalloc_kstrdup("hello", GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "hello");
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(p));
	gosalloc_free(p);
	KUNIT_EXPECT_NULL(test, gosalloc_kstrdup(NULL, GFP_KERNEL));
}

static void gosalloc_kstrndup_truncates(struct kunit *test)
{
	char *p = gosalloc_kstrndup("hello world", 5, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "hello");
	gosalloc_free(p);
	p = gosalloc_kstrndup("hi", 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "hi");
	gosalloc_free(p);
}

static void gosalloc_size_roundup_matches_size(struct kunit *test)
{
	size_t size;
	void *p;

	for (size = 1; size <= SZ_64K + 1; size += size < 256 ? 1 : 97) {
		p = gosalloc_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, gosalloc_size_roundup(size),
				    gosalloc_size(p), "size %zu", size);
		gosalloc_free(p);
	}
	KUNIT_EXPECT_EQ(test, gosalloc_size_roundup(0), 0UL);
	KUNIT_EXPECT_EQ(test, gosalloc_size_roundup(SIZE_MAX), SIZE_MAX);
}

static void gosalloc_free_sensitive_clears(struct kunit *test)
{
	u8 *p = gosalloc_alloc(64, GFP_KERNEL), *q;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xff, 64);
	gosalloc_free_sensitive(p);
	q = gosalloc_alloc(64, GFP_KERNEL);	/* the same object, LIFO */
	KUNIT_ASSERT_NOT_NULL(test, q);
	if (q == p)
		for (i = 0; i < 64; i++)
			KUNIT_EXPECT_EQ(test, q[i], 0);
	gosalloc_free(q);
}

static void gosalloc_realloc_array_overflow(struct kunit *test)
{
	u32 *p = gosalloc_alloc_array(4, sizeof(u32), GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[3] = 33;
	KUNIT_EXPECT_NULL(test, gosalloc_realloc_array(p, SIZE_MAX / 2, 4,
						       GFP_KERNEL));
	q = gosalloc_realloc_array(p, 1000, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, q[3], 33U);
	gosalloc_free(q);
}

/* Memory the kernel allocated goes back to the kernel, unreported. */
static void gosalloc_free_any_kernel_memory(struct kunit *test)
{
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	void *k = kmalloc(GOSALLOC_TEST_SLUB_SIZE, GFP_KERNEL);
	void *v = vmalloc(SZ_64K);
	void *g = gosalloc_alloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_FALSE(test, gosalloc_owns(k));
	KUNIT_EXPECT_GE(test, gosalloc_size_any(k), GOSALLOC_TEST_SLUB_SIZE);
	k = gosalloc_realloc_any(k, 200, GFP_KERNEL);	/* stays the kernel's */
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_EXPECT_FALSE(test, gosalloc_owns(k));
	gosalloc_free_any(k);
	gosalloc_free_any(v);
	gosalloc_free_any(g);
	gosalloc_free_any(NULL);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid);
}

static struct kunit_case gosalloc_family_cases[] = {
	KUNIT_CASE(gosalloc_kvmalloc_small_from_gosalloc),
	KUNIT_CASE(gosalloc_kvzalloc_huge_from_vmalloc),
	KUNIT_CASE(gosalloc_kmemdup_copies),
	KUNIT_CASE(gosalloc_kstrdup_copies),
	KUNIT_CASE(gosalloc_kstrndup_truncates),
	KUNIT_CASE(gosalloc_size_roundup_matches_size),
	KUNIT_CASE(gosalloc_free_sensitive_clears),
	KUNIT_CASE(gosalloc_realloc_array_overflow),
	KUNIT_CASE(gosalloc_free_any_kernel_memory),
	{}
};

static struct kunit_suite gosalloc_family_suite = {
	.name = "gosalloc_family",
	.test_cases = gosalloc_family_cases,
};

kunit_test_suite(gosalloc_family_suite);
