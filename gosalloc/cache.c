// SPDX-License-Identifier: GPL-2.0-only
/*
 * cache.c - named caches of one object size, with kmem_cache's
 * semantics; see malloc.c for the overview.
 *
 * A cache has spans of its own, taken from the heap in the state
 * GOSALLOC_SPAN_CACHE and cut into objects of the cache's stride: the
 * object, then, for a cache with a constructor or SLAB_TYPESAFE_BY_RCU,
 * the word that links it into its span's free list, then padding up to
 * the alignment. Other caches link free objects through their first
 * word, as the size classes do. A constructor runs once per object, on
 * every object of a span when the span arrives from the heap; an object
 * that comes back keeps its constructed state, as no link ever overwrites
 * it.
 *
 * Allocating takes the most recent object of this CPU's array for the
 * cache, which the fast path *holds* as the size classes hold their lists
 * (mcache.h): preemption off and a flag set, interrupts on. An empty array
 * is refilled with half an array from the cache's spans under cache.lock;
 * with no span left, a new span comes from the heap with no lock held, so
 * that a sleeping gfp may sleep there. Freeing puts the object on this
 * CPU's array; a full array gives its oldest half back to the spans under
 * cache.lock. An interrupt that finds this CPU's arrays held goes around
 * them: it takes an object of a span, or puts one back, under cache.lock
 * (and a drain IPI leaves them alone). A span whose
 * objects are all back goes to the heap, unless it is the cache's only
 * span with free objects; under SLAB_TYPESAFE_BY_RCU only after an RCU
 * grace period (call_rcu()), so that a reader that found an object under
 * rcu_read_lock() reads memory of the same type until it leaves.
 *
 * Nodes: a cache's spans lie on any node, each its span's node (node.h).
 * A CPU's array holds objects of the node its caches serve: it is
 * refilled from spans of that node (of others only when that node has
 * none with free objects), and an object of another node freed on the
 * CPU waits in a small second array, whose objects go back to their
 * spans together, under one round-trip of cache.lock.
 * gosalloc_cache_alloc_node() for another node takes an object of a span
 * of that node under cache.lock; a charged object (below) comes from its
 * cgroup's spans on that node instead (memcg.c).
 *
 * Lock order (after malloc.c's):
 *
 *	1. caches lock (the list of caches; any context, irqs saved)
 *	2. a CPU's arrays, held with preemption off (cpu_hold()), or with
 *	   interrupts off where no one holds them (drain IPIs)
 *	3. cache.lock (any context, irqs saved)
 *	4. heap.lock, only with cache.lock released
 *
 * Objects of a SLAB_ACCOUNT cache, and objects allocated with
 * __GFP_ACCOUNT, are charged to the allocating context's memory cgroup
 * when it has one (memcg.c): they are objects of the smallest size class
 * that holds the cache's stride at its alignment, in spans of the
 * cgroup's own, and never sit in the cache's arrays or spans. Caches with
 * a constructor or SLAB_TYPESAFE_BY_RCU keep their objects uncharged:
 * their objects' state must survive a free, which a class's free list
 * does not keep (Documentation/design.rst, "Memory cgroups").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "cache.h"
#include "gosalloc.h"
#include "internal.h"

static LIST_HEAD(gosalloc_caches);
/* The list of caches: any context, irqs saved (stats read it). */
static DEFINE_SPINLOCK(gosalloc_caches_lock);
/* Objects allocated and freed by caches since destroyed: caches lock. */
static u64 gosalloc_gone_mallocs, gosalloc_gone_frees;

/* ---- Layout ---- */

static unsigned int cache_align(unsigned int size, unsigned int align,
				slab_flags_t flags)
{
	unsigned int line;

	if (flags & SLAB_HWCACHE_ALIGN) {
		/* A cache line, or the smallest power-of-two share of one. */
		line = cache_line_size();
		while (line > 2 * sizeof(void *) && size <= line / 2)
			line /= 2;
		align = max(align, line);
	}
	align = max_t(unsigned int, align, ARCH_SLAB_MINALIGN);
	return max_t(unsigned int, align, sizeof(void *));
}

/* Does the free-list link go after the object? */
static bool link_after(slab_flags_t flags, void (*ctor)(void *))
{
	return ctor || (flags & SLAB_TYPESAFE_BY_RCU);
}

/* Pages per span: the fewest with at most 1/8 of them left over. */
static unsigned int span_pages(unsigned int stride)
{
	unsigned int npages = DIV_ROUND_UP(stride, PAGE_SIZE);
	unsigned int most = max(npages, 8U);

	for (; npages < most; npages++)
		if ((npages * PAGE_SIZE) % stride * 8 <= npages * PAGE_SIZE)
			break;
	return npages;
}

static void cache_layout(struct gosalloc_cache *c)
{
	unsigned int body = max_t(unsigned int, c->size, sizeof(void *));

	if (link_after(c->flags, c->ctor)) {
		c->offset = ALIGN(c->size, sizeof(void *));
		body = c->offset + sizeof(void *);
	}
	c->stride = ALIGN(body, c->align);
	c->npages = span_pages(c->stride);
	c->nelems = min_t(unsigned int, c->npages * PAGE_SIZE / c->stride,
			  U16_MAX);
	c->divmagic = U32_MAX / c->stride + 1;
}

/* How a charged object of @c is allocated (memcg.c), if it can be. */
static void cache_charging(struct gosalloc_cache *c)
{
	unsigned int cls, size = max_t(unsigned int, c->stride,
				       2 * sizeof(void *));

	if (c->flags & SLAB_ACCOUNT)
		c->account = __GFP_ACCOUNT;
	if (c->ctor || (c->flags & SLAB_TYPESAFE_BY_RCU) ||
	    size > GOSALLOC_MAX_SMALL_SIZE)
		return;
	/* Objects of a class are aligned as its size (spans start pages). */
	for (cls = gosalloc_size_to_class(size); cls < GOSALLOC_NR_CLASSES; cls++) {
		if (gosalloc_class_to_size[cls] % c->align == 0) {
			c->charged_size = gosalloc_class_to_size[cls];
			return;
		}
	}
}

static bool cache_args_valid(const char *name, unsigned int size,
			     unsigned int align)
{
	if (WARN_ON_ONCE(!name || in_interrupt()))
		return false;
	if (!size || size > GOSALLOC_CACHE_MAX_SIZE) {
		pr_warn("cache %s: object size %u not in 1..%u\n", name, size,
			GOSALLOC_CACHE_MAX_SIZE);
		return false;
	}
	if (align && (!is_power_of_2(align) || align > PAGE_SIZE)) {
		pr_warn("cache %s: alignment %u not a power of two up to a page\n",
			name, align);
		return false;
	}
	return true;
}

/* ---- Spans ---- */

static __always_inline void **obj_link(struct gosalloc_cache *c, void *obj)
{
	return obj + c->offset;
}

static __always_inline void *obj_next(struct gosalloc_cache *c, void *obj)
{
	return READ_ONCE_NOCHECK(*obj_link(c, obj));
}

/*
 * A new span of @c from node @nid's heap (NUMA_NO_NODE: this CPU's node),
 * its objects constructed; no lock held.
 */
static struct gosalloc_span *span_new(struct gosalloc_cache *c, gfp_t gfp,
				      int nid)
{
	struct gosalloc_span *s;
	unsigned int i;

	s = gosalloc_mheap_alloc_node(c->npages, GOSALLOC_SPAN_CACHE, 0,
				      gfp & ~__GFP_ZERO, nid);
	if (!s)
		return NULL;
	s->elemsize = c->stride;
	s->divmagic = c->divmagic;
	s->nelems = c->nelems;
	s->allocated = 0;
	s->freeindex = 0;
	s->freelist = NULL;
	if (c->ctor)
		for (i = 0; i < c->nelems; i++)
			c->ctor((void *)(s->base + i * c->stride));
	/* Release: a free that finds @c here sees the span's geometry. */
	smp_store_release(&s->cache, c);
	return s;
}

/* Give empty span @s back; no lock held. */
static void span_release(struct gosalloc_cache *c, struct gosalloc_span *s);

static void span_release_list(struct gosalloc_cache *c, struct list_head *l)
{
	struct gosalloc_span *s, *next;

	list_for_each_entry_safe(s, next, l, list)
		span_release(c, s);
}

/* To the heap at last: no object of @s can be reached any more. */
static void span_to_heap(struct gosalloc_span *s)
{
	WRITE_ONCE(s->cache, NULL);
	gosalloc_mheap_free(s);
}

static void typesafe_rcu_done(struct rcu_head *rcu)
{
	struct gosalloc_cache *c = container_of(rcu, struct gosalloc_cache, rcu);
	struct gosalloc_span *s, *next;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&c->lock, flags);
	list_splice_init(&c->rcu_flight, &done);
	/* Spans that emptied during the grace period wait for the next. */
	list_splice_init(&c->rcu_wait, &c->rcu_flight);
	c->rcu_queued = !list_empty(&c->rcu_flight);
	if (c->rcu_queued)
		call_rcu(&c->rcu, typesafe_rcu_done);
	spin_unlock_irqrestore(&c->lock, flags);
	list_for_each_entry_safe(s, next, &done, list)
		span_to_heap(s);
}

static void span_release(struct gosalloc_cache *c, struct gosalloc_span *s)
{
	unsigned long flags;

	if (!(c->flags & SLAB_TYPESAFE_BY_RCU)) {
		span_to_heap(s);
		return;
	}
	spin_lock_irqsave(&c->lock, flags);
	if (c->rcu_queued) {
		list_add(&s->list, &c->rcu_wait);
	} else {
		list_add(&s->list, &c->rcu_flight);
		c->rcu_queued = true;
		call_rcu(&c->rcu, typesafe_rcu_done);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Move up to @want objects of span @s to @objs; cache.lock held. */
static unsigned int span_take(struct gosalloc_cache *c,
			      struct gosalloc_span *s, void **objs,
			      unsigned int want)
{
	unsigned int n = 0;

	lockdep_assert_held(&c->lock);
	for (; n < want && s->freelist; n++) {
		objs[n] = s->freelist;
		s->freelist = obj_next(c, objs[n]);
	}
	for (; n < want && s->freeindex < s->nelems; n++)
		objs[n] = (void *)(s->base + s->freeindex++ * c->stride);
	s->allocated += n;
	if (s->allocated == s->nelems)
		list_move(&s->list, &c->full);
	return n;
}

/*
 * Return @obj to its span @s; cache.lock held. Return: false for an
 * object of a span with none out (a double free); else true, with @s
 * moved to @empty if it is to be released.
 */
static bool span_put(struct gosalloc_cache *c, struct gosalloc_span *s,
		     void *obj, struct list_head *empty)
{
	lockdep_assert_held(&c->lock);
	if (unlikely(!s->allocated))
		return false;
	if (s->allocated == s->nelems)
		list_move(&s->list, &c->partial);
	gosalloc_store_link(obj_link(c, obj), s->freelist);
	s->freelist = obj;
	if (--s->allocated || list_is_singular(&c->partial))
		return true;
	list_move(&s->list, empty);
	c->nspans--;
	return true;
}

/*
 * A span of @c with free objects on node @nid, else, if @any, on any
 * node (as SLUB takes partial slabs of other nodes before new ones);
 * or NULL. cache.lock held.
 */
static struct gosalloc_span *partial_on_node(struct gosalloc_cache *c, int nid,
					     bool any)
{
	struct gosalloc_span *s;

	lockdep_assert_held(&c->lock);
	list_for_each_entry(s, &c->partial, list)
		if (!gosalloc_numa_on() || s->node == nid)
			return s;
	return any ? list_first_entry_or_null(&c->partial,
					      struct gosalloc_span, list) : NULL;
}

/* ---- Per-CPU arrays ---- */

/*
 * Hold this CPU's arrays of @c: preemption off and the held flag set,
 * interrupts on (disabling them was a third of an alloc+free pair under
 * QEMU's TCG). Code that interrupts a holder finds the flag set and goes
 * around the arrays. Return: the arrays, or NULL if an interrupted holder
 * has them.
 */
static __always_inline struct gosalloc_cache_cpu *
cpu_hold(struct gosalloc_cache *c)
{
	struct gosalloc_cache_cpu *cc;

	preempt_disable();
	cc = this_cpu_ptr(c->cpu);
	return gosalloc_hold_flag(&cc->held) ? cc : NULL;
}

static __always_inline void cpu_unhold(struct gosalloc_cache_cpu *cc)
{
	gosalloc_unhold_flag(&cc->held);
}

/*
 * Fill half of this CPU's array from spans of its node, or of other
 * nodes when its node has none with free objects; the arrays held.
 */
static bool cpu_refill(struct gosalloc_cache *c, struct gosalloc_cache_cpu *cc)
{
	unsigned int want = GOSALLOC_CACHE_CPU_OBJS / 2;
	int nid = gosalloc_local_node();
	struct gosalloc_span *s;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	while (cc->count < want) {
		s = partial_on_node(c, nid, true);
		if (!s)
			break;
		cc->count += span_take(c, s, cc->objs + cc->count,
				       want - cc->count);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return cc->count;
}

/*
 * Give @n objects back to their spans under cache.lock, reporting any
 * whose span has none out (a double free) against @caller. Spans to
 * release go on @empty.
 */
static void objects_to_spans(struct gosalloc_cache *c, void **objs,
			     unsigned int n, struct list_head *empty,
			     unsigned long caller)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < n; i++)
		if (!span_put(c, gosalloc_span_lookup(objs[i]), objs[i], empty))
			gosalloc_bad_pointer(objs[i], caller,
					     GOSALLOC_DOUBLE_FREES);
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * Give the oldest @n objects of a CPU's array back to their spans; the
 * arrays held, or no one else using them. Spans to release go on @empty.
 */
static void cpu_flush(struct gosalloc_cache *c, struct gosalloc_cache_cpu *cc,
		      unsigned int n, struct list_head *empty)
{
	objects_to_spans(c, cc->objs, n, empty, _RET_IP_);
	cc->count -= n;
	memmove(cc->objs, cc->objs + n, cc->count * sizeof(void *));
}

/*
 * Give the objects of other nodes a CPU collected back to their spans;
 * as cpu_flush().
 */
static void cpu_flush_remote(struct gosalloc_cache *c,
			     struct gosalloc_cache_cpu *cc,
			     struct list_head *empty)
{
	objects_to_spans(c, cc->remote, cc->nremote, empty, _RET_IP_);
	cc->nremote = 0;
}

/* Empty both arrays of a CPU; as cpu_flush(). */
static void cpu_drain(struct gosalloc_cache *c, struct gosalloc_cache_cpu *cc,
		      struct list_head *empty)
{
	cpu_flush(c, cc, cc->count, empty);
	cpu_flush_remote(c, cc, empty);
}

/* ---- Allocation ---- */

/*
 * The slow path: an object of a new span of node @nid (NUMA_NO_NODE: any),
 * counted on this CPU; no lock held.
 */
static noinline void *cache_alloc_slow(struct gosalloc_cache *c, gfp_t gfp,
				       int nid)
{
	struct gosalloc_span *s = span_new(c, gfp, nid);
	unsigned long flags;
	void *obj;

	if (!s)
		return NULL;
	spin_lock_irqsave(&c->lock, flags);
	list_add(&s->list, &c->partial);
	c->nspans++;
	span_take(c, s, &obj, 1);
	spin_unlock_irqrestore(&c->lock, flags);
	this_cpu_inc(c->cpu->other_allocs);
	return obj;
}

/*
 * An object of @c past this CPU's arrays: of a span of node @nid under
 * cache.lock (of any node's if @any), else of a new span (on @nid unless
 * @any). No lock held.
 */
static noinline void *cache_alloc_direct(struct gosalloc_cache *c, gfp_t gfp,
					 int nid, bool any)
{
	struct gosalloc_span *s;
	unsigned long flags;
	void *obj = NULL;

	spin_lock_irqsave(&c->lock, flags);
	s = partial_on_node(c, nid, any);
	if (s)
		span_take(c, s, &obj, 1);
	spin_unlock_irqrestore(&c->lock, flags);
	if (!obj)
		return cache_alloc_slow(c, gfp, any ? NUMA_NO_NODE : nid);
	this_cpu_inc(c->cpu->other_allocs);
	return obj;
}

static __always_inline void *cache_alloc(struct gosalloc_cache *c, gfp_t gfp)
{
	struct gosalloc_cache_cpu *cc = cpu_hold(c);
	void *obj = NULL;

	if (unlikely(!cc))	/* we interrupted a holder */
		return cache_alloc_direct(c, gfp, gosalloc_local_node(), true);
	if (likely(cc->count) || cpu_refill(c, cc)) {
		obj = cc->objs[--cc->count];
		cc->allocs++;
	}
	cpu_unhold(cc);
	if (unlikely(!obj))
		obj = cache_alloc_slow(c, gfp, NUMA_NO_NODE);
	return obj;
}

/*
 * Zero a new object as the gfp flags or init_on_alloc want, unless a
 * constructor gave it its state; else clear a link in its first word.
 */
static __always_inline void *cache_init_object(struct gosalloc_cache *c,
					       void *obj, gfp_t gfp)
{
	if (c->ctor)
		return obj;
	if (want_init_on_alloc(gfp))
		return memset(obj, 0, c->size);
	if (!c->offset)
		gosalloc_store_link(obj, NULL);
	return obj;
}

/*
 * An object of @c charged to a memory cgroup (memcg.c), on node @nid
 * (NUMA_NO_NODE: any), through the same hooks as the cache's own.
 * Return: false if nothing is to be charged here, with *@p untouched.
 */
static bool cache_alloc_charged(struct gosalloc_cache *c, gfp_t gfp, int nid,
				void **p)
{
	bool charged, hooked = gosalloc_hooked();
	void *obj;

	if (!c->charged_size)
		return false;
	if (hooked && gosalloc_should_fail(gfp)) {
		*p = NULL;
		return true;
	}
	obj = gosalloc_memcg_alloc(c->charged_size, gfp, nid, &charged);
	if (!charged)
		return false;
	*p = obj;
	if (!obj)
		return true;
	if (want_init_on_alloc(gfp))
		memset(obj, 0, c->charged_size);
	else
		gosalloc_store_link(obj, NULL);
	if (hooked)
		gosalloc_sanitize_alloc(obj, c->size, gfp);
	return true;
}

static noinline void *cache_alloc_hooked(struct gosalloc_cache *c, gfp_t gfp)
{
	void *obj;

	if (gosalloc_should_fail(gfp))
		return NULL;
	obj = cache_alloc(c, gfp);
	if (!obj)
		return NULL;
	obj = cache_init_object(c, obj, gfp);
	gosalloc_sanitize_alloc(obj, c->size, gfp);
	return obj;
}

/*
 * __GFP_ACCOUNT or SLAB_ACCOUNT: out of line, so that the fast path in
 * gosalloc_cache_alloc() pays one branch for it.
 */
static noinline void *cache_alloc_account(struct gosalloc_cache *c, gfp_t gfp)
{
	void *obj;

	if (cache_alloc_charged(c, gfp, NUMA_NO_NODE, &obj))
		return obj;
	if (gosalloc_hooked())
		return cache_alloc_hooked(c, gfp);
	obj = cache_alloc(c, gfp);
	return likely(obj) ? cache_init_object(c, obj, gfp) : NULL;
}

/**
 * gosalloc_cache_alloc() - allocate an object of a cache
 * @c: the cache
 * @flags: gfp flags, as for kmem_cache_alloc(); __GFP_ZERO zeroes the
 *	object (not allowed for a cache with a constructor, as in SLUB);
 *	__GFP_ACCOUNT, or a cache made with SLAB_ACCOUNT, charges it to
 *	the memory cgroup gosalloc_alloc() would charge
 *
 * Context: any context the gfp flags allow, as gosalloc_alloc().
 * Return: the object, constructed if the cache has a constructor; NULL
 * when memory is short.
 */
void *gosalloc_cache_alloc(struct gosalloc_cache *c, gfp_t flags)
{
	void *obj;

	might_alloc(flags);
	WARN_ON_ONCE(c->ctor && (flags & __GFP_ZERO));
	if (unlikely((flags | c->account) & __GFP_ACCOUNT))
		return cache_alloc_account(c, flags);
	if (gosalloc_hooked())
		return cache_alloc_hooked(c, flags);
	obj = cache_alloc(c, flags);
	return likely(obj) ? cache_init_object(c, obj, flags) : NULL;
}
EXPORT_SYMBOL_GPL(gosalloc_cache_alloc);

/*
 * An object of @c on node @nid, not this CPU's: of a span of that node
 * under cache.lock, or of a new span from its heap (on another node if
 * @nid's memory ran out and @gfp allows it). Return: NULL when memory is
 * short.
 */
static void *cache_alloc_remote(struct gosalloc_cache *c, gfp_t gfp, int nid)
{
	void *obj = cache_alloc_direct(c, gfp, nid, false);

	if (!obj)
		return NULL;
	atomic_long_inc(&gosalloc_node(gosalloc_span_lookup(obj)->node)->node_allocs);
	return obj;
}

/*
 * gosalloc_cache_alloc_node() for a node with memory other than the one
 * this CPU's array holds, or when that array gave an object of another
 * node (its node ran out of memory).
 */
static noinline void *cache_alloc_node(struct gosalloc_cache *c, gfp_t flags,
				       int nid)
{
	void *obj;

	if (nid == gosalloc_local_node()) {
		obj = gosalloc_cache_alloc(c, flags);
		if (!gosalloc_numa_on() || !obj || gosalloc_on_node(obj, nid))
			return obj;
		gosalloc_cache_free(c, obj);
	}
	if (((flags | c->account) & __GFP_ACCOUNT) &&
	    cache_alloc_charged(c, flags, nid, &obj))
		return obj;
	if (gosalloc_hooked() && gosalloc_should_fail(flags))
		return NULL;
	obj = cache_alloc_remote(c, flags, nid);
	if (!obj)
		return NULL;
	obj = cache_init_object(c, obj, flags);
	if (gosalloc_hooked())
		gosalloc_sanitize_alloc(obj, c->size, flags);
	return obj;
}

/**
 * gosalloc_cache_alloc_node() - allocate an object of a cache on a node
 * @c: the cache
 * @flags: gfp flags, as for kmem_cache_alloc_node(); __GFP_THISNODE
 *	allows no other node than @node
 * @node: the node wanted, or NUMA_NO_NODE for any (then this is
 *	gosalloc_cache_alloc())
 *
 * As kmem_cache_alloc_node(), with gosalloc_alloc_node()'s rules for the
 * node: a node without memory is ignored unless __GFP_THISNODE insists
 * on it; a node whose memory ran out gives way to another unless
 * __GFP_THISNODE forbids it. Objects of other nodes than this CPU's
 * come from their spans under the cache's lock, one round-trip each.
 *
 * Context: as gosalloc_cache_alloc().
 * Return: the object, constructed if the cache has a constructor; NULL
 * when memory is short, or when __GFP_THISNODE is set and @node has no
 * memory to give.
 */
void *gosalloc_cache_alloc_node(struct gosalloc_cache *c, gfp_t flags,
				int node)
{
	if (node == NUMA_NO_NODE)
		return gosalloc_cache_alloc(c, flags);
	if (unlikely((unsigned int)node >= nr_node_ids ||
		     !node_state(node, N_MEMORY)))
		return flags & __GFP_THISNODE ? NULL :
		       gosalloc_cache_alloc(c, flags);
	might_alloc(flags);
	WARN_ON_ONCE(c->ctor && (flags & __GFP_ZERO));
	return cache_alloc_node(c, flags, node);
}
EXPORT_SYMBOL_GPL(gosalloc_cache_alloc_node);

/**
 * gosalloc_cache_alloc_bulk() - allocate @nr objects of a cache
 * @c: the cache
 * @flags: gfp flags, as for gosalloc_cache_alloc()
 * @nr: number of objects
 * @p: array of @nr pointers, filled on success
 *
 * All or nothing, as kmem_cache_alloc_bulk().
 *
 * Context: as gosalloc_cache_alloc().
 * Return: @nr on success, 0 on failure.
 */
int gosalloc_cache_alloc_bulk(struct gosalloc_cache *c, gfp_t flags,
			      size_t nr, void **p)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		p[i] = gosalloc_cache_alloc(c, flags);
		if (unlikely(!p[i])) {
			gosalloc_cache_free_bulk(c, i, p);
			return 0;
		}
	}
	return nr;
}
EXPORT_SYMBOL_GPL(gosalloc_cache_alloc_bulk);

/* ---- Free ---- */

/* cache_of() for what is not an object of the cache asked for. */
static noinline struct gosalloc_cache *
cache_of_slow(struct gosalloc_cache *c, struct gosalloc_span *s,
	      const void *p, u8 state, struct gosalloc_cache *owner,
	      unsigned long caller)
{
	if (c && state == GOSALLOC_SPAN_MEMCG) {	/* charged: memcg.c */
		if (gosalloc_hooked())
			gosalloc_sanitize_free(s, p);
		gosalloc_memcg_free(s, p, caller);
		return NULL;
	}
	if (owner && c && owner != c)
		pr_err("cache %s: object %p belongs to cache %s\n", c->name, p,
		       owner->name);
	gosalloc_bad_pointer(p, caller, state == GOSALLOC_SPAN_FREE ?
			     GOSALLOC_DOUBLE_FREES : GOSALLOC_INVALID_FREES);
	return NULL;
}

/*
 * Check that @p, whose span lookup gave @s, is an object of cache @c (of
 * any cache if @c is NULL); report it otherwise. A charged object (of
 * @c, which is not checked) is freed here. Return: its cache, or NULL
 * when there is nothing more to do.
 */
static __always_inline struct gosalloc_cache *
cache_of(struct gosalloc_cache *c, struct gosalloc_span *s, const void *p,
	 unsigned long caller)
{
	u8 state = s ? gosalloc_span_state(s) : GOSALLOC_SPAN_DEAD;
	struct gosalloc_cache *owner;

	/* Pairs with the release in span_new(). */
	owner = state == GOSALLOC_SPAN_CACHE ? smp_load_acquire(&s->cache) : NULL;
	if (likely(owner && (!c || owner == c) && gosalloc_span_object_start(s, p)))
		return owner;
	return cache_of_slow(c, s, p, state, owner, caller);
}

/*
 * Free @p of cache @c, an object of another node than the one this CPU's
 * caches serve, into this CPU's array of such objects, sending the array
 * home first if it is full; the arrays held. Return: false if @p is there
 * already (a double free).
 */
static bool cpu_free_remote(struct gosalloc_cache *c,
			    struct gosalloc_cache_cpu *cc, void *p,
			    struct list_head *empty)
{
	unsigned int i;

	for (i = 0; i < cc->nremote; i++)
		if (unlikely(cc->remote[i] == p))
			return false;
	if (unlikely(cc->nremote == GOSALLOC_CACHE_CPU_REMOTE))
		cpu_flush_remote(c, cc, empty);
	cc->remote[cc->nremote++] = p;
	cc->frees++;
	return true;
}

/*
 * Free @p of cache @c into this CPU's array, giving the oldest half back
 * if it is full; the arrays held. Return: false if @p is the object freed
 * last (a double free).
 */
static bool cpu_free_local(struct gosalloc_cache *c,
			   struct gosalloc_cache_cpu *cc, void *p,
			   struct list_head *empty)
{
	if (unlikely(cc->count && cc->objs[cc->count - 1] == p))
		return false;
	if (unlikely(cc->count == GOSALLOC_CACHE_CPU_OBJS))
		cpu_flush(c, cc, GOSALLOC_CACHE_CPU_OBJS / 2, empty);
	cc->objs[cc->count++] = p;
	cc->frees++;
	return true;
}

/*
 * Free @p of cache @c past this CPU's arrays, which the code we
 * interrupted holds: straight to its span under cache.lock.
 */
static noinline void cache_free_direct(struct gosalloc_cache *c, void *p,
				       unsigned long caller)
{
	LIST_HEAD(empty);

	objects_to_spans(c, &p, 1, &empty, caller);
	this_cpu_inc(c->cpu->other_frees);
	span_release_list(c, &empty);
}

static __always_inline void cache_free(struct gosalloc_cache *c,
				       struct gosalloc_span *s, void *p,
				       unsigned long caller)
{
	struct gosalloc_cache_cpu *cc;
	LIST_HEAD(empty);
	bool twice;

	if (want_init_on_free() && !link_after(c->flags, c->ctor))
		memset(p, 0, c->size);
	cc = cpu_hold(c);
	if (unlikely(!cc)) {
		cache_free_direct(c, p, caller);
		return;
	}
	if (gosalloc_span_remote(s))
		twice = !cpu_free_remote(c, cc, p, &empty);
	else
		twice = !cpu_free_local(c, cc, p, &empty);
	cpu_unhold(cc);
	if (unlikely(twice))
		gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
	if (unlikely(!list_empty(&empty)))
		span_release_list(c, &empty);
}

/**
 * gosalloc_cache_free() - free an object of a cache
 * @c: the cache the object came from
 * @p: the object, or NULL
 *
 * An object of another cache, a pointer into the middle of an object or
 * one gosalloc did not hand out is reported once per call site and
 * otherwise ignored; so is a second free of the object this CPU freed
 * last (other double frees may go unseen, as for gosalloc_free()).
 *
 * Context: any context.
 */
void gosalloc_cache_free(struct gosalloc_cache *c, void *p)
{
	struct gosalloc_span *s;

	if (unlikely(!p))
		return;
	s = gosalloc_span_lookup(p);
	if (unlikely(!cache_of(c, s, p, _RET_IP_)))
		return;
	if (gosalloc_hooked())
		gosalloc_sanitize_free(s, p);
	cache_free(c, s, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gosalloc_cache_free);

/**
 * gosalloc_cache_free_bulk() - free @nr objects of a cache
 * @c: the cache
 * @nr: number of objects
 * @p: array of @nr objects, each as gosalloc_cache_free() accepts
 *
 * Context: any context.
 */
void gosalloc_cache_free_bulk(struct gosalloc_cache *c, size_t nr, void **p)
{
	size_t i;

	for (i = 0; i < nr; i++)
		gosalloc_cache_free(c, p[i]);
}
EXPORT_SYMBOL_GPL(gosalloc_cache_free_bulk);

/*
 * gosalloc_free() of @p, whose span lookup gave cache span @s (malloc.c):
 * as kfree() of a kmem_cache object. The caller ran the sanitizer hooks.
 */
void gosalloc_cache_free_span(struct gosalloc_span *s, const void *p,
			      unsigned long caller)
{
	struct gosalloc_cache *c = cache_of(NULL, s, p, caller);

	if (c)
		cache_free(c, s, (void *)p, caller);
}

/*
 * gosalloc_size() of @p in cache span @s: the cache's object size, or 0
 * if @p is not the start of an object.
 */
size_t gosalloc_cache_object_size(struct gosalloc_span *s, const void *p)
{
	/* Pairs with the release in span_new(). */
	struct gosalloc_cache *c = smp_load_acquire(&s->cache);

	return c && gosalloc_span_object_start(s, p) ? c->size : 0;
}

/**
 * gosalloc_cache_size() - the object size of a cache
 * @c: the cache
 *
 * Context: any context.
 * Return: the size given to gosalloc_cache_create().
 */
unsigned int gosalloc_cache_size(const struct gosalloc_cache *c)
{
	return c->size;
}
EXPORT_SYMBOL_GPL(gosalloc_cache_size);

/* ---- Create and destroy ---- */

static struct gosalloc_cache *cache_new(const char *name, unsigned int size,
					unsigned int align,
					slab_flags_t flags,
					void (*ctor)(void *))
{
	struct gosalloc_cache *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->name = kstrdup_const(name, GFP_KERNEL);
	c->cpu = alloc_percpu(struct gosalloc_cache_cpu);
	if (!c->name || !c->cpu) {
		kfree_const(c->name);
		free_percpu(c->cpu);
		kfree(c);
		return NULL;
	}
	c->head.magic = GOSALLOC_CACHE_MAGIC;
	c->size = size;
	c->flags = flags;
	c->ctor = ctor;
	c->align = cache_align(size, align, flags);
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->rcu_wait);
	INIT_LIST_HEAD(&c->rcu_flight);
	cache_layout(c);
	cache_charging(c);
	return c;
}

static void cache_delete(struct gosalloc_cache *c)
{
	c->head.magic = 0;
	free_percpu(c->cpu);
	kfree_const(c->name);
	kfree(c);
}

/**
 * gosalloc_cache_create() - create a cache of objects of one size
 * @name: the cache's name, shown in debugfs (copied)
 * @size: object size, 1 to 128 KiB
 * @align: alignment, a power of two up to PAGE_SIZE, or 0; objects are
 *	aligned to at least the size of a pointer
 * @flags: SLAB_* flags: SLAB_HWCACHE_ALIGN aligns objects to a cache line
 *	(or, for small objects, to a power-of-two fraction of one);
 *	SLAB_TYPESAFE_BY_RCU keeps the memory of a freed object of this
 *	type until an RCU grace period has passed; SLAB_PANIC panics if the
 *	cache cannot be created; SLAB_ACCOUNT charges objects to the
 *	allocating context's memory cgroup (not for a cache with a
 *	constructor or SLAB_TYPESAFE_BY_RCU); the debugging flags are
 *	accepted and ignored
 * @ctor: constructor, or NULL; called once per object, when its span is
 *	taken from the heap, and never again: objects must be freed in
 *	their constructed state, as with kmem_cache_create()
 *
 * Context: process context; may sleep.
 * Return: the cache, or NULL for an invalid argument or when memory is
 * short.
 */
struct gosalloc_cache *gosalloc_cache_create(const char *name,
					     unsigned int size,
					     unsigned int align,
					     slab_flags_t flags,
					     void (*ctor)(void *))
{
	struct gosalloc_cache *c = NULL;
	unsigned long irqflags;

	might_sleep();
	if (cache_args_valid(name, size, align))
		c = cache_new(name, size, align, flags, ctor);
	if (!c) {
		if (flags & SLAB_PANIC)
			panic("gosalloc: cannot create cache %s\n", name);
		return NULL;
	}
	spin_lock_irqsave(&gosalloc_caches_lock, irqflags);
	list_add_tail(&c->list, &gosalloc_caches);
	spin_unlock_irqrestore(&gosalloc_caches_lock, irqflags);
	return c;
}
EXPORT_SYMBOL_GPL(gosalloc_cache_create);

/*
 * Empty every CPU's arrays of @c into the spans. Only at destroy, when
 * no one may use the cache any more, so the arrays are read remotely;
 * CPU hotplug is held off, as a CPU going down drains its arrays too.
 */
static void cache_drain(struct gosalloc_cache *c)
{
	unsigned int cpu;
	LIST_HEAD(empty);

	cpus_read_lock();
	for_each_possible_cpu(cpu)
		cpu_drain(c, per_cpu_ptr(c->cpu, cpu), &empty);
	cpus_read_unlock();
	span_release_list(c, &empty);
}

/**
 * gosalloc_caches_cpu_dead() - give a dead CPU's cached objects back
 * @cpu: a CPU that went offline
 *
 * Every cache's arrays of @cpu go back to the spans, so that objects
 * freed there last do not wait for the cache's destruction.
 *
 * Context: CPU hotplug's dead callback; process context.
 */
void gosalloc_caches_cpu_dead(unsigned int cpu)
{
	struct gosalloc_cache *c;
	unsigned long flags;
	LIST_HEAD(empty);

	spin_lock_irqsave(&gosalloc_caches_lock, flags);
	list_for_each_entry(c, &gosalloc_caches, list) {
		cpu_drain(c, per_cpu_ptr(c->cpu, cpu), &empty);
		span_release_list(c, &empty);
		INIT_LIST_HEAD(&empty);
	}
	spin_unlock_irqrestore(&gosalloc_caches_lock, flags);
}

/* Release the spans with no object out. Return: objects still out. */
static unsigned long cache_shrink(struct gosalloc_cache *c)
{
	struct gosalloc_span *s, *next;
	unsigned long flags, out = 0;
	LIST_HEAD(empty);

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(s, next, &c->partial, list) {
		out += s->allocated;
		if (!s->allocated) {
			list_move(&s->list, &empty);
			c->nspans--;
		}
	}
	list_for_each_entry(s, &c->full, list)
		out += s->allocated;
	spin_unlock_irqrestore(&c->lock, flags);
	span_release_list(c, &empty);
	return out;
}

/*
 * This CPU's part of gosalloc_cache_shrink(); interrupts off. Arrays
 * held by the code this interrupted stay as they are: that CPU is busy
 * with the cache anyway.
 */
static void cache_flush_this_cpu(void *arg)
{
	struct gosalloc_cache *c = arg;
	struct gosalloc_cache_cpu *cc = this_cpu_ptr(c->cpu);
	LIST_HEAD(empty);

	if (READ_ONCE(cc->held))
		return;
	cpu_drain(c, cc, &empty);
	span_release_list(c, &empty);
}

/**
 * gosalloc_cache_shrink() - give a cache's free memory back to the heap
 * @c: the cache
 *
 * As kmem_cache_shrink(): every CPU's array goes back to the spans, and
 * every span with no object out goes back to the heap (under
 * SLAB_TYPESAFE_BY_RCU after a grace period).
 *
 * Context: process context; interrupts every online CPU.
 * Return: 0.
 */
int gosalloc_cache_shrink(struct gosalloc_cache *c)
{
	on_each_cpu(cache_flush_this_cpu, c, 1);
	cache_shrink(c);
	return 0;
}
EXPORT_SYMBOL_GPL(gosalloc_cache_shrink);

/**
 * gosalloc_cache_destroy() - destroy a cache
 * @c: the cache, or NULL
 *
 * Pending gosalloc_free_rcu() frees are completed first, and under
 * SLAB_TYPESAFE_BY_RCU the last grace period is waited for. If objects
 * are still out, they are reported once, as SLUB reports them, and the
 * cache and its spans are left allocated (leaked), so that a late user
 * of an object corrupts nothing.
 *
 * Context: process context; may sleep. No other user of @c may remain.
 */
void gosalloc_cache_destroy(struct gosalloc_cache *c)
{
	unsigned long out, flags, allocs, frees;

	if (!c)
		return;
	might_sleep();
	gosalloc_rcu_barrier();
	cache_drain(c);
	out = cache_shrink(c);
	while (READ_ONCE(c->rcu_queued))
		rcu_barrier();
	if (out) {
		pr_err("cache %s: %lu objects remaining on destroy by %pS; cache leaked\n",
		       c->name, out, (void *)_RET_IP_);
		c->dead = true;
		return;
	}
	gosalloc_cache_counts(c, &allocs, &frees);
	spin_lock_irqsave(&gosalloc_caches_lock, flags);
	list_del(&c->list);
	gosalloc_gone_mallocs += allocs;
	gosalloc_gone_frees += frees;
	spin_unlock_irqrestore(&gosalloc_caches_lock, flags);
	cache_delete(c);
}
EXPORT_SYMBOL_GPL(gosalloc_cache_destroy);

/*
 * At unload: every client is gone. Caches a client never destroyed, or
 * destroyed with objects out, are reported; once their grace periods are
 * over their descriptors are freed (no gosalloc code runs any more) and
 * their spans stay allocated.
 */
void gosalloc_cache_exit(void)
{
	struct gosalloc_cache *c, *next;

	rcu_barrier();	/* typesafe_rcu_done() may be queued */
	list_for_each_entry_safe(c, next, &gosalloc_caches, list) {
		if (!c->dead)
			pr_warn("cache %s was not destroyed\n", c->name);
		list_del(&c->list);
		cache_delete(c);
	}
}

/* ---- Statistics ---- */

/* Objects of @c allocated and freed, on every CPU's arrays and past them. */
void gosalloc_cache_counts(struct gosalloc_cache *c, unsigned long *allocs,
			   unsigned long *frees)
{
	struct gosalloc_cache_cpu *cc;
	unsigned int cpu;

	*allocs = 0;
	*frees = 0;
	for_each_possible_cpu(cpu) {
		cc = per_cpu_ptr(c->cpu, cpu);
		*allocs += READ_ONCE(cc->allocs) + READ_ONCE(cc->other_allocs);
		*frees += READ_ONCE(cc->frees) + READ_ONCE(cc->other_frees);
	}
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_cache_counts);

/* Sum over the caches: objects allocated, freed, bytes in use. */
void gosalloc_caches_stats(u64 *mallocs, u64 *frees, u64 *bytes)
{
	unsigned long a, f, flags;
	struct gosalloc_cache *c;

	*bytes = 0;
	spin_lock_irqsave(&gosalloc_caches_lock, flags);
	*mallocs = gosalloc_gone_mallocs;
	*frees = gosalloc_gone_frees;
	list_for_each_entry(c, &gosalloc_caches, list) {
		gosalloc_cache_counts(c, &a, &f);
		*mallocs += a;
		*frees += f;
		if (a > f)	/* a racing read may see less */
			*bytes += (u64)(a - f) * c->stride;
	}
	spin_unlock_irqrestore(&gosalloc_caches_lock, flags);
}

static int caches_show(struct seq_file *m, void *unused)
{
	unsigned long a, f, flags;
	struct gosalloc_cache *c;

	seq_puts(m, "name                      size  stride  align      flags     inuse   spans       mallocs         frees  pages\n");
	spin_lock_irqsave(&gosalloc_caches_lock, flags);
	list_for_each_entry(c, &gosalloc_caches, list) {
		gosalloc_cache_counts(c, &a, &f);
		seq_printf(m, "%-24s %5u %7u %6u 0x%08x %9lu %7lu %13lu %13lu %6u\n",
			   c->name, c->size, c->stride, c->align,
			   (__force unsigned int)c->flags, a > f ? a - f : 0,
			   READ_ONCE(c->nspans), a, f, c->npages);
	}
	spin_unlock_irqrestore(&gosalloc_caches_lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(caches);

void gosalloc_caches_debugfs(struct dentry *dir)
{
	debugfs_create_file("caches", 0444, dir, NULL, &caches_fops);
}
