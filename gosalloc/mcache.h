/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mcache.h - per-CPU caches (MCache); see malloc.c for the overview.
 */
#ifndef _GOSALLOC_MCACHE_H
#define _GOSALLOC_MCACHE_H

#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "sizeclasses.h"

/* Free objects of one class, linked through their first word. */
struct gosalloc_mcache_list {
	void *head;
	unsigned int count;
};

/*
 * One CPU's cache. Everything in it belongs to its CPU and is touched
 * only with interrupts disabled on that CPU (or, for statistics, read
 * racily by others), so it needs no lock and no atomic operation.
 */
struct gosalloc_mcache {
	struct gosalloc_mcache_list list[GOSALLOC_NR_CLASSES];
	unsigned long nmalloc[GOSALLOC_NR_CLASSES];	/* objects allocated */
	unsigned long nfree[GOSALLOC_NR_CLASSES];	/* objects freed */
};

/* Each CPU's cache, in a page gosalloc allocated on the CPU's node. */
DECLARE_PER_CPU(struct gosalloc_mcache *, gosalloc_mcache_ptr);

/* Objects moved between a CPU cache and a central list at once. */
extern unsigned int gosalloc_class_batch[GOSALLOC_NR_CLASSES];

/* Must run with interrupts disabled. */
static __always_inline struct gosalloc_mcache *gosalloc_this_mcache(void)
{
	lockdep_assert_irqs_disabled();
	return __this_cpu_read(gosalloc_mcache_ptr);
}

int gosalloc_mcache_init(void);
void gosalloc_mcache_exit(void);
void *gosalloc_mcache_refill(unsigned int cls, gfp_t gfp);
void gosalloc_mcache_flush(struct gosalloc_mcache *c, unsigned int cls,
			   unsigned int keep);
void gosalloc_mcache_drain(unsigned int cpu);
struct gosalloc_mcache *gosalloc_mcache_of(unsigned int cpu);
unsigned long gosalloc_mcache_pages(void);

/* The fast paths: no lock, interrupts off for a few instructions. */
static __always_inline void *gosalloc_mcache_alloc(unsigned int cls)
{
	struct gosalloc_mcache_list *l;
	struct gosalloc_mcache *c;
	unsigned long flags;
	void *obj;

	local_irq_save(flags);
	c = gosalloc_this_mcache();
	l = &c->list[cls];
	obj = l->head;
	if (likely(obj)) {
		l->head = *(void **)obj;
		l->count--;
		c->nmalloc[cls]++;
	}
	local_irq_restore(flags);
	return obj;
}

/* Return: false if @obj is already the cache's most recent free object. */
static __always_inline bool gosalloc_mcache_free(unsigned int cls, void *obj)
{
	struct gosalloc_mcache_list *l;
	struct gosalloc_mcache *c;
	unsigned long flags;

	local_irq_save(flags);
	c = gosalloc_this_mcache();
	l = &c->list[cls];
	if (unlikely(l->head == obj)) {
		local_irq_restore(flags);
		return false;
	}
	*(void **)obj = l->head;
	l->head = obj;
	l->count++;
	c->nfree[cls]++;
	if (unlikely(l->count >= 2 * gosalloc_class_batch[cls]))
		gosalloc_mcache_flush(c, cls, gosalloc_class_batch[cls]);
	local_irq_restore(flags);
	return true;
}

#endif /* _GOSALLOC_MCACHE_H */
