// SPDX-License-Identifier: GPL-2.0-only
/*
 * memcg.c - memory-cgroup charging (__GFP_ACCOUNT); see malloc.c for the
 * overview and Documentation/design.rst ("Memory cgroups") for why.
 *
 * The kernel charges slab objects one by one (obj_cgroup_charge()), but
 * exports none of that to modules. What a module can do is allocate
 * pages with __GFP_ACCOUNT: the page allocator charges them to the
 * current object cgroup and uncharges them when they are freed, to that
 * cgroup or, once it is gone, to the ancestor that took its charges. So
 * gosalloc charges pages, not objects: a small object charged to a cgroup
 * lives in a span of that cgroup's own, whose pages were allocated with
 * __GFP_ACCOUNT while that cgroup was the active one, and objects of
 * different cgroups, or charged and uncharged ones, never share a page.
 * Large objects are pages of their own (gosalloc_mheap_alloc_direct()).
 *
 * Nodes: a set's spans of every node share its lists, as a named cache's
 * do (cache.c); each span lies on one node (its pages were allocated
 * together). An allocation takes a span of the node this CPU's caches
 * serve if the set has one with a free object, else any span with one,
 * else grows a span wherever the page allocator places it (the local
 * node, or the task's memory policy). gosalloc_alloc_node() with
 * __GFP_ACCOUNT takes a span of the node asked for, or grows one there
 * (on another node only if that one ran out and __GFP_THISNODE does not
 * forbid it): a charged object lies on the node asked for, as kmalloc's
 * does. Only machines with more than one node look past the first span
 * of a list.
 *
 * Each object cgroup that allocated through gosalloc has a struct
 * gosalloc_memcg: one list of spans with free objects per size class,
 * under one lock. There are no per-CPU caches for charged objects: an
 * allocation takes the set's lock, a free too. Unaccounted allocations
 * never come here; the fast path tests __GFP_ACCOUNT together with the
 * zones gosalloc refuses, in the one branch it had already.
 *
 * A span whose objects are all back goes back to the page allocator (and
 * so is uncharged), unless it is the only span of its class with free
 * objects and the cgroup is alive; those spare spans go when gosalloc
 * gives memory back (gosalloc_memcg_trim()). A set whose cgroup went
 * offline is freed with its last span, and drops its reference on the
 * object cgroup then.
 *
 * Lock order (after malloc.c's): the table lock, then a set's lock; the
 * heap is called with neither held. Both are taken with interrupts
 * saved, from any context. Sets are freed after an RCU grace period, so
 * that a lookup under rcu_read_lock() may lock a set it found and then
 * check that it is not gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "internal.h"

/*
 * A free object holds its free-list link in its first word and this mark,
 * xor the span's address, in its second, so that a second free of it is
 * caught without walking the list each time: only when the mark is
 * there, which user data may make it by chance. Charged objects are 16
 * bytes at least, to have the room.
 */
#define MEMCG_FREE_MARK		0x6d656d6367667265UL
#define MEMCG_MIN_SIZE		(2 * sizeof(void *))

/* The sets by object cgroup: buckets changed under the table lock. */
static DEFINE_HASHTABLE(memcg_table, 6);
static DEFINE_SPINLOCK(memcg_table_lock);

static struct gosalloc_memcg *set_find(struct obj_cgroup *objcg)
{
	struct gosalloc_memcg *m;

	hash_for_each_possible_rcu(memcg_table, m, node, (unsigned long)objcg)
		if (m->objcg == objcg)
			return m;
	return NULL;
}

static void set_init(struct gosalloc_memcg *m, struct obj_cgroup *objcg)
{
	unsigned int i;

	m->objcg = objcg;
	spin_lock_init(&m->lock);
	for (i = 0; i < GOSALLOC_NR_CLASSES; i++)
		INIT_LIST_HEAD(&m->partial[i]);
}

/**
 * gosalloc_memcg_set_new() - spans for an object cgroup, off the table
 * @objcg: the object cgroup, referenced by the caller (the reference
 *	   becomes the set's); NULL for tests, whose pages are charged as
 *	   the context allocating them is
 * @gfp: gfp flags for the set itself, which is charged too (not in
 *	 kernel mode, see below)
 *
 * Context: any context @gfp allows.
 * Return: the set, or NULL.
 */
struct gosalloc_memcg *gosalloc_memcg_set_new(struct obj_cgroup *objcg,
					      gfp_t gfp)
{
	struct gosalloc_memcg *m;

	/* How hard to try, as the caller asked; no zone or other flags. */
	gfp &= GFP_KERNEL | __GFP_HIGH | __GFP_MEMALLOC | __GFP_NOMEMALLOC;
	/*
	 * In kernel mode kzalloc() is gosalloc's own: a charged one would
	 * come back here for the set it is making. The set goes uncharged.
	 */
	if (!gosalloc_kmalloc_active())
		gfp |= __GFP_ACCOUNT;
	m = kzalloc(sizeof(*m), gfp | __GFP_NOWARN);
	if (!m)
		return NULL;
	set_init(m, objcg);
	return m;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_memcg_set_new);

static void set_free(struct gosalloc_memcg *m)
{
	gosalloc_objcg_put(m->objcg);
	kfree_rcu(m, rcu);
}

/*
 * Reserve a span of set @m for a caller about to grow it, so that the
 * set outlives the growth. Return: false if @m is gone.
 */
static bool set_reserve(struct gosalloc_memcg *m)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&m->lock, flags);
	ok = !m->gone;
	if (ok)
		m->nspans++;
	spin_unlock_irqrestore(&m->lock, flags);
	return ok;
}

/*
 * The set of @objcg, created if need be, with a span reserved. @objcg is
 * referenced by the caller; the reference is dropped here or becomes a
 * new set's.
 */
static struct gosalloc_memcg *set_get(struct obj_cgroup *objcg, gfp_t gfp)
{
	struct gosalloc_memcg *m, *new;
	unsigned long flags;

	rcu_read_lock();
	m = set_find(objcg);
	if (m && !set_reserve(m))
		m = NULL;
	rcu_read_unlock();
	if (m) {
		gosalloc_objcg_put(objcg);
		return m;
	}
	new = gosalloc_memcg_set_new(objcg, gfp);
	if (!new) {
		gosalloc_objcg_put(objcg);
		return NULL;
	}
	new->nspans = 1;	/* reserved for the caller */
	spin_lock_irqsave(&memcg_table_lock, flags);
	m = set_find(objcg);	/* a racing allocation may have made one */
	if (!m || !set_reserve(m)) {
		hash_add_rcu(memcg_table, &new->node, (unsigned long)objcg);
		m = new;
		new = NULL;
	}
	spin_unlock_irqrestore(&memcg_table_lock, flags);
	if (new)
		set_free(new);	/* drops the caller's reference */
	return m;
}

/* Take one object of span @s; set lock held. */
static void *span_take(struct gosalloc_memcg *m, struct gosalloc_span *s)
{
	void *obj = s->freelist;

	lockdep_assert_held(&m->lock);
	if (obj)
		s->freelist = READ_ONCE_NOCHECK(*(void **)obj);
	else
		obj = (void *)(s->base + s->freeindex++ * s->elemsize);
	((void **)obj)[1] = NULL;	/* no free mark on an object out */
	if (++s->allocated == s->nelems)
		list_del_init(&s->list);	/* full: on no list */
	m->nobjs++;
	return obj;
}

/*
 * A span of @m with a free object of class @cls: on node @nid if
 * NUMA_NO_NODE is not @nid, else preferably on the node this CPU's
 * caches serve; or NULL. Set lock held.
 */
static struct gosalloc_span *set_partial(struct gosalloc_memcg *m,
					 unsigned int cls, int nid)
{
	struct list_head *partial = &m->partial[cls];
	struct gosalloc_span *s;

	lockdep_assert_held(&m->lock);
	if (gosalloc_numa_on()) {
		list_for_each_entry(s, partial, list)
			if (s->node == (nid == NUMA_NO_NODE ?
					gosalloc_local_node() : nid))
				return s;
		if (nid != NUMA_NO_NODE)
			return NULL;
	}
	return list_first_entry_or_null(partial, struct gosalloc_span, list);
}

/*
 * An object of class @cls from a span of @m that has one, on node @nid
 * as set_partial() finds it; or NULL.
 */
static void *set_pop(struct gosalloc_memcg *m, unsigned int cls, int nid)
{
	struct gosalloc_span *s;
	unsigned long flags;
	void *obj = NULL;

	spin_lock_irqsave(&m->lock, flags);
	s = set_partial(m, cls, nid);
	if (s && !m->gone)
		obj = span_take(m, s);
	spin_unlock_irqrestore(&m->lock, flags);
	return obj;
}

/*
 * A new span of class @cls for @m on node @nid (NUMA_NO_NODE: where the
 * page allocator places it), whose reservation it takes, charged to @m's
 * cgroup; one object of it. Return: the object, or NULL with the
 * reservation dropped.
 */
static void *set_grow(struct gosalloc_memcg *m, unsigned int cls, gfp_t gfp,
		      int nid)
{
	struct mem_cgroup *memcg = gosalloc_objcg_memcg_get(m->objcg), *old;
	struct gosalloc_span *s;
	unsigned long flags;
	void *obj = NULL;

	old = set_active_memcg(memcg);
	s = gosalloc_mheap_alloc_charged(cls, m, gfp, nid);
	set_active_memcg(old);
	gosalloc_memcg_put(memcg);
	spin_lock_irqsave(&m->lock, flags);
	if (s) {
		list_add(&s->list, &m->partial[cls]);
		obj = span_take(m, s);
	} else {
		m->nspans--;	/* gosalloc_memcg_trim() frees a dead set */
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return obj;
}

/**
 * gosalloc_memcg_set_alloc() - a small object from a set's spans
 * @m: the set
 * @size: 1 to GOSALLOC_MAX_SMALL_SIZE bytes
 * @gfp: gfp flags, for a new span
 * @nid: the node wanted (a node with memory), or NUMA_NO_NODE for any
 *
 * The object is neither zeroed nor initialised: the caller does that.
 *
 * Context: any context @gfp allows; takes the set's lock, then heap.lock
 * with it released.
 * Return: the object, or NULL when memory is short or the charge failed.
 */
void *gosalloc_memcg_set_alloc(struct gosalloc_memcg *m, size_t size,
			       gfp_t gfp, int nid)
{
	unsigned int cls = gosalloc_size_to_class(max(size, MEMCG_MIN_SIZE));
	void *obj = set_pop(m, cls, nid);

	if (obj || !set_reserve(m))
		return obj;
	return set_grow(m, cls, gfp, nid);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_memcg_set_alloc);

/**
 * gosalloc_memcg_alloc() - a small object charged to the current cgroup
 * @size: 1 to GOSALLOC_MAX_SMALL_SIZE bytes
 * @gfp: gfp flags, with __GFP_ACCOUNT
 * @nid: the node wanted (a node with memory), or NUMA_NO_NODE for any
 *	 (see the top of this file)
 * @charged: set to false when nothing is to be charged here (no cgroup
 *	     has kernel memory accounting, or the allocating context has
 *	     no cgroup but the root, as kernel threads and interrupts
 *	     outside set_active_memcg()): the caller allocates as usual
 *
 * Context: any context @gfp allows.
 * Return: the object (neither zeroed nor initialised), or NULL when
 * memory is short or the charge failed (the cgroup is at memory.max), or
 * when *@charged is false.
 */
void *gosalloc_memcg_alloc(size_t size, gfp_t gfp, int nid, bool *charged)
{
	unsigned int cls = gosalloc_size_to_class(max(size, MEMCG_MIN_SIZE));
	struct obj_cgroup *objcg;
	struct gosalloc_memcg *m;
	void *obj = NULL;

	*charged = false;
	if (!gosalloc_memcg_kmem_online())
		return NULL;
	rcu_read_lock();
	objcg = gosalloc_current_objcg();
	if (!objcg) {
		rcu_read_unlock();
		return NULL;
	}
	*charged = true;
	m = set_find(objcg);
	if (m)
		obj = set_pop(m, cls, nid);
	/* A reference, to grow the set; none left means a long-dead cgroup. */
	if (!obj && !gosalloc_objcg_tryget(objcg))
		*charged = false;
	rcu_read_unlock();
	if (obj || !*charged)
		return obj;
	m = set_get(objcg, gfp);
	return m ? set_grow(m, cls, gfp, nid) : NULL;
}

static unsigned long free_mark(struct gosalloc_span *s)
{
	return (unsigned long)s ^ MEMCG_FREE_MARK;
}

/* Is @p on the free list of span @s? Set lock held. */
static bool object_free(struct gosalloc_span *s, const void *p)
{
	void *q;

	if (READ_ONCE_NOCHECK(((unsigned long *)p)[1]) != free_mark(s))
		return false;
	for (q = s->freelist; q; q = READ_ONCE_NOCHECK(*(void **)q))
		if (q == p)
			return true;
	return false;
}

/* Is @p an object of charged span @s that is out? Set lock held. */
static bool object_out(struct gosalloc_span *s, const void *p)
{
	unsigned long off = (unsigned long)p - s->base;
	u32 idx = gosalloc_span_index(s, p);

	return s->allocated && idx * s->elemsize == off && idx < s->freeindex &&
	       !object_free(s, p);
}

/*
 * Put @obj back in span @s of @m; set lock held. Return: @s is now to go
 * back to the page allocator (off every list).
 */
static bool span_put(struct gosalloc_memcg *m, struct gosalloc_span *s,
		     void *obj)
{
	struct list_head *partial = &m->partial[s->sizeclass];

	lockdep_assert_held(&m->lock);
	if (list_empty(&s->list))	/* was full */
		list_add(&s->list, partial);
	gosalloc_store_link(obj, s->freelist);
	((unsigned long *)obj)[1] = free_mark(s);
	s->freelist = obj;
	m->nobjs--;
	if (--s->allocated)
		return false;
	if (list_is_singular(partial) && !m->gone &&
	    !(m->objcg && gosalloc_objcg_dead(m->objcg)))
		return false;	/* kept: see the top of this file */
	list_del_init(&s->list);
	m->nspans--;
	return true;
}

/* Free set @m if it is empty and its cgroup dead (or @all); table lock. */
static bool set_unlink_if_done(struct gosalloc_memcg *m, bool all)
{
	bool done;

	lockdep_assert_held(&memcg_table_lock);
	spin_lock(&m->lock);
	done = !m->nspans && (all || gosalloc_objcg_dead(m->objcg));
	if (done) {
		m->gone = true;
		hash_del_rcu(&m->node);
	}
	spin_unlock(&m->lock);
	return done;
}

static void set_release_if_done(struct gosalloc_memcg *m)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&memcg_table_lock, flags);
	done = set_unlink_if_done(m, false);
	spin_unlock_irqrestore(&memcg_table_lock, flags);
	if (done)
		set_free(m);
}

/**
 * gosalloc_memcg_free() - free an object of a charged span
 * @s: the span gosalloc_span_lookup() found for @p, in state
 *     GOSALLOC_SPAN_MEMCG when it was looked at
 * @p: the object
 * @caller: for the report of a bad pointer
 *
 * The span is checked again under its set's lock; a pointer that is not
 * an object out is reported as a double free and ignored. init_on_free
 * zeroes the object but for the two words that mark it free.
 *
 * Context: any context; takes the set's lock, then heap.lock with it
 * released.
 */
void gosalloc_memcg_free(struct gosalloc_span *s, const void *p,
			 unsigned long caller)
{
	struct gosalloc_memcg *m;
	bool empty = false, ok;
	unsigned long flags;

	/*
	 * A set is freed a grace period after its last span went back, and
	 * a span's set pointer is cleared before that: a pointer read here
	 * is NULL or a set that stays valid until rcu_read_unlock().
	 */
	rcu_read_lock();
	m = READ_ONCE(s->memcg);
	if (!m) {
		rcu_read_unlock();
		gosalloc_bad_pointer(p, caller, GOSALLOC_DOUBLE_FREES);
		return;
	}
	spin_lock_irqsave(&m->lock, flags);
	ok = READ_ONCE(s->state) == GOSALLOC_SPAN_MEMCG && s->memcg == m &&
	     object_out(s, p);
	if (ok) {
		if (want_init_on_free())
			gosalloc_memset((void *)p + MEMCG_MIN_SIZE, 0,
					s->elemsize - MEMCG_MIN_SIZE);
		empty = span_put(m, s, (void *)p);
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (empty) {
		gosalloc_mheap_free_charged(s);
		set_release_if_done(m);
	}
	rcu_read_unlock();
	/* As for the size classes: only an object's start can be freed twice. */
	if (!ok)
		gosalloc_bad_pointer(p, caller,
				     gosalloc_memcg_object_size(s, p) ?
				     GOSALLOC_DOUBLE_FREES :
				     GOSALLOC_INVALID_FREES);
}

/**
 * gosalloc_memcg_object_size() - the usable size of an object of a span
 * @s: a span in state GOSALLOC_SPAN_MEMCG
 * @p: the pointer
 *
 * Context: any context; no lock (racy against a free of @p).
 * Return: the object size of the span's class, or 0 if @p is not the
 * start of an object carved from @s.
 */
size_t gosalloc_memcg_object_size(struct gosalloc_span *s, const void *p)
{
	unsigned long off = (unsigned long)p - s->base;
	u32 idx = gosalloc_span_index(s, p);

	if (idx * s->elemsize != off || idx >= READ_ONCE(s->freeindex))
		return 0;
	return s->elemsize;
}

/* Move the spans of @m with no object out to @empty; set lock held. */
static void set_trim(struct gosalloc_memcg *m, struct list_head *empty)
{
	struct gosalloc_span *s, *next;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < GOSALLOC_NR_CLASSES; i++) {
		list_for_each_entry_safe(s, next, &m->partial[i], list) {
			if (s->allocated)
				continue;
			list_move(&s->list, empty);
			m->nspans--;
		}
	}
}

/**
 * gosalloc_memcg_trim() - give back the spare spans of every cgroup
 * @all: also free the sets of live cgroups left with no span (unload)
 *
 * Every span with no object out goes back to the page allocator, which
 * uncharges it; a set whose cgroup went offline and that has no span left
 * is freed.
 *
 * Context: any context; takes the table lock, then each set's lock, and
 * heap.lock with both released.
 */
void gosalloc_memcg_trim(bool all)
{
	struct gosalloc_span *s, *next;
	struct gosalloc_memcg *m;
	struct hlist_node *tmp;
	unsigned long flags;
	LIST_HEAD(empty);
	HLIST_HEAD(done);
	unsigned int b;

	spin_lock_irqsave(&memcg_table_lock, flags);
	hash_for_each(memcg_table, b, m, node) {
		spin_lock(&m->lock);
		set_trim(m, &empty);
		spin_unlock(&m->lock);
	}
	hash_for_each_safe(memcg_table, b, tmp, m, node)
		if (set_unlink_if_done(m, all))
			hlist_add_head(&m->node, &done);
	spin_unlock_irqrestore(&memcg_table_lock, flags);
	list_for_each_entry_safe(s, next, &empty, list)
		gosalloc_mheap_free_charged(s);
	hlist_for_each_entry_safe(m, tmp, &done, node)
		set_free(m);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_memcg_trim);

/**
 * gosalloc_memcg_set_destroy() - free a set made by gosalloc_memcg_set_new()
 * @m: the set, off the table
 *
 * Its spare spans go back first.
 *
 * Context: any context.
 * Return: true if @m was freed; false if objects of it are still out
 * (then it stays).
 */
bool gosalloc_memcg_set_destroy(struct gosalloc_memcg *m)
{
	struct gosalloc_span *s, *next;
	unsigned long flags;
	LIST_HEAD(empty);
	bool done;

	spin_lock_irqsave(&m->lock, flags);
	set_trim(m, &empty);
	done = !m->nspans;
	m->gone = done;
	spin_unlock_irqrestore(&m->lock, flags);
	list_for_each_entry_safe(s, next, &empty, list)
		gosalloc_mheap_free_charged(s);
	if (done)
		set_free(m);
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_memcg_set_destroy);

/**
 * gosalloc_memcg_stats() - sets and charged objects, for the statistics
 * @sets: gets the number of sets (cgroups with charged spans)
 * @objs: gets the charged small objects out
 *
 * Context: any context; takes the table lock and each set's lock.
 */
void gosalloc_memcg_stats(u64 *sets, u64 *objs)
{
	struct gosalloc_memcg *m;
	unsigned long flags;
	unsigned int b;

	*sets = 0;
	*objs = 0;
	spin_lock_irqsave(&memcg_table_lock, flags);
	hash_for_each(memcg_table, b, m, node) {
		(*sets)++;
		*objs += READ_ONCE(m->nobjs);
	}
	spin_unlock_irqrestore(&memcg_table_lock, flags);
}
