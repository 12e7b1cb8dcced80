// SPDX-License-Identifier: GPL-2.0-only
/*
 * context_kunit.c - KUnit suite for allocation and free in every context:
 * hardirq (irq_work), with preemption or interrupts disabled, with the
 * heap growing in atomic context, and many kthreads on every CPU at once
 * freeing each other's objects. Hardirq by hrtimer and softirq by timer
 * are in mcache_kunit.c.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sizes.h>

#include "gosalloc.h"
#include "helpers.h"

/* Sizes that cover tiny, small and large objects. */
static const size_t context_sizes[] = { 3, 8, 40, 100, 512, 3000, SZ_32K,
					SZ_64K };

/* Allocate one object of each size, fill, check and free: errors. */
static unsigned int context_round(gfp_t gfp)
{
	void *objs[ARRAY_SIZE(context_sizes)];
	unsigned int i, errors = 0;

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = gosalloc_alloc(context_sizes[i], gfp);
		if (!objs[i]) {
			errors++;
			continue;
		}
		memset(objs[i], i + 1, context_sizes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		if (objs[i] && memchr_inv(objs[i], i + 1, context_sizes[i]))
			errors++;
		gosalloc_free(objs[i]);
	}
	return errors;
}

struct irq_work_test {
	struct irq_work work;
	struct completion done;
	unsigned int errors;
	bool in_hardirq;
};

static void irq_work_test_fn(struct irq_work *work)
{
	struct irq_work_test *t = container_of(work, struct irq_work_test, work);

	t->in_hardirq = in_hardirq();
	t->errors = context_round(GFP_ATOMIC);
	complete(&t->done);
}

static void gosalloc_alloc_in_irq_work(struct kunit *test)
{
	struct irq_work_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	init_completion(&t->done);
	t->work = IRQ_WORK_INIT_HARD(irq_work_test_fn);
	irq_work_queue(&t->work);
	wait_for_completion(&t->done);
	irq_work_sync(&t->work);
	KUNIT_EXPECT_EQ(test, t->errors, 0U);
	if (!t->in_hardirq)
		kunit_info(test, "irq_work ran outside hardirq on this arch\n");
}

static void gosalloc_alloc_preemption_disabled(struct kunit *test)
{
	unsigned int errors;

	preempt_disable();
	errors = context_round(GFP_ATOMIC);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, errors, 0U);
}

/* With the heap emptied first, every class must grow it, irqs off. */
static void gosalloc_alloc_irqs_disabled_heap_grows(struct kunit *test)
{
	unsigned long flags;
	unsigned int errors;

	gosalloc_release_all();
	local_irq_save(flags);
	errors = context_round(GFP_NOWAIT);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, errors, 0U);
}

/* ---- Many kthreads on every CPU, freeing each other's objects ---- */

#define CONTEXT_THREADS_PER_CPU	3
#define CONTEXT_OPS		20000
#define CONTEXT_SLOTS		256

struct context_shared {
	void *slot[CONTEXT_SLOTS];	/* objects any thread may free */
	atomic_t errors;
	atomic_t running;
	struct completion done;
};

/* The pattern of an object: its address and size, one byte of it. */
static u8 context_pattern(const void *p, size_t size)
{
	return (unsigned long)p ^ size ^ 0x5a;
}

static bool context_check(const u8 *p)
{
	size_t size = *(const u32 *)p;

	return !memchr_inv(p + 4, context_pattern(p, size), size - 4);
}

static int context_thread(void *arg)
{
	struct context_shared *sh = arg;
	unsigned int i;

	for (i = 0; i < CONTEXT_OPS; i++) {
		size_t size = 4 + get_random_u32_below(i % 64 ? 600 : SZ_64K);
		void **slot = &sh->slot[get_random_u32_below(CONTEXT_SLOTS)];
		u8 *p = gosalloc_alloc(size, GFP_KERNEL);
		void *old;

		if (!p) {
			atomic_inc(&sh->errors);
			continue;
		}
		*(u32 *)p = size;
		memset(p + 4, context_pattern(p, size), size - 4);
		/* Publish it; whatever was there is freed here, by us. */
		old = xchg(slot, p);
		if (old) {
			if (!context_check(old))
				atomic_inc(&sh->errors);
			gosalloc_free(old);
		}
		if (!(i % 1024))
			cond_resched();
	}
	if (atomic_dec_and_test(&sh->running))
		complete(&sh->done);
	return 0;
}

static void gosalloc_kthreads_on_every_cpu(struct kunit *test)
{
	struct context_shared *sh = kunit_kzalloc(test, sizeof(*sh), GFP_KERNEL);
	u64 live = gosalloc_stat_read(GOSALLOC_MALLOCS) -
		   gosalloc_stat_read(GOSALLOC_FREES);
	struct task_struct *t;
	unsigned int cpu, i, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, sh);
	init_completion(&sh->done);
	atomic_set(&sh->running, 1);
	for_each_online_cpu(cpu) {
		for (i = 0; i < CONTEXT_THREADS_PER_CPU; i++) {
			t = kthread_create_on_cpu(context_thread, sh, cpu,
						  "gosalloc_ctx/%u");
			KUNIT_EXPECT_FALSE(test, IS_ERR(t));
			if (IS_ERR(t))
				break;
			atomic_inc(&sh->running);
			wake_up_process(t);
			n++;
		}
	}
	if (atomic_dec_and_test(&sh->running))
		complete(&sh->done);
	wait_for_completion(&sh->done);
	for (i = 0; i < CONTEXT_SLOTS; i++) {
		if (sh->slot[i] && !context_check(sh->slot[i]))
			atomic_inc(&sh->errors);
		gosalloc_free(sh->slot[i]);
	}
	kunit_info(test, "%u threads, %u operations each\n", n, CONTEXT_OPS);
	KUNIT_EXPECT_EQ(test, atomic_read(&sh->errors), 0);
	if (!gosalloc_test_heap_shared())
		KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_MALLOCS) -
				gosalloc_stat_read(GOSALLOC_FREES), live);
}

static struct kunit_case gosalloc_context_cases[] = {
	KUNIT_CASE(gosalloc_alloc_in_irq_work),
	KUNIT_CASE(gosalloc_alloc_preemption_disabled),
	KUNIT_CASE(gosalloc_alloc_irqs_disabled_heap_grows),
	KUNIT_CASE_SLOW(gosalloc_kthreads_on_every_cpu),
	{}
};

static struct kunit_suite gosalloc_context_suite = {
	.name = "gosalloc_context",
	.test_cases = gosalloc_context_cases,
};

kunit_test_suite(gosalloc_context_suite);
