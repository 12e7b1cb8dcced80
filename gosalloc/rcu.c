// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcu.c - frees after an RCU grace period (kfree_rcu's two forms); see
 * malloc.c for the overview.
 *
 * Each CPU gathers the objects freed on it into a pending batch: those
 * with an rcu_head are chained through it (the head holds the link and
 * the object, so this never allocates), the others go into a page of
 * pointers. A batch of GOSALLOC_RCU_BATCH objects, a full page, or the
 * monitor GOSALLOC_RCU_DELAY after the first free, hands the batch to
 * one of the CPU's two slots, which waits for one grace period with
 * queue_rcu_work() and then frees the batch in process context. With
 * both slots busy the batch keeps growing; the slot that finishes next
 * takes it. A headless free that finds no room and cannot get a page
 * waits for a grace period itself (synchronize_rcu()).
 *
 * rcu.lock, one per CPU (any context, irqs saved), protects its pending
 * batch, its slots' busy flags and its counters; it is a leaf lock. The
 * frees themselves run with no lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "gosalloc.h"
#include "internal.h"

#define GOSALLOC_RCU_BATCH	128
#define GOSALLOC_RCU_DELAY	(HZ / 50)
#define GOSALLOC_RCU_SLOTS	2

/* What a free with an rcu_head keeps in the head while it waits. */
struct gosalloc_rcu_link {
	struct gosalloc_rcu_link *next;
	const void *obj;
};

static_assert(sizeof(struct gosalloc_rcu_link) <= sizeof(struct rcu_head));

/* A page of pointers freed without an rcu_head. */
struct gosalloc_rcu_block {
	unsigned long n;
	const void *objs[];
};

#define GOSALLOC_RCU_BLOCK_OBJS	\
	((PAGE_SIZE - sizeof(struct gosalloc_rcu_block)) / sizeof(void *))

struct gosalloc_rcu_batch {
	struct gosalloc_rcu_link *links;
	struct gosalloc_rcu_block *block;
	unsigned long n;		/* objects in both */
};

struct gosalloc_rcu_cpu;

struct gosalloc_rcu_slot {
	struct rcu_work work;
	struct gosalloc_rcu_batch batch;	/* the slot's own while busy */
	struct gosalloc_rcu_cpu *owner;
	bool busy;				/* owner's lock */
};

struct gosalloc_rcu_cpu {
	spinlock_t lock;			/* see the top of the file */
	struct gosalloc_rcu_batch pending;	/* lock */
	struct gosalloc_rcu_slot slots[GOSALLOC_RCU_SLOTS];
	unsigned long frees;		/* lock; read anywhere */
	unsigned long batches;		/* lock; read anywhere */
};

static DEFINE_PER_CPU(struct gosalloc_rcu_cpu, gosalloc_rcu_cpus);
static void rcu_monitor_run(struct work_struct *work);
static DECLARE_DELAYED_WORK(gosalloc_rcu_monitor, rcu_monitor_run);

/* Free one object now: gosalloc memory or gosalloc_kvmalloc()'s vmalloc. */
static void free_now(const void *p)
{
	gosalloc_kvfree(p);
}

/* Free every object of @b and its page; no lock held. */
static void batch_free(struct gosalloc_rcu_batch *b)
{
	struct gosalloc_rcu_link *l = b->links, *next;
	unsigned long i;

	for (; l; l = next) {
		next = l->next;	/* read before the object goes */
		free_now(l->obj);
	}
	if (b->block) {
		for (i = 0; i < b->block->n; i++)
			free_now(b->block->objs[i]);
		free_page((unsigned long)b->block);
	}
}

/*
 * Hand the pending batch of @rc to a free slot; rcu.lock held.
 * Return: false when both slots are busy (the batch stays pending).
 */
static bool rcu_flush_locked(struct gosalloc_rcu_cpu *rc)
{
	struct gosalloc_rcu_slot *slot = NULL;
	unsigned int i;

	lockdep_assert_held(&rc->lock);
	for (i = 0; i < GOSALLOC_RCU_SLOTS && !slot; i++)
		if (!rc->slots[i].busy)
			slot = &rc->slots[i];
	if (!slot)
		return false;
	slot->batch = rc->pending;
	rc->pending = (struct gosalloc_rcu_batch) {};
	slot->busy = true;
	rc->batches++;
	queue_rcu_work(system_wq, &slot->work);
	return true;
}

/* A grace period has passed for the slot's batch: free it. */
static void rcu_slot_run(struct work_struct *work)
{
	struct gosalloc_rcu_slot *slot =
		container_of(to_rcu_work(work), struct gosalloc_rcu_slot, work);
	struct gosalloc_rcu_cpu *rc = slot->owner;
	unsigned long n = slot->batch.n, flags;

	batch_free(&slot->batch);
	spin_lock_irqsave(&rc->lock, flags);
	slot->batch = (struct gosalloc_rcu_batch) {};
	slot->busy = false;
	rc->frees += n;
	if (rc->pending.n)	/* it grew while the slots were busy */
		rcu_flush_locked(rc);
	spin_unlock_irqrestore(&rc->lock, flags);
}

/* GOSALLOC_RCU_DELAY after a CPU's first pending free: flush them all. */
static void rcu_monitor_run(struct work_struct *work)
{
	struct gosalloc_rcu_cpu *rc;
	unsigned long flags;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		rc = per_cpu_ptr(&gosalloc_rcu_cpus, cpu);
		spin_lock_irqsave(&rc->lock, flags);
		if (rc->pending.n)
			rcu_flush_locked(rc);
		spin_unlock_irqrestore(&rc->lock, flags);
	}
}

/* One more pending object on @rc; rcu.lock held. */
static void pending_added(struct gosalloc_rcu_cpu *rc, bool full)
{
	if (++rc->pending.n == 1)
		schedule_delayed_work(&gosalloc_rcu_monitor, GOSALLOC_RCU_DELAY);
	if (full || rc->pending.n >= GOSALLOC_RCU_BATCH)
		rcu_flush_locked(rc);
}

/**
 * gosalloc_free_rcu_head() - free an object after a grace period
 * @p: the object: from gosalloc (any kind) or gosalloc_kvmalloc()
 * @head: an rcu_head inside *@p, used while the object waits
 *
 * Called by gosalloc_free_rcu(ptr, rhf); see that macro. Never sleeps
 * and never allocates.
 *
 * Context: any context but NMI.
 */
void gosalloc_free_rcu_head(const void *p, struct rcu_head *head)
{
	struct gosalloc_rcu_link *l = (struct gosalloc_rcu_link *)head;
	struct gosalloc_rcu_cpu *rc;
	unsigned long flags;

	local_irq_save(flags);
	rc = this_cpu_ptr(&gosalloc_rcu_cpus);
	spin_lock(&rc->lock);
	l->obj = p;
	l->next = rc->pending.links;
	rc->pending.links = l;
	pending_added(rc, false);
	spin_unlock(&rc->lock);
	local_irq_restore(flags);
}
EXPORT_SYMBOL_GPL(gosalloc_free_rcu_head);

/*
 * Queue @p in this CPU's page of pointers, installing *@spare if it has
 * none. Return: false when there is no room.
 */
static bool rcu_add_ptr(const void *p, struct gosalloc_rcu_block **spare)
{
	struct gosalloc_rcu_block *b;
	struct gosalloc_rcu_cpu *rc;
	unsigned long flags;
	bool added = false;

	local_irq_save(flags);
	rc = this_cpu_ptr(&gosalloc_rcu_cpus);
	spin_lock(&rc->lock);
	if (!rc->pending.block && *spare) {
		rc->pending.block = *spare;
		rc->pending.block->n = 0;
		*spare = NULL;
	}
	b = rc->pending.block;
	if (b && b->n < GOSALLOC_RCU_BLOCK_OBJS) {
		b->objs[b->n++] = p;
		pending_added(rc, b->n == GOSALLOC_RCU_BLOCK_OBJS);
		added = true;
	}
	spin_unlock(&rc->lock);
	local_irq_restore(flags);
	return added;
}

/**
 * gosalloc_free_rcu_mightsleep() - free an object after a grace period
 * @p: the object: from gosalloc (any kind) or gosalloc_kvmalloc(), or
 *	NULL
 *
 * Called by gosalloc_free_rcu(ptr), the headless form; see that macro.
 * The pointer is batched in a page of pointers; when there is no room
 * and no page to be had, this waits for a grace period itself, as
 * kvfree_rcu_mightsleep() does.
 *
 * Context: process context; may sleep.
 */
void gosalloc_free_rcu_mightsleep(const void *p)
{
	struct gosalloc_rcu_block *spare = NULL;

	might_sleep();
	if (ZERO_OR_NULL_PTR(p) || rcu_add_ptr(p, &spare))
		return;
	spare = (void *)__get_free_page(GFP_KERNEL | __GFP_NOWARN);
	if (spare && rcu_add_ptr(p, &spare)) {
		if (spare)	/* another task installed a page first */
			free_page((unsigned long)spare);
		return;
	}
	if (spare)
		free_page((unsigned long)spare);
	synchronize_rcu();
	free_now(p);
}
EXPORT_SYMBOL_GPL(gosalloc_free_rcu_mightsleep);

/* Flush @rc and wait for its slots. Return: it had nothing left. */
static bool rcu_drain_cpu(struct gosalloc_rcu_cpu *rc)
{
	unsigned long flags;
	bool idle = true;
	unsigned int i;

	spin_lock_irqsave(&rc->lock, flags);
	if (rc->pending.n)
		rcu_flush_locked(rc);
	idle = !rc->pending.n;
	for (i = 0; i < GOSALLOC_RCU_SLOTS; i++)
		idle &= !rc->slots[i].busy;
	spin_unlock_irqrestore(&rc->lock, flags);
	if (idle)
		return true;
	for (i = 0; i < GOSALLOC_RCU_SLOTS; i++)
		flush_rcu_work(&rc->slots[i].work);
	return false;
}

/**
 * gosalloc_rcu_barrier() - complete every pending gosalloc_free_rcu()
 *
 * Every object passed to gosalloc_free_rcu() before the call is freed
 * when it returns (as kvfree_rcu_barrier()). gosalloc_cache_destroy()
 * and module unload call it.
 *
 * Context: process context; sleeps.
 */
void gosalloc_rcu_barrier(void)
{
	unsigned int cpu;

	might_sleep();
	for_each_possible_cpu(cpu)
		while (!rcu_drain_cpu(per_cpu_ptr(&gosalloc_rcu_cpus, cpu)))
			;
}
EXPORT_SYMBOL_GPL(gosalloc_rcu_barrier);

/* Objects freed after a grace period, and batches, over every CPU. */
void gosalloc_rcu_stats(u64 *frees, u64 *batches)
{
	struct gosalloc_rcu_cpu *rc;
	unsigned int cpu;

	*frees = 0;
	*batches = 0;
	for_each_possible_cpu(cpu) {
		rc = per_cpu_ptr(&gosalloc_rcu_cpus, cpu);
		*frees += READ_ONCE(rc->frees);
		*batches += READ_ONCE(rc->batches);
	}
}

int gosalloc_rcu_init(void)
{
	struct gosalloc_rcu_cpu *rc;
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		rc = per_cpu_ptr(&gosalloc_rcu_cpus, cpu);
		spin_lock_init(&rc->lock);
		for (i = 0; i < GOSALLOC_RCU_SLOTS; i++) {
			INIT_RCU_WORK(&rc->slots[i].work, rcu_slot_run);
			rc->slots[i].owner = rc;
		}
	}
	return 0;
}

/* At unload: no client is left; complete what they queued. */
void gosalloc_rcu_exit(void)
{
	cancel_delayed_work_sync(&gosalloc_rcu_monitor);
	gosalloc_rcu_barrier();
}
