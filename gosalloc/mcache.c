// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcache.c - per-CPU caches (MCache); see malloc.c for the overview.
 *
 * Each CPU keeps, per size class, a list of free objects. The fast paths
 * (mcache.h) pop and push without a lock or an atomic instruction,
 * holding the CPU's lists with preemption off and a flag that code
 * interrupting them respects (gosalloc_mcache_hold()), so they are safe
 * from any context and against preemption and migration. An empty list is
 * refilled with a batch from the class's central list; a list that
 * reaches two batches gives one back. A free goes to the freeing CPU's
 * list, whichever CPU allocated the object, as long as the object lies
 * on the node this CPU's caches serve (node.h); an object of another
 * node waits in a small per-CPU buffer, which goes back to the nodes'
 * central lists as a batch, one lock round-trip per node and class in
 * it.
 *
 * The caches live in the per-CPU area (alloc_percpu()), because the
 * this_cpu operations the fast paths are built on only work there.
 */
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <kunit/visibility.h>

#include "internal.h"

struct gosalloc_mcache __percpu *gosalloc_mcache;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache);

unsigned int gosalloc_class_batch[GOSALLOC_NR_CLASSES];
EXPORT_SYMBOL_IF_KUNIT(gosalloc_class_batch);

/* Push a NULL-ended chain of @n objects on a list; interrupts off. */
static void list_splice_chain(struct gosalloc_mcache_list *l, unsigned int cls,
			      void *head, void *tail, unsigned int n)
{
	gosalloc_set_next(tail, cls, l->head);
	l->head = head;
	l->count += n;
}

/**
 * gosalloc_mcache_refill() - allocate when the CPU's list is empty
 * @cls: size class
 * @gfp: gfp flags
 *
 * Takes a batch from the central list, returns one object and puts the
 * rest on the list of the CPU this ends on (it may have migrated), or
 * frees them if that list filled meanwhile.
 *
 * Context: any context @gfp allows.
 * Return: an object, or NULL when memory is short.
 */
void *gosalloc_mcache_refill(unsigned int cls, gfp_t gfp)
{
	struct gosalloc_mcache_list *l;
	struct gosalloc_chain chain;
	struct gosalloc_mcache *c;
	unsigned long flags;
	void *obj, *rest;

	if (!gosalloc_mcentral_grab(cls, gosalloc_class_batch[cls], gfp, &chain))
		return NULL;
	obj = chain.head;
	rest = gosalloc_next(obj, cls);
	local_irq_save(flags);
	c = this_cpu_ptr(gosalloc_mcache);
	/*
	 * The object handed out counts as moved onto the list and taken
	 * (fast paths never write nmoved, so even a holder we interrupted
	 * does not mind).
	 */
	c->nmoved[cls]++;
	l = &c->list[cls];
	if (rest && !gosalloc_mcache_held() &&
	    list_has_room(l, cls, chain.count - 1)) {
		list_splice_chain(l, cls, rest, chain.tail, chain.count - 1);
		c->nmoved[cls] += chain.count - 1;
		rest = NULL;
	}
	local_irq_restore(flags);
	if (rest)
		gosalloc_mcentral_release(cls, rest);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_refill);

/*
 * Give all but @keep objects of @c's list for @cls back (the most recent
 * are kept); @c is this CPU's cache, or an offline CPU's.
 */
static void list_flush(struct gosalloc_mcache *c, unsigned int cls,
		       unsigned int keep)
{
	struct gosalloc_mcache_list *l = &c->list[cls];
	unsigned int count = l->count;
	void *last, *chain;
	unsigned int i;

	if (count <= keep)
		return;
	if (!keep) {
		chain = l->head;
		l->head = NULL;
	} else {
		last = l->head;
		for (i = 1; i < keep; i++)
			last = gosalloc_next(last, cls);
		chain = gosalloc_next(last, cls);
		gosalloc_set_next(last, cls, NULL);
	}
	l->count = keep;
	c->nmoved[cls] -= count - keep;
	gosalloc_mcentral_release(cls, chain);
}

/**
 * gosalloc_mcache_free_slow() - free to a full list
 * @cls: size class
 * @obj: the object
 *
 * Pushes @obj and gives a batch back to the central list.
 *
 * Context: interrupts disabled.
 */
void gosalloc_mcache_free_slow(unsigned int cls, void *obj)
{
	struct gosalloc_mcache *c = this_cpu_ptr(gosalloc_mcache);

	lockdep_assert_irqs_disabled();
	list_push(c, &c->list[cls], cls, obj);
	list_flush(c, cls, gosalloc_class_batch[cls]);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_free_slow);

/**
 * gosalloc_mcache_free_bypass() - free past this CPU's held lists
 * @cls: size class
 * @obj: the object
 *
 * For code that interrupted a holder of this CPU's lists
 * (gosalloc_mcache_hold()): @obj goes straight to the central list.
 *
 * Context: any context; disables interrupts for the checks.
 * Return: false if @obj is the list's most recent free object (a second
 * free), true otherwise.
 */
bool gosalloc_mcache_free_bypass(unsigned int cls, void *obj)
{
	struct gosalloc_mcache *c;
	unsigned long flags;

	local_irq_save(flags);
	c = this_cpu_ptr(gosalloc_mcache);
	/* Read while the holder may be changing it: a stale head is harmless. */
	if (unlikely(READ_ONCE(c->list[cls].head) == obj)) {
		local_irq_restore(flags);
		return false;
	}
	c->nfree_bypass[cls]++;
	local_irq_restore(flags);
	gosalloc_object_wipe(obj, cls);
	gosalloc_set_next(obj, cls, NULL);
	gosalloc_mcentral_release(cls, obj);
	return true;
}

/**
 * gosalloc_mcache_free_irqsave() - free with interrupts off
 * @cls: size class
 * @obj: the object
 *
 * The out-of-line end of gosalloc_mcache_free(): for a full list, and for
 * every free under init_on_free. Out of line so that the fast path calls
 * nothing.
 *
 * Context: any context.
 * Return: as gosalloc_mcache_free().
 */
noinline bool gosalloc_mcache_free_irqsave(unsigned int cls, void *obj)
{
	unsigned long flags;
	bool fresh;

	local_irq_save(flags);
	fresh = gosalloc_mcache_push_irqoff(cls, obj);
	local_irq_restore(flags);
	return fresh;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_free_irqsave);

/* A remote free's node and class, in one word. */
#define REMOTE_KEY(nid, cls)	((u32)(nid) << 8 | (cls))

/*
 * Send @c's remote frees home: one chain, and one central.lock
 * round-trip, per node and class among them. @c is this CPU's cache,
 * with interrupts off, or an offline CPU's.
 */
static void remote_flush(struct gosalloc_mcache *c)
{
	unsigned int n = c->nremote, i, j, cls, count;
	void *head;
	u32 key;

	c->nremote = 0;
	for (i = 0; i < n; i++) {
		if (!c->remote[i])
			continue;
		key = c->remote_key[i];
		cls = key & 0xff;
		head = NULL;
		count = 0;
		for (j = i; j < n; j++) {
			if (!c->remote[j] || c->remote_key[j] != key)
				continue;
			gosalloc_set_next(c->remote[j], cls, head);
			head = c->remote[j];
			c->remote[j] = NULL;
			count++;
		}
		atomic_long_add(count, &gosalloc_node(key >> 8)->remote_frees);
		gosalloc_mcentral_release(cls, head);
	}
}

/**
 * gosalloc_mcache_free_remote() - free an object of another node
 * @cls: size class
 * @obj: the object
 * @nid: its node, not the one this CPU's caches serve
 *
 * @obj goes into this CPU's buffer of remote frees, after the double-free
 * check (against the buffer) and init_on_free; a full buffer goes back
 * to the central lists of its objects' nodes at once. Out of line: the
 * fast path calls it only on machines with more than one node.
 *
 * Context: any context; disables interrupts.
 * Return: false if @obj is in the buffer already (a double free), true
 * otherwise.
 */
noinline bool gosalloc_mcache_free_remote(unsigned int cls, void *obj,
					  int nid)
{
	struct gosalloc_mcache *c;
	unsigned long flags;
	unsigned int i;

	local_irq_save(flags);
	c = this_cpu_ptr(gosalloc_mcache);
	for (i = 0; i < c->nremote; i++) {
		if (unlikely(c->remote[i] == obj)) {
			local_irq_restore(flags);
			return false;
		}
	}
	gosalloc_object_wipe(obj, cls);
	c->remote[c->nremote] = obj;
	c->remote_key[c->nremote++] = REMOTE_KEY(nid, cls);
	c->nfree_bypass[cls]++;
	if (c->nremote == GOSALLOC_REMOTE_BATCH)
		remote_flush(c);
	local_irq_restore(flags);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_free_remote);

/**
 * gosalloc_mcache_drain() - give every object of a CPU's cache back
 * @cpu: the current CPU, or one that is offline
 *
 * The lists stay as they are when this interrupted a holder of them
 * (an IPI, say): that CPU is not idle anyway.
 *
 * Context: any context; disables interrupts.
 */
void gosalloc_mcache_drain(unsigned int cpu)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	unsigned long flags;
	unsigned int cls;

	local_irq_save(flags);
	if (!READ_ONCE(c->held))
		for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++)
			list_flush(c, cls, 0);
	remote_flush(c);
	gosalloc_tiny_drain(cpu);
	local_irq_restore(flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_drain);

/**
 * gosalloc_mcache_pop_many() - take objects of this CPU's list at once
 * @cls: size class
 * @objs: filled with the objects
 * @n: objects wanted
 * @unlink: clear each object's link as it is taken, as init_object()
 *	does for an object that is not zeroed
 *
 * Context: any context.
 * Return: how many were taken, up to @n (0 when the list is empty).
 */
unsigned int gosalloc_mcache_pop_many(unsigned int cls, void **objs,
				      unsigned int n, bool unlink)
{
	struct gosalloc_mcache_list *l;
	unsigned long flags;
	unsigned int i = 0;
	void *obj;

	local_irq_save(flags);
	if (likely(!gosalloc_mcache_held())) {
		l = this_cpu_ptr(&gosalloc_mcache->list[cls]);
		for (obj = l->head; i < n && obj; i++) {
			objs[i] = obj;
			obj = gosalloc_next(obj, cls);
			if (unlink)
				gosalloc_store_link(objs[i], NULL);
		}
		l->head = obj;
		l->count -= i;
	}
	local_irq_restore(flags);
	return i;
}

/**
 * gosalloc_mcache_push_chain_irqoff() - free a chain of objects at once
 * @cls: size class
 * @chain: a NULL-ended chain of objects of @cls, checked and wiped
 *
 * Splices @chain onto this CPU's list, then gives a batch back if the
 * list is full; if an interrupted holder has the lists, @chain goes to
 * the central list instead.
 *
 * Context: interrupts disabled.
 */
void gosalloc_mcache_push_chain_irqoff(unsigned int cls,
				       const struct gosalloc_chain *chain)
{
	struct gosalloc_mcache *c = this_cpu_ptr(gosalloc_mcache);
	struct gosalloc_mcache_list *l = &c->list[cls];

	if (unlikely(gosalloc_mcache_held())) {
		c->nfree_bypass[cls] += chain->count;
		gosalloc_mcentral_release(cls, chain->head);
		return;
	}
	list_splice_chain(l, cls, chain->head, chain->tail, chain->count);
	c->nfree[cls] += chain->count;
	if (!list_has_room(l, cls, 0))
		list_flush(c, cls, gosalloc_class_batch[cls]);
}

/* Objects on @cpu's list for @cls (racy unless run on @cpu). */
unsigned int gosalloc_mcache_count(unsigned int cpu, unsigned int cls)
{
	return READ_ONCE(per_cpu_ptr(gosalloc_mcache, cpu)->list[cls].count);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_count);

/**
 * gosalloc_mcache_raw_counts() - allocations and frees of a class on a CPU
 * @cpu: a possible CPU
 * @cls: size class
 * @allocs: allocations, signed: see below
 * @frees: frees
 *
 * Every object that entered the CPU's list (moved there by a slow path,
 * or freed there) left it again by an allocation, unless it is still
 * there. Summed over all CPUs this is exact at rest. One CPU's figure,
 * read while @cpu runs, may be off by up to a batch for a moment. The
 * list's length is read first, so that a racing refill reads as more
 * allocations rather than fewer.
 *
 * Context: any context.
 */
void gosalloc_mcache_raw_counts(unsigned int cpu, unsigned int cls,
				long *allocs, unsigned long *frees)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	unsigned long cached = gosalloc_mcache_count(cpu, cls), nfree;

	smp_rmb();	/* the length before the counters */
	nfree = READ_ONCE(c->nfree[cls]);
	*allocs = (long)(READ_ONCE(c->nmoved[cls]) + nfree - cached);
	*frees = nfree + READ_ONCE(c->nfree_bypass[cls]);
}

/* Allocations (never below 0) and frees of @cls on @cpu. */
void gosalloc_mcache_counts(unsigned int cpu, unsigned int cls,
			    unsigned long *nmalloc, unsigned long *nfree)
{
	long allocs;

	gosalloc_mcache_raw_counts(cpu, cls, &allocs, nfree);
	*nmalloc = max(allocs, 0L);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_counts);

unsigned long gosalloc_mcache_bytes(void)
{
	return num_possible_cpus() * sizeof(struct gosalloc_mcache);
}

/* Bytes of objects per batch; tunable in debugfs. */
unsigned int gosalloc_cache_batch_bytes = SZ_16K;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_cache_batch_bytes);

/**
 * gosalloc_mcache_set_batch() - size the batches, and so the CPU caches
 * @bytes: bytes of objects per batch, GOSALLOC_BATCH_MIN to _MAX
 *
 * A batch is @bytes of objects, at least 2 and at most 128 objects, and
 * never more than one span's worth; a CPU list holds up to two batches.
 * Lists longer than a new limit shrink at their next free.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for @bytes out of range.
 */
int gosalloc_mcache_set_batch(unsigned int bytes)
{
	unsigned int cls;

	if (bytes < GOSALLOC_BATCH_MIN || bytes > GOSALLOC_BATCH_MAX)
		return -EINVAL;
	WRITE_ONCE(gosalloc_cache_batch_bytes, bytes);
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++)
		WRITE_ONCE(gosalloc_class_batch[cls],
			   min_t(unsigned int, gosalloc_class_to_nobjs[cls],
				 clamp(bytes / gosalloc_class_to_size[cls], 2U,
				       128U)));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_set_batch);

int gosalloc_mcache_init(void)
{
	gosalloc_mcache_set_batch(gosalloc_cache_batch_bytes);
	gosalloc_mcache = alloc_percpu(struct gosalloc_mcache);	/* zeroed */
	return gosalloc_mcache ? 0 : -ENOMEM;
}

/* Module unload or failed load: no gosalloc function runs any more. */
void gosalloc_mcache_exit(void)
{
	unsigned int cpu;

	if (!gosalloc_mcache)
		return;
	for_each_possible_cpu(cpu)
		gosalloc_mcache_drain(cpu);
	free_percpu(gosalloc_mcache);
	gosalloc_mcache = NULL;
}
