/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mcache.h - per-CPU caches (MCache); see malloc.c for the overview.
 */
#ifndef _GOSALLOC_MCACHE_H
#define _GOSALLOC_MCACHE_H

#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "freelist.h"
#include "sizeclasses.h"
#include "tiny.h"

/*
 * Free objects of one class, linked through their first word (through
 * their trailer in debug mode, freelist.h), and their number. Only the
 * list's CPU changes it: the fast paths hold the CPU's lists
 * (gosalloc_mcache_hold()), the slow paths disable interrupts and leave
 * lists held by code they interrupted alone.
 */
struct gosalloc_mcache_list {
	void *head;
	unsigned int count;
};

/* Remote frees a CPU collects before it sends them home. */
#define GOSALLOC_REMOTE_BATCH	32

/* One CPU's cache, in the per-CPU area (this_cpu operations need it). */
struct gosalloc_mcache {
	struct gosalloc_mcache_list list[GOSALLOC_NR_CLASSES];
	/*
	 * Per class: objects freed onto this CPU's list, and objects the
	 * slow paths moved onto it from the central list less those they
	 * moved back (modulo 2^64). Allocations need no counter of their
	 * own: nmoved + nfree - the list's length (gosalloc_mcache_counts()).
	 */
	unsigned long nfree[GOSALLOC_NR_CLASSES];
	unsigned long nmoved[GOSALLOC_NR_CLASSES];
	/*
	 * Frees that bypassed this CPU's lists: past held lists
	 * (gosalloc_mcache_hold()), or of objects of another node.
	 */
	unsigned long nfree_bypass[GOSALLOC_NR_CLASSES];
	unsigned int held;		/* a fast path holds the lists */
	/*
	 * The tiny allocator (tiny.c): the span this CPU owns per size, and
	 * its counts, written plainly by a holder of the cache or with
	 * interrupts off when nobody holds it.
	 */
	struct gosalloc_tiny_cpu tiny[GOSALLOC_TINY_SIZE];
	unsigned long tiny_refills;	/* allocated by the slow path */
	/* The same for the other paths: this_cpu operations, any context. */
	unsigned long tiny_other_mallocs;
	unsigned long tiny_other_frees;
	long tiny_other_bytes;
	long sample_left;		/* bytes to the next sample (profile.c) */
	/*
	 * Objects of another node freed on this CPU, waiting to go back to
	 * their nodes' central lists in one batch, and their node and class
	 * (gosalloc_mcache_free_remote()): this CPU, interrupts off.
	 */
	unsigned int nremote;
	void *remote[GOSALLOC_REMOTE_BATCH];
	u32 remote_key[GOSALLOC_REMOTE_BATCH];
};

extern struct gosalloc_mcache __percpu *gosalloc_mcache;

/* A list may hold up to twice this many objects (never more than 0xffff). */
extern unsigned int gosalloc_class_batch[GOSALLOC_NR_CLASSES];

#define GOSALLOC_BATCH_MIN	256
#define GOSALLOC_BATCH_MAX	SZ_1M
extern unsigned int gosalloc_cache_batch_bytes;
int gosalloc_mcache_set_batch(unsigned int bytes);

int gosalloc_mcache_init(void);
void gosalloc_mcache_exit(void);
void *gosalloc_mcache_refill(unsigned int cls, gfp_t gfp);
void gosalloc_mcache_free_slow(unsigned int cls, void *obj);
bool gosalloc_mcache_free_bypass(unsigned int cls, void *obj);
bool gosalloc_mcache_free_irqsave(unsigned int cls, void *obj);
bool gosalloc_mcache_free_remote(unsigned int cls, void *obj, int nid);
void gosalloc_mcache_drain(unsigned int cpu);
unsigned int gosalloc_mcache_pop_many(unsigned int cls, void **objs,
				      unsigned int n, bool unlink);
struct gosalloc_chain;
void gosalloc_mcache_push_chain_irqoff(unsigned int cls,
				       const struct gosalloc_chain *chain);
unsigned int gosalloc_mcache_count(unsigned int cpu, unsigned int cls);
void gosalloc_mcache_counts(unsigned int cpu, unsigned int cls,
			    unsigned long *nmalloc, unsigned long *nfree);
void gosalloc_mcache_raw_counts(unsigned int cpu, unsigned int cls,
				long *allocs, unsigned long *frees);
unsigned long gosalloc_mcache_bytes(void);

/*
 * Take this CPU's held flag @held, preemption already off. Return: true
 * with the flag set; false, preemption back on, if code this interrupted
 * holds it. The per-CPU lists here and the named caches' arrays (cache.c)
 * are held this way.
 */
static __always_inline bool gosalloc_hold_flag(unsigned int *held)
{
	if (unlikely(READ_ONCE(*held))) {
		preempt_enable();
		return false;
	}
	WRITE_ONCE(*held, 1);
	barrier();	/* what the flag guards is ours from here */
	return true;
}

/* Give back the flag gosalloc_hold_flag() took, and preemption. */
static __always_inline void gosalloc_unhold_flag(unsigned int *held)
{
	barrier();	/* what the flag guards is left consistent first */
	WRITE_ONCE(*held, 0);
	preempt_enable();
}

/*
 * The fast paths *hold* their CPU's lists, as the page allocator holds
 * its per-CPU lists: preemption off and the held flag set, interrupts on.
 * Disabling interrupts instead costs a function call each way under UML
 * (about 40 % of an alloc+free pair then) and about 32 ns under QEMU's
 * TCG; an unlocked 16-byte compare-and-exchange of head and count, which
 * gosalloc used on x86_64 before, costs 7 ns natively on the test hosts
 * and 28 ns under TCG, against 0.3 and 5 ns for the preemption count
 * (performance.rst, the "cost" rows). Code that interrupts a holder finds
 * the flag set and leaves the lists alone: it allocates from the central
 * list (gosalloc_mcache_refill()) or frees to it
 * (gosalloc_mcache_free_bypass()). Paths that run with interrupts off
 * check the flag too. Return: this CPU's cache, or NULL if an interrupted
 * holder has it.
 */
static __always_inline struct gosalloc_mcache *gosalloc_mcache_hold(void)
{
	struct gosalloc_mcache *c;

	preempt_disable();
	c = this_cpu_ptr(gosalloc_mcache);
	return gosalloc_hold_flag(&c->held) ? c : NULL;
}

static __always_inline void gosalloc_mcache_unhold(struct gosalloc_mcache *c)
{
	gosalloc_unhold_flag(&c->held);
}

/* With interrupts off: did we interrupt a holder of this CPU's lists? */
static __always_inline bool gosalloc_mcache_held(void)
{
	lockdep_assert_irqs_disabled();
	return READ_ONCE(this_cpu_ptr(gosalloc_mcache)->held);
}

/* Pop one object of @l, or NULL; its CPU's lists are ours. */
static __always_inline void *list_pop(struct gosalloc_mcache_list *l,
				      unsigned int cls)
{
	void *obj = l->head;

	if (likely(obj)) {
		l->head = gosalloc_next(obj, cls);
		l->count--;
	}
	return obj;
}

/* Push @obj on @l, a list of cache @c that is ours; count the free. */
static __always_inline void list_push(struct gosalloc_mcache *c,
				      struct gosalloc_mcache_list *l,
				      unsigned int cls, void *obj)
{
	gosalloc_set_next(obj, cls, l->head);
	l->head = obj;
	l->count++;
	c->nfree[cls]++;
}

/* Has list @l of @cls room for @n more objects? */
static __always_inline bool list_has_room(const struct gosalloc_mcache_list *l,
					  unsigned int cls, unsigned int n)
{
	return l->count + n < 2 * gosalloc_class_batch[cls];
}

/*
 * The steps before a freed small object is linked anywhere, in this
 * order: the double-free check against @prev, the object freed last on
 * the list or chain it joins (a second free of @prev must change
 * nothing), then init_on_free. Return: false for a double free.
 */
static __always_inline bool gosalloc_object_retire(void *obj, unsigned int cls,
						   const void *prev)
{
	if (unlikely(obj == prev))
		return false;
	gosalloc_object_wipe(obj, cls);
	return true;
}

/*
 * With interrupts off: pop one object of this CPU's list, or NULL (also
 * when an interrupted holder has the lists).
 */
static __always_inline void *gosalloc_mcache_pop_irqoff(unsigned int cls)
{
	if (unlikely(gosalloc_mcache_held()))
		return NULL;
	return list_pop(this_cpu_ptr(&gosalloc_mcache->list[cls]), cls);
}

/*
 * With interrupts off: free @obj as gosalloc_mcache_free() does, giving a
 * batch back if the list is full, or to the central list if an
 * interrupted holder has the lists. Return: false for a double free.
 */
static __always_inline bool gosalloc_mcache_push_irqoff(unsigned int cls,
							void *obj)
{
	struct gosalloc_mcache *c = this_cpu_ptr(gosalloc_mcache);
	struct gosalloc_mcache_list *l = &c->list[cls];

	if (unlikely(gosalloc_mcache_held()))
		return gosalloc_mcache_free_bypass(cls, obj);
	if (!gosalloc_object_retire(obj, cls, l->head))
		return false;
	if (likely(list_has_room(l, cls, 1)))
		list_push(c, l, cls, obj);
	else
		gosalloc_mcache_free_slow(cls, obj);
	return true;
}

/*
 * Count @size bytes against this CPU's next sample (profile.c). Return:
 * true when this allocation is to be sampled.
 *
 * Plain per-CPU operations, no interrupt or preemption guard: where a
 * this_cpu operation is not one instruction (UML, most architectures)
 * the guard would cost as much as the rest of the fast path. An update
 * lost to an interrupt or a migration between the subtraction and the
 * read only moves one sample a little; gosalloc_sample_alloc() takes the
 * count again with interrupts off.
 */
static __always_inline bool gosalloc_sample_due(size_t size)
{
	/*
	 * A race meant (above): data_race() tells KCSAN, which sees it where
	 * per-CPU operations are plain C (arm64).
	 */
	return unlikely(data_race(raw_cpu_sub_return(gosalloc_mcache->sample_left,
						     size)) < 0);
}

/* The most recent free object of this CPU's list for @cls. */
static __always_inline void *gosalloc_mcache_peek(unsigned int cls)
{
	/* For double-free checks that do not hold the lists: a race meant. */
	return data_race(raw_cpu_read(gosalloc_mcache->list[cls].head));
}

/*
 * The fast paths: no lock, no atomic instruction, interrupts on; the
 * CPU's lists held (gosalloc_mcache_hold()).
 */
static __always_inline void *gosalloc_mcache_alloc(unsigned int cls)
{
	struct gosalloc_mcache *c = gosalloc_mcache_hold();
	void *obj;

	if (unlikely(!c))
		return NULL;	/* the refill leaves the lists alone */
	obj = list_pop(&c->list[cls], cls);
	gosalloc_mcache_unhold(c);
	return obj;
}

/*
 * Free @obj onto this CPU's list for @cls: the double-free check, then
 * init_on_free (gosalloc_object_wipe()), then the push, in that order on
 * every path, so that a second free of the list's head changes nothing.
 * Return: false if @obj is already the list's most recent object (a
 * double free), true otherwise.
 *
 * With init_on_free on, all three happen out of line with interrupts
 * off: a call to memset() inside the loops below would make every free
 * save and restore six registers, init_on_free or not.
 */
static __always_inline bool gosalloc_mcache_free(unsigned int cls, void *obj)
{
	struct gosalloc_mcache_list *l;
	struct gosalloc_mcache *c;

	if (gosalloc_object_wipe_wanted())
		return gosalloc_mcache_free_irqsave(cls, obj);
	c = gosalloc_mcache_hold();
	if (unlikely(!c))	/* we interrupted a holder */
		return gosalloc_mcache_free_bypass(cls, obj);
	l = &c->list[cls];
	if (unlikely(l->head == obj)) {
		gosalloc_mcache_unhold(c);
		return false;
	}
	if (likely(list_has_room(l, cls, 1))) {
		list_push(c, l, cls, obj);
		gosalloc_mcache_unhold(c);
		return true;
	}
	gosalloc_mcache_unhold(c);
	return gosalloc_mcache_free_irqsave(cls, obj);	/* the list is full */
}

/* An object of @cls from this CPU's list, refilled when empty; or NULL. */
static __always_inline void *gosalloc_mcache_get(unsigned int cls, gfp_t gfp)
{
	void *obj = gosalloc_mcache_alloc(cls);

	if (unlikely(!obj))
		obj = gosalloc_mcache_refill(cls, gfp);
	return obj;
}

#endif /* _GOSALLOC_MCACHE_H */
