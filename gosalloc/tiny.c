// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny.c - the tiny allocator, with explicit free; see malloc.c for the
 * overview.
 *
 * Requests of 1 to tiny_max bytes (7 by default, up to 15) are tiny. Each
 * tiny size has spans of its own: one page, holding a short head, two
 * bitmaps with a bit per slot, and slots of exactly that size, back to
 * back from an 8-byte aligned start. An object is thus aligned by its
 * size's low bits (8 if size % 8 == 0, 4 if size % 4 == 0, else 2 or 1),
 * as Go aligns tiny objects, and gosalloc_size() is its exact size: the
 * size of its span. Documentation/tiny.rst compares this layout with the
 * 16-byte blocks gosalloc packed tiny objects into before.
 *
 * The alloc bitmap says which slots are taken. Each CPU has one span per
 * size that it *owns* (gosalloc_tiny_cpu): only that CPU changes the
 * span's alloc bitmap, with plain loads and stores, holding its cache
 * (gosalloc_mcache_hold(): preemption off, interrupts on) on the fast
 * paths and with interrupts off on the slow ones. Allocating takes the
 * lowest free slot of the first word that has one; freeing an object of
 * a span this CPU owns clears its bit. Neither takes a lock, disables
 * interrupts or uses an atomic instruction.
 *
 * Any other free is *remote* (mimalloc's thread free): if the span has an
 * owner, the free sets the object's bit in the second, remote-free
 * bitmap with one atomic test-and-set, and the owner folds those bits
 * into its alloc bitmap when it runs out of free slots. If the span has
 * no owner, its alloc bitmap belongs to the tiny lock of the span's node
 * (the lock of that node's tiny central list), and the free clears the
 * bit there under that lock. Code that interrupts a holder of its CPU's
 * cache frees remotely and allocates from a span with no owner, under
 * the lock.
 *
 * Each node has its own tiny spans (node.h): a tiny lock, and a partial
 * list per size, holding spans of that node's heap only. A CPU whose span
 * is full gives it up and takes a span with free slots from its size's
 * partial list of the node its caches serve, or a new one from that
 * node's heap; draining a CPU's cache gives up all its spans. A span
 * nobody owns is on its size's partial list of its node when it has free
 * slots; an empty one goes back to the heap unless it is the only one on
 * the list (gosalloc_tiny_trim() returns that one too). A CPU owns a span
 * of another node only when its own node ran out of memory and the heap
 * gave a span of another; gosalloc_tiny_alloc_node() serves another
 * node's tiny objects from that node's spans that no CPU owns, under its
 * tiny lock.
 *
 * Counts. The owner keeps no count of the objects in its span: its fast
 * paths touch the span's bitmap word and nothing else of the page. A
 * span's count (used) is kept by the tiny lock while nobody owns the
 * span, and the owner that gives it up counts its alloc bits afresh.
 *
 * Lifetime. A remote free never touches the span again once its bit is
 * set: the span may be emptied and freed from then on. Before that, the
 * object is live in the alloc bitmap, which keeps the span in use. A
 * remote bit may thus arrive after the owner gave the span up; it stays
 * until the next owner, the next allocation or free under the lock, or a
 * trim folds it in, and the span keeps counting the object as taken meanwhile.
 *
 * Double frees. An object is live when its alloc bit is set and its
 * remote bit clear; a free, or gosalloc_size(), of anything else is
 * refused. Two frees of one object racing on two CPUs are caught by the
 * atomic test-and-set when both are remote; otherwise they are caught
 * unless the span is given back between them.
 *
 * Memory: for 4-byte objects a page holds 958 of them and 240 bytes of
 * bitmaps (4.28 bytes per object); for 1-byte objects, 3256 (1.26).
 */
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

unsigned int gosalloc_tiny_max __read_mostly = GOSALLOC_TINY_MAX_DEFAULT;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_max);

/*
 * The largest tiny_max: 15, or 0 in kernel mode (kmalloc.c), where any
 * allocation may be a kmalloc and kmalloc promises alignment that the
 * slots of exact sizes do not have.
 */
static unsigned int tiny_max_limit(void)
{
	return gosalloc_kmalloc_active() ? 0 : GOSALLOC_TINY_SIZE - 1;
}

static int tiny_max_param_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, tiny_max_limit());
}

static const struct kernel_param_ops tiny_max_param_ops = {
	.set = tiny_max_param_set,
	.get = param_get_uint,
};

module_param_cb(tiny_max, &tiny_max_param_ops, &gosalloc_tiny_max, 0644);
MODULE_PARM_DESC(tiny_max, "allocate requests of 1 to this many bytes from spans of their exact size, 0 to 15 (default: 7)");

/*
 * The head of a tiny span's page, followed by its bitmaps: nwords words
 * of alloc bits, then nwords words of remote-free bits. Slots start at
 * offset slots.
 */
struct gosalloc_tiny_page {
	/*
	 * Object size. 0 while the span is being made: written with release
	 * once the rest is set, read with acquire without a lock.
	 */
	u8 size;
	bool queued;		/* on its node's partial list: tiny lock */
	u16 nwords;		/* words per bitmap */
	u16 slots;		/* offset of slot 0 */
	u16 nslots;
	u16 used;		/* alloc bits set, while unowned: tiny lock */
	u16 node;		/* of the span: constant */
	u32 magic;		/* offset to slot: tiny_slot_of() */
	/* CPU + 1 that owns the span, or 0: written under tiny lock. */
	int owner;
	unsigned long bits[];	/* alloc: its owner, else tiny lock;
				 * remote-free: atomic
				 */
};

#define TINY_MAGIC_SHIFT	31

/*
 * The tiny central list of node @nid: its lock is the node's tiny lock,
 * nspans counts the node's tiny spans.
 */
static struct gosalloc_central *tiny_central(int nid)
{
	return gosalloc_central_of(nid, GOSALLOC_TINY_CLASS);
}

/* Spans of node @nid nobody owns with free slots of @size: tiny lock. */
static struct list_head *tiny_partial(int nid, unsigned int size)
{
	return &gosalloc_node(nid)->tiny_partial[size];
}

/**
 * gosalloc_tiny_node_init() - a node's tiny partial lists, empty
 * @partial: GOSALLOC_TINY_SIZE lists, one per size (index 0 unused)
 *
 * Context: at load.
 */
void gosalloc_tiny_node_init(struct list_head *partial)
{
	unsigned int i;

	for (i = 0; i < GOSALLOC_TINY_SIZE; i++)
		INIT_LIST_HEAD(&partial[i]);
}

static unsigned long *tiny_remote(struct gosalloc_tiny_page *h)
{
	return h->bits + h->nwords;
}

static struct gosalloc_span *tiny_span(struct gosalloc_tiny_page *h)
{
	return gosalloc_span_lookup(h);
}

static struct gosalloc_tiny_page *span_page(struct gosalloc_span *s)
{
	return (struct gosalloc_tiny_page *)s->base;
}

/* Where slot 0 starts in a span of @nslots slots. */
static unsigned int tiny_slots_start(unsigned int nslots)
{
	return ALIGN(sizeof(struct gosalloc_tiny_page) +
		     2 * BITS_TO_LONGS(nslots) * sizeof(long), 8);
}

/**
 * gosalloc_tiny_slots() - objects of one tiny size a span holds
 * @size: 1 to GOSALLOC_TINY_SIZE - 1
 *
 * Context: any context.
 * Return: the most slots of @size bytes that fit in a page with the head
 * and two bits per slot.
 */
unsigned int gosalloc_tiny_slots(size_t size)
{
	unsigned int n = PAGE_SIZE * 4 / (4 * size + 1);

	while (tiny_slots_start(n) + n * size > PAGE_SIZE)
		n--;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_slots);

/*
 * A new span: no object live in it until its size is published, so that
 * a stale pointer into a page that held other data finds no object.
 * Context: heap.lock held, before the span is published.
 */
void gosalloc_tiny_span_clear(struct gosalloc_span *s)
{
	WRITE_ONCE(span_page(s)->size, 0);
}

/* Set up the page of a new span of node @nid for objects of @size bytes. */
static void tiny_page_init(struct gosalloc_tiny_page *h, unsigned int size,
			   int nid)
{
	unsigned int n = gosalloc_tiny_slots(size);
	unsigned int tail = n % BITS_PER_LONG;

	h->node = nid;
	h->nslots = n;
	h->nwords = BITS_TO_LONGS(n);
	h->slots = tiny_slots_start(n);
	h->magic = DIV_ROUND_UP(1UL << TINY_MAGIC_SHIFT, size);
	h->used = 0;
	h->owner = 0;
	h->queued = false;
	memset(h->bits, 0, 2 * h->nwords * sizeof(long));
	/* The bits past the last slot read as taken: never handed out. */
	if (tail)
		h->bits[h->nwords - 1] = ~0UL << tail;
	/* Pairs with the acquire in gosalloc_tiny_free() and _size(). */
	smp_store_release(&h->size, size);
}

/*
 * A new span of @size-byte slots from node @nid's heap (NUMA_NO_NODE:
 * this CPU's node), owned by nobody and on no list; it lies on another
 * node if @nid's memory ran out and @gfp allows it.
 */
static struct gosalloc_tiny_page *tiny_page_new(unsigned int size, gfp_t gfp,
						int nid)
{
	struct gosalloc_span *s;

	s = gosalloc_mheap_alloc_node(1, GOSALLOC_SPAN_TINY,
				      GOSALLOC_TINY_CLASS, gfp, nid);
	if (!s)
		return NULL;
	tiny_page_init(span_page(s), size, s->node);
	return span_page(s);
}

/* The slot at offset @off from slot 0, if @off is below nslots * size. */
static __always_inline unsigned int tiny_slot_of(struct gosalloc_tiny_page *h,
						 unsigned long off)
{
	return ((u64)off * h->magic) >> TINY_MAGIC_SHIFT;
}

/* The first word of @h's alloc bitmap from @w on with a free slot. */
static unsigned int tiny_find_word(struct gosalloc_tiny_page *h,
				   unsigned int w)
{
	while (w < h->nwords && !~h->bits[w])
		w++;
	return w;
}

/*
 * Take the lowest free slot of word @w, whose bits are @bits (not all
 * set), leaving @h's count alone: @h's owner, or tiny lock. Return: the
 * object.
 */
static __always_inline void *tiny_take(struct gosalloc_tiny_page *h,
				       unsigned int w, unsigned long bits,
				       unsigned int size)
{
	unsigned int slot = w * BITS_PER_LONG + ffz(bits);

	WRITE_ONCE(h->bits[w], bits | (bits + 1));
	return (void *)h + h->slots + slot * size;
}

/* The slots of @h its alloc bitmap holds taken: @h's owner, or tiny lock. */
static unsigned int tiny_count(struct gosalloc_tiny_page *h)
{
	unsigned int w, n = 0;

	for (w = 0; w < h->nwords; w++)
		n += hweight_long(h->bits[w]);
	/* Less the bits past the last slot, set for good. */
	return n - (h->nwords * BITS_PER_LONG - h->nslots);
}

/*
 * Fold the remote frees of @h into its alloc bitmap, leaving its count to
 * the caller: @h's owner, or tiny lock when it has none. Return: the
 * objects freed so.
 */
static unsigned int tiny_collect(struct gosalloc_tiny_page *h)
{
	unsigned long *remote = tiny_remote(h), x;
	unsigned int w, n = 0;

	for (w = 0; w < h->nwords; w++) {
		if (!READ_ONCE(remote[w]))
			continue;
		x = xchg(&remote[w], 0);
		WRITE_ONCE(h->bits[w], h->bits[w] & ~x);
		n += hweight_long(x);
	}
	return n;
}

/* Is a span other than @h on @h's partial list? tiny lock held. */
static bool tiny_has_other(struct gosalloc_tiny_page *h)
{
	struct list_head *partial = tiny_partial(h->node, h->size);

	return !list_empty(partial) &&
	       !(h->queued && list_is_singular(partial));
}

static void tiny_unqueue(struct gosalloc_tiny_page *h)
{
	list_del(&tiny_span(h)->list);
	h->queued = false;
}

/*
 * Put @h, owned by nobody, where its count says: off the partial list
 * when full, on @empty when empty and another span has room, else on the
 * partial list. The tiny lock of @h's node held.
 */
static void tiny_settle(struct gosalloc_tiny_page *h, struct list_head *empty)
{
	struct gosalloc_central *tc = tiny_central(h->node);

	lockdep_assert_held(&tc->lock);
	if (h->used == h->nslots) {
		if (h->queued)
			tiny_unqueue(h);
	} else if (!h->used && tiny_has_other(h)) {
		if (h->queued)
			tiny_unqueue(h);
		list_add(&tiny_span(h)->list, empty);
		tc->nspans--;
	} else if (!h->queued) {
		list_add(&tiny_span(h)->list, tiny_partial(h->node, h->size));
		h->queued = true;
	}
}

/* Give the spans on @empty back to the heap; no lock held. */
static void tiny_free_spans(struct list_head *empty)
{
	struct gosalloc_span *s, *next;

	list_for_each_entry_safe(s, next, empty, list)
		gosalloc_mheap_free(s);
}

/*
 * @h, just made, joins the tiny spans of its node, owned by nobody; that
 * node's tiny lock held.
 */
static void tiny_adopt(struct gosalloc_tiny_page *h, struct list_head *empty)
{
	tiny_central(h->node)->nspans++;
	tiny_settle(h, empty);
}

/* Its owner gives @h up; the tiny lock of @h's node held. */
static void tiny_disown(struct gosalloc_tiny_page *h, struct list_head *empty)
{
	WRITE_ONCE(h->owner, 0);
	tiny_collect(h);
	h->used = tiny_count(h);
	tiny_settle(h, empty);
}

/* Counters: the holder's, plain (mcache.h); others' with this_cpu ops. */
static void tiny_count_alloc(struct gosalloc_mcache *c, size_t size)
{
	c->tiny[size].mallocs++;
	c->tiny_refills++;
}

/* Add @h, just made, to the spans nobody owns. */
static void tiny_place(struct gosalloc_tiny_page *h)
{
	struct gosalloc_central *tc = tiny_central(h->node);
	unsigned long irqflags;
	LIST_HEAD(empty);

	spin_lock_irqsave(&tc->lock, irqflags);
	tiny_adopt(h, &empty);
	spin_unlock_irqrestore(&tc->lock, irqflags);
	tiny_free_spans(&empty);
}

/*
 * The first span on node @nid's partial list of @size, or NULL; that
 * node's tiny lock held.
 */
static struct gosalloc_tiny_page *tiny_first_partial(int nid, unsigned int size)
{
	struct gosalloc_span *s;

	s = list_first_entry_or_null(tiny_partial(nid, size),
				     struct gosalloc_span, list);
	return s ? span_page(s) : NULL;
}

/*
 * Take an object of @h, a span nobody owns with a free slot, and put @h
 * where its count then says; the tiny lock of @h's node held.
 */
static void *tiny_take_unowned(struct gosalloc_tiny_page *h, unsigned int size,
			       struct list_head *empty)
{
	unsigned int w;
	void *obj;

	h->used -= tiny_collect(h);
	w = tiny_find_word(h, 0);
	obj = tiny_take(h, w, h->bits[w], size);
	h->used++;
	tiny_settle(h, empty);
	return obj;
}

/*
 * Allocate from a span of node @nid (NUMA_NO_NODE: this CPU's) that nobody
 * owns, under that node's tiny lock: for code that interrupted a holder
 * of its CPU's cache, and for another node's objects. @fresh, if not
 * NULL, is a new span to use if the node has none with a free slot; one
 * is made if need be, and used even if it lies on another node (@nid ran
 * out of memory). Return: the object, or NULL.
 */
static void *tiny_alloc_unowned(unsigned int size, gfp_t flags, int nid,
				struct gosalloc_tiny_page *fresh)
{
	struct gosalloc_tiny_page *h;
	struct gosalloc_central *tc;
	unsigned long irqflags;
	LIST_HEAD(empty);
	void *obj = NULL;

	if (nid == NUMA_NO_NODE)
		nid = gosalloc_local_node();
	tc = tiny_central(nid);
	spin_lock_irqsave(&tc->lock, irqflags);
	h = tiny_first_partial(nid, size);
	if (h)
		obj = tiny_take_unowned(h, size, &empty);
	spin_unlock_irqrestore(&tc->lock, irqflags);
	if (!obj) {
		if (!fresh)
			fresh = tiny_page_new(size, flags, nid);
		if (!fresh)
			return NULL;
		tc = tiny_central(fresh->node);
		spin_lock_irqsave(&tc->lock, irqflags);
		tc->nspans++;	/* joins its node's spans, not empty */
		obj = tiny_take_unowned(fresh, size, &empty);
		spin_unlock_irqrestore(&tc->lock, irqflags);
		fresh = NULL;
	}
	tiny_free_spans(&empty);
	if (fresh)	/* not needed after all: keep it for later */
		tiny_place(fresh);
	this_cpu_inc(gosalloc_mcache->tiny_other_mallocs);
	this_cpu_add(gosalloc_mcache->tiny_other_bytes, size);
	return obj;
}

/*
 * Its owner gives @h up, taking the tiny lock of @h's node; interrupts
 * off, no tiny lock held.
 */
static void tiny_give_up(struct gosalloc_tiny_page *h, struct list_head *empty)
{
	struct gosalloc_central *tc = tiny_central(h->node);

	spin_lock(&tc->lock);
	tiny_disown(h, empty);
	spin_unlock(&tc->lock);
}

/*
 * Own @h, a span just made on no list, for this CPU; takes the tiny lock
 * of its node.
 */
static void tiny_own_fresh(struct gosalloc_tiny_page *h)
{
	struct gosalloc_central *tc = tiny_central(h->node);

	spin_lock(&tc->lock);
	tc->nspans++;
	WRITE_ONCE(h->owner, smp_processor_id() + 1);
	spin_unlock(&tc->lock);
}

/*
 * Give up this CPU's span of @t, if any, and own one from the partial
 * list of the node this CPU's caches serve, or @fresh if that list is
 * empty (then *@fresh becomes NULL). Interrupts off, no holder. Return:
 * the span now owned, or NULL.
 */
static struct gosalloc_tiny_page *tiny_switch(struct gosalloc_tiny_cpu *t,
					      unsigned int size,
					      struct gosalloc_tiny_page **fresh)
{
	struct gosalloc_tiny_page *h, *old = t->page;
	int nid = gosalloc_local_node();
	struct gosalloc_central *tc = tiny_central(nid);
	LIST_HEAD(empty);

	t->page = NULL;
	if (old && old->node != nid) {	/* one tiny lock at a time */
		tiny_give_up(old, &empty);
		old = NULL;
	}
	spin_lock(&tc->lock);
	if (old)
		tiny_disown(old, &empty);
	h = tiny_first_partial(nid, size);
	if (h) {
		tiny_unqueue(h);
		WRITE_ONCE(h->owner, smp_processor_id() + 1);
	}
	spin_unlock(&tc->lock);
	if (!h && *fresh) {
		h = *fresh;
		*fresh = NULL;
		tiny_own_fresh(h);
	}
	tiny_free_spans(&empty);
	if (h) {
		tiny_collect(h);
		t->page = h;
		t->word = 0;
	}
	return h;
}

/* Point @t at a word with a free slot in its span. Return: false if none. */
static bool tiny_find_room(struct gosalloc_tiny_cpu *t)
{
	struct gosalloc_tiny_page *h = t->page;
	unsigned int w = tiny_find_word(h, t->word);

	if (w == h->nwords && tiny_collect(h))
		w = tiny_find_word(h, 0);
	if (w == h->nwords)
		return false;
	t->word = w;
	return true;
}

/*
 * Allocate from this CPU's span of @size bytes, switching spans if it is
 * full. Interrupts off, no holder. Return: the object, or NULL when a new
 * span is needed and *@fresh is NULL.
 */
static void *tiny_refill(struct gosalloc_mcache *c, unsigned int size,
			 struct gosalloc_tiny_page **fresh)
{
	struct gosalloc_tiny_cpu *t = &c->tiny[size];
	struct gosalloc_tiny_page *h = t->page;

	lockdep_assert_irqs_disabled();
	if (!h || !tiny_find_room(t)) {
		h = tiny_switch(t, size, fresh);
		if (!h || !tiny_find_room(t))
			return NULL;
	}
	tiny_count_alloc(c, size);
	return tiny_take(h, t->word, h->bits[t->word], size);
}

/* As tiny_alloc_slow(), not zeroed. */
static void *tiny_alloc_refill(unsigned int size, gfp_t flags)
{
	struct gosalloc_tiny_page *fresh = NULL;
	struct gosalloc_mcache *c;
	unsigned long irqflags;
	void *obj;

	for (;;) {
		local_irq_save(irqflags);
		c = this_cpu_ptr(gosalloc_mcache);
		if (unlikely(READ_ONCE(c->held))) {
			local_irq_restore(irqflags);
			return tiny_alloc_unowned(size, flags, NUMA_NO_NODE,
						  fresh);
		}
		obj = tiny_refill(c, size, &fresh);
		local_irq_restore(irqflags);
		if (obj)
			break;
		fresh = tiny_page_new(size, flags, NUMA_NO_NODE);
		if (!fresh)
			return NULL;
	}
	if (fresh)	/* room was found meanwhile: keep it for later */
		tiny_place(fresh);
	return obj;
}

/*
 * Zero @size bytes at @p, 1 to 15, with two stores of a constant size that
 * may overlap: inline, where memset() of a variable size is a call.
 */
static __always_inline void tiny_zero(void *p, size_t size)
{
	if (size >= 8) {
		__builtin_memset(p, 0, 8);
		__builtin_memset(p + size - 8, 0, 8);
	} else if (size >= 4) {
		__builtin_memset(p, 0, 4);
		__builtin_memset(p + size - 4, 0, 4);
	} else if (size >= 2) {
		__builtin_memset(p, 0, 2);
		__builtin_memset(p + size - 2, 0, 2);
	} else {
		*(u8 *)p = 0;
	}
}

/* Zero tiny object @obj of @size bytes if @flags or the policy want it. */
static __always_inline void *tiny_init(void *obj, size_t size, gfp_t flags)
{
	if (want_init_on_alloc(flags) && likely(obj))
		tiny_zero(obj, size);
	return obj;
}

/*
 * The slow path of gosalloc_tiny_alloc(), zeroing included: out of line,
 * a tail call, so that nothing of the fast path lives across a call.
 */
static noinline void *tiny_alloc_slow(size_t size, gfp_t flags)
{
	return tiny_init(tiny_alloc_refill(size, flags), size, flags);
}

/**
 * gosalloc_tiny_alloc() - allocate 1 to 15 bytes
 * @size: bytes wanted
 * @flags: gfp flags
 *
 * Context: any context @flags allow.
 * Return: the object, aligned by the low bits of @size and zeroed when
 * @flags or the init_on_alloc policy want it; NULL when memory is short.
 */
void *gosalloc_tiny_alloc(size_t size, gfp_t flags)
{
	struct gosalloc_mcache *c = gosalloc_mcache_hold();
	struct gosalloc_tiny_page *h;
	unsigned long bits;
	unsigned int w;
	void *obj;

	/* Without @c we interrupted a holder: the slow path sees it too. */
	if (unlikely(!c))
		return tiny_alloc_slow(size, flags);
	h = c->tiny[size].page;
	if (unlikely(!h))
		goto slow;
	w = c->tiny[size].word;
	bits = h->bits[w];
	if (unlikely(!~bits))
		goto slow;
	obj = tiny_take(h, w, bits, size);
	c->tiny[size].mallocs++;
	gosalloc_mcache_unhold(c);
	return tiny_init(obj, size, flags);
slow:
	gosalloc_mcache_unhold(c);
	return tiny_alloc_slow(size, flags);
}

/**
 * gosalloc_tiny_alloc_node() - allocate 1 to 15 bytes on a node
 * @size: bytes wanted
 * @flags: gfp flags; __GFP_THISNODE allows no other node than @nid
 * @nid: a node with memory, usually not the one this CPU's caches serve
 *
 * From a span of @nid that no CPU owns, under @nid's tiny lock, or from
 * a new span of @nid's heap (of another node's if @nid's memory ran out
 * and @flags allow it). The object is a tiny one like any other: freed,
 * sized and checked by its span.
 *
 * Context: any context @flags allow.
 * Return: as gosalloc_tiny_alloc().
 */
void *gosalloc_tiny_alloc_node(size_t size, gfp_t flags, int nid)
{
	return tiny_init(tiny_alloc_unowned(size, flags, nid, NULL), size,
			 flags);
}

/*
 * The slot of tiny object @p in @h, whose objects are @size bytes, or -1
 * if @p is not the start of a slot.
 */
static __always_inline int tiny_slot(struct gosalloc_tiny_page *h,
				     const void *p, unsigned long size)
{
	unsigned long off = (unsigned long)(p - (void *)h) - h->slots;
	unsigned int slot;

	if (unlikely(!size || off >= (unsigned long)h->nslots * size))
		return -1;
	slot = tiny_slot_of(h, off);
	return slot * size == off ? slot : -1;
}

/* Is the object in @slot of @h live? Racy unless @h is ours. */
static __always_inline bool tiny_live(struct gosalloc_tiny_page *h,
				      unsigned int slot)
{
	unsigned int w = BIT_WORD(slot);
	unsigned long bit = BIT_MASK(slot);

	return (READ_ONCE(h->bits[w]) & bit) &&
	       !(READ_ONCE(tiny_remote(h)[w]) & bit);
}

/**
 * gosalloc_tiny_size() - size of a tiny object
 * @s: its span, a tiny one
 * @p: the object
 *
 * Context: any context.
 * Return: its size (its span's), or 0 if @p is not a live tiny object.
 */
size_t gosalloc_tiny_size(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_tiny_page *h = span_page(s);
	/* Pairs with the release in tiny_page_init(). */
	unsigned int size = smp_load_acquire(&h->size);
	int slot = tiny_slot(h, p, size);

	return slot >= 0 && tiny_live(h, slot) ? size : 0;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_size);

/*
 * Free the object in @slot of @h, a span of node @nid that nobody owned
 * when we looked, under that node's tiny lock. @nid comes from the span
 * descriptor, which stays valid whatever became of the page meanwhile.
 * Return: 1 if freed, 0 if the object is not live, -1 if the span has an
 * owner by now.
 */
static int tiny_free_unowned(struct gosalloc_tiny_page *h, int nid, void *p,
			     unsigned int slot, unsigned int size)
{
	struct gosalloc_central *tc = tiny_central(nid);
	unsigned int w = BIT_WORD(slot);
	unsigned long irqflags;
	LIST_HEAD(empty);
	int ret = -1;

	spin_lock_irqsave(&tc->lock, irqflags);
	if (!h->owner) {
		h->used -= tiny_collect(h);
		ret = !!(h->bits[w] & BIT_MASK(slot));
	}
	if (ret > 0) {
		if (want_init_on_free())
			memset(p, 0, size);
		WRITE_ONCE(h->bits[w], h->bits[w] & ~BIT_MASK(slot));
		h->used--;
		tiny_settle(h, &empty);
	}
	spin_unlock_irqrestore(&tc->lock, irqflags);
	tiny_free_spans(&empty);
	return ret;
}

/*
 * Free the object in @slot of @h, the page of span @s, which this CPU
 * does not own (or whose owner we interrupted). Return: false if the
 * object is not live.
 */
static noinline bool tiny_free_remote(struct gosalloc_span *s,
				      struct gosalloc_tiny_page *h, void *p,
				      unsigned int slot, unsigned int size)
{
	int ret = -1;

	if (!tiny_live(h, slot))
		return false;
	if (!READ_ONCE(h->owner))
		ret = tiny_free_unowned(h, s->node, p, slot, size);
	if (!ret)
		return false;
	if (ret < 0) {
		/* Its owner folds the bit in; the span may go once it is set. */
		if (want_init_on_free())
			memset(p, 0, size);
		if (test_and_set_bit(slot, tiny_remote(h)))
			return false;	/* lost a race with another free */
	}
	this_cpu_inc(gosalloc_mcache->tiny_other_frees);
	this_cpu_sub(gosalloc_mcache->tiny_other_bytes, size);
	return true;
}

/* Free the object in @slot of @h, a span of ours; we hold cache @c. */
static __always_inline bool tiny_free_local(struct gosalloc_mcache *c,
					    struct gosalloc_tiny_page *h,
					    void *p, unsigned int slot,
					    unsigned long size)
{
	unsigned int w = BIT_WORD(slot);
	unsigned long bit = BIT_MASK(slot), bits = h->bits[w];

	if (unlikely(!(bits & bit) || (READ_ONCE(tiny_remote(h)[w]) & bit)))
		return false;
	if (want_init_on_free())
		tiny_zero(p, size);
	WRITE_ONCE(h->bits[w], bits & ~bit);
	if (w < c->tiny[size].word)
		c->tiny[size].word = w;
	c->tiny[size].frees++;
	return true;
}

/*
 * Free the object @p in @slot of @h if @h is the span this CPU owns for
 * its size. Return: 1 if freed, 0 if @p is not live, -1 if @h is not
 * ours or we interrupted a holder of our cache.
 */
static __always_inline int tiny_free_owned(struct gosalloc_tiny_page *h,
					   const void *p, unsigned int slot,
					   unsigned long size)
{
	struct gosalloc_mcache *c = gosalloc_mcache_hold();
	int ret = -1;

	if (unlikely(!c))
		return -1;
	if (likely(c->tiny[size].page == h))
		ret = tiny_free_local(c, h, (void *)p, slot, size);
	gosalloc_mcache_unhold(c);
	return ret;
}

/* As gosalloc_tiny_free(). */
static __always_inline bool tiny_free(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_tiny_page *h = span_page(s);
	/* Pairs with the release in tiny_page_init(). */
	unsigned long size = smp_load_acquire(&h->size);
	int slot = tiny_slot(h, p, size);
	int ret;

	if (unlikely(slot < 0))
		return false;
	ret = tiny_free_owned(h, p, slot, size);
	if (likely(ret >= 0))
		return ret;
	return tiny_free_remote(s, h, (void *)p, slot, size);
}

/**
 * gosalloc_tiny_free() - free a tiny object
 * @s: its span, a tiny one
 * @p: the object
 *
 * Context: any context.
 * Return: false if @p is not a live tiny object (nothing is changed).
 */
bool gosalloc_tiny_free(struct gosalloc_span *s, const void *p)
{
	return tiny_free(s, p);
}

/*
 * A tiny free that is not into a span this CPU owns, or a report: the
 * slow half of gosalloc_tiny_free_checked(), which passes no span, so
 * that its fast path keeps fewer values live.
 */
static noinline void tiny_free_other_checked(const void *p,
					     unsigned long caller)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);

	if (unlikely(!tiny_free(s, p)))
		gosalloc_tiny_report(s, p, caller);
}

/**
 * gosalloc_tiny_free_checked() - free a tiny object, or report it
 * @s: its span, a tiny one
 * @p: the object
 * @caller: the free's caller, for the report
 *
 * The free fast path's tail call: anything but a live tiny object is
 * reported (gosalloc_tiny_report()) and left alone.
 *
 * Context: any context.
 */
void gosalloc_tiny_free_checked(struct gosalloc_span *s, const void *p,
				unsigned long caller)
{
	struct gosalloc_tiny_page *h = span_page(s);
	/* Pairs with the release in tiny_page_init(). */
	unsigned long size = smp_load_acquire(&h->size);
	int slot = tiny_slot(h, p, size);

	if (likely(slot >= 0 && tiny_free_owned(h, p, slot, size) > 0))
		return;
	tiny_free_other_checked(p, caller);	/* a tail call */
}

/**
 * gosalloc_tiny_report() - report a pointer into a tiny span
 * @s: the span, a tiny one
 * @p: a pointer that is not a live object of @s
 * @caller: who passed it
 *
 * As for the size classes: the start of a slot that holds no object is a
 * double free (a slot never handed out included), anything else (the
 * middle of a slot, the head, the bitmaps, the page's tail) is invalid.
 *
 * Context: any context.
 */
void gosalloc_tiny_report(struct gosalloc_span *s, const void *p,
			  unsigned long caller)
{
	struct gosalloc_tiny_page *h = span_page(s);
	/* Pairs with the release in tiny_page_init(). */
	unsigned int size = smp_load_acquire(&h->size);

	gosalloc_bad_pointer(p, caller, tiny_slot(h, p, size) >= 0 ?
			     GOSALLOC_DOUBLE_FREES : GOSALLOC_INVALID_FREES);
}

/**
 * gosalloc_tiny_drain() - give up every tiny span a CPU owns
 * @cpu: the current CPU with interrupts off, or one that is offline
 *
 * Nothing changes if this interrupted a holder of the CPU's cache.
 *
 * Context: interrupts off; takes the tiny lock of each span's node, then
 * heap.lock with the tiny locks released.
 */
void gosalloc_tiny_drain(unsigned int cpu)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	unsigned int size;
	LIST_HEAD(empty);

	lockdep_assert_irqs_disabled();
	if (READ_ONCE(c->held))
		return;
	for (size = 1; size < GOSALLOC_TINY_SIZE; size++) {
		if (!c->tiny[size].page)
			continue;
		tiny_give_up(c->tiny[size].page, &empty);
		c->tiny[size].page = NULL;
	}
	tiny_free_spans(&empty);
}

/* Move node @nid's spans nobody owns and with no object to @empty. */
static void tiny_trim_node(int nid, struct list_head *empty)
{
	struct gosalloc_central *tc = tiny_central(nid);
	struct gosalloc_span *s, *next;
	struct gosalloc_tiny_page *h;
	unsigned long irqflags;
	unsigned int size;

	spin_lock_irqsave(&tc->lock, irqflags);
	for (size = 1; size < GOSALLOC_TINY_SIZE; size++) {
		list_for_each_entry_safe(s, next, tiny_partial(nid, size), list) {
			h = span_page(s);
			h->used -= tiny_collect(h);
			if (h->used)
				continue;
			tiny_unqueue(h);
			list_add(&s->list, empty);
			tc->nspans--;
		}
	}
	spin_unlock_irqrestore(&tc->lock, irqflags);
}

/**
 * gosalloc_tiny_trim() - give every tiny span with no object back
 *
 * Spans some CPU owns stay; drain the CPUs first to return those too.
 *
 * Context: any context; takes each node's tiny lock, then heap.lock with
 * the tiny locks released.
 */
void gosalloc_tiny_trim(void)
{
	LIST_HEAD(empty);
	int nid;

	for_each_node(nid)
		tiny_trim_node(nid, &empty);
	tiny_free_spans(&empty);
}

/* Does @cpu own a tiny span? Racy. */
bool gosalloc_tiny_holds(unsigned int cpu)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	unsigned int size;

	for (size = 1; size < GOSALLOC_TINY_SIZE; size++)
		if (READ_ONCE(c->tiny[size].page))
			return true;
	return false;
}

/**
 * gosalloc_tiny_counts() - the tiny allocator's counts on one CPU
 * @cpu: a possible CPU
 * @tc: filled in
 *
 * Context: any context; racy reads, exact at rest.
 */
void gosalloc_tiny_counts(unsigned int cpu, struct gosalloc_tiny_counts *tc)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	unsigned long mallocs = 0, frees = 0, m, f;
	unsigned int size;
	long bytes = 0;

	for (size = 1; size < GOSALLOC_TINY_SIZE; size++) {
		m = READ_ONCE(c->tiny[size].mallocs);
		f = READ_ONCE(c->tiny[size].frees);
		mallocs += m;
		frees += f;
		bytes += (long)(m - f) * size;
	}
	tc->mallocs = mallocs + READ_ONCE(c->tiny_other_mallocs);
	tc->frees = frees + READ_ONCE(c->tiny_other_frees);
	tc->fast = mallocs - READ_ONCE(c->tiny_refills);
	tc->bytes = bytes + READ_ONCE(c->tiny_other_bytes);
}

/* Is @p a live tiny object? For tests. */
bool gosalloc_tiny_is_live(const void *p)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);

	return s && gosalloc_span_state(s) == GOSALLOC_SPAN_TINY &&
	       gosalloc_tiny_size(s, p);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_is_live);

/**
 * gosalloc_tiny_set_max() - serve requests of 1 to @max bytes from now on
 * @max: 0 (no tiny objects) to 15, clamped (to 0 in kernel mode)
 *
 * For tests and the benchmark; tiny objects already allocated stay valid.
 *
 * Context: any context.
 * Return: the previous limit.
 */
unsigned int gosalloc_tiny_set_max(unsigned int max)
{
	return xchg(&gosalloc_tiny_max, min(max, tiny_max_limit()));
}
EXPORT_SYMBOL_NS_GPL(gosalloc_tiny_set_max, GOSALLOC_INTERNAL);
