// SPDX-License-Identifier: GPL-2.0-only
/*
 * mheap.c - page-run heap (MHeap, MSpan); see malloc.c for the overview.
 *
 * Each memory node has a heap of its own (node.h), holding pages of that
 * node obtained from alloc_pages_node() in chunks of a thirty-second of
 * what the heap holds, from 64 KiB to 1 MiB (or smaller orders when the
 * buddy allocator cannot give that much). A chunk joins
 * the heap of the node it lies on, which is another node than the one
 * asked for when the page allocator fell back. Runs of free pages are
 * kept on lists by length and coalesce with free neighbours of the same
 * node, across chunks too. Large objects of 256 KiB and more, and charged
 * spans (memcg.c), are the exception: they get pages of their own,
 * outside the chunks (gosalloc_mheap_alloc_direct(),
 * gosalloc_mheap_alloc_charged()), and belong to the heap of the node
 * those pages lie on.
 *
 * Every page the heap holds is an order-0 page (chunks are split when they
 * arrive) carrying GOSALLOC_PAGE_GUARD references besides its own, so
 * that the kernel's kfree() of a gosalloc object, which drops a reference
 * on the object's page (free_large_kmalloc()), cannot free the page under
 * gosalloc. Pages go back one by one, each only if its count is still
 * what the heap gave it (page_put_guarded()).
 *
 * heap.lock (one per node) protects the heap's free lists, the page
 * ranges and states of its spans, the map entries of its node's pages,
 * its counters and the pages it keeps for a wrong reference count. It is
 * taken with interrupts saved, from any context, and never while a
 * central lock or another node's heap.lock is held (see the lock order in
 * malloc.c). Each heap has its own span descriptors, and a descriptor
 * never leaves its heap: a map entry of a page only ever points to a
 * descriptor of that page's node, and code holding one node's heap.lock
 * never touches another node's descriptors. The arena map itself and the
 * lookup limit are shared and grow under the arena lock, taken with no
 * heap.lock held. Nothing here sleeps under either; a sleeping gfp may
 * sleep only in page allocator calls made without them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "internal.h"

/*
 * Grows the arena map, installs arena pages and raises the lookup limit;
 * a leaf: taken with no heap.lock held, any context, irqs saved.
 */
static DEFINE_SPINLOCK(gosalloc_arena_lock);
/* Pages of arena descriptors: the arena lock; read anywhere. */
static unsigned long gosalloc_arena_pages;

/* Published with release semantics; replaced, never freed, while loaded. */
struct gosalloc_arena_map *gosalloc_arena_map;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_arena_map);

/* The heap that holds span @s: its node's. */
static struct gosalloc_heap *span_heap(const struct gosalloc_span *s)
{
	return gosalloc_node_heap(s->node);
}

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

	lockdep_assert_held(&span_heap(s)->lock);
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
	struct gosalloc_heap *h = span_heap(s);
	unsigned int i = free_list_index(s->npages);

	list_add(&s->list, &h->free[i]);
	__set_bit(i, h->nonempty);
	h->pages_free += s->npages;
	span_map(s, false);
}

static void free_list_remove(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = span_heap(s);
	unsigned int i = free_list_index(s->npages);

	list_del(&s->list);
	if (list_empty(&h->free[i]))
		__clear_bit(i, h->nonempty);
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
				 __GFP_NOLOCKDEP | __GFP_THISNODE)

static gfp_t page_gfp(gfp_t gfp)
{
	return gfp & GOSALLOC_PAGE_GFP;
}

/* For gosalloc's own metadata, which may lie on any node. */
static gfp_t meta_gfp(gfp_t gfp)
{
	return page_gfp(gfp) & ~__GFP_THISNODE;
}

/* A page for metadata of node @nid's heap, there if it can be. */
static struct page *meta_page(int nid, gfp_t gfp)
{
	return alloc_pages_node(nid, meta_gfp(gfp) | __GFP_NOWARN, 0);
}

/*
 * A span descriptor of heap @h, marked with its node; heap.lock held.
 * Return: NULL when memory is out.
 */
static struct gosalloc_span *span_new(struct gosalloc_heap *h)
{
	struct gosalloc_span *s = gosalloc_fixalloc_alloc(&h->spanalloc);
	struct page *page;

	lockdep_assert_held(&h->lock);
	if (!s) {
		page = meta_page(h->node, GFP_NOWAIT);
		if (!page)
			return NULL;
		gosalloc_fixalloc_add_page(&h->spanalloc, page);
		h->pages_meta++;
		s = gosalloc_fixalloc_alloc(&h->spanalloc);
	}
	s->node = h->node;
	return s;
}

static void span_dispose(struct gosalloc_span *s)
{
	s->state = GOSALLOC_SPAN_DEAD;
	gosalloc_fixalloc_free(&span_heap(s)->spanalloc, s);
}

/*
 * Make sure two span descriptors are ready before heap.lock is taken, so
 * that a split never has to allocate in atomic context when @gfp could
 * have slept.
 */
static void span_reserve(struct gosalloc_heap *h, gfp_t gfp)
{
	struct page *page = NULL;
	unsigned long flags;

	if (READ_ONCE(h->spanalloc.nfree) >= 2)
		return;
	page = meta_page(h->node, gfp);
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
static struct gosalloc_span *free_run_find(struct gosalloc_heap *h,
					   unsigned long npages)
{
	struct gosalloc_span *s, *best = NULL;
	unsigned int i;

	if (npages < GOSALLOC_HEAP_LISTS) {
		i = find_next_bit(h->nonempty, GOSALLOC_HEAP_LISTS, npages);
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
		rest = span_new(span_heap(s));
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
 * The descriptor the map holds for page @pfn, if that page is on node
 * @nid: then it belongs to node @nid's heap, whose lock the caller
 * holds. A page with a map entry is one gosalloc held, so its pfn is
 * valid; pages of another node are not looked at.
 */
static struct gosalloc_span *span_on_node(unsigned long pfn, int nid)
{
	struct gosalloc_span *s = gosalloc_span_at_pfn(pfn);

	if (!s || page_to_nid(pfn_to_page(pfn)) != nid)
		return NULL;
	return s;
}

/*
 * Put free span @s on the free lists, merged with free neighbours of its
 * node; heap.lock held. A neighbour is found through the map entry of
 * the page next to @s, which is exact for the first and last page of
 * every span.
 */
static void free_run_insert(struct gosalloc_span *s)
{
	unsigned long pfn = gosalloc_addr_to_pfn(s->base);
	struct gosalloc_span *prev = pfn ? span_on_node(pfn - 1, s->node) : NULL;
	struct gosalloc_span *next = span_on_node(pfn + s->npages, s->node);

	lockdep_assert_held(&span_heap(s)->lock);
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

	map = kvzalloc(struct_size(map, arenas, nr), meta_gfp(gfp));
	if (map)
		map->nr = nr;
	return map;
}

/*
 * Make the arena map cover arena @last. The larger map is allocated
 * without a lock (so @gfp may sleep) and installed under the arena lock;
 * the old one stays valid for lockless readers and is freed at unload.
 */
static int arena_map_cover(unsigned long last, gfp_t gfp)
{
	struct gosalloc_arena_map *map, *cur;
	unsigned long flags;

	cur = smp_load_acquire(&gosalloc_arena_map);	/* as in gosalloc_span_slot() */
	if (last < cur->nr)
		return 0;
	map = arena_map_alloc(max(last + 1, 2 * cur->nr), gfp);
	if (!map)
		return -ENOMEM;
	spin_lock_irqsave(&gosalloc_arena_lock, flags);
	cur = gosalloc_arena_map;
	if (last >= cur->nr) {
		memcpy(map->arenas, cur->arenas, cur->nr * sizeof(cur->arenas[0]));
		map->older = cur;
		/* Lockless readers see the copy complete. */
		smp_store_release(&gosalloc_arena_map, map);
		map = NULL;
	}
	spin_unlock_irqrestore(&gosalloc_arena_lock, flags);
	kvfree(map);
	return 0;
}

/* Give every arena of pages [@lo, @hi) its descriptor page. */
static int arenas_prepare(unsigned long lo, unsigned long hi, gfp_t gfp)
{
	unsigned long i, flags, last = (hi - 1) >> GOSALLOC_ARENA_SHIFT;
	struct gosalloc_arena_map *map;
	struct page *page;

	if (arena_map_cover(last, gfp))
		return -ENOMEM;
	for (i = lo >> GOSALLOC_ARENA_SHIFT; i <= last; i++) {
		if (READ_ONCE(gosalloc_arena_map->arenas[i]))
			continue;
		page = alloc_page(meta_gfp(gfp) | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		spin_lock_irqsave(&gosalloc_arena_lock, flags);
		map = gosalloc_arena_map;
		if (!map->arenas[i]) {
			/* Release: lookups see the arena's page zeroed. */
			smp_store_release(&map->arenas[i], page_address(page));
			gosalloc_arena_pages++;
			page = NULL;
		}
		spin_unlock_irqrestore(&gosalloc_arena_lock, flags);
		if (page)
			__free_page(page);
	}
	return 0;
}

/*
 * Lookups take addresses at or above this for no memory of gosalloc's
 * (gosalloc_span_lookup()). It starts at high_memory and covers every
 * page gosalloc adopts: memory hot-added later lies above high_memory
 * where an architecture (arm64) does not move it. Grown under the arena
 * lock, read anywhere; it never shrinks.
 */
unsigned long gosalloc_heap_limit __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_heap_limit);

/* Raise the lookup limit to cover @end, before its pages are mapped. */
static void heap_limit_cover(unsigned long end)
{
	unsigned long flags;

	spin_lock_irqsave(&gosalloc_arena_lock, flags);
	if (end > gosalloc_heap_limit)
		WRITE_ONCE(gosalloc_heap_limit, end);
	spin_unlock_irqrestore(&gosalloc_arena_lock, flags);
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
/*
 * @n pages from @page on join the heap (or leave it, @n < 0). In kernel
 * mode (kmalloc.c) they count as Slab in /proc/meminfo, as the slabs of
 * SLUB's kmalloc caches would.
 */
static void pages_account(struct page *page, long n)
{
	if (gosalloc_kmalloc_active())
		mod_node_page_state(page_pgdat(page), NR_SLAB_UNRECLAIMABLE_B,
				    n * PAGE_SIZE);
}

static void pages_guard(struct page *page, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		page_ref_add(page + i, GOSALLOC_PAGE_GUARD);
	pages_account(page, n);
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
		pages_account(page, -1);
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
 * @kept of the pages counted in heap @h's heap_released stayed allocated
 * (page_put_guarded()); its heap.lock held.
 */
static void pages_account_kept(struct gosalloc_heap *h, unsigned long kept)
{
	lockdep_assert_held(&h->lock);
	h->pages_released -= kept;
	h->pages_kept += kept;
}

/*
 * Make @n guarded pages at @addr, fresh from the page allocator, the
 * heap's of the node they lie on: map them, describe them with a span
 * counted in that heap's heap_sys, and call @place(span, @arg) under its
 * heap.lock. Return: the span, or NULL when memory is short (the pages
 * are then still the caller's).
 */
static struct gosalloc_span *pages_adopt(void *addr, unsigned long n,
					 gfp_t gfp,
					 void (*place)(struct gosalloc_span *,
						       unsigned long),
					 unsigned long arg)
{
	unsigned long pfn = gosalloc_addr_to_pfn((unsigned long)addr), flags;
	struct gosalloc_heap *h = gosalloc_node_heap(page_to_nid(virt_to_page(addr)));
	struct gosalloc_span *s;

	if (arenas_prepare(pfn, pfn + n, gfp))
		return NULL;
	heap_limit_cover((unsigned long)addr + (n << PAGE_SHIFT));
	do {
		span_reserve(h, gfp);
		spin_lock_irqsave(&h->lock, flags);
		s = span_new(h);
		if (s) {
			s->base = (unsigned long)addr;
			s->npages = n;
			s->needzero = !want_init_on_alloc(gfp);
			h->pages_sys += n;
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
 * The order of the chunk node @nid's heap grows by next: about a
 * thirty-second of what the heap holds, from 64 KiB to 1 MiB. The pages
 * of the newest chunk that no span uses yet are the heap's slack; a small
 * heap so wastes little, and a large one still grows by 1 MiB at a time.
 */
static unsigned int chunk_order(int nid)
{
	unsigned long pages = READ_ONCE(gosalloc_node_heap(nid)->pages_sys) /
			      GOSALLOC_HEAP_CHUNK_SHARE;

	if (pages < (1UL << GOSALLOC_HEAP_MIN_CHUNK_ORDER))
		return GOSALLOC_HEAP_MIN_CHUNK_ORDER;
	return min_t(unsigned int, ilog2(pages), GOSALLOC_HEAP_CHUNK_ORDER);
}

/*
 * Grow node @nid's heap by a chunk of at least @npages pages: of
 * chunk_order() if the buddy allocator can give it cheaply on that node,
 * else the smallest order that fits, on another node if the page
 * allocator falls back there (unless @gfp has __GFP_THISNODE). The chunk
 * is split into order-0 pages and guarded before the heap of its node
 * takes it. Called without heap.lock; may sleep if @gfp allows. Return:
 * the node whose heap grew, or -ENOMEM.
 */
static int mheap_grow(unsigned long npages, gfp_t gfp, int nid)
{
	unsigned int need = get_order(npages << PAGE_SHIFT);
	unsigned int order = max_t(unsigned int, need, chunk_order(nid));
	struct page *page = NULL;

	gfp_t try_gfp;

	gfp = page_gfp(gfp);
	/*
	 * The larger orders are a bonus: tried from the free lists only, as
	 * SLUB tries its preferred order, never failing loudly, never
	 * reclaiming or compacting for them, and never with __GFP_NOFAIL,
	 * which would make the page allocator retry (and warn about) an
	 * order it cannot give; and only on node @nid, as SLUB first tries
	 * the node asked for. The order the request needs gets @gfp as is.
	 */
	try_gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC |
		   __GFP_THISNODE) & ~(__GFP_NOFAIL | __GFP_RECLAIM);
	for (; order > need && !page; order--)
		page = alloc_pages_node(nid, try_gfp, order);
	if (page)
		order++;
	else
		page = alloc_pages_node(nid, gfp, need);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	pages_guard(page, 1UL << order);
	if (pages_adopt(page_address(page), 1UL << order, gfp, chunk_place, 0))
		return page_to_nid(page);
	pages_put_guarded(page_to_pfn(page), page_to_pfn(page) + (1UL << order));
	return -ENOMEM;
}

/* A node other than @nid whose heap has a free run of @npages, or -1. */
static int free_run_elsewhere(unsigned long npages, int nid)
{
	struct gosalloc_heap *h;
	unsigned long flags;
	bool found;
	int other;

	for_each_node_state(other, N_MEMORY) {
		if (other == nid)
			continue;
		h = gosalloc_node_heap(other);
		spin_lock_irqsave(&h->lock, flags);
		found = free_run_find(h, npages);
		spin_unlock_irqrestore(&h->lock, flags);
		if (found)
			return other;
	}
	return -1;
}

/*
 * Node @nid's heap has no free run of @npages: find the heap that will,
 * growing one. Where @gfp allows another node, as SLUB does: @nid's
 * memory without reclaim first, then free runs of other nodes, then
 * whatever the page allocator gives, reclaim and fallback included.
 * Return: the node whose heap to try next, or -ENOMEM.
 */
static int heap_refill(unsigned long npages, gfp_t gfp, int nid)
{
	int other;

	if (!gosalloc_numa_on() || (gfp & __GFP_THISNODE))
		return mheap_grow(npages, gfp, nid);
	other = mheap_grow(npages, (gfp & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL)) |
			   __GFP_THISNODE | __GFP_NOWARN, nid);
	if (other >= 0)
		return other;
	other = free_run_elsewhere(npages, nid);
	if (other >= 0)
		return other;
	return mheap_grow(npages, gfp, nid);
}

/* Count large span @s in use; heap.lock held. */
static void large_account(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = span_heap(s);

	list_add(&s->list, &h->large);
	h->large_allocs++;
	h->large_pages += s->npages;
}

/* A large object's own pages: a span in use at once. */
static void direct_place(struct gosalloc_span *s, unsigned long unused)
{
	struct gosalloc_heap *h = span_heap(s);

	s->direct = true;
	gosalloc_central_span_init(s, 0);
	/* Published last, with release: see gosalloc_span_state(). */
	smp_store_release(&s->state, GOSALLOC_SPAN_LARGE);
	span_map(s, true);	/* a pointer into any page finds the object */
	h->pages_inuse += s->npages;
	h->spans_inuse++;
	large_account(s);
}

/*
 * Exactly @npages order-0 pages, as alloc_pages_exact() gives them (the
 * rest of the block freed), on node @nid if it is not NUMA_NO_NODE; with
 * __GFP_ACCOUNT in @gfp the page allocator charges them, and uncharges
 * each as it comes back. Return: their address, or NULL.
 */
static void *pages_exact_node(int nid, unsigned long npages, gfp_t gfp)
{
	unsigned int order = get_order(npages << PAGE_SHIFT);
	struct page *page;
	unsigned long i;

	if (nid == NUMA_NO_NODE)
		return alloc_pages_exact(npages << PAGE_SHIFT, gfp);
	page = alloc_pages_node(nid, gfp, order);
	if (!page)
		return NULL;
	split_page(page, order);
	for (i = npages; i < 1UL << order; i++)
		__free_page(page + i);
	return page_address(page);
}

/**
 * gosalloc_mheap_alloc_direct() - a large span with pages of its own
 * @npages: pages wanted, at most 1 << MAX_PAGE_ORDER
 * @gfp: gfp flags; with __GFP_ACCOUNT the pages are charged to the
 *	 caller's memory cgroup
 * @nid: the node wanted (a node with memory), or NUMA_NO_NODE for any
 *
 * For large objects of GOSALLOC_DIRECT_PAGES pages or more, and charged
 * large objects of any size (malloc.c): exactly @npages pages from the
 * page allocator, guarded as the chunks are, outside the heap's chunks
 * and free lists, given straight back when the object is freed
 * (gosalloc_mheap_free_large()). Such objects then never leave holes in
 * the heap that smaller spans fill, nor hold a chunk's spare pages. The
 * span belongs to the heap of the node the pages lie on.
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, or NULL when memory is short.
 */
struct gosalloc_span *gosalloc_mheap_alloc_direct(unsigned long npages,
						  gfp_t gfp, int nid)
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
	addr = pages_exact_node(nid, npages, gfp);
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
	struct gosalloc_heap *h = span_heap(s);

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
 * @nid: the node wanted (a node with memory), or NUMA_NO_NODE for any
 *
 * The span's pages are its own, outside the heap's chunks, allocated
 * with __GFP_ACCOUNT: the page allocator charges them to the active
 * memory cgroup (the caller makes the cgroup of @m the active one), and
 * uncharges them when gosalloc_mheap_free_charged() gives them back. They
 * lie on @nid unless it ran out and @gfp allows another node (no
 * __GFP_THISNODE); the span belongs to the heap of the node they lie on.
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, in state GOSALLOC_SPAN_MEMCG, or NULL when memory is
 * short or the charge fails (the cgroup is at its limit).
 */
struct gosalloc_span *gosalloc_mheap_alloc_charged(unsigned int cls,
						   struct gosalloc_memcg *m,
						   gfp_t gfp, int nid)
{
	struct charged_span c = { .cls = cls, .memcg = m };
	struct gosalloc_span *s;
	unsigned int npages;
	void *addr;

	gosalloc_central_shape(cls, &npages, NULL, NULL, NULL);
	gfp = page_gfp(gfp);	/* as in gosalloc_mheap_alloc_direct() */
	addr = pages_exact_node(nid, npages, gfp | __GFP_ACCOUNT);
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
 * gosalloc_mheap_alloc_node() - allocate a run of pages on a node
 * @npages: pages wanted, at most 1 << MAX_PAGE_ORDER
 * @state: GOSALLOC_SPAN_SMALL, GOSALLOC_SPAN_LARGE, GOSALLOC_SPAN_TINY
 *	or GOSALLOC_SPAN_CACHE
 * @sizeclass: the size class of a small span
 * @gfp: gfp flags; the heap grows only as they allow
 * @nid: the node wanted (a node with memory), or NUMA_NO_NODE for this
 *	CPU's
 *
 * The run comes from @nid's heap, which grows from the page allocator
 * when it has none long enough. Where that gives pages of another node
 * (@nid is short of memory, and @gfp has no __GFP_THISNODE), the run
 * comes from that node's heap instead, as SLUB then takes a slab of
 * another node: the span's node field says where it lies.
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: the span, its needzero telling whether it may hold old data,
 * or NULL when memory is short.
 */
struct gosalloc_span *gosalloc_mheap_alloc_node(unsigned long npages,
						enum gosalloc_span_state state,
						unsigned int sizeclass,
						gfp_t gfp, int nid)
{
	struct gosalloc_heap *h;
	struct gosalloc_span *s;
	unsigned long flags;

	if (nid == NUMA_NO_NODE)
		nid = gosalloc_local_node();
	for (;;) {
		h = gosalloc_node_heap(nid);
		span_reserve(h, gfp);
		spin_lock_irqsave(&h->lock, flags);
		s = free_run_find(h, npages);
		if (s) {
			s = free_run_carve(s, npages);
			if (s || !(gfp & __GFP_NOFAIL))
				break;
			/* No descriptor for the rest: reserve one, again. */
			spin_unlock_irqrestore(&h->lock, flags);
			continue;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		nid = heap_refill(npages, gfp, nid);
		if (nid < 0)
			return NULL;
	}
	if (s) {
		/* Before the span's init, which writes a tiny span's head. */
		gosalloc_kasan_span(s, false, state);
		gosalloc_central_span_init(s, sizeclass);
		/* Published last: see gosalloc_span_state(). */
		smp_store_release(&s->state, state);
		/* Every page: a pointer into any of them finds the object. */
		span_map(s, true);
		h->pages_inuse += npages;
		h->spans_inuse++;
		if (state == GOSALLOC_SPAN_LARGE)
			large_account(s);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return s;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_alloc_node);

/**
 * gosalloc_mheap_alloc() - allocate a run of pages on this CPU's node
 * @npages: pages wanted, at most 1 << MAX_PAGE_ORDER
 * @state: as for gosalloc_mheap_alloc_node()
 * @sizeclass: the size class of a small span
 * @gfp: gfp flags; the heap grows only as they allow
 *
 * Context: any context @gfp allows; takes heap.lock.
 * Return: as gosalloc_mheap_alloc_node().
 */
struct gosalloc_span *gosalloc_mheap_alloc(unsigned long npages,
					   enum gosalloc_span_state state,
					   unsigned int sizeclass, gfp_t gfp)
{
	return gosalloc_mheap_alloc_node(npages, state, sizeclass, gfp,
					 NUMA_NO_NODE);
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
	struct gosalloc_heap *h = span_heap(s);
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
	struct gosalloc_heap *h = span_heap(s);

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
	gosalloc_kasan_span(s, true, 0);
	free_run_insert(s);
}

/**
 * gosalloc_mheap_free() - give a span in use back to its heap
 * @s: a small span with no object out, or a large span
 *
 * Context: any context; takes heap.lock of the span's node.
 */
void gosalloc_mheap_free(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = span_heap(s);
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	mheap_free_locked(s);
	spin_unlock_irqrestore(&h->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_free);

/* Give direct span @s of heap @h, in use, back to the page allocator. */
static void direct_free(struct gosalloc_heap *h, struct gosalloc_span *s,
			unsigned long flags)
	__releases(&h->lock)
{
	unsigned long kept;

	lockdep_assert_held(&h->lock);
	span_unaccount(s);
	span_give_back(s);
	spin_unlock_irqrestore(&h->lock, flags);
	/* The page allocator applies init_on_free and uncharges itself. */
	kept = pages_put_guarded(gosalloc_addr_to_pfn(s->base),
				 gosalloc_addr_to_pfn(s->base) + s->npages);
	spin_lock_irqsave(&h->lock, flags);
	pages_account_kept(h, kept);
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
 * Context: any context; takes heap.lock of the span's node.
 */
void gosalloc_mheap_free_charged(struct gosalloc_span *s)
{
	struct gosalloc_heap *h = span_heap(s);
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	WRITE_ONCE(s->memcg, NULL);	/* see gosalloc_memcg_free() */
	direct_free(h, s, flags);
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
 * Context: any context; takes heap.lock of the span's node.
 * Return: true if @p was a live large object and is now freed.
 */
bool gosalloc_mheap_free_large(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_heap *h = span_heap(s);
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	if (s->state != GOSALLOC_SPAN_LARGE || s->base != (unsigned long)p) {
		spin_unlock_irqrestore(&h->lock, flags);
		return false;
	}
	if (s->direct) {
		direct_free(h, s, flags);
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
 * gosalloc_mheap_visit_free() - call @fn on every free run of every heap
 * @fn: called with the run's heap.lock held and interrupts off; must not
 *	sleep
 * @arg: passed to @fn
 *
 * Context: process context.
 */
void gosalloc_mheap_visit_free(void (*fn)(const struct gosalloc_span *s,
					  void *arg), void *arg)
{
	struct gosalloc_heap *h;
	struct gosalloc_span *s;
	unsigned long flags;
	unsigned int i;
	int nid;

	for_each_node(nid) {
		h = gosalloc_node_heap(nid);
		spin_lock_irqsave(&h->lock, flags);
		for (i = 0; i < GOSALLOC_HEAP_LISTS; i++)
			list_for_each_entry(s, &h->free[i], list)
				fn(s, arg);
		spin_unlock_irqrestore(&h->lock, flags);
	}
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mheap_visit_free);

/**
 * gosalloc_heap_sum_at() - a heap counter summed over the nodes
 * @offset: the counter's offset in struct gosalloc_heap (an unsigned long)
 *
 * gosalloc_heap_sum() names the counter instead.
 *
 * Context: any context; racy reads, exact at rest.
 * Return: the sum.
 */
unsigned long gosalloc_heap_sum_at(size_t offset)
{
	unsigned long sum = 0;
	int nid;

	for_each_node(nid)
		sum += READ_ONCE(*(unsigned long *)((void *)gosalloc_node_heap(nid) +
						    offset));
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_heap_sum_at);

/* Pages of arena descriptors, for metadata_sys. */
unsigned long gosalloc_mheap_arena_pages(void)
{
	return READ_ONCE(gosalloc_arena_pages);
}

/* Node @nid's heap, empty; when gosalloc loads. */
void gosalloc_mheap_node_init(struct gosalloc_heap *h, int nid)
{
	unsigned int i;

	spin_lock_init(&h->lock);
	h->node = nid;
	for (i = 0; i < GOSALLOC_HEAP_LISTS; i++)
		INIT_LIST_HEAD(&h->free[i]);
	INIT_LIST_HEAD(&h->large);
	gosalloc_fixalloc_init(&h->spanalloc, sizeof(struct gosalloc_span));
}

/* The arena map; after gosalloc_nodes_init(). */
int gosalloc_mheap_init(void)
{
	unsigned long pfns = gosalloc_addr_to_pfn((unsigned long)high_memory - 1) + 1;

	pfns = DIV_ROUND_UP(pfns, GOSALLOC_ARENA_PAGES);
	gosalloc_heap_limit = (unsigned long)high_memory;
	gosalloc_arena_map = arena_map_alloc(pfns, GFP_KERNEL);
	return gosalloc_arena_map ? 0 : -ENOMEM;
}

/*
 * Take free run @s off its heap to give its pages back; heap.lock held.
 * The caller frees the pages without the lock, then disposes of @s
 * (span_dispose(), under the lock).
 */
static void free_run_detach(struct gosalloc_span *s)
{
	lockdep_assert_held(&span_heap(s)->lock);
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

/*
 * Give free runs of heap @h back, up to @max_pages pages of those idle
 * for @min_idle jiffies; release mutex held. Return: the pages detached
 * (*@kept of them stayed allocated, page_put_guarded()).
 */
static unsigned long heap_release(struct gosalloc_heap *h,
				  unsigned long max_pages,
				  unsigned long min_idle, unsigned long *kept)
{
	unsigned long flags, done = 0, nkept = 0;
	struct gosalloc_span *s, *next;
	LIST_HEAD(gone);
	unsigned int i;

	lockdep_assert_held(&gosalloc_release_mutex);
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
		nkept += free_run_release(s);
	spin_lock_irqsave(&h->lock, flags);
	pages_account_kept(h, nkept);
	list_for_each_entry_safe(s, next, &gone, list)
		span_dispose(s);
	spin_unlock_irqrestore(&h->lock, flags);
	*kept = nkept;
	return done;
}

/**
 * gosalloc_mheap_release() - give free runs back to the page allocator
 * @max_pages: stop once this many pages went back
 * @min_idle: only runs free for at least this many jiffies
 *
 * Heap by heap, free runs are detached under heap.lock, their pages
 * freed without it, page by page; a page whose reference count is not
 * the heap's is kept and reported instead (page_put_guarded()). Pages
 * come back to a heap only through new chunks.
 *
 * Context: process context; takes the release mutex, then heap.lock.
 * Return: the pages given back.
 */
unsigned long gosalloc_mheap_release(unsigned long max_pages,
				     unsigned long min_idle)
{
	unsigned long done = 0, kept = 0, node_kept;
	int nid;

	mutex_lock(&gosalloc_release_mutex);
	for_each_node(nid) {
		if (done >= max_pages)
			break;
		done += heap_release(gosalloc_node_heap(nid), max_pages - done,
				     min_idle, &node_kept);
		kept += node_kept;
	}
	mutex_unlock(&gosalloc_release_mutex);
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
	struct gosalloc_arena_map *map, *older;
	unsigned long i, leaked;
	int nid;

	if (!gosalloc_nodes)
		return;
	gosalloc_mheap_release(ULONG_MAX, 0);
	leaked = gosalloc_heap_sum(pages_sys);
	if (leaked)
		pr_warn("%lu pages hold leaked objects and stay allocated\n",
			leaked);
	map = gosalloc_arena_map;
	for (i = 0; map && i < map->nr; i++)
		if (map->arenas[i])
			free_page((unsigned long)map->arenas[i]);
	for (; map; map = older) {	/* older maps share the arenas */
		older = map->older;
		kvfree(map);
	}
	gosalloc_arena_map = NULL;
	for_each_node(nid)
		gosalloc_fixalloc_destroy(&gosalloc_node_heap(nid)->spanalloc);
}
