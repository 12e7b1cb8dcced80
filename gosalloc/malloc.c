// SPDX-License-Identifier: GPL-2.0-only
/*
 * malloc.c - gosalloc: a Go-style general-purpose allocator for the kernel.
 *
 * The allocator works in runs of pages. Requests of up to 32 KiB are
 * rounded up to one of about 75 size classes (sizeclasses.c), each with
 * its own free lists of objects of exactly that size; any run of pages can
 * be cut into objects of one class. Larger requests get a run of their own.
 *
 * The data structures, one file each:
 *
 *	fixalloc.c	FixAlloc: fixed-size metadata (span descriptors),
 *			carved from pages gosalloc owns.
 *	mheap.c		MHeap: the page heap, runs of pages from the page
 *			allocator; MSpan: one run.
 *	mcentral.c	MCentral: the spans of one size class.
 *	mcache.c	MCache: a per-CPU cache of free objects per class.
 *	node.c		memory nodes: a heap and central lists per node.
 *	tiny.c		the tiny allocator: objects of 1 to 7 bytes (up to
 *			15 with tiny_max) packed into one-page spans of
 *			their exact size, with an allocation bitmap,
 *			still freed one by one.
 *	memcg.c		memory-cgroup charging: __GFP_ACCOUNT objects in
 *			spans of their cgroup's own, whose pages the page
 *			allocator charged.
 *	scavenge.c	giving memory back; CPU hotplug.
 *	debug.c		bad-pointer reports, debug mode (poison, red
 *			zones, callers), KASAN and kmemleak hooks, fault
 *			injection; off the fast paths behind a static key.
 *	profile.c	sampled allocation call sites (heap profile).
 *	trace.h		tracepoints gosalloc:gosalloc_alloc and _free.
 *	stats.c		MStats: statistics, summed on read.
 *
 * Allocating a small object proceeds up a hierarchy of caches:
 *
 *	1. Round the size up to a size class and pop an object from this
 *	   CPU's list for the class, the CPU's lists held with preemption
 *	   off: no lock, no atomic instruction, interrupts on. Count the
 *	   bytes towards this CPU's next sample (profile.c).
 *	2. If the list is empty, take a batch of objects from the class's
 *	   central list of this CPU's node, under its lock, once per batch.
 *	3. If the central list has no span with free objects, take a run of
 *	   pages from the node's heap, under its lock, and cut it into
 *	   objects (lazily: never-used objects are handed out by bumping an
 *	   index).
 *	4. If the heap has no free run long enough, get a chunk of pages
 *	   (a thirty-second of the heap, 64 KiB to 1 MiB, when the buddy
 *	   allocator can give it) from
 *	   alloc_pages_node(), with no lock held, so that a sleeping gfp may
 *	   sleep there; another node's memory only if the node has none.
 *
 * gosalloc_alloc_node() takes the same path for this CPU's node, and
 * another node's objects from that node's central list and heap (node.c).
 *
 * Freeing a small object proceeds up the same hierarchy:
 *
 *	1. Find the object's span through the arena map (O(1)), check that
 *	   the pointer is an object of a span in use, and push it on this
 *	   CPU's list for its class, whichever CPU allocated it. An object
 *	   of another node goes into this CPU's buffer of remote frees
 *	   instead, which goes back to the nodes' central lists in batches.
 *	2. If the list holds two batches, give one batch back to the
 *	   central list.
 *	3. If all the objects of a span are back, give the span back to the
 *	   heap, where it coalesces with free neighbours.
 *	4. If the heap has too much memory, give some back to the page
 *	   allocator (scavenge.c): runs idle for a while, everything free
 *	   under memory pressure (a shrinker), or on request (debugfs).
 *
 * Large objects (over 32 KiB) are runs of the heap, bypassing the caches.
 *
 * Charged objects (__GFP_ACCOUNT, when the allocating context has a memory
 * cgroup to charge) leave at step 1 for memcg.c: spans of their cgroup's
 * own, under one lock per cgroup; large ones are pages of their own,
 * which the page allocator charges.
 *
 * Zeroing: __GFP_ZERO, gosalloc_zalloc() and the kernel's init_on_alloc
 * policy zero the object; a large object is zeroed only if its pages may
 * hold old data (span needzero), as fresh pages from the page allocator
 * under init_on_alloc are zero already. init_on_free zeroes on free.
 *
 * Lock order, outermost first:
 *
 *	1. the release mutex (mheap.c; process context only)
 *	2. a CPU's lists and tiny spans: held with preemption off
 *	   (gosalloc_mcache_hold()), or interrupts off on that CPU (the slow
 *	   paths, bulk free and the cache drains, which run in IPIs)
 *	3. central.lock (one per node and size class, and one per node for
 *	   its tiny spans: the node's tiny lock); or the memcg table lock,
 *	   then a memcg set's lock (memcg.c)
 *	4. heap.lock (one per node), or the arena lock (mheap.c)
 *	5. leaf locks, under which gosalloc takes nothing: profile_lock
 *	   (profile.c); fault injection and the once-per-call-site reports
 *	   take none
 *
 * Levels 3 and 4 are never nested: the central code, the tiny allocator
 * and the memcg sets call the heap with their locks released, so a path
 * holding level 2 may take either. No path holds two locks of one level
 * (two nodes' central, tiny or heap locks, or a heap lock and the arena
 * lock). Every spinlock is taken with interrupts saved, so every path may
 * run in any context, hardirq included; only the page allocator with a
 * sleeping gfp sleeps, and it is called with no gosalloc lock held and
 * interrupts on. The release mutex is taken before heap.lock
 * (gosalloc_mheap_release(), module unload), never under a spinlock.
 *
 * central.lock protects a class's span lists on its node and the object
 * fields of those spans (free list, counts); a node's tiny lock, its tiny
 * partial lists and the alloc bitmaps of its tiny spans that no CPU owns
 * (tiny.c); a memcg set's lock does for the spans charged to one cgroup
 * what central.lock does for a class, and the memcg table lock protects
 * the table of sets (read under RCU). heap.lock protects its node's free
 * lists, the page ranges and states of its spans, the map entries of its
 * node's pages and its span descriptor allocator; the arena lock, the
 * growth of the arena map and of the lookup limit. The release mutex
 * serialises giving pages back. The per-CPU caches need no lock: only
 * their CPU changes them, with one compare-and-exchange, or holding them
 * with preemption off, or with interrupts disabled (mcache.h); the same
 * holds for each CPU's buffer of remote frees, changed with interrupts
 * off only.
 *
 * gosalloc needs spinning locks that interrupts can be disabled around,
 * and so does not support PREEMPT_RT, where spinlock_t sleeps (compat.h
 * refuses the build).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Objects gosalloc_free_bulk() frees with interrupts off at a time. */
#define GOSALLOC_BULK_CHUNK	32

/*
 * Zero @obj, as the gfp flags or the init_on_alloc policy want, or else
 * clear its free-list link. Return: @obj (memset() returns it too, so
 * that the fast path can tail-call it).
 */
static __always_inline void *init_object(void *obj, unsigned int cls,
					 gfp_t flags)
{
	if (want_init_on_alloc(flags))
		return gosalloc_memset(obj, 0, gosalloc_class_to_size[cls]);
	gosalloc_store_link(obj, NULL);	/* hand out no free-list link */
	return obj;
}

static __always_inline void *small_alloc(size_t size, gfp_t flags)
{
	unsigned int cls = gosalloc_size_to_class(size);
	void *obj = gosalloc_mcache_get(cls, flags);

	if (unlikely(!obj))
		return NULL;
	return init_object(obj, cls, flags);
}

/* Zeroed, when the flags or the policy want it, by gosalloc_tiny_alloc(). */
static noinline void *tiny_alloc(size_t size, gfp_t flags)
{
	return gosalloc_tiny_alloc(size, flags);
}

/* A tiny allocation that is to be sampled (profile.c). */
static noinline void *tiny_alloc_sampled(size_t size, gfp_t flags,
					 unsigned long caller)
{
	void *p = gosalloc_tiny_alloc(size, flags);

	gosalloc_sample_alloc(p, size, caller);
	return p;
}

/* A large object, on node @nid (NUMA_NO_NODE: this CPU's node). */
static void *large_alloc(size_t size, gfp_t flags, int nid)
{
	unsigned long npages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct gosalloc_span *s;

	if (unlikely(size > GOSALLOC_MAX_SIZE))
		return NULL;
	/* A charged object needs pages of its own (memcg.c). */
	if (npages >= GOSALLOC_DIRECT_PAGES || (flags & __GFP_ACCOUNT))
		s = gosalloc_mheap_alloc_direct(npages, flags, nid);
	else
		s = gosalloc_mheap_alloc_node(npages, GOSALLOC_SPAN_LARGE, 0,
					      flags, nid);
	if (unlikely(!s))
		return NULL;
	if (want_init_on_alloc(flags) && s->needzero)
		memset((void *)s->base, 0, gosalloc_span_bytes(s));
	return (void *)s->base;
}

static size_t object_size(const void *p, struct gosalloc_span *s,
			  unsigned long caller);

/* Is @size for a size class, neither tiny, large nor 0? */
static __always_inline bool small_request(size_t size)
{
	return size - 1 >= READ_ONCE(gosalloc_tiny_max) &&
	       size - 1 < GOSALLOC_MAX_SMALL_SIZE;
}

static __always_inline void *plain_alloc(size_t size, gfp_t flags)
{
	if (unlikely(size - 1 < READ_ONCE(gosalloc_tiny_max)))
		return tiny_alloc(size, flags);
	if (likely(size - 1 < GOSALLOC_MAX_SMALL_SIZE))
		return small_alloc(size, flags);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	return large_alloc(size, flags, NUMA_NO_NODE);
}

/*
 * What a hooked allocation does once it has object @p: the sanitizers,
 * sampling and the tracepoint.
 */
static void alloc_hooked_done(void *p, size_t size, gfp_t flags,
			      unsigned long caller)
{
	gosalloc_sanitize_alloc(p, size, flags);
	if (gosalloc_sample_due(size))
		gosalloc_sample_alloc(p, size, caller);
	if (trace_gosalloc_alloc_enabled())
		trace_gosalloc_alloc(caller, p, size,
				     object_size(p, gosalloc_span_lookup(p),
						 caller), flags);
}

/*
 * Allocation with fault injection, debug mode or sanitizers on (debug.c):
 * out of line, so that the fast path pays one no-op jump for them.
 */
static noinline void *hooked_alloc(size_t size, gfp_t flags,
				   unsigned long caller)
{
	void *p;

	if (gosalloc_should_fail(flags))
		return NULL;
	if (!gosalloc_debug_on() || size - 1 >= GOSALLOC_MAX_SMALL_SIZE)
		p = plain_alloc(size, flags);
	else if (size - 1 < GOSALLOC_DEBUG_MAX)
		p = gosalloc_debug_alloc(size, flags, caller);
	else	/* no room for the trailer: not in a debug-mode class */
		p = large_alloc(size, flags, NUMA_NO_NODE);
	if (!ZERO_OR_NULL_PTR(p))
		alloc_hooked_done(p, size, flags, caller);
	return p;
}

/* A large or empty request: the fast path in alloc() leaves them. */
static noinline void *alloc_other(size_t size, gfp_t flags,
				  unsigned long caller)
{
	void *p = plain_alloc(size, flags);

	if (gosalloc_sample_due(size))
		gosalloc_sample_alloc(p, size, caller);
	return p;
}

/*
 * A small request the fast path in alloc() could not finish: @obj is
 * NULL when this CPU's list for @cls was empty; @sample is true when the
 * allocation is to be sampled.
 */
static noinline void *small_alloc_slow(void *obj, unsigned int cls,
				       size_t size, gfp_t flags,
				       unsigned long caller, bool sample)
{
	if (!obj)
		obj = gosalloc_mcache_refill(cls, flags);
	if (obj)
		obj = init_object(obj, cls, flags);
	if (sample)
		gosalloc_sample_alloc(obj, size, caller);
	return obj;
}

/* A request for a zone gosalloc does not serve; out of line, a tail call. */
static noinline void *alloc_refused(gfp_t flags, unsigned long caller)
{
	gosalloc_refuse_gfp(flags, caller);
	return NULL;
}

/*
 * Everything but the zone and charging test of alloc(); see there.
 * Inline: the fast path, and once more in alloc_special().
 */
static __always_inline void *alloc_common(size_t size, gfp_t flags,
					  unsigned long caller)
{
	unsigned int cls;
	bool sample;
	void *obj;

	if (gosalloc_hooked())
		return hooked_alloc(size, flags, caller);
	/* Tiny: a tail call, the sampling test the only step before it. */
	if (unlikely(size - 1 < READ_ONCE(gosalloc_tiny_max))) {
		if (unlikely(gosalloc_sample_due(size)))
			return tiny_alloc_sampled(size, flags, caller);
		return gosalloc_tiny_alloc(size, flags);
	}
	if (unlikely(size - 1 >= GOSALLOC_MAX_SMALL_SIZE))
		return alloc_other(size, flags, caller);
	cls = gosalloc_size_to_class(size);
	obj = gosalloc_mcache_alloc(cls);
	sample = gosalloc_sample_due(size);
	if (unlikely(!obj || sample))
		return small_alloc_slow(obj, cls, size, flags, caller, sample);
	return init_object(obj, cls, flags);
}

/*
 * A small object charged to a memory cgroup (memcg.c), on node @nid
 * (NUMA_NO_NODE: any), initialised as alloc() would, through the same
 * hooks. Return: false if nothing is to be charged, and the caller
 * allocates as usual.
 */
static bool charged_alloc(size_t size, gfp_t flags, int nid,
			  unsigned long caller, void **p)
{
	bool charged, hooked = gosalloc_hooked();
	void *obj;

	if (hooked && gosalloc_should_fail(flags)) {
		*p = NULL;
		return true;
	}
	obj = gosalloc_memcg_alloc(size, flags, nid, &charged);
	*p = obj;
	if (!obj)
		return charged;
	if (want_init_on_alloc(flags))	/* all of it, as init_object() */
		gosalloc_memset(obj, 0, object_size(obj, gosalloc_span_lookup(obj),
						    caller));
	else
		gosalloc_store_link(obj, NULL);
	if (hooked)
		alloc_hooked_done(obj, size, flags, caller);
	else if (gosalloc_sample_due(size))
		gosalloc_sample_alloc(obj, size, caller);
	return true;
}

/*
 * A refused zone, or __GFP_ACCOUNT: the fast path tests both at once.
 * A large charged object is charged by the page allocator (large_alloc()).
 */
static noinline void *alloc_special(size_t size, gfp_t flags,
				    unsigned long caller)
{
	void *p;

	if (flags & GOSALLOC_GFP_REFUSED)
		return alloc_refused(flags, caller);
	if (size - 1 < GOSALLOC_MAX_SMALL_SIZE &&
	    charged_alloc(size, flags, NUMA_NO_NODE, caller, &p))
		return p;
	return alloc_common(size, flags, caller);
}

/*
 * The fast path: a small object from this CPU's list, zeroed by a tail
 * call to memset() or handed out with its link cleared. Everything else
 * is out of line, so that few registers need saving here; requests to
 * charge a cgroup leave by the branch that refuses zones.
 */
static __always_inline void *alloc(size_t size, gfp_t flags,
				   unsigned long caller)
{
	might_alloc(flags);
	if (unlikely(flags & (GOSALLOC_GFP_REFUSED | __GFP_ACCOUNT)))
		return alloc_special(size, flags, caller);
	return alloc_common(size, flags, caller);
}

EXPORT_TRACEPOINT_SYMBOL_GPL(gosalloc_alloc);
EXPORT_TRACEPOINT_SYMBOL_GPL(gosalloc_free);

/* An event is enabled: take the hooked paths, which emit it. */
int gosalloc_trace_reg(void)
{
	static_branch_inc(&gosalloc_hooks);
	return 0;
}

void gosalloc_trace_unreg(void)
{
	static_branch_dec(&gosalloc_hooks);
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
	return alloc(size, flags, _RET_IP_);
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
	return alloc(size, flags | __GFP_ZERO, _RET_IP_);
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
	return alloc(bytes, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gosalloc_alloc_array);

/*
 * A small object of node @nid straight from that node's central list, for
 * a CPU whose caches serve another node. Counted on this CPU as a refill
 * counts the object it hands out.
 */
static void *small_alloc_node(size_t size, gfp_t flags, int nid)
{
	unsigned int cls = gosalloc_size_to_class(size);
	struct gosalloc_chain chain;
	void *obj;

	if (!gosalloc_mcentral_grab_node(nid, cls, 1, flags, &chain))
		return NULL;
	obj = chain.head;
	this_cpu_inc(gosalloc_mcache->nmoved[cls]);
	return init_object(obj, cls, flags);
}

/* Count @p, taken from its node's lists for a CPU of another node. */
static void count_node_alloc(const void *p)
{
	atomic_long_inc(&gosalloc_node(gosalloc_span_lookup(p)->node)->node_allocs);
}

/*
 * An object of node @nid, not this CPU's, one lock round-trip each: a
 * charged one from its cgroup's spans on the node (memcg.c), a tiny one
 * from the node's tiny spans that no CPU owns (tiny.c), a small one from
 * the node's central list, a large one from the node's heap. Debug mode
 * keeps its own classes for small objects and ignores the node for them.
 */
static noinline void *alloc_remote(size_t size, gfp_t flags, int nid,
				   unsigned long caller)
{
	bool small = size - 1 < GOSALLOC_MAX_SMALL_SIZE;
	void *p;

	if (small && (flags & __GFP_ACCOUNT) &&
	    charged_alloc(size, flags, nid, caller, &p))
		return p;
	if (small && gosalloc_hooked() && gosalloc_debug_on())
		return hooked_alloc(size, flags, caller);
	if (gosalloc_hooked() && gosalloc_should_fail(flags))
		return NULL;
	if (size - 1 < READ_ONCE(gosalloc_tiny_max))
		p = gosalloc_tiny_alloc_node(size, flags, nid);
	else if (small)
		p = small_alloc_node(size, flags, nid);
	else
		p = large_alloc(size, flags, nid);
	if (unlikely(!p))
		return NULL;
	if (small)
		count_node_alloc(p);
	if (gosalloc_hooked())
		alloc_hooked_done(p, size, flags, caller);
	else if (gosalloc_sample_due(size))
		gosalloc_sample_alloc(p, size, caller);
	return p;
}

static void free_checked(const void *p, unsigned long caller);

/*
 * gosalloc_alloc_node() for a node other than NUMA_NO_NODE. A node with
 * no memory is ignored, as SLUB ignores it, unless __GFP_THISNODE insists
 * on it. This CPU's node is served by the fast path, unless the object it
 * gives lies elsewhere (this CPU's caches hold objects of another node
 * when its node ran out, or after a migration between a free's node test
 * and its push): then, as for other nodes, by alloc_remote().
 */
static noinline void *alloc_node(size_t size, gfp_t flags, int nid,
				 unsigned long caller)
{
	void *p;

	if (unlikely((unsigned int)nid >= nr_node_ids ||
		     !node_state(nid, N_MEMORY)))
		return flags & __GFP_THISNODE ? NULL : alloc(size, flags, caller);
	might_alloc(flags);
	if (unlikely(flags & GOSALLOC_GFP_REFUSED))
		return alloc_refused(flags, caller);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (nid == gosalloc_local_node()) {
		p = alloc(size, flags, caller);
		if (!gosalloc_numa_on() || !p || gosalloc_on_node(p, nid))
			return p;
		free_checked(p, caller);
	}
	return alloc_remote(size, flags, nid, caller);
}

/**
 * gosalloc_alloc_node() - allocate memory on a node
 * @size: bytes wanted
 * @flags: gfp flags, as for kmalloc_node(); __GFP_ZERO zeroes the
 *	object; __GFP_THISNODE allows no other node than @node
 * @node: the node wanted, or NUMA_NO_NODE for any (then this is
 *	gosalloc_alloc())
 *
 * As kmalloc_node(): the object lies on @node while @node has memory to
 * give. Without __GFP_THISNODE, a node without memory is ignored, and a
 * node whose memory ran out gives way to another node, as SLUB falls
 * back; with it, the object lies on @node or the call fails. Objects of
 * this CPU's node come from its cache; others from their node's central
 * lists, one lock round-trip each. In debug mode small objects may lie
 * on any node.
 *
 * Context: as gosalloc_alloc().
 * Return: as gosalloc_alloc(); also NULL when __GFP_THISNODE is set and
 * @node has no memory to give.
 */
void *gosalloc_alloc_node(size_t size, gfp_t flags, int node)
{
	if (node == NUMA_NO_NODE)
		return alloc(size, flags, _RET_IP_);
	return alloc_node(size, flags, node, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gosalloc_alloc_node);

/* Is @s (from gosalloc_span_lookup(), may be NULL) a small-object span? */
static __always_inline bool small_span(struct gosalloc_span *s)
{
	return s && gosalloc_span_state(s) == GOSALLOC_SPAN_SMALL;
}

/* Is @p an object of a small span (@s from gosalloc_span_lookup())? */
static __always_inline bool small_object(struct gosalloc_span *s,
					 const void *p)
{
	return small_span(s) && gosalloc_span_object_start(s, p);
}

/*
 * The last step of every small-object free, whichever path it took:
 * the double-free check, init_on_free and the push on this CPU's list,
 * in that order (gosalloc_mcache_free()), or, for an object of another
 * node than the one this CPU's caches serve, into this CPU's buffer of
 * remote frees (gosalloc_mcache_free_remote()). With @irqs_off the caller
 * has interrupts off already (bulk free).
 */
static __always_inline void small_free(struct gosalloc_span *s, const void *p,
				       unsigned long caller, bool irqs_off)
{
	unsigned int cls = s->sizeclass;
	bool fresh;

	if (gosalloc_span_remote(s))
		fresh = gosalloc_mcache_free_remote(cls, (void *)p, s->node);
	else if (irqs_off)
		fresh = gosalloc_mcache_push_irqoff(cls, (void *)p);
	else
		fresh = gosalloc_mcache_free(cls, (void *)p);
	if (unlikely(!fresh))
		gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
}

/*
 * The usable size of object @p in span @s (from gosalloc_span_lookup()),
 * or 0 after reporting @p against @caller (unless @caller is 0): a pointer
 * gosalloc never handed out, one into the middle of an object, or one
 * into memory gosalloc holds free.
 */
static size_t object_size(const void *p, struct gosalloc_span *s,
			  unsigned long caller)
{
	size_t size;

	switch (s ? gosalloc_span_state(s) : GOSALLOC_SPAN_DEAD) {
	case GOSALLOC_SPAN_SMALL:
		if (!gosalloc_span_object_start(s, p))
			break;
		if (!gosalloc_debug_on())
			return s->elemsize;
		size = gosalloc_debug_size(s, p);
		if (!size && caller)
			gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
		return size;
	case GOSALLOC_SPAN_LARGE:
		if ((unsigned long)p == s->base)
			return gosalloc_span_bytes(s);
		break;
	case GOSALLOC_SPAN_CACHE:
		size = gosalloc_cache_object_size(s, p);
		if (size)
			return size;
		break;
	case GOSALLOC_SPAN_MEMCG:
		size = gosalloc_memcg_object_size(s, p);
		if (size)
			return size;
		break;
	case GOSALLOC_SPAN_TINY:
		size = gosalloc_tiny_size(s, p);
		if (!size && caller)
			gosalloc_tiny_report(s, p, caller);
		return size;
	case GOSALLOC_SPAN_FREE:
		if (caller)
			gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
		return 0;
	}
	if (caller)
		gosalloc_bad_pointer(p, caller, GOSALLOC_INVALID_FREES);
	return 0;
}

/*
 * Free @p, whose span lookup gave @s, whatever it is; report bad ones.
 * Out of line, so that the fast path in gosalloc_free() stays a leaf
 * with few registers to save. @irqs_off as for small_free().
 */
static noinline void free_span(const void *p, struct gosalloc_span *s,
			       unsigned long caller, bool irqs_off)
{
	u8 state = s ? gosalloc_span_state(s) : GOSALLOC_SPAN_DEAD;

	if (s && unlikely(READ_ONCE(s->sampled)))
		gosalloc_sample_free(s, p);
	/* gosalloc_tiny_free() checks the object itself. */
	if (state == GOSALLOC_SPAN_TINY && likely(gosalloc_tiny_free(s, p)))
		return;
	if (state == GOSALLOC_SPAN_CACHE) {	/* checked in cache.c */
		gosalloc_cache_free_span(s, p, caller);
		return;
	}
	if (state == GOSALLOC_SPAN_MEMCG) {	/* checked in memcg.c */
		gosalloc_memcg_free(s, p, caller);
		return;
	}
	if (unlikely(!object_size(p, s, caller)))
		return;
	/*
	 * The state read first decides: a racing second free may find the
	 * span changed since, and must then fail, not free elsewhere.
	 */
	if (state == GOSALLOC_SPAN_SMALL) {
		small_free(s, p, caller, irqs_off);
		return;
	}
	/* Zeroed for init_on_free only once it is ours to free. */
	if (state == GOSALLOC_SPAN_LARGE &&
	    likely(gosalloc_mheap_free_large(s, p)))
		return;
	gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
}

/*
 * Free with debug mode or sanitizers on: the object is checked whole
 * before the sanitizers hear of its free, and debug mode checks it.
 */
static noinline void hooked_free(const void *p, unsigned long caller)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);

	trace_gosalloc_free(caller, p);
	if (small_object(s, p)) {
		if (gosalloc_debug_on()) {
			if (!gosalloc_debug_free(s, p, caller))
				return;
		} else if (gosalloc_mcache_peek(s->sizeclass) == p) {
			/* Caught before the sanitizers hear of a free. */
			gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
			return;
		}
		if (READ_ONCE(s->sampled))
			gosalloc_sample_free(s, p);
		gosalloc_sanitize_free(s, p);
		small_free(s, p, caller, false);
		return;
	}
	/* Tiny and large objects, and bad pointers. */
	if (object_size(p, s, caller)) {
		gosalloc_sanitize_free(s, p);
		free_span(p, s, caller, false);
	}
}

static void free_checked(const void *p, unsigned long caller)
{
	if (gosalloc_hooked())
		hooked_free(p, caller);
	else
		free_span(p, gosalloc_span_lookup(p), caller, false);
}

/* gosalloc_free() of @p, called from @caller. */
static __always_inline void free_common(const void *p, unsigned long caller)
{
	struct gosalloc_span *s;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	if (gosalloc_hooked()) {
		hooked_free(p, caller);
		return;
	}
	s = gosalloc_span_lookup(p);
	if (likely(small_object(s, p) && !READ_ONCE(s->sampled))) {
		small_free(s, p, caller, false);
		return;
	}
	/* Tiny objects by a tail call: tiny.c checks the object itself. */
	if (s && gosalloc_span_state(s) == GOSALLOC_SPAN_TINY &&
	    !READ_ONCE(s->sampled)) {
		gosalloc_tiny_free_checked(s, p, caller);
		return;
	}
	/* Sampled and large objects, and bad pointers. */
	free_span(p, s, caller, false);
}

/**
 * gosalloc_free() - free memory from gosalloc
 * @p: object from gosalloc, or NULL, or ZERO_SIZE_PTR
 *
 * A pointer gosalloc did not hand out, or freed already, is reported once
 * per call site and otherwise ignored. Every such pointer is recognised
 * except, outside debug mode, a second free of a small object that is
 * still in a CPU cache or span and is not that cache's most recent free
 * object (see Documentation/debugging.rst).
 *
 * Context: any context.
 */
void gosalloc_free(const void *p)
{
	free_common(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gosalloc_free);

/**
 * gosalloc_size() - usable size of an object, like ksize()
 * @p: object from gosalloc
 *
 * Context: any context.
 * Return: the bytes that may be used at @p (its size class, or its whole
 * page run for a large object); 0 for NULL, ZERO_SIZE_PTR and pointers
 * gosalloc did not hand out (which are reported).
 */
size_t gosalloc_size(const void *p)
{
	size_t size;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	size = object_size(p, gosalloc_span_lookup(p), _RET_IP_);
	if (gosalloc_hooked() && size)
		gosalloc_sanitize_resize(p, size);	/* all of it is usable */
	return size;
}
EXPORT_SYMBOL_GPL(gosalloc_size);

/**
 * gosalloc_realloc() - resize an object, keeping its contents
 * @p: object from gosalloc, or NULL (then this is gosalloc_alloc())
 * @new_size: bytes wanted; 0 frees @p and returns ZERO_SIZE_PTR
 * @flags: gfp flags, as for kmalloc()
 *
 * The object moves only when it must grow past its usable size; then
 * __GFP_ZERO zeroes what lies beyond the old usable size. When it stays,
 * __GFP_ZERO (or init_on_alloc) zeroes its bytes from @new_size to the
 * end of its usable size, as krealloc() does. On failure @p is left
 * untouched.
 *
 * Context: as gosalloc_alloc().
 * Return: the object, possibly moved; NULL on failure or when @p is not a
 * gosalloc object (which is reported).
 */
void *gosalloc_realloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t old_size;
	void *q;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return alloc(new_size, flags, _RET_IP_);
	if (unlikely(!new_size)) {
		free_checked(p, _RET_IP_);
		return ZERO_SIZE_PTR;
	}
	old_size = object_size(p, gosalloc_span_lookup(p), _RET_IP_);
	if (unlikely(!old_size))
		return NULL;
	if (new_size <= old_size) {
		/* As krealloc(): the bytes given up read as zeroes again. */
		if (want_init_on_alloc(flags))
			gosalloc_memset((void *)p + new_size, 0,
					old_size - new_size);
		if (gosalloc_hooked())
			gosalloc_sanitize_resize(p, new_size);
		return (void *)p;
	}
	q = alloc(new_size, flags, _RET_IP_);
	if (unlikely(!q))
		return NULL;
	memcpy(q, p, old_size);
	free_checked(p, _RET_IP_);
	return q;
}
EXPORT_SYMBOL_GPL(gosalloc_realloc);

/*
 * Zero the @nr objects of @size bytes at @p, one memset() per run of
 * objects that lie next to each other: a list refilled from a fresh span,
 * or given back by a bulk free, hands them out in address order or its
 * reverse. Each step of a run adds the object just above or just below
 * it, so a run covers its objects and nothing else.
 */
static void zero_objects(void **p, size_t nr, size_t size)
{
	void *lo, *hi;
	size_t i = 0;

	while (i < nr) {
		lo = p[i];
		hi = lo + size;
		for (i++; i < nr; i++) {
			if (p[i] == hi)
				hi += size;
			else if (p[i] == lo - size)
				lo -= size;
			else
				break;
		}
		gosalloc_memset(lo, 0, hi - lo);
	}
}

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
	unsigned int cls;
	bool zero;
	size_t i;

	if (unlikely(!small_request(size) || gosalloc_hooked() ||
		     (flags & (GOSALLOC_GFP_REFUSED | __GFP_ACCOUNT)))) {
		for (i = 0; i < nr; i++) {
			p[i] = alloc(size, flags, _RET_IP_);
			if (unlikely(!p[i]))
				goto fail;
		}
		return nr;
	}
	might_alloc(flags);
	cls = gosalloc_size_to_class(size);
	/* As init_object() does, the policy tested once for them all. */
	zero = want_init_on_alloc(flags);
	for (i = 0; i < nr; ) {
		i += gosalloc_mcache_pop_many(cls, p + i, min_t(size_t, nr - i,
								UINT_MAX),
					      !zero);
		if (i == nr)
			break;
		p[i] = gosalloc_mcache_refill(cls, flags);
		if (unlikely(!p[i]))
			goto fail;
		if (!zero)
			gosalloc_store_link(p[i], NULL);
		i++;
	}
	if (zero)
		zero_objects(p, nr, gosalloc_class_to_size[cls]);
	/* Sampled as a whole, the weight on the first object. */
	if (gosalloc_sample_due(size * nr))
		gosalloc_sample_alloc(p[0], size, _RET_IP_);
	return nr;
fail:
	gosalloc_free_bulk(i, p);
	return 0;
}
EXPORT_SYMBOL_GPL(gosalloc_alloc_bulk);

/* Does span @s (from a lookup, may be NULL) cover @p? */
static __always_inline bool span_covers(struct gosalloc_span *s, const void *p)
{
	return s && (unsigned long)p - s->base < gosalloc_span_bytes(s);
}

/* Splice the chain @head..@tail of @n objects onto this CPU's list. */
static void free_bulk_chain(unsigned int cls, void *head, void *tail,
			    unsigned int n)
{
	struct gosalloc_chain chain = { .head = head, .tail = tail, .count = n };

	gosalloc_mcache_push_chain_irqoff(cls, &chain);
}

/*
 * Free the objects of @p[@i..@end) with interrupts off. Objects in a row
 * that lie in one span share its lookup and what holds for the whole
 * span: small objects of this node, none of them sampled. Each such
 * object is checked for starting an object and for a double free (the
 * object freed last: the chain's head, or the head of this CPU's list),
 * wiped and linked into a chain, which goes onto this CPU's list in one
 * splice when the run of its class ends. Everything else, objects of
 * another node included, takes the path of gosalloc_free().
 */
static void free_bulk_irqoff(void **p, size_t i, size_t end,
			     unsigned long caller)
{
	void *obj, *head = NULL, *tail = NULL;
	struct gosalloc_span *s = NULL;
	unsigned int cls = 0, n = 0;
	bool fast = false;

	for (; i < end; i++) {
		obj = p[i];
		if (ZERO_OR_NULL_PTR(obj))
			continue;
		if (!span_covers(s, obj)) {
			s = gosalloc_span_lookup(obj);
			fast = small_span(s) && !READ_ONCE(s->sampled) &&
			       !gosalloc_span_remote(s);
			if (n && !(fast && s->sizeclass == cls)) {
				free_bulk_chain(cls, head, tail, n);
				n = 0;
			}
			if (fast)
				cls = s->sizeclass;
		}
		if (unlikely(!fast || !gosalloc_span_object_start(s, obj))) {
			free_span(obj, s, caller, true);
			continue;
		}
		if (!gosalloc_object_retire(obj, cls, n ? head :
					    gosalloc_mcache_peek(cls))) {
			gosalloc_bad_pointer(obj, caller, GOSALLOC_DOUBLE_FREES);
			continue;
		}
		gosalloc_set_next(obj, cls, n ? head : NULL);
		if (!n++)
			tail = obj;
		head = obj;
	}
	if (n)
		free_bulk_chain(cls, head, tail, n);
}

/**
 * gosalloc_free_bulk() - free @nr objects
 * @nr: number of objects
 * @p: array of @nr objects, each as gosalloc_free() accepts
 *
 * Context: any context.
 */
void gosalloc_free_bulk(size_t nr, void **p)
{
	unsigned long flags;
	size_t i, end;

	if (gosalloc_hooked()) {
		for (i = 0; i < nr; i++)
			if (!ZERO_OR_NULL_PTR(p[i]))
				hooked_free(p[i], _RET_IP_);
		return;
	}
	/* Interrupts go off once per GOSALLOC_BULK_CHUNK objects. */
	for (i = 0; i < nr; i = end) {
		end = min_t(size_t, nr, i + GOSALLOC_BULK_CHUNK);
		local_irq_save(flags);
		free_bulk_irqoff(p, i, end, _RET_IP_);
		local_irq_restore(flags);
	}
}
EXPORT_SYMBOL_GPL(gosalloc_free_bulk);

#ifdef CONFIG_GOSALLOC_KMALLOC
/*
 * Kernel mode (kmalloc.c): gosalloc_alloc_node() and gosalloc_free() on
 * behalf of kmalloc() and kfree() called from @caller.
 */
void *gosalloc_alloc_from(size_t size, gfp_t flags, int node,
			  unsigned long caller)
{
	if (node == NUMA_NO_NODE)
		return alloc(size, flags, caller);
	return alloc_node(size, flags, node, caller);
}

void gosalloc_free_from(const void *p, unsigned long caller)
{
	free_common(p, caller);
}

/* The usable size of object @p, or 0 if it is none; nothing reported. */
size_t gosalloc_size_quiet(const void *p)
{
	return object_size(p, gosalloc_span_lookup(p), 0);
}

/*
 * Free object @p, checked by the caller, without the sanitizer hooks,
 * which ran when @p went into quarantine (kmalloc.c).
 */
void gosalloc_free_unhooked(const void *p, unsigned long caller)
{
	free_span(p, gosalloc_span_lookup(p), caller, false);
}
#endif
