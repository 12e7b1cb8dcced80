/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mheap.h - page-run heap (MHeap, MSpan); see malloc.c for the overview.
 */
#ifndef _GOSALLOC_MHEAP_H
#define _GOSALLOC_MHEAP_H

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "fixalloc.h"

struct gosalloc_memcg;

enum gosalloc_span_state {
	GOSALLOC_SPAN_DEAD,	/* descriptor not describing any pages */
	GOSALLOC_SPAN_FREE,	/* on a heap free list */
	GOSALLOC_SPAN_SMALL,	/* cut into objects of one size class */
	GOSALLOC_SPAN_LARGE,	/* one large object */
	GOSALLOC_SPAN_TINY,	/* cut into tiny blocks (tiny.c) */
	GOSALLOC_SPAN_CACHE,	/* objects of a named cache (cache.c) */
	GOSALLOC_SPAN_MEMCG,	/* objects charged to a cgroup (memcg.c) */
};

/*
 * A run of pages, all on one node. base and npages change only while the
 * span is free, under the heap.lock of its node; state changes under that
 * lock and is read without it (gosalloc_span_state()) to validate
 * pointers. The object fields belong to the span's central list and are
 * protected by its lock.
 */
struct gosalloc_span {
	unsigned long base;		/* address of the first page */
	unsigned long npages;
	struct list_head list;		/* on a heap free list, a central
					 * list or heap.large: owner's lock
					 */
	u8 state;			/* enum gosalloc_span_state */
	u8 sizeclass;			/* SMALL: the class */
	bool needzero;			/* memory may hold old data */
	bool direct;			/* LARGE: pages of its own, no chunk
					 * (descriptors start zeroed, and a
					 * direct one never becomes a free run)
					 */
	u16 sampled;			/* sampled live objects: profile.c */
	u16 node;			/* of its pages, and of the heap that
					 * owns the descriptor: set when that
					 * heap makes it, then constant
					 */
	unsigned long free_since;	/* FREE: jiffies when it became free */
	u32 elemsize;			/* SMALL: object size of the class */
	u32 divmagic;			/* SMALL: offset to index, see
					 * gosalloc_class_index()
					 */
	/* SMALL and CACHE, under central.lock or the cache's lock: */
	u16 nelems;			/* objects in the span */
	u16 allocated;			/* objects out of the span */
	u16 freeindex;			/* objects below it were carved */
	void *freelist;			/* objects returned to the span */
	/*
	 * CACHE: the span's cache, set once its objects are ready, cleared
	 * before it goes back to the heap; read without a lock.
	 */
	struct gosalloc_cache *cache;
	/*
	 * MEMCG: the span's cgroup set (memcg.c), set before its state and
	 * cleared under heap.lock before its pages go back; read without a
	 * lock. Not shared with @cache: a racing double free may read it
	 * from a descriptor already reused.
	 */
	struct gosalloc_memcg *memcg;
};

/* Pages per arena: the unit of the pointer-to-span map (1 MiB). */
#define GOSALLOC_ARENA_SHIFT	(20 - PAGE_SHIFT)
#define GOSALLOC_ARENA_PAGES	BIT(GOSALLOC_ARENA_SHIFT)

/*
 * The span of every page gosalloc holds in one naturally aligned 1 MiB
 * of physical memory. Entries are written under the heap.lock of the
 * page's node and read without it. The first and last page of every
 * span always map to it; every page of a span in use does (so that a
 * pointer into any page of an object finds it); other entries may be
 * stale and are only hints (gosalloc_span_lookup() checks them).
 */
struct gosalloc_arena {
	struct gosalloc_span *spans[GOSALLOC_ARENA_PAGES];
};

/* Physical memory is mapped arena by arena; grown, never shrunk. */
struct gosalloc_arena_map {
	unsigned long nr;			/* entries in arenas[] */
	struct gosalloc_arena_map *older;	/* freed at unload */
	struct gosalloc_arena *arenas[];
};

/* Free runs of i pages are on free[i]; longer ones on free[0]. */
#define GOSALLOC_HEAP_LISTS	128

/* Large objects of this many pages or more get pages of their own. */
#define GOSALLOC_DIRECT_PAGES	64

/*
 * Pages the heap asks the page allocator for at a time: a share of what
 * it holds (mheap.c, chunk_order()), from 64 KiB up to 1 MiB.
 */
#define GOSALLOC_HEAP_CHUNK_ORDER	GOSALLOC_ARENA_SHIFT
#define GOSALLOC_HEAP_MIN_CHUNK_ORDER	4
#define GOSALLOC_HEAP_CHUNK_SHARE	32

/* The heap of one node (node.h); its pages all lie on that node. */
struct gosalloc_heap {
	spinlock_t lock;	/* any context, irqs saved; see malloc.c */
	int node;		/* constant */
	struct list_head free[GOSALLOC_HEAP_LISTS];	/* heap.lock */
	/* Bit i set: free[i] is not empty (heap.lock). */
	DECLARE_BITMAP(nonempty, GOSALLOC_HEAP_LISTS);
	struct list_head large;	/* spans of large objects: heap.lock */
	struct gosalloc_fixalloc spanalloc;	/* heap.lock */
	/*
	 * Counters written under heap.lock, read anywhere (READ_ONCE);
	 * gosalloc_heap_sum() adds them up over the nodes.
	 */
	unsigned long pages_sys;	/* held from the page allocator */
	unsigned long pages_inuse;	/* in SMALL or LARGE spans */
	unsigned long pages_free;	/* in FREE spans */
	unsigned long spans_inuse;
	unsigned long pages_meta;	/* span descriptors */
	unsigned long pages_released;	/* given back, in all */
	unsigned long pages_kept;	/* to give back, kept for a wrong
					 * reference count (mheap.c)
					 */
	unsigned long large_allocs;
	unsigned long large_frees;
	unsigned long large_pages;	/* in LARGE spans */
};

extern unsigned long gosalloc_heap_limit;
extern struct gosalloc_arena_map *gosalloc_arena_map;

void gosalloc_mheap_node_init(struct gosalloc_heap *h, int nid);
int gosalloc_mheap_init(void);
void gosalloc_mheap_exit(void);
unsigned long gosalloc_heap_sum_at(size_t offset);
#define gosalloc_heap_sum(field) \
	gosalloc_heap_sum_at(offsetof(struct gosalloc_heap, field))
unsigned long gosalloc_mheap_arena_pages(void);
struct gosalloc_span *gosalloc_mheap_alloc(unsigned long npages,
					   enum gosalloc_span_state state,
					   unsigned int sizeclass, gfp_t gfp);
struct gosalloc_span *gosalloc_mheap_alloc_node(unsigned long npages,
						enum gosalloc_span_state state,
						unsigned int sizeclass,
						gfp_t gfp, int nid);
struct gosalloc_span *gosalloc_mheap_alloc_direct(unsigned long npages,
						  gfp_t gfp, int nid);
void gosalloc_mheap_free(struct gosalloc_span *s);
struct gosalloc_span *gosalloc_mheap_alloc_charged(unsigned int cls,
						   struct gosalloc_memcg *m,
						   gfp_t gfp, int nid);
void gosalloc_mheap_free_charged(struct gosalloc_span *s);
bool gosalloc_mheap_free_large(struct gosalloc_span *s, const void *p);
unsigned long gosalloc_mheap_release(unsigned long max_pages,
				     unsigned long min_idle);
bool gosalloc_span_range(const void *p, unsigned long *base,
			 unsigned long *bytes);
void gosalloc_mheap_visit_free(void (*fn)(const struct gosalloc_span *s,
					  void *arg), void *arg);

/* The map entry of page @pfn, or NULL where the map has none. */
static __always_inline struct gosalloc_span **gosalloc_span_slot(unsigned long pfn)
{
	/* Pairs with the release in arena_map_cover(): see a full copy. */
	struct gosalloc_arena_map *map = smp_load_acquire(&gosalloc_arena_map);
	unsigned long i = pfn >> GOSALLOC_ARENA_SHIFT;
	struct gosalloc_arena *a;

	if (!map || i >= map->nr)
		return NULL;
	a = READ_ONCE(map->arenas[i]);
	return a ? &a->spans[pfn & (GOSALLOC_ARENA_PAGES - 1)] : NULL;
}

static __always_inline struct gosalloc_span *gosalloc_span_at_pfn(unsigned long pfn)
{
	struct gosalloc_span **slot = gosalloc_span_slot(pfn);

	return slot ? READ_ONCE(*slot) : NULL;
}

static __always_inline unsigned long gosalloc_addr_to_pfn(unsigned long addr)
{
	return PHYS_PFN(__pa(addr));
}

/**
 * gosalloc_span_lookup() - the span that holds a pointer, if any
 * @p: any pointer
 *
 * O(1): the arena map is indexed by physical page number. The span is
 * checked to cover @p, so a stale map entry, or a pointer gosalloc never
 * handed out, yields NULL (or a free span, which callers reject) and
 * never a wrong span in use. Inline: every free starts here.
 *
 * Context: any context; no lock.
 * Return: the span covering @p, or NULL.
 */
static __always_inline struct gosalloc_span *gosalloc_span_lookup(const void *p)
{
	unsigned long addr = (unsigned long)p;
	struct gosalloc_span *s;
	unsigned long base;

	if (addr < PAGE_OFFSET || addr >= READ_ONCE(gosalloc_heap_limit))
		return NULL;
	s = gosalloc_span_at_pfn(gosalloc_addr_to_pfn(addr));
	if (!s)
		return NULL;
	base = READ_ONCE(s->base);
	if (addr < base || addr - base >= READ_ONCE(s->npages) << PAGE_SHIFT)
		return NULL;
	return s;
}

/*
 * The state of span @s, for a lockless check of a pointer into it. The
 * heap publishes a state with release semantics after the fields that
 * go with it (gosalloc_central_span_init()); acquire here, so that a
 * span seen in use is seen with its geometry.
 */
static __always_inline u8 gosalloc_span_state(struct gosalloc_span *s)
{
	/* Pairs with the release in gosalloc_mheap_alloc(). */
	return smp_load_acquire(&s->state);
}

static inline unsigned long gosalloc_span_bytes(const struct gosalloc_span *s)
{
	return s->npages << PAGE_SHIFT;
}

/*
 * The index of the slot of span @s (of a size class, a cache or a cgroup)
 * that @p, a pointer into it, falls in: one multiplication by the exact
 * reciprocal of the slot size, no division.
 */
static __always_inline u32 gosalloc_span_index(const struct gosalloc_span *s,
					       const void *p)
{
	return ((u64)((unsigned long)p - s->base) * s->divmagic) >> 32;
}

/*
 * Is @p the start of an object of span @s (of a size class or a cache)?
 * One multiplication, and a bound: the tail the objects leave at the end
 * of a span is no object (Go bounds the same test by the span's limit).
 */
static __always_inline bool
gosalloc_span_object_start(const struct gosalloc_span *s, const void *p)
{
	u32 idx = gosalloc_span_index(s, p);

	return idx * s->elemsize == (unsigned long)p - s->base &&
	       idx < s->nelems;
}

#endif /* _GOSALLOC_MHEAP_H */
