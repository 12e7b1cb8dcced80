// SPDX-License-Identifier: GPL-2.0-only
/*
 * malloc.c - gosalloc's public interface.
 *
 * Interim state: this file is the module skeleton that carries the public
 * interface while the allocator proper (size classes, per-CPU caches,
 * central lists, page heap) is built. Every allocation is one compound
 * page run from alloc_pages(), so an 8-byte object costs a whole page.
 * The statistics count exactly that: heap_sys is the pages held, every
 * run is a span in use, and there is no tiny allocator and no idle heap.
 *
 * Concurrency: every function may be called from any context that the
 * gfp flags it is given allow; the skeleton takes no lock of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "internal.h"

/* page_private() of the head page of every run the skeleton hands out. */
#define GOSALLOC_RUN_MAGIC	0x60541a11UL

/* Objects above this size are "large" (they bypass the size classes). */
#define GOSALLOC_MAX_SMALL_SIZE	(32 * 1024)

/* The largest request the page allocator can ever satisfy. */
#define GOSALLOC_MAX_SIZE	(PAGE_SIZE << MAX_PAGE_ORDER)

static void gosalloc_account(struct page *page, size_t size, int sign)
{
	long bytes = (long)page_size(page) * sign;

	gosalloc_stat_add(GOSALLOC_HEAP_SYS, bytes);
	gosalloc_stat_add(GOSALLOC_HEAP_INUSE, bytes);
	gosalloc_stat_add(GOSALLOC_HEAP_ALLOC, bytes);
	gosalloc_stat_add(GOSALLOC_SPANS_INUSE, sign);
	if (sign > 0) {
		gosalloc_stat_inc(GOSALLOC_MALLOCS);
		if (size > GOSALLOC_MAX_SMALL_SIZE)
			gosalloc_stat_inc(GOSALLOC_LARGE_ALLOCS);
	} else {
		gosalloc_stat_inc(GOSALLOC_FREES);
		if (page_size(page) > GOSALLOC_MAX_SMALL_SIZE)
			gosalloc_stat_inc(GOSALLOC_LARGE_FREES);
	}
}

/*
 * Map a pointer to the head page of the run it starts, or report it and
 * return NULL. A run the page allocator holds again (count zero) means
 * the pointer was freed already; anything else not ours is invalid.
 */
static struct page *gosalloc_run_of(const void *p, unsigned long caller)
{
	struct page *page;

	if (!virt_addr_valid(p) || offset_in_page(p))
		goto invalid;
	page = virt_to_page(p);
	if (PageTail(page) || PageSlab(page))
		goto invalid;
	if (page_private(page) == GOSALLOC_RUN_MAGIC && page_ref_count(page))
		return page;
	if (!page_ref_count(page)) {
		gosalloc_stat_inc(GOSALLOC_DOUBLE_FREES);
		gosalloc_report_bad_free(p, caller, "double free");
		return NULL;
	}
invalid:
	gosalloc_stat_inc(GOSALLOC_INVALID_FREES);
	gosalloc_report_bad_free(p, caller, "pointer not from gosalloc");
	return NULL;
}

/**
 * gosalloc_alloc() - allocate memory
 * @size: bytes wanted
 * @flags: gfp flags, as for kmalloc(); __GFP_ZERO zeroes the object
 *
 * Context: any context the gfp flags allow: process context for
 * GFP_KERNEL, any context (hardirq included) for GFP_ATOMIC and GFP_NOWAIT.
 * Return: the object; ZERO_SIZE_PTR for a @size of 0; NULL when memory is
 * short or @size is larger than any page run, the latter without a warning.
 */
void *gosalloc_alloc(size_t size, gfp_t flags)
{
	struct page *page;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > GOSALLOC_MAX_SIZE))
		return NULL;
	page = alloc_pages(flags | __GFP_COMP, get_order(size));
	if (unlikely(!page))
		return NULL;
	set_page_private(page, GOSALLOC_RUN_MAGIC);
	gosalloc_account(page, size, 1);
	return page_address(page);
}
EXPORT_SYMBOL_GPL(gosalloc_alloc);

/**
 * gosalloc_zalloc() - allocate zeroed memory
 * @size: bytes wanted
 * @flags: gfp flags, as for kmalloc()
 *
 * Context: as gosalloc_alloc().
 * Return: as gosalloc_alloc(); the object reads as zeroes.
 */
void *gosalloc_zalloc(size_t size, gfp_t flags)
{
	return gosalloc_alloc(size, flags | __GFP_ZERO);
}
EXPORT_SYMBOL_GPL(gosalloc_zalloc);

/**
 * gosalloc_alloc_array() - allocate an array of @n elements of @size bytes
 * @n: number of elements
 * @size: bytes per element
 * @flags: gfp flags, as for kmalloc()
 *
 * Context: as gosalloc_alloc().
 * Return: as gosalloc_alloc(); NULL when @n * @size overflows.
 */
void *gosalloc_alloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_alloc(bytes, flags);
}
EXPORT_SYMBOL_GPL(gosalloc_alloc_array);

/**
 * gosalloc_free() - free memory from gosalloc
 * @p: object from gosalloc, or NULL, or ZERO_SIZE_PTR
 *
 * A pointer gosalloc did not hand out, or freed already, is reported and
 * otherwise ignored.
 *
 * Context: any context.
 */
void gosalloc_free(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	page = gosalloc_run_of(p, _RET_IP_);
	if (unlikely(!page))
		return;
	gosalloc_account(page, 0, -1);
	set_page_private(page, 0);
	__free_pages(page, compound_order(page));
}
EXPORT_SYMBOL_GPL(gosalloc_free);

/**
 * gosalloc_size() - usable size of an object, like ksize()
 * @p: object from gosalloc
 *
 * Context: any context.
 * Return: the bytes that may be used at @p; 0 for NULL, ZERO_SIZE_PTR
 * and pointers gosalloc did not hand out (which are reported).
 */
size_t gosalloc_size(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	page = gosalloc_run_of(p, _RET_IP_);
	return page ? page_size(page) : 0;
}
EXPORT_SYMBOL_GPL(gosalloc_size);

/**
 * gosalloc_realloc() - resize an object, keeping its contents
 * @p: object from gosalloc, or NULL (then this is gosalloc_alloc())
 * @new_size: bytes wanted; 0 frees @p and returns ZERO_SIZE_PTR
 * @flags: gfp flags, as for kmalloc()
 *
 * The object moves only when it must grow past its usable size. On
 * failure @p is left untouched.
 *
 * Context: as gosalloc_alloc().
 * Return: the object, possibly moved; NULL on failure or when @p is not a
 * gosalloc object (which is reported).
 */
void *gosalloc_realloc(const void *p, size_t new_size, gfp_t flags)
{
	struct page *page;
	size_t old_size;
	void *q;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return gosalloc_alloc(new_size, flags);
	if (unlikely(!new_size)) {
		gosalloc_free(p);
		return ZERO_SIZE_PTR;
	}
	page = gosalloc_run_of(p, _RET_IP_);
	if (!page)
		return NULL;
	old_size = page_size(page);
	if (new_size <= old_size)
		return (void *)p;
	q = gosalloc_alloc(new_size, flags);
	if (unlikely(!q))
		return NULL;
	memcpy(q, p, old_size);
	gosalloc_free(p);
	return q;
}
EXPORT_SYMBOL_GPL(gosalloc_realloc);

/**
 * gosalloc_alloc_bulk() - allocate @nr objects of one size
 * @size: bytes per object
 * @flags: gfp flags, as for kmalloc()
 * @nr: number of objects
 * @p: array of @nr pointers, filled on success
 *
 * All or nothing: on failure no object stays allocated.
 *
 * Context: as gosalloc_alloc().
 * Return: @nr on success, 0 on failure.
 */
int gosalloc_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		p[i] = gosalloc_alloc(size, flags);
		if (unlikely(!p[i])) {
			gosalloc_free_bulk(i, p);
			return 0;
		}
	}
	return nr;
}
EXPORT_SYMBOL_GPL(gosalloc_alloc_bulk);

/**
 * gosalloc_free_bulk() - free @nr objects
 * @nr: number of objects
 * @p: array of @nr objects, each as gosalloc_free() accepts
 *
 * Context: any context.
 */
void gosalloc_free_bulk(size_t nr, void **p)
{
	size_t i;

	for (i = 0; i < nr; i++)
		gosalloc_free(p[i]);
}
EXPORT_SYMBOL_GPL(gosalloc_free_bulk);

void gosalloc_report_bad_free(const void *p, unsigned long caller,
			      const char *what)
{
	pr_err_ratelimited("%s: %p passed by %pS; ignored\n", what, p,
			   (void *)caller);
}
