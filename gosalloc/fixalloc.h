/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fixalloc.h - metadata allocator (FixAlloc); see malloc.c for the overview.
 */
#ifndef _GOSALLOC_FIXALLOC_H
#define _GOSALLOC_FIXALLOC_H

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/types.h>

/*
 * A free-list allocator of fixed-size objects carved from pages that
 * gosalloc owns. It takes no lock: its owner serialises every call (the
 * span allocator is protected by heap.lock).
 */
struct gosalloc_fixalloc {
	size_t size;		/* bytes per object, at least a pointer */
	void *free;		/* freed objects, linked through their first word */
	void *chunk;		/* uncarved rest of the newest page */
	size_t nchunk;		/* bytes left at chunk */
	unsigned long nfree;	/* objects on free plus those left in chunk */
	unsigned long inuse;	/* objects handed out */
	struct list_head pages;	/* every page, linked through page->lru */
	unsigned long npages;
};

void gosalloc_fixalloc_init(struct gosalloc_fixalloc *f, size_t size);
void gosalloc_fixalloc_add_page(struct gosalloc_fixalloc *f, struct page *page);
void *gosalloc_fixalloc_alloc(struct gosalloc_fixalloc *f);
void gosalloc_fixalloc_free(struct gosalloc_fixalloc *f, void *p);
void gosalloc_fixalloc_destroy(struct gosalloc_fixalloc *f);

#endif /* _GOSALLOC_FIXALLOC_H */
