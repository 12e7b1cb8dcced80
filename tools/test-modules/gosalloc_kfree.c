// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_kfree.c - gosalloc objects freed by the kernel's own kfree(),
 * kvfree() and kmem_cache_free(), for the kselftest gosalloc_kfree.sh.
 *
 * A module that hands gosalloc memory to the kernel can have it freed
 * there (Documentation/porting.rst, "What cannot cross the other way").
 * At load this module fills a span of 512-byte objects that starts on the
 * first page of a 1 MiB chunk, each object with a pattern of its own, and
 * passes to the kernel's functions:
 *
 *	kfree()		the object at the start of that page, and another
 *			object on the same page (two stray frees, one page);
 *	kvfree()	an object inside a later page of a chunk;
 *	kfree()		a large object with pages of its own (256 KiB and
 *			more), on its first page;
 *	kmem_cache_free() another object, to a cache of the kernel's
 *			(only where the kernel checks the cache of what it
 *			frees: CONFIG_SLAB_FREELIST_HARDENED).
 *
 * Then it takes pages from the page allocator and writes over them, so
 * that a page the kernel wrongly freed would come back here, and checks
 * that every page it passed is still allocated and that every object of
 * its own still holds its pattern. It frees every object with
 * gosalloc_free() before the load returns (the stray frees did not free
 * them in gosalloc's eyes); gosalloc then finds the counts of the pages
 * that took stray frees wrong when it gives them back, reports them and
 * keeps them. The pages it should keep are in the parameter pages_hit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include <gosalloc.h>

static unsigned int failures;
module_param(failures, uint, 0444);
MODULE_PARM_DESC(failures, "result: pages freed under gosalloc, objects overwritten or not found");

static unsigned int pages_hit;
module_param(pages_hit, uint, 0444);
MODULE_PARM_DESC(pages_hit, "result: distinct pages passed to the kernel's frees, which gosalloc must keep");

static bool cache_freed;
module_param(cache_freed, bool, 0444);
MODULE_PARM_DESC(cache_freed, "result: an object went to the kernel's kmem_cache_free()");

#define FAIL(fmt, ...) do {					\
	pr_err("FAIL: " fmt "\n", ##__VA_ARGS__);		\
	failures++;						\
} while (0)

#define OBJ_SIZE	512
#define MAX_OBJS	(SZ_64M / OBJ_SIZE)	/* at most 64 MiB searched */
#define LARGE_SIZE	(SZ_256K + SZ_64K)
#define PRESSURE_PAGES	2048

static void **objs;		/* every object, sorted by address */
static unsigned int nobjs;

static int ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static bool ours(const void *p)
{
	return bsearch(&p, objs, nobjs, sizeof(void *), ptr_cmp);
}

static u8 pattern(const void *p)
{
	return (u8)(((unsigned long)p >> 4) * 0x9e) | 1;
}

static bool chunk_start(const void *p)
{
	return IS_ALIGNED(__pa(p), SZ_1M);
}

/* Allocate until an object starts a 1 MiB-aligned page. Return: it. */
static void *fill_to_chunk_start(void)
{
	void *found = NULL;

	while (nobjs < MAX_OBJS && !found) {
		objs[nobjs] = gosalloc_alloc(OBJ_SIZE, GFP_KERNEL);
		if (!objs[nobjs])
			break;
		memset(objs[nobjs], pattern(objs[nobjs]), OBJ_SIZE);
		if (chunk_start(objs[nobjs]))
			found = objs[nobjs];
		nobjs++;
	}
	/* The rest of the span, so that the object's neighbours are ours. */
	while (found && nobjs < MAX_OBJS && nobjs % 64) {
		objs[nobjs] = gosalloc_alloc(OBJ_SIZE, GFP_KERNEL);
		if (!objs[nobjs])
			break;
		memset(objs[nobjs], pattern(objs[nobjs]), OBJ_SIZE);
		nobjs++;
	}
	sort(objs, nobjs, sizeof(void *), ptr_cmp, NULL);
	return found;
}

/*
 * An object of ours inside a page (not at its start) that is not the
 * first page of a chunk, nor page @avoid. Return: it, or NULL.
 */
static void *later_page_object(const void *avoid)
{
	unsigned int i;
	void *p;

	for (i = 0; i < nobjs; i++) {
		p = objs[i];
		if (offset_in_page(p) && !chunk_start(PTR_ALIGN_DOWN(p, PAGE_SIZE)) &&
		    PTR_ALIGN_DOWN(p, PAGE_SIZE) != avoid)
			return p;
	}
	return NULL;
}

/* The page of @p must still be allocated: its count above zero. */
static void check_page_held(const void *p, const char *what)
{
	int count = page_ref_count(virt_to_page(p));

	if (count <= 0)
		FAIL("%s %p: page freed by the kernel (count %d)", what, p,
		     count);
}

static void check_patterns(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < nobjs; i++)
		if (memchr_inv(objs[i], pattern(objs[i]), OBJ_SIZE))
			bad++;
	if (bad)
		FAIL("%u of %u objects overwritten", bad, nobjs);
}

/*
 * Take pages from the page allocator and write over them: a page freed
 * under gosalloc is likely among them (the CPU's free lists are LIFO).
 */
static void pressure(void)
{
	struct page **pages = kvcalloc(PRESSURE_PAGES, sizeof(*pages),
				       GFP_KERNEL);
	unsigned int i;

	if (!pages)
		return;
	for (i = 0; i < PRESSURE_PAGES; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (pages[i])
			memset(page_address(pages[i]), 0xa5, PAGE_SIZE);
	}
	check_patterns();
	for (i = 0; i < PRESSURE_PAGES; i++)
		if (pages[i])
			__free_page(pages[i]);
	kvfree(pages);
}

/* kmem_cache_free() of @p to a cache of the kernel's, where that is safe. */
static void cache_free(void *p)
{
	struct kmem_cache *kc;

	if (!IS_ENABLED(CONFIG_SLAB_FREELIST_HARDENED)) {
		pr_info("kmem_cache_free() skipped: it trusts the cache without CONFIG_SLAB_FREELIST_HARDENED\n");
		return;
	}
	kc = kmem_cache_create("gosalloc_kfree_test", OBJ_SIZE, 0, 0, NULL);
	if (!kc) {
		FAIL("kmem_cache_create() failed");
		return;
	}
	kmem_cache_free(kc, p);
	kmem_cache_destroy(kc);
	cache_freed = true;
}

static void stray_frees(u8 *first, u8 *later, u8 *large, u8 *other)
{
	u8 *second = first + OBJ_SIZE;

	if (!ours(second)) {
		FAIL("no second object of ours on the chunk's first page");
		return;
	}
	pr_info("kfree: %p and %p (first page of a chunk), %p (large object's first page); kvfree: %p (later page); kmem_cache_free: %p\n",
		first, second, large, later, other);
	kfree(first);
	kfree(second);
	kvfree(later);
	kfree(large);
	pages_hit = 3;
	cache_free(other);
	check_page_held(first, "first page of a chunk");
	check_page_held(later, "later page");
	check_page_held(large, "large object");
	pressure();
	if (memchr_inv(large, 0x3c, LARGE_SIZE))
		FAIL("large object %p overwritten", large);
}

static void run(void)
{
	u8 *first, *later, *other, *large;

	first = fill_to_chunk_start();
	if (!first) {
		FAIL("no object at the start of a chunk in %u objects", nobjs);
		return;
	}
	later = later_page_object(first);
	other = later ? later_page_object(PTR_ALIGN_DOWN(later, PAGE_SIZE)) : NULL;
	large = gosalloc_alloc(LARGE_SIZE, GFP_KERNEL);
	if (!later || !other || !large) {
		FAIL("objects: later page %p, other %p, large %p", later,
		     other, large);
		gosalloc_free(large);
		return;
	}
	memset(large, 0x3c, LARGE_SIZE);
	stray_frees(first, later, large, other);
	gosalloc_free(large);
}

static int __init gosalloc_kfree_init(void)
{
	unsigned int i;

	objs = kvmalloc_array(MAX_OBJS, sizeof(void *), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	run();
	for (i = 0; i < nobjs; i++)
		gosalloc_free(objs[i]);
	kvfree(objs);
	pr_info("%u objects, %u pages hit, %u failures\n", nobjs, pages_hit,
		failures);
	return 0;
}

static void __exit gosalloc_kfree_exit(void)
{
}

module_init(gosalloc_kfree_init);
module_exit(gosalloc_kfree_exit);

MODULE_DESCRIPTION("gosalloc objects freed by the kernel's kfree(), kvfree() and kmem_cache_free()");
MODULE_LICENSE("GPL");
