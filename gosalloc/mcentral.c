// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcentral.c - per-size-class central lists (MCentral); see malloc.c for
 * the overview.
 *
 * Each node has, per class, one lock and two lists of the class's spans
 * on that node (node.h): those with free objects and those without.
 * Objects move to and from the per-CPU caches in chains, so that the lock
 * is taken once per batch. A span is carved lazily: never-used objects
 * are handed out in address order by bumping freeindex, and returned
 * objects go on the span's own free list. A span whose objects are all
 * back goes to its node's heap, unless it is the class's only span with
 * free objects on that node (kept so that one object bouncing across a
 * span boundary does not make the heap split and coalesce every time).
 *
 * central.lock is taken with interrupts saved, from any context; the heap
 * is called only with it released.
 */
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "internal.h"

static void chain_add(struct gosalloc_chain *chain, unsigned int cls,
		      void *obj)
{
	gosalloc_set_next(obj, cls, chain->head);
	if (!chain->head)
		chain->tail = obj;
	chain->head = obj;
	chain->count++;
}

/* Move up to @want objects of span @s to @chain; central.lock held. */
static void span_take(struct gosalloc_central *c, struct gosalloc_span *s,
		      unsigned int want, struct gosalloc_chain *chain)
{
	unsigned int size = s->elemsize;

	lockdep_assert_held(&c->lock);
	while (want && s->freelist) {
		void *obj = s->freelist;

		s->freelist = gosalloc_next(obj, s->sizeclass);
		chain_add(chain, s->sizeclass, obj);
		s->allocated++;
		want--;
	}
	while (want && s->freeindex < s->nelems) {
		chain_add(chain, s->sizeclass,
			  (void *)(s->base + s->freeindex * size));
		s->freeindex++;
		s->allocated++;
		want--;
	}
	if (s->allocated == s->nelems)
		list_move(&s->list, &c->full);
}

/**
 * gosalloc_central_shape() - the spans of a class
 * @cls: a size class, or GOSALLOC_TINY_CLASS
 * @npages: if not NULL, gets the pages per span
 * @nelems: if not NULL, gets the objects per span
 * @elemsize: if not NULL, gets the object size
 * @divmagic: if not NULL, gets the reciprocal of the object size
 *
 * Tiny spans are one page, laid out by tiny.c (which counts their objects
 * itself: @nelems is 0); other classes follow the size-class table.
 */
void gosalloc_central_shape(unsigned int cls, unsigned int *npages,
			    unsigned int *nelems, u32 *elemsize, u32 *divmagic)
{
	bool tiny = cls == GOSALLOC_TINY_CLASS;
	unsigned int like = tiny ? gosalloc_size_to_class(GOSALLOC_TINY_SIZE) : cls;

	if (npages)
		*npages = tiny ? 1 : gosalloc_class_to_npages[cls];
	if (nelems)
		*nelems = tiny ? 0 : gosalloc_class_to_nobjs[cls];
	if (elemsize)
		*elemsize = gosalloc_class_to_size[like];
	if (divmagic)
		*divmagic = gosalloc_class_to_divmagic[like];
}

/**
 * gosalloc_central_span_init() - the object fields of a span being made
 * @s: a span the heap is about to publish in use, heap.lock held
 * @cls: its size class, GOSALLOC_TINY_CLASS, or 0 for a large object
 *
 * Everything a lockless lookup of a pointer into @s may read is set here,
 * before the heap publishes the span's state: the geometry that bounds
 * its objects, and for a tiny span a head that says it holds no object
 * yet (tiny.c).
 *
 * Context: heap.lock held.
 */
void gosalloc_central_span_init(struct gosalloc_span *s, unsigned int cls)
{
	unsigned int nelems;

	gosalloc_central_shape(cls, NULL, &nelems, &s->elemsize, &s->divmagic);
	s->sizeclass = cls;
	s->nelems = nelems;
	s->allocated = 0;
	s->freeindex = 0;
	s->freelist = NULL;
	if (cls == GOSALLOC_TINY_CLASS)
		gosalloc_tiny_span_clear(s);
}

/* A new span for class @cls from node @nid's heap; no lock held. */
static struct gosalloc_span *span_alloc(unsigned int cls, gfp_t gfp, int nid)
{
	struct gosalloc_span *s;
	unsigned int npages;

	gosalloc_central_shape(cls, &npages, NULL, NULL, NULL);
	s = gosalloc_mheap_alloc_node(npages, cls == GOSALLOC_TINY_CLASS ?
				      GOSALLOC_SPAN_TINY : GOSALLOC_SPAN_SMALL,
				      cls, gfp, nid);
	if (!s)
		return NULL;
	if (gosalloc_debug_on() && cls != GOSALLOC_TINY_CLASS)
		gosalloc_debug_span_init(s);
	return s;
}

/* Move up to @want objects of @c's spans to @chain; central.lock held. */
static void central_take(struct gosalloc_central *c, unsigned int want,
			 struct gosalloc_chain *chain)
{
	struct gosalloc_span *s;

	while (chain->count < want) {
		s = list_first_entry_or_null(&c->partial, struct gosalloc_span,
					     list);
		if (!s)
			break;
		span_take(c, s, want - chain->count, chain);
	}
}

/**
 * gosalloc_mcentral_grab_node() - take a batch of objects of a node
 * @nid: the node wanted, a node with memory
 * @cls: size class
 * @want: objects wanted
 * @gfp: gfp flags, for growing the heap
 * @chain: filled with between 1 and @want objects
 *
 * The objects come from @nid's central list, or from a new span of
 * @nid's heap; that span lies on another node if @nid's heap could not
 * grow and @gfp allows falling back (no __GFP_THISNODE), and then joins
 * the central list of its own node.
 *
 * Context: any context @gfp allows; takes central.lock, then heap.lock
 * with central.lock released.
 * Return: true when @chain holds at least one object.
 */
bool gosalloc_mcentral_grab_node(int nid, unsigned int cls, unsigned int want,
				 gfp_t gfp, struct gosalloc_chain *chain)
{
	struct gosalloc_central *c = gosalloc_central_of(nid, cls);
	struct gosalloc_span *s;
	unsigned long flags;

	*chain = (struct gosalloc_chain) {};
	spin_lock_irqsave(&c->lock, flags);
	central_take(c, want, chain);
	spin_unlock_irqrestore(&c->lock, flags);
	if (chain->count)
		return true;
	s = span_alloc(cls, gfp, nid);
	if (!s)
		return false;
	c = gosalloc_central_of(s->node, cls);
	spin_lock_irqsave(&c->lock, flags);
	list_add(&s->list, &c->partial);
	c->nspans++;
	central_take(c, want, chain);
	spin_unlock_irqrestore(&c->lock, flags);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcentral_grab_node);

/**
 * gosalloc_mcentral_grab() - take a batch of objects for a CPU cache
 * @cls: size class
 * @want: objects wanted
 * @gfp: gfp flags, for growing the heap
 * @chain: filled with between 1 and @want objects
 *
 * As gosalloc_mcentral_grab_node() for the node this CPU's caches serve.
 *
 * Context: any context @gfp allows; takes central.lock, then heap.lock
 * with central.lock released.
 * Return: true when @chain holds at least one object.
 */
bool gosalloc_mcentral_grab(unsigned int cls, unsigned int want, gfp_t gfp,
			    struct gosalloc_chain *chain)
{
	return gosalloc_mcentral_grab_node(gosalloc_local_node(), cls, want,
					   gfp, chain);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcentral_grab);

/* Return @obj to span @s; central.lock held. Return: span now empty. */
static bool span_put(struct gosalloc_central *c, struct gosalloc_span *s,
		     void *obj)
{
	lockdep_assert_held(&c->lock);
	if (s->allocated == s->nelems)
		list_move(&s->list, &c->partial);
	gosalloc_set_next(obj, s->sizeclass, s->freelist);
	s->freelist = obj;
	s->allocated--;
	if (s->allocated || list_is_singular(&c->partial))
		return false;
	list_del(&s->list);
	c->nspans--;
	return true;
}

/*
 * Return the objects of chain @head that lie on the node of its first
 * one to their spans, under that node's central.lock; spans left empty go
 * on @empty. Return: a chain of the other objects, or NULL.
 */
static void *release_node(unsigned int cls, void *head,
			  struct list_head *empty)
{
	int nid = gosalloc_span_lookup(head)->node;
	struct gosalloc_central *c = gosalloc_central_of(nid, cls);
	struct gosalloc_span *s;
	void *obj, *other = NULL;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	while (head) {
		obj = head;
		head = gosalloc_next(obj, cls);
		s = gosalloc_span_lookup(obj);
		if (unlikely(s->node != nid)) {
			gosalloc_set_next(obj, cls, other);
			other = obj;
		} else if (span_put(c, s, obj)) {
			list_add(&s->list, empty);
		}
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return other;
}

/**
 * gosalloc_mcentral_release() - return a chain of objects to their spans
 * @cls: size class of every object in the chain
 * @head: first object; the chain ends at a NULL link
 *
 * Each object goes back to the central list of its own node, one lock
 * round-trip per node in the chain. Spans left with no object out go
 * back to the heap.
 *
 * Context: any context; takes central.lock, then heap.lock with
 * central.lock released.
 */
void gosalloc_mcentral_release(unsigned int cls, void *head)
{
	struct gosalloc_span *s, *next;
	LIST_HEAD(empty);

	while (head)
		head = release_node(cls, head, &empty);
	list_for_each_entry_safe(s, next, &empty, list)
		gosalloc_mheap_free(s);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcentral_release);

/* The central lists of one node, empty; when gosalloc loads. */
void gosalloc_mcentral_init(struct gosalloc_central *central)
{
	unsigned int i;

	for (i = 0; i < GOSALLOC_NR_CENTRALS; i++) {
		spin_lock_init(&central[i].lock);
		INIT_LIST_HEAD(&central[i].partial);
		INIT_LIST_HEAD(&central[i].full);
	}
}

/* Move the spans of @c with no object out to @empty. */
static void central_trim(struct gosalloc_central *c, struct list_head *empty)
{
	struct gosalloc_span *s, *next;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(s, next, &c->partial, list) {
		if (s->allocated)
			continue;
		list_move(&s->list, empty);
		c->nspans--;
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * gosalloc_mcentral_trim() - give every span with no object out back
 *
 * Each class keeps one empty span per node in normal use; this returns
 * those too, so that the heaps can give their pages back.
 *
 * Context: any context; takes central.lock, then heap.lock with
 * central.lock released.
 */
void gosalloc_mcentral_trim(void)
{
	struct gosalloc_span *s, *next;
	unsigned int i;
	LIST_HEAD(empty);
	int nid;

	if (!gosalloc_nodes)
		return;
	for_each_node(nid)
		for (i = 1; i < GOSALLOC_NR_CENTRALS; i++)
			central_trim(gosalloc_central_of(nid, i), &empty);
	list_for_each_entry_safe(s, next, &empty, list)
		gosalloc_mheap_free(s);
	gosalloc_tiny_trim();
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcentral_trim);
