/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cache.h - named caches of one object size (kmem_cache's semantics);
 * see cache.c.
 */
#ifndef _GOSALLOC_CACHE_H
#define _GOSALLOC_CACHE_H

#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "gosalloc.h"

struct dentry;
struct gosalloc_span;

/* Objects a CPU keeps per cache; it gives back half when full. */
#define GOSALLOC_CACHE_CPU_OBJS	64
/* Objects of other nodes a CPU collects per cache before it frees them. */
#define GOSALLOC_CACHE_CPU_REMOTE	16
/* The largest object a cache holds (its spans are at most 32 pages). */
#define GOSALLOC_CACHE_MAX_SIZE	(128 * 1024)

/*
 * One CPU's objects of a cache: no lock; this CPU, held (cache.c's
 * cpu_hold()) or with interrupts off and not held.
 */
struct gosalloc_cache_cpu {
	unsigned int held;			/* a fast path holds the arrays */
	unsigned int count;			/* objects in objs[] */
	unsigned long allocs;			/* objects handed out from objs[] */
	unsigned long frees;			/* objects freed into the arrays */
	/* Past the arrays, on this CPU: this_cpu operations, any context. */
	unsigned long other_allocs;
	unsigned long other_frees;
	void *objs[GOSALLOC_CACHE_CPU_OBJS];	/* most recent last */
	/* Freed here, of another node than the one this CPU serves: */
	unsigned int nremote;
	void *remote[GOSALLOC_CACHE_CPU_REMOTE];
};

struct gosalloc_cache {
	struct gosalloc_cache_head head;	/* first: GOSALLOC_CACHE_MAGIC */
	const char *name;		/* a copy, freed with the cache */
	unsigned int size;		/* object size asked for */
	unsigned int stride;		/* object, link if after it, padding */
	unsigned int align;
	unsigned int offset;		/* of the free-list link */
	unsigned int npages;		/* pages per span */
	unsigned int nelems;		/* objects per span */
	u32 divmagic;			/* see gosalloc_class_index() */
	slab_flags_t flags;
	gfp_t account;			/* SLAB_ACCOUNT: __GFP_ACCOUNT, else 0 */
	unsigned int charged_size;	/* of charged objects (memcg.c): the
					 * smallest class the stride and
					 * alignment fit; 0: not charged
					 */
	void (*ctor)(void *obj);
	struct gosalloc_cache_cpu __percpu *cpu;
	spinlock_t lock;		/* any context, irqs saved */
	struct list_head partial;	/* spans with free objects, of any
					 * node: lock
					 */
	struct list_head full;		/* spans with none: lock */
	unsigned long nspans;		/* lock; read anywhere */
	/*
	 * SLAB_TYPESAFE_BY_RCU: empty spans wait for a grace period on
	 * rcu_wait, then on rcu_flight while c->rcu is queued (lock).
	 */
	struct list_head rcu_wait;
	struct list_head rcu_flight;
	bool rcu_queued;
	bool dead;			/* destroyed with objects out */
	struct rcu_head rcu;
	struct list_head list;		/* gosalloc_caches: caches lock */
};

size_t gosalloc_cache_object_size(struct gosalloc_span *s, const void *p);
void gosalloc_cache_free_span(struct gosalloc_span *s, const void *p,
			      unsigned long caller);
void gosalloc_caches_debugfs(struct dentry *dir);
void gosalloc_caches_cpu_dead(unsigned int cpu);
void gosalloc_cache_counts(struct gosalloc_cache *c, unsigned long *allocs,
			   unsigned long *frees);
void gosalloc_caches_stats(u64 *mallocs, u64 *frees, u64 *bytes);
void gosalloc_cache_exit(void);

int gosalloc_rcu_init(void);
void gosalloc_rcu_exit(void);
void gosalloc_rcu_stats(u64 *frees, u64 *batches);

#endif /* _GOSALLOC_CACHE_H */
