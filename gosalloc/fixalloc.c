// SPDX-License-Identifier: GPL-2.0-only
/*
 * fixalloc.c - metadata allocator (FixAlloc); see malloc.c for the overview.
 *
 * Objects are carved from whole pages in order and recycled through a
 * free list. Pages are supplied by the caller (who may allocate them
 * before taking its lock, in whatever context its gfp flags allow) and
 * are returned to the page allocator only by gosalloc_fixalloc_destroy().
 */
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "fixalloc.h"

void gosalloc_fixalloc_init(struct gosalloc_fixalloc *f, size_t size)
{
	*f = (struct gosalloc_fixalloc) {
		.size = ALIGN(max(size, sizeof(void *)), sizeof(void *)),
	};
	INIT_LIST_HEAD(&f->pages);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fixalloc_init);

/* Give @f a fresh page to carve; the rest of the current page is lost. */
void gosalloc_fixalloc_add_page(struct gosalloc_fixalloc *f, struct page *page)
{
	list_add(&page->lru, &f->pages);
	f->npages++;
	f->nfree -= f->nchunk / f->size;
	f->chunk = page_address(page);
	f->nchunk = PAGE_SIZE;
	f->nfree += PAGE_SIZE / f->size;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fixalloc_add_page);

/* Return: a zeroed object, or NULL when no page has room (add one). */
void *gosalloc_fixalloc_alloc(struct gosalloc_fixalloc *f)
{
	void *p = f->free;

	if (p) {
		f->free = *(void **)p;
	} else {
		if (f->nchunk < f->size)
			return NULL;
		p = f->chunk;
		f->chunk += f->size;
		f->nchunk -= f->size;
	}
	f->nfree--;
	f->inuse++;
	memset(p, 0, f->size);
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fixalloc_alloc);

void gosalloc_fixalloc_free(struct gosalloc_fixalloc *f, void *p)
{
	*(void **)p = f->free;
	f->free = p;
	f->nfree++;
	f->inuse--;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fixalloc_free);

/* Free every page; the objects in them must no longer be used. */
void gosalloc_fixalloc_destroy(struct gosalloc_fixalloc *f)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &f->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	gosalloc_fixalloc_init(f, f->size);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fixalloc_destroy);
