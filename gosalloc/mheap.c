// SPDX-License-Identifier: GPL-2.0-only
/*
 * mheap.c - page-run heap (MHeap, MSpan); see malloc.c for the overview.
 *
 * The heap holds pages obtained from alloc_pages() in 1 MiB chunks (or
 * smaller orders when the buddy allocator cannot give that much). Runs of
 * free pages are kept on lists by length and coalesce with free
 * neighbours, across chunks too. Large objects of 256 KiB and more are the
 * exception: they get pages of their own, outside the chunks
 * (gosalloc_mheap_alloc_direct()).
 *
 * Every page the heap holds is an order-0 page (chunks are split when they
 * arrive) carrying GOSALLOC_PAGE_GUARD references besides its own, so
 * that the kernel's kfree() of a gosalloc object, which drops a reference
 * on the object's page (free_large_kmalloc()), cannot free the page under
 * gosalloc. Pages go back one by one, each only if its count is still
 * what the heap gave it (page_put_guarded()).
 *
 * heap.lock protects the free lists, the span descriptors' page ranges and
 * states, the arena map and the counters. It is taken with interrupts
 * saved, from any context, and never while a central lock is held (see
 * the lock order in malloc.c). Nothing here sleeps under it; a sleeping
 * gfp may sleep only in alloc_pages() calls made without it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "internal.h"

struct gosalloc_heap gosalloc_heap = {
	.lock = __SPIN_LOCK_UNLOCKED(gosalloc_heap.lock),
};
EXPORT_SYMBOL_IF_KUNIT(gosalloc_heap);

/* Published with release semantics; replaced, never freed, while loaded. */
struct gosalloc_arena_map *gosalloc_arena_map;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_arena_map);

/* Bit i set: free[i] is not empty (heap.lock). */
static DECLARE_BITMAP(gosalloc_heap_nonempty, GOSALLOC_HEAP_LISTS);

static void span_set_slot(struct gosalloc_span *s, unsigned long addr)
{
	struct gosalloc_span **slot = gosalloc_span_slot(gosalloc_addr_to_pfn(addr));

	if (WARN_ON_ONCE(!slot))
		return;
	/*
	 * Release: a lockless lookup that finds @s through the slot (an
	 * address dependency, as for RCU) sees the span's fields as set.
	 */
	smp_store_release(slot, s);
}

/* Map the first and last page of @s, or all of them. heap.lock held. */
static void span_map(struct gosalloc_span *s, bool all)
{
	unsigned long last = s->base + gosalloc_span_bytes(s) - PAGE_SIZE;
	unsigned long addr;

	lockdep_assert_held(&gosalloc_heap.lock);
	if (!all) {
		span_set_slot(s, s->base);
		span_set_slot(s, last);
		return;
	}
	for (addr = s->base; addr <= last; addr += PAGE_SIZE)
		span_set_slot(s, addr);
}

static unsigned int free_list_index(unsigned long npages)
{
	return npages < GOSALLOC_HEAP_LISTS ? npages : 0;
}

static void free_list_insert(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned int i = free_list_index(s->npages);

	list_add(&s->list, &h->free[i]);
	__set_bit(i, gosalloc_heap_nonempty);
	h->pages_free += s->npages;
	span_map(s, false);
}

static void free_list_remove(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned int i = free_list_index(s->npages);

	list_del(&s->list);
	if (list_empty(&h->free[i]))
		__clear_bit(i, gosalloc_heap_nonempty);
	h->pages_free -= s->npages;
}

/*
 * The gfp flags gosalloc passes to the page allocator: how hard to try
 * and where it may reclaim, nothing that says what the pages are for.
 * The heap's pages are shared by every caller, so zone (__GFP_DMA*,
 * checked on entry, see gosalloc_gfp_check()), mobility, cgroup charging
 * (__GFP_ACCOUNT), zeroing and compound-page flags stay with the caller;
 * Documentation/api.rst has the table.
 */
#define GOSALLOC_PAGE_GFP	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | \
				 __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
				 __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | \
				 __GFP_NOMEMALLOC | __GFP_HARDWALL | \
				 __GFP_NOLOCKDEP)

static gfp_t page_gfp(gfp_t gfp)
{
	return gfp & GOSALLOC_PAGE_GFP;
}

/* A span descriptor; heap.lock held. Return: NULL when memory is out. */
static struct gosalloc_span *span_new(void)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_span *s = gosalloc_fixalloc_alloc(&h->spanalloc);
	struct page *page;

	lockdep_assert_held(&h->lock);
	if (s)
		return s;
	page = alloc_page(GFP_NOWAIT | __GFP_NOWARN);
	if (!page)
		return NULL;
	gosalloc_fixalloc_add_page(&h->spanalloc, page);
	h->pages_meta++;
	return gosalloc_fixalloc_alloc(&h->spanalloc);
}

static void span_dispose(struct gosalloc_span *s)
{
	s->state = GOSALLOC_SPAN_DEAD;
	gosalloc_fixalloc_free(&gosalloc_heap.spanalloc, s);
}

/*
 * Make sure two span descriptors are ready before heap.lock is taken, so
 * that a split never has to allocate in atomic context when @gfp could
 * have slept.
 */
static void span_reserve(gfp_t gfp)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct page *page = NULL;
	unsigned long flags;

	if (READ_ONCE(h->spanalloc.nfree) >= 2)
		return;
	page = alloc_page(page_gfp(gfp) | __GFP_NOWARN);
	if (!page)
		return;
	spin_lock_irqsave(&h->lock, flags);
	if (h->spanalloc.nfree < 2) {
		gosalloc_fixalloc_add_page(&h->spanalloc, page);
		h->pages_meta++;
		page = NULL;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	if (page)
		__free_page(page);
}

/* Best fit: the shortest free run of at least @npages. heap.lock held. */
static struct gosalloc_span *free_run_find(unsigned long npages)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_span *s, *best = NULL;
	unsigned int i;

	if (npages < GOSALLOC_HEAP_LISTS) {
		i = find_next_bit(gosalloc_heap_nonempty, GOSALLOC_HEAP_LISTS,
				  npages);
		if (i < GOSALLOC_HEAP_LISTS)
			return list_first_entry(&h->free[i],
						struct gosalloc_span, list);
	}
	list_for_each_entry(s, &h->free[0], list) {
		if (s->npages < npages)
			continue;
		if (!best || s->npages < best->npages ||
		    (s->npages == best->npages && s->base < best->base))
			best = s;
	}
	return best;
}

/* Take @npages off the front of free run @s; heap.lock held. */
static struct gosalloc_span *free_run_carve(struct gosalloc_span *s,
					    unsigned long npages)
{
	struct gosalloc_span *rest = NULL;

	if (s->npages > npages) {
		rest = span_new();
		if (!rest)
			return NULL;
	}
	free_list_remove(s);
	if (rest) {
		rest->base = s->base + (npages << PAGE_SHIFT);
		rest->npages = s->npages - npages;
		rest->needzero = s->needzero;
		rest->state = GOSALLOC_SPAN_FREE;
		WRITE_ONCE(s->npages, npages);
		free_list_insert(rest);
	}
	return s;
}

/*
 * Put free span @s on the free lists, merged with free neighbours;
 * heap.lock held. A neighbour is found through the map entry of the page
 * next to @s, which is exact for the first and last page of every span.
 */
static void free_run_insert(struct gosalloc_span *s)
{
	unsigned long pfn = gosalloc_addr_to_pfn(s->base);
	struct gosalloc_span *prev = pfn ? gosalloc_span_at_pfn(pfn - 1) : NULL;
	struct gosalloc_span *next = gosalloc_span_at_pfn(pfn + s->npages);

	lockdep_assert_held(&gosalloc_heap.lock);
	WRITE_ONCE(s->state, GOSALLOC_SPAN_FREE);
	s->free_since = jiffies;
	if (prev && prev->state == GOSALLOC_SPAN_FREE &&
	    prev->base + gosalloc_span_bytes(prev) == s->base) {
		free_list_remove(prev);
		WRITE_ONCE(s->base, prev->base);
		WRITE_ONCE(s->npages, s->npages + prev->npages);
		s->needzero |= prev->needzero;
		span_dispose(prev);
	}
	if (next && next->state == GOSALLOC_SPAN_FREE &&
	    next->base == s->base + gosalloc_span_bytes(s)) {
		free_list_remove(next);
		WRITE_ONCE(s->npages, s->npages + next->npages);
		s->needzero |= next->needzero;
		span_dispose(next);
	}
	free_list_insert(s);
}

static struct gosalloc_arena_map *arena_map_alloc(unsigned long nr, gfp_t gfp)
{
	struct gosalloc_arena_map *map;

	map = kvzalloc(struct_size(map, arenas, nr), page_gfp(gfp));
	if (map)
		map->nr = nr;
	return map;
}

/*
 * Make the arena map cover arena @last. The larger map is allocated
 * without heap.lock (so @gfp may sleep) and installed under it; the old
 * one stays valid for lockless readers and is freed at unload.
 */
static int arena_map_cover(unsigned long last, gfp_t gfp)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_arena_map *map, *cur;
	unsigned long flags;

	cur = smp_load_acquire(&gosalloc_arena_map);	/* as in gosalloc_span_slot() */
	if (last < cur->nr)
		return 0;
	map = arena_map_alloc(max(last + 1, 2 * cur->nr), gfp);
	if (!map)
		return -ENOMEM;
	spin_lock_irqsave(&h->lock, flags);
	cur = gosalloc_arena_map;
	if (last >= cur->nr) {
		memcpy(map->arenas, cur->arenas, cur->nr * sizeof(cur->arenas[0]));
		map->older = cur;
		/* Lockless readers see the copy complete. */
		smp_store_release(&gosalloc_arena_map, map);
		map = NULL;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	kvfree(map);
	return 0;
}

/* Give every arena of pages [@lo, @hi) its descriptor page. */
static int arenas_prepare(unsigned long lo, unsigned long hi, gfp_t gfp)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long i, flags, last = (hi - 1) >> GOSALLOC_ARENA_SHIFT;
	struct gosalloc_arena_map *map;
	struct page *page;

	if (arena_map_cover(last, gfp))
		return -ENOMEM;
	for (i = lo >> GOSALLOC_ARENA_SHIFT; i <= last; i++) {
		if (READ_ONCE(gosalloc_arena_map->arenas[i]))
			continue;
		page = alloc_page(page_gfp(gfp) | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		spin_lock_irqsave(&h->lock, flags);
		map = gosalloc_arena_map;
		if (!map->arenas[i]) {
			/* Release: lookups see the arena's page zeroed. */
			smp_store_release(&map->arenas[i], page_address(page));
			h->pages_meta++;
			page = NULL;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		if (page)
			__free_page(page);
	}
	return 0;
}

/*
 * Lookups take addresses at or above this for no memory of gosalloc's
 * (gosalloc_span_lookup()). It starts at high_memory and covers every
 * page gosalloc adopts: memory hot-added later lies above high_memory
 * where an architecture (arm64) does not move it. Grown under heap.lock,
 * read anywhere; it never shrinks.
 */
unsigned long gosalloc_heap_limit __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_heap_limit);

static void heap_limit_cover(const struct gosalloc_span *s)
{
	unsigned long end = s->base + gosalloc_span_bytes(s);

	lockdep_assert_held(&gosalloc_heap.lock);
	if (end > gosalloc_heap_limit)
		WRITE_ONCE(gosalloc_heap_limit, end);
}

/*
 * References the heap holds on each of its pages besides the page's own:
 * a stray put_page() (the kernel's kfree() of a gosalloc object, see
 * Documentation/porting.rst) drops one of them and never frees the page.
 * A bias, as the page fragment caches take one (page_frag_alloc()), so
 * that many such frees on one page cannot reach zero either.
 */
#define GOSALLOC_PAGE_GUARD	65536

/*
 * Take the guard on @n order-0 pages from @page on, fresh from the page
 * allocator and not yet the heap's. Context: any context.
 */
static void pages_guard(struct page *page, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		page_ref_add(page + i, GOSALLOC_PAGE_GUARD);
}

/*
 * Give guarded page @page back to the page allocator if its count is the
 * heap's alone. Otherwise someone dropped references the heap holds (the
 * kernel's kfree() of an object on it) or holds references of its own:
 * report the page and keep it for ever, as a page that drew one stray
 * free may draw more, and a count that went wrong once cannot tell who
 * may free it. Context: any context. Return: false if kept.
 */
static bool page_put_guarded(struct page *page)
{
	int count = page_ref_count(page);

	if (likely(count == GOSALLOC_PAGE_GUARD + 1)) {
		page_ref_sub(page, GOSALLOC_PAGE_GUARD);
		__free_page(page);
		return true;
	}
	pr_err_ratelimited("page %p (pfn %#lx) has %d references, not %d (%s): kept, not given back\n",
			   page_address(page), page_to_pfn(page), count,
			   GOSALLOC_PAGE_GUARD + 1,
			   count < GOSALLOC_PAGE_GUARD + 1 ?
			   "freed by the kernel's kfree()?" :
			   "still referenced outside gosalloc?");
	return false;
}

/*
 * Give guarded pages [@pfn, @end) back, page by page. Context: any
 * context. Return: the pages kept (page_put_guarded()).
 */
static unsigned long pages_put_guarded(unsigned long pfn, unsigned long end)
{
	unsigned long kept = 0;

	for (; pfn < end; pfn++)
		kept += !page_put_guarded(pfn_to_page(pfn));
	return kept;
}

/*
 * @kept of the pages counted in heap_released stayed allocated
 * (page_put_guarded()); heap.lock held.
 */
static void pages_account_kept(unsigned long kept)
{
	struct gosalloc_heap *h = &gosalloc_heap;

	lockdep_assert_held(&h->lock);
	h->pages_released -= kept;
	h->pages_kept += kept;
}

/*
 * Make @n guarded pages at @addr, fresh from the page allocator, the
 * heap's: map them, describe them with a span counted in heap_sys, and
 * call @place(span, @arg) under heap.lock. Return: the span, or NULL when
 * memory is short (the pages are then still the caller's).
 */
static struct gosalloc_span *pages_adopt(void *addr, unsigned long n,
					 gfp_t gfp,
					 void (*place)(struct gosalloc_span *,
						       unsigned long),
					 unsigned long arg)
{
	unsigned long pfn = gosalloc_addr_to_pfn((unsigned long)addr), flags;
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_span *s;

	if (arenas_prepare(pfn, pfn + n, gfp))
		return NULL;
	do {
		span_reserve(gfp);
		spin_lock_irqsave(&h->lock, flags);
		s = span_new();
		if (s) {
			s->base = (unsigned long)addr;
			s->npages = n;
			s->needzero = !want_init_on_alloc(gfp);
			h->pages_sys += n;
			heap_limit_cover(s);
			place(s, arg);
		}
		spin_unlock_irqrestore(&h->lock, flags);
	} while (!s && (gfp & __GFP_NOFAIL));
	return s;
}

/* A new chunk: a free run. */
static void chunk_place(struct gosalloc_span *s, unsigned long unused)
{
	free_run_insert(s);
}

/*
 * Grow the heap by a chunk of at least @npages pages: 1 MiB if the buddy
 * allocator can give it cheaply, else the smallest order that fits. The
 * chunk is split into order-0 pages and guarded before the heap takes it.
 * Called without heap.lock; may sleep if @gfp allows.
 */
static int mheap_grow(unsigned long npages, gfp_t gfp)
{
	unsigned int need = get_order(npages << PAGE_SHIFT);
	unsigned int order = max_t(unsigned int, need, GOSALLOC_HEAP_CHUNK_ORDER);
	struct page *page = NULL;

	gfp_t try_gfp;

	gfp = page_gfp(gfp);
	/*
	 * The larger orders are a bonus: tried from the free lists only, as
	 * SLUB tries its preferred order, never failing loudly, never
	 * reclaiming or compacting for them, and never with __GFP_NOFAIL,
	 * which would make the page allocator retry (and warn about) an
	 * order it cannot give. The order the request needs gets @gfp as is.
	 */
	try_gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC) &
		  ~(__GFP_NOFAIL | __GFP_RECLAIM);
	for (; order > need && !page; order--)
		page = alloc_pages(try_gfp, order);
	if (page)
		order++;
	else
		page = alloc_pages(gfp, need);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	pages_guard(page, 1UL << order);
	if (pages_adopt(page_address(page), 1UL << order, gfp, chunk_place, 0))
		return 0;
	pages_put_guarded(page_to_pfn(page), page_to_pfn(page) + (1UL << order));
	return -ENOMEM;
}

/* Count large span @s in use; heap.lock held. */
static void large_account(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = &gosalloc_heap;

	list_add(&s->list, &h->large);
	h->large_allocs++;
	h->large_pages += s->npages;
}

/* A large object's own pages: a span in use at once. */
static void direct_place(struct gosalloc_span *s, unsigned long unused)
{
	struct gosalloc_heap *h = &gosalloc_heap;

	s->direct = true;
	gosalloc_central_span_init(s, 0);
	/* Published last, with release: see gosalloc_span_state(). */
	smp_store_release(&s->state, GOSALLOC_SPAN_LARGE);
	span_map(s, false);
	h->pages_inuse += s->npages;
	h->spans_inuse++;
	large_account(s);
}

/**
 * gosalloc_mheap_alloc_direct() - a large span with pages of its own
 * @npages: pages wanted, at most 1 << MAX_PAGE_ORDER
 * @gfp: gfp flags; with __GFP_ACCOUNT the pages are charged to the
 *	 caller's memory cgroup
 *
 * For large objects of GOSALLOC_DIRECT_PAGES pages or more, and charged
 * large objects of any size (malloc.c): exactly @npages pages from
 * alloc_pages_exact(), guarded as the chunks are, outside the heap's
 * chunks and free lists, given straight back when the object is freed
 * (gosalloc_mheap_free_large()). Such objects then never leave holes in
 * the heap that smaller spans fill, nor hold a chunk's spare pages.
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, or NULL when memory is short.
 */
struct gosalloc_span *gosalloc_mheap_alloc_direct(unsigned long npages,
						  gfp_t gfp)
{
	struct gosalloc_span *s;
	void *addr;

	/*
	 * The pages come without __GFP_ZERO, so pages_adopt() must not take
	 * them for zeroed unless init_on_alloc zeroed them: both get the
	 * same flags. They are the object's alone, so __GFP_ACCOUNT has the
	 * page allocator charge them, as kmalloc() charges a large object.
	 */
	gfp = page_gfp(gfp) | (gfp & __GFP_ACCOUNT);
	addr = alloc_pages_exact(npages << PAGE_SHIFT, gfp);
	if (!addr)
		return NULL;
	pages_guard(virt_to_page(addr), npages);
	s = pages_adopt(addr, npages, gfp, direct_place, 0);
	if (!s)
		pages_put_guarded(gosalloc_addr_to_pfn((unsigned long)addr),
				  gosalloc_addr_to_pfn((unsigned long)addr) + npages);
	return s;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_alloc_direct);

struct charged_span {
	unsigned int cls;
	struct gosalloc_memcg *memcg;
};

/* A charged small span's own pages: in use at once, all pages mapped. */
static void charged_place(struct gosalloc_span *s, unsigned long arg)
{
	struct charged_span *c = (struct charged_span *)arg;
	struct gosalloc_heap *h = &gosalloc_heap;

	s->direct = true;
	gosalloc_central_span_init(s, c->cls);
	s->memcg = c->memcg;
	/* Published last, with release: see gosalloc_span_state(). */
	smp_store_release(&s->state, GOSALLOC_SPAN_MEMCG);
	span_map(s, true);
	h->pages_inuse += s->npages;
	h->spans_inuse++;
}

/**
 * gosalloc_mheap_alloc_charged() - a small span charged to a cgroup
 * @cls: the span's size class
 * @m: the cgroup's spans (memcg.c), which the span will join
 * @gfp: gfp flags, for the page allocator
 *
 * The span's pages are its own, outside the heap's chunks, allocated
 * with __GFP_ACCOUNT: the page allocator charges them to the active
 * memory cgroup (the caller makes the cgroup of @m the active one), and
 * uncharges them when gosalloc_mheap_free_charged() gives them back.
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, in state GOSALLOC_SPAN_MEMCG, or NULL when memory is
 * short or the charge fails (the cgroup is at its limit).
 */
struct gosalloc_span *gosalloc_mheap_alloc_charged(unsigned int cls,
						   struct gosalloc_memcg *m,
						   gfp_t gfp)
{
	struct charged_span c = { .cls = cls, .memcg = m };
	struct gosalloc_span *s;
	unsigned int npages;
	void *addr;

	gosalloc_central_shape(cls, &npages, NULL, NULL, NULL);
	gfp = page_gfp(gfp);	/* as in gosalloc_mheap_alloc_direct() */
	addr = alloc_pages_exact(npages << PAGE_SHIFT, gfp | __GFP_ACCOUNT);
	if (!addr)
		return NULL;
	pages_guard(virt_to_page(addr), npages);
	s = pages_adopt(addr, npages, gfp, charged_place, (unsigned long)&c);
	if (!s)
		pages_put_guarded(gosalloc_addr_to_pfn((unsigned long)addr),
				  gosalloc_addr_to_pfn((unsigned long)addr) + npages);
	return s;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_alloc_charged);

/**
 * gosalloc_mheap_alloc() - allocate a run of pages
 * @npages: pages wanted, at most 1 << MAX_PAGE_ORDER
 * @state: GOSALLOC_SPAN_SMALL or GOSALLOC_SPAN_LARGE
 * @sizeclass: the size class of a small span
 * @gfp: gfp flags; the heap grows only as they allow
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, its needzero telling whether it may hold old data,
 * or NULL when memory is short.
 */
struct gosalloc_span *gosalloc_mheap_alloc(unsigned long npages,
					   enum gosalloc_span_state state,
					   unsigned int sizeclass, gfp_t gfp)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_span *s;
	unsigned long flags;

	for (;;) {
		span_reserve(gfp);
		spin_lock_irqsave(&h->lock, flags);
		s = free_run_find(npages);
		if (s) {
			s = free_run_carve(s, npages);
			if (s || !(gfp & __GFP_NOFAIL))
				break;
			/* No descriptor for the rest: reserve one, again. */
			spin_unlock_irqrestore(&h->lock, flags);
			continue;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		if (mheap_grow(npages, gfp))
			return NULL;
	}
	if (s) {
		/* Before the span's init, which writes a tiny span's head. */
		gosalloc_kasan_span(s, false);
		gosalloc_central_span_init(s, sizeclass);
		/* Published last: see gosalloc_span_state(). */
		smp_store_release(&s->state, state);
		span_map(s, state != GOSALLOC_SPAN_LARGE);
		h->pages_inuse += npages;
		h->spans_inuse++;
		if (state == GOSALLOC_SPAN_LARGE)
			large_account(s);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return s;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_alloc);

/*
 * The pages of @s are about to go back to the page allocator; heap.lock
 * held. Its map entries are cleared and it leaves its state, so that no
 * lookup finds it and no neighbour merges with it, and its pages leave
 * heap_sys for heap_released.
 */
static void span_give_back(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long pfn = gosalloc_addr_to_pfn(s->base);

	WRITE_ONCE(*gosalloc_span_slot(pfn), NULL);
	WRITE_ONCE(*gosalloc_span_slot(pfn + s->npages - 1), NULL);
	WRITE_ONCE(s->state, GOSALLOC_SPAN_DEAD);
	h->pages_sys -= s->npages;
	h->pages_released += s->npages;
}

/* Span @s is no longer in use; heap.lock held. */
static void span_unaccount(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = &gosalloc_heap;

	h->pages_inuse -= s->npages;
	h->spans_inuse--;
	if (s->state == GOSALLOC_SPAN_LARGE) {
		list_del(&s->list);
		h->large_frees++;
		h->large_pages -= s->npages;
	}
}

static void mheap_free_locked(struct gosalloc_span *s)
{
	span_unaccount(s);
	s->needzero = true;
	gosalloc_kasan_span(s, true);
	free_run_insert(s);
}

/**
 * gosalloc_mheap_free() - give a span in use back to the heap
 * @s: a small span with no object out, or a large span
 *
 * Context: any context; takes heap.lock.
 */
void gosalloc_mheap_free(struct gosalloc_span *s)
{
	unsigned long flags;

	spin_lock_irqsave(&gosalloc_heap.lock, flags);
	mheap_free_locked(s);
	spin_unlock_irqrestore(&gosalloc_heap.lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_free);

/* Give direct span @s, in use, back to the page allocator. */
static void direct_free(struct gosalloc_span *s, unsigned long flags)
	__releases(&gosalloc_heap.lock)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long kept;

	lockdep_assert_held(&h->lock);
	span_unaccount(s);
	span_give_back(s);
	spin_unlock_irqrestore(&h->lock, flags);
	/* The page allocator applies init_on_free and uncharges itself. */
	kept = pages_put_guarded(gosalloc_addr_to_pfn(s->base),
				 gosalloc_addr_to_pfn(s->base) + s->npages);
	spin_lock_irqsave(&h->lock, flags);
	pages_account_kept(kept);
	span_dispose(s);
	spin_unlock_irqrestore(&h->lock, flags);
}

/**
 * gosalloc_mheap_free_charged() - give a charged small span back
 * @s: a span from gosalloc_mheap_alloc_charged() with no object out,
 *     taken off its cgroup's lists
 *
 * Its pages go straight back to the page allocator, which uncharges
 * them from the cgroup they were charged to (or, if that cgroup is gone,
 * from the ancestor that took its charges).
 *
 * Context: any context; takes heap.lock.
 */
void gosalloc_mheap_free_charged(struct gosalloc_span *s)
{
	unsigned long flags;

	spin_lock_irqsave(&gosalloc_heap.lock, flags);
	WRITE_ONCE(s->memcg, NULL);	/* see gosalloc_memcg_free() */
	direct_free(s, flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_free_charged);

/**
 * gosalloc_mheap_free_large() - free a large object
 * @s: the span gosalloc_span_lookup() found for @p
 * @p: the object
 *
 * The span is checked again under heap.lock, so that two racing frees of
 * one object cannot both free it. The pages of a direct span go straight
 * back to the page allocator; other spans become free runs.
 *
 * Context: any context; takes heap.lock.
 * Return: true if @p was a live large object and is now freed.
 */
bool gosalloc_mheap_free_large(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	if (s->state != GOSALLOC_SPAN_LARGE || s->base != (unsigned long)p) {
		spin_unlock_irqrestore(&h->lock, flags);
		return false;
	}
	if (s->direct) {
		direct_free(s, flags);
		return true;
	}
	if (want_init_on_free()) {
		/*
		 * Claimed (a racing free now fails), zeroed without the lock,
		 * then given to the heap.
		 */
		WRITE_ONCE(s->state, GOSALLOC_SPAN_DEAD);
		spin_unlock_irqrestore(&h->lock, flags);
		gosalloc_memset((void *)s->base, 0, gosalloc_span_bytes(s));
		spin_lock_irqsave(&h->lock, flags);
		s->state = GOSALLOC_SPAN_LARGE;	/* for the accounting */
	}
	mheap_free_locked(s);
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

/**
 * gosalloc_span_range() - the pages of the span in use that holds @p
 * @p: any pointer
 * @base: receives the span's first address
 * @bytes: receives the span's length
 *
 * For the project's tests, which try pointers into a span page by page
 * from outside the module (tools/test-modules/gosalloc_fuzz.c); racy
 * against a free of the span's last object.
 *
 * Context: any context.
 * Return: true if @p lies in a span in use (small, tiny or large).
 */
bool gosalloc_span_range(const void *p, unsigned long *base,
			 unsigned long *bytes)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);

	if (!s || gosalloc_span_state(s) < GOSALLOC_SPAN_SMALL)
		return false;
	*base = READ_ONCE(s->base);
	*bytes = READ_ONCE(s->npages) << PAGE_SHIFT;
	return true;
}
EXPORT_SYMBOL_NS_GPL(gosalloc_span_range, GOSALLOC_INTERNAL);

/**
 * gosalloc_mheap_visit_free() - call @fn on every free run of the heap
 * @fn: called with heap.lock held and interrupts off; must not sleep
 * @arg: passed to @fn
 *
 * Context: process context.
 */
void gosalloc_mheap_visit_free(void (*fn)(const struct gosalloc_span *s,
					  void *arg), void *arg)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_span *s;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&h->lock, flags);
	for (i = 0; i < GOSALLOC_HEAP_LISTS; i++)
		list_for_each_entry(s, &h->free[i], list)
			fn(s, arg);
	spin_unlock_irqrestore(&h->lock, flags);
}

int gosalloc_mheap_init(void)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long pfns = gosalloc_addr_to_pfn((unsigned long)high_memory - 1) + 1;
	unsigned int i;

	for (i = 0; i < GOSALLOC_HEAP_LISTS; i++)
		INIT_LIST_HEAD(&h->free[i]);
	INIT_LIST_HEAD(&h->large);
	gosalloc_fixalloc_init(&h->spanalloc, sizeof(struct gosalloc_span));
	pfns = DIV_ROUND_UP(pfns, GOSALLOC_ARENA_PAGES);
	gosalloc_heap_limit = (unsigned long)high_memory;
	gosalloc_arena_map = arena_map_alloc(pfns, GFP_KERNEL);
	return gosalloc_arena_map ? 0 : -ENOMEM;
}

/*
 * Take free run @s off the heap to give its pages back; heap.lock held.
 * The caller frees the pages without the lock, then disposes of @s
 * (span_dispose(), under the lock).
 */
static void free_run_detach(struct gosalloc_span *s)
{
	lockdep_assert_held(&gosalloc_heap.lock);
	free_list_remove(s);
	span_give_back(s);
}

/* Serialises giving pages back. */
static DEFINE_MUTEX(gosalloc_release_mutex);

/*
 * Give the pages of free run @s back, one by one; release mutex held, the
 * run no longer the heap's. Return: the pages kept (page_put_guarded()).
 */
static unsigned long free_run_release(struct gosalloc_span *s)
{
	unsigned long pfn = gosalloc_addr_to_pfn(s->base);

	lockdep_assert_held(&gosalloc_release_mutex);
	return pages_put_guarded(pfn, pfn + s->npages);
}

/**
 * gosalloc_mheap_release() - give free runs back to the page allocator
 * @max_pages: stop once this many pages went back
 * @min_idle: only runs free for at least this many jiffies
 *
 * Free runs are detached under heap.lock, their pages freed without it,
 * page by page; a page whose reference count is not the heap's is kept
 * and reported instead (page_put_guarded()). Pages come back to the heap
 * only through new chunks.
 *
 * Context: process context; takes the release mutex, then heap.lock.
 * Return: the pages given back.
 */
unsigned long gosalloc_mheap_release(unsigned long max_pages,
				     unsigned long min_idle)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	unsigned long flags, done = 0, kept = 0;
	struct gosalloc_span *s, *next;
	LIST_HEAD(gone);
	unsigned int i;

	mutex_lock(&gosalloc_release_mutex);
	spin_lock_irqsave(&h->lock, flags);
	for (i = 0; i < GOSALLOC_HEAP_LISTS && done < max_pages; i++) {
		list_for_each_entry_safe(s, next, &h->free[i], list) {
			if (done >= max_pages)
				break;
			if (time_before(jiffies, s->free_since + min_idle))
				continue;
			done += s->npages;
			free_run_detach(s);
			list_add(&s->list, &gone);
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	list_for_each_entry(s, &gone, list)
		kept += free_run_release(s);
	mutex_unlock(&gosalloc_release_mutex);
	spin_lock_irqsave(&h->lock, flags);
	pages_account_kept(kept);
	list_for_each_entry_safe(s, next, &gone, list)
		span_dispose(s);
	spin_unlock_irqrestore(&h->lock, flags);
	return done - kept;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_release);

/*
 * Module unload: every free run goes back to the page allocator. Pages of
 * spans still in use hold objects a client leaked; they stay allocated.
 * Called once no gosalloc function can run any more.
 */
void gosalloc_mheap_exit(void)
{
	struct gosalloc_heap *h = &gosalloc_heap;
	struct gosalloc_arena_map *map, *older;
	unsigned long i;

	gosalloc_mheap_release(ULONG_MAX, 0);
	if (h->pages_sys)
		pr_warn("%lu pages hold leaked objects and stay allocated\n",
			h->pages_sys);
	map = gosalloc_arena_map;
	for (i = 0; map && i < map->nr; i++)
		if (map->arenas[i])
			free_page((unsigned long)map->arenas[i]);
	for (; map; map = older) {	/* older maps share the arenas */
		older = map->older;
		kvfree(map);
	}
	gosalloc_arena_map = NULL;
	gosalloc_fixalloc_destroy(&h->spanalloc);
}
