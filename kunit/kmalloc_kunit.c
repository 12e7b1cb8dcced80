// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmalloc_kunit.c - KUnit suite for kernel mode (kmalloc.c): the kernel's
 * own kmalloc(), kfree(), ksize(), krealloc() and the rest of the family,
 * served by gosalloc. Skipped unless gosalloc serves kmalloc.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/thread_info.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "gosalloc.h"
#include "internal.h"
#include "helpers.h"

static int kmalloc_test_init(struct kunit *test)
{
	if (!gosalloc_kmalloc_active())
		kunit_skip(test, "gosalloc does not serve kmalloc (module mode)");
	return 0;
}

/* Does gosalloc serve a kmalloc of @size (kmalloc.c)? */
static bool served(size_t size)
{
	return size % (2 * PAGE_SIZE) != 0;
}

/* The alignment kmalloc promises an object of @size bytes. */
static unsigned long promised_align(size_t size)
{
	return max_t(unsigned long, ARCH_KMALLOC_MINALIGN, size & -size);
}

/*
 * One kmalloc of @size: who serves it, its alignment, ksize() against
 * kmalloc_size_roundup(), and every byte writable. Return: false on the
 * first expectation that failed, so that a sweep stops there.
 */
static bool check_size(struct kunit *test, size_t size)
{
	unsigned long align = promised_align(size);
	u8 *p = kmalloc(size, GFP_KERNEL);
	bool ok = true;
	size_t ks;

	KUNIT_EXPECT_NOT_NULL_MSG(test, p, "size %zu", size);
	if (!p)
		return false;
	ks = ksize(p);
	if (gosalloc_owns(p) != served(size)) {
		KUNIT_FAIL(test, "size %zu: served by %s", size,
			   gosalloc_owns(p) ? "gosalloc" : "SLUB");
		ok = false;
	}
	if ((unsigned long)p & (align - 1)) {
		KUNIT_FAIL(test, "size %zu: offset %lu from alignment %lu",
			   size, (unsigned long)p & (align - 1), align);
		ok = false;
	}
	if (gosalloc_owns(p) && ks > gosalloc_size_quiet(p)) {
		KUNIT_FAIL(test, "size %zu: ksize %zu past the object's %zu bytes",
			   size, ks, gosalloc_size_quiet(p));
		ok = false;
	}
	if (ks < size || ks != kmalloc_size_roundup(size)) {
		KUNIT_FAIL(test, "size %zu: ksize %zu, kmalloc_size_roundup %zu",
			   size, ks, kmalloc_size_roundup(size));
		ok = false;
	}
	memset(p, 0xa5, size);
	kfree(p);
	return ok;
}

/*
 * Every size from 1 byte to the largest class, one by one, then page
 * counts around every power of two up to the largest kmalloc.
 */
static void gosalloc_kmalloc_every_size(struct kunit *test)
{
	size_t size, pages;
	unsigned int n = 0;

	for (size = 1; size <= GOSALLOC_MAX_SMALL_SIZE + PAGE_SIZE; size++, n++)
		if (!check_size(test, size))
			return;
	for (pages = 8; (pages << PAGE_SHIFT) <= KMALLOC_MAX_SIZE; pages *= 2) {
		for (size = (pages - 1) << PAGE_SHIFT;
		     size <= ((pages + 1) << PAGE_SHIFT) &&
		     size <= KMALLOC_MAX_SIZE; size += PAGE_SIZE / 2, n++)
			if (!check_size(test, size - 1) || !check_size(test, size))
				return;
	}
	kunit_info(test, "%u sizes\n", n);
}

/* The kernel has been allocating through gosalloc since boot. */
static void gosalloc_kmalloc_serves_the_kernel(struct kunit *test)
{
	static const u8 secret[64] = { 1, 2, 3 };
	char *s = kasprintf(GFP_KERNEL, "gosalloc %d", 42);
	void *z = kzalloc(200, GFP_KERNEL);
	void *a = kcalloc(10, 30, GFP_KERNEL);
	void *d = kmemdup(secret, sizeof(secret), GFP_KERNEL);

	kunit_info(test, "since boot: %llu allocations, %llu frees\n",
		   gosalloc_stat_read(GOSALLOC_MALLOCS),
		   gosalloc_stat_read(GOSALLOC_FREES));
	KUNIT_EXPECT_GT(test, gosalloc_stat_read(GOSALLOC_MALLOCS), 1000ULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(s));
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(z));
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(a));
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(d));
	KUNIT_EXPECT_STREQ(test, s, "gosalloc 42");
	KUNIT_EXPECT_NULL(test, memchr_inv(z, 0, 200));
	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0, 300));
	KUNIT_EXPECT_EQ(test, memcmp(d, secret, sizeof(secret)), 0);
	kfree(s);
	kfree(z);
	kfree(a);
	kfree_sensitive(d);
}

/*
 * kfree() goes through gosalloc's checks: a second free is caught. Under
 * KASAN, which then reports bad kfree()s itself as it does SLUB's, KASAN's
 * own suite (kasan) checks them.
 */
static void gosalloc_kfree_catches_double_free(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	u8 *p;

	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "KASAN reports bad kfree()s (suite kasan)");
	p = kmalloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kfree(p + 8);		/* inside an object: reported, ignored */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 1);
	kfree(p);
	kfree(p);		/* still this CPU's latest free */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
}

/* krealloc() within gosalloc, out of it to SLUB, and of SLUB's objects. */
static void gosalloc_krealloc_keeps_contents(struct kunit *test)
{
	u8 *p = krealloc(NULL, 50, GFP_KERNEL | __GFP_ZERO), *q;
	size_t big = 2 * PAGE_SIZE;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(p));
	memset(p, 0x11, 50);
	q = krealloc(p, 3000, GFP_KERNEL | __GFP_ZERO);	/* moves */
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(q));
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x11, 50));
	KUNIT_EXPECT_NULL(test, memchr_inv(q + 50, 0, 3000 - 50));
	p = krealloc(q, 20, GFP_KERNEL);		/* stays */
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	p = krealloc(q, big, GFP_KERNEL);		/* to SLUB */
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, gosalloc_owns(p));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x11, 20));
	q = krealloc(p, 100, GFP_KERNEL);		/* SLUB's, and fits */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	q = krealloc(p, big + 100, GFP_KERNEL);	/* SLUB's, to gosalloc */
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(q));
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x11, 20));
	KUNIT_EXPECT_PTR_EQ(test, krealloc(q, 0, GFP_KERNEL), ZERO_SIZE_PTR);
}

/* What stays SLUB's: the DMA zones, and named caches; kfree() frees both. */
static void gosalloc_kmalloc_leaves_slub_its_own(struct kunit *test)
{
	struct kmem_cache *c = kmem_cache_create("gosalloc_kunit_slub", 96, 0,
						 0, NULL);
	void *dma = kmalloc(100, GFP_KERNEL | GFP_DMA);
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, c);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_FALSE(test, gosalloc_owns(obj));
	kfree(obj);
	kmem_cache_destroy(c);		/* would report obj if still live */
	if (dma) {
		KUNIT_EXPECT_FALSE(test, gosalloc_owns(dma));
		KUNIT_EXPECT_GE(test, ksize(dma), 100UL);
		kfree(dma);
	}
}

struct rcu_obj {
	struct rcu_head rcu;
	char data[40];
};

/* kfree_bulk(), kfree_rcu() and kvfree() of gosalloc's objects. */
static void gosalloc_kmalloc_bulk_rcu_kv(struct kunit *test)
{
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);
	void *bulk[16], *kv = kvmalloc(100, GFP_KERNEL);
	void *vm = kvmalloc(8 * SZ_1M, GFP_KERNEL);
	struct rcu_obj *r = kmalloc(sizeof(*r), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, kv);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(kv));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(vm));
	for (i = 0; i < ARRAY_SIZE(bulk); i++) {
		bulk[i] = kmalloc(32 + 64 * i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bulk[i]);
	}
	kfree_bulk(ARRAY_SIZE(bulk), bulk);
	kvfree(kv);
	kvfree(vm);
	KUNIT_EXPECT_TRUE(test, gosalloc_owns(r));
	kfree_rcu(r, rcu);
	kvfree_rcu_barrier();
	gosalloc_kmalloc_quarantine_flush();	/* under KASAN */
	/* At least these; the rest of the kernel frees too meanwhile. */
	KUNIT_EXPECT_GE(test, gosalloc_stat_read(GOSALLOC_FREES),
			frees + ARRAY_SIZE(bulk) + 2);
}

/* kmalloc_node() places objects on the node asked for. */
static void gosalloc_kmalloc_node_places(struct kunit *test)
{
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		void *p = kmalloc_node(200, GFP_KERNEL | __GFP_THISNODE, nid);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE(test, gosalloc_owns(p));
		KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(p)), nid);
		kfree(p);
	}
}

/* The heap's pages count as Slab in /proc/meminfo. */
static void gosalloc_kmalloc_pages_in_meminfo(struct kunit *test)
{
	u64 held = gosalloc_stat_read(GOSALLOC_HEAP_SYS);
	unsigned long slab = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);

	kunit_info(test, "heap holds %llu KiB, Slab unreclaimable %lu KiB\n",
		   held >> 10, slab << (PAGE_SHIFT - 10));
	KUNIT_EXPECT_GT(test, held, 0ULL);
	KUNIT_EXPECT_GE(test, (u64)slab << PAGE_SHIFT, held);
}

/*
 * Hardened usercopy's bounds for every byte of objects of several sizes,
 * one large among them: a copy from any of its bytes up to the end of
 * what ksize() gives (under KASAN, of the size asked for) passes, one byte
 * more does not; the offset is the byte's.
 * Then the kernel's own check_object_size() passes every such copy.
 */
static void gosalloc_usercopy_bounds_every_byte(struct kunit *test)
{
	static const size_t sizes[] = { 8, 24, 100, 3000, 20000, 40000 };
	unsigned long off, ks, got;
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		ks = IS_ENABLED(CONFIG_KASAN_GENERIC) ? sizes[i] : ksize(p);
		for (off = 0; off < ks; off++) {
			if (!gosalloc_usercopy_bounds(p + off, ks - off, &got) ||
			    got != off ||
			    gosalloc_usercopy_bounds(p + off, ks - off + 1,
						     &got)) {
				KUNIT_FAIL(test, "size %zu, bound %lu: byte %lu, offset %lu",
					   sizes[i], ks, off, got);
				break;
			}
			if (off < sizes[i])
				check_object_size(p + off, sizes[i] - off, true);
		}
		kfree(p);
	}
}

static struct kunit_case gosalloc_kmalloc_cases[] = {
	KUNIT_CASE(gosalloc_kmalloc_serves_the_kernel),
	KUNIT_CASE_SLOW(gosalloc_kmalloc_every_size),
	KUNIT_CASE(gosalloc_kfree_catches_double_free),
	KUNIT_CASE(gosalloc_krealloc_keeps_contents),
	KUNIT_CASE(gosalloc_kmalloc_leaves_slub_its_own),
	KUNIT_CASE(gosalloc_kmalloc_bulk_rcu_kv),
	KUNIT_CASE(gosalloc_kmalloc_node_places),
	KUNIT_CASE(gosalloc_kmalloc_pages_in_meminfo),
	KUNIT_CASE(gosalloc_usercopy_bounds_every_byte),
	{}
};

static struct kunit_suite gosalloc_kmalloc_suite = {
	.name = "gosalloc_kmalloc",
	.init = kmalloc_test_init,
	.test_cases = gosalloc_kmalloc_cases,
};

kunit_test_suite(gosalloc_kmalloc_suite);
