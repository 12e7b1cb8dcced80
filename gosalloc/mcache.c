// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcache.c - per-CPU caches (MCache); see malloc.c for the overview.
 *
 * Each CPU keeps, per size class, a list of free objects. The fast paths
 * (mcache.h) pop and push with interrupts disabled on the local CPU, which
 * makes them safe from any context and against migration, without a lock
 * or an atomic instruction. An empty list is refilled with a batch from
 * the class's central list; a list that reaches two batches gives one
 * back. A free goes to the freeing CPU's list, whichever CPU allocated.
 */
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/topology.h>
#include <kunit/visibility.h>

#include "internal.h"

DEFINE_PER_CPU(struct gosalloc_mcache *, gosalloc_mcache_ptr);

unsigned int gosalloc_class_batch[GOSALLOC_NR_CLASSES];
EXPORT_SYMBOL_IF_KUNIT(gosalloc_class_batch);

#define MCACHE_ORDER	get_order(sizeof(struct gosalloc_mcache))

/**
 * gosalloc_mcache_refill() - allocate when the CPU's list is empty
 * @cls: size class
 * @gfp: gfp flags
 *
 * Takes a batch from the central list, returns one object and puts the
 * rest on the list of the CPU this ends on (it may have migrated).
 *
 * Context: any context @gfp allows; interrupts enabled unless @gfp is
 * atomic.
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
	rest = *(void **)obj;
	local_irq_save(flags);
	c = gosalloc_this_mcache();
	c->nmalloc[cls]++;
	if (rest) {
		l = &c->list[cls];
		*(void **)chain.tail = l->head;
		l->head = rest;
		l->count += chain.count - 1;
	}
	local_irq_restore(flags);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_refill);

/**
 * gosalloc_mcache_flush() - give all but @keep objects of a list back
 * @c: a CPU cache
 * @cls: size class
 * @keep: objects to keep (the most recently freed, likely cache-hot)
 *
 * Context: interrupts disabled, on @c's CPU or with @c's CPU offline.
 */
void gosalloc_mcache_flush(struct gosalloc_mcache *c, unsigned int cls,
			   unsigned int keep)
{
	struct gosalloc_mcache_list *l = &c->list[cls];
	void **last = &l->head;
	void *chain;
	unsigned int i;

	if (l->count <= keep)
		return;
	for (i = 0; i < keep; i++)
		last = (void **)*last;
	chain = *last;
	*last = NULL;
	l->count = keep;
	gosalloc_mcentral_release(cls, chain);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_flush);

/* Give every object in @cpu's cache back; @cpu is offline or it is us. */
void gosalloc_mcache_drain(unsigned int cpu)
{
	struct gosalloc_mcache *c = per_cpu(gosalloc_mcache_ptr, cpu);
	unsigned long flags;
	unsigned int cls;

	local_irq_save(flags);
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++)
		gosalloc_mcache_flush(c, cls, 0);
	local_irq_restore(flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_drain);

/* @cpu's cache, for statistics and tests. */
struct gosalloc_mcache *gosalloc_mcache_of(unsigned int cpu)
{
	return per_cpu(gosalloc_mcache_ptr, cpu);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_mcache_of);

unsigned long gosalloc_mcache_pages(void)
{
	return num_possible_cpus() << MCACHE_ORDER;
}

int gosalloc_mcache_init(void)
{
	unsigned int cls, cpu;
	struct page *page;

	/* About 16 KiB, and never more than one span's worth. */
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++)
		gosalloc_class_batch[cls] =
			min_t(unsigned int, gosalloc_class_to_nobjs[cls],
			      clamp(SZ_16K / gosalloc_class_to_size[cls], 2, 128));
	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, MCACHE_ORDER);
		if (!page)
			return -ENOMEM;
		per_cpu(gosalloc_mcache_ptr, cpu) = page_address(page);
	}
	return 0;
}

/* Module unload or failed load: no gosalloc function runs any more. */
void gosalloc_mcache_exit(void)
{
	struct gosalloc_mcache *c;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu(gosalloc_mcache_ptr, cpu);
		if (!c)
			continue;
		gosalloc_mcache_drain(cpu);
		free_pages((unsigned long)c, MCACHE_ORDER);
		per_cpu(gosalloc_mcache_ptr, cpu) = NULL;
	}
}
