// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcache_kunit.c - KUnit suite for the per-CPU caches. Each case runs
 * on a chosen CPU (a bound kworker), so that it sees that CPU's cache.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/timer.h>

#include "gosalloc.h"
#include "helpers.h"

#define MCACHE_TEST_SIZE	128
#define MCACHE_TEST_MAX		256

struct mcache_test {
	struct kunit *test;
	unsigned int cls, batch;
	unsigned int n;
	void *objs[MCACHE_TEST_MAX];
	void *again[MCACHE_TEST_MAX];
	unsigned long nmalloc, nfree;
};

static long refill_on_cpu(void *arg)
{
	struct mcache_test *t = arg;
	unsigned int cpu = raw_smp_processor_id();
	void *p;

	gosalloc_mcache_drain(cpu);
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls), 0U);
	p = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(t->test, p);
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls), t->batch - 1);
	gosalloc_free(p);
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls), t->batch);
	return 0;
}

static void mcache_test_init(struct kunit *test, struct mcache_test *t)
{
	t->test = test;
	t->cls = gosalloc_size_to_class(MCACHE_TEST_SIZE);
	t->batch = gosalloc_class_batch[t->cls];
	KUNIT_ASSERT_LE(test, 2 * t->batch, (unsigned int)MCACHE_TEST_MAX);
}

static void gosalloc_mcache_refill_takes_batch(struct kunit *test)
{
	struct mcache_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_needs_own_heap(test);
	mcache_test_init(test, t);
	/* With every cache drained, the class's spans are all free. */
	gosalloc_test_drain_all();
	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), refill_on_cpu, t);
}

static long overflow_on_cpu(void *arg)
{
	struct mcache_test *t = arg;
	unsigned int cpu = raw_smp_processor_id();
	unsigned int i;

	gosalloc_mcache_drain(cpu);
	for (i = 0; i < 2 * t->batch; i++) {
		t->objs[i] = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_KERNEL);
		if (!t->objs[i])
			return -ENOMEM;
	}
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls), 0U);
	for (i = 0; i < 2 * t->batch - 1; i++)
		gosalloc_free(t->objs[i]);
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls),
			2 * t->batch - 1);
	/* Reaching two batches gives one back to the central list. */
	gosalloc_free(t->objs[i]);
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, t->cls), t->batch);
	return 0;
}

static void gosalloc_mcache_free_overflows_batch(struct kunit *test)
{
	struct mcache_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	gosalloc_test_needs_own_heap(test);
	mcache_test_init(test, t);
	KUNIT_EXPECT_EQ(test, gosalloc_test_on_cpu(cpumask_first(cpu_online_mask),
						   overflow_on_cpu, t), 0L);
}

static unsigned long nmalloc_here(struct mcache_test *t)
{
	unsigned long nmalloc, nfree;

	gosalloc_mcache_counts(raw_smp_processor_id(), t->cls, &nmalloc, &nfree);
	return nmalloc;
}

static unsigned long nfree_here(struct mcache_test *t)
{
	unsigned long nmalloc, nfree;

	gosalloc_mcache_counts(raw_smp_processor_id(), t->cls, &nmalloc, &nfree);
	return nfree;
}

static long alloc_on_cpu(void *arg)
{
	struct mcache_test *t = arg;
	unsigned int i;

	t->nmalloc = nmalloc_here(t);
	for (i = 0; i < t->n; i++) {
		t->objs[i] = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_KERNEL);
		if (!t->objs[i])
			return -ENOMEM;
	}
	t->nmalloc = nmalloc_here(t) - t->nmalloc;
	return 0;
}

static long free_on_cpu(void *arg)
{
	struct mcache_test *t = arg;
	unsigned int cpu = raw_smp_processor_id();
	unsigned int i;

	gosalloc_mcache_drain(cpu);
	t->nfree = nfree_here(t);
	for (i = 0; i < t->n; i++)
		gosalloc_free(t->objs[i]);
	t->nfree = nfree_here(t) - t->nfree;
	return gosalloc_test_count(cpu, t->cls);
}

/* The objects freed on a CPU are the ones it hands out next (LIFO). */
static long realloc_on_cpu(void *arg)
{
	struct mcache_test *t = arg;
	unsigned int i, j, found = 0;

	for (i = 0; i < t->n; i++) {
		t->again[i] = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_KERNEL);
		for (j = 0; j < t->n; j++)
			found += t->again[i] && t->again[i] == t->objs[j];
	}
	for (i = 0; i < t->n; i++)
		gosalloc_free(t->again[i]);
	return found;
}

/*
 * Objects allocated on CPU a and freed on CPU b go on b's list, and b
 * hands them out next; unless b serves another node than a (two CPUs on
 * two nodes, as the x86_64 KUnit run boots them): then they go home to
 * a's node, never on b's list (node_kunit.c checks where they go).
 */
static void gosalloc_mcache_free_goes_to_freeing_cpu(struct kunit *test)
{
	struct mcache_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int a = cpumask_first(cpu_online_mask);
	unsigned int b = cpumask_next(a, cpu_online_mask);
	unsigned int here;

	if (b >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, t);
	mcache_test_init(test, t);
	t->n = t->batch;
	here = cpu_to_mem(a) == cpu_to_mem(b) ? t->n : 0;
	KUNIT_ASSERT_EQ(test, gosalloc_test_on_cpu(a, alloc_on_cpu, t), 0L);
	KUNIT_EXPECT_EQ(test, t->nmalloc, (unsigned long)t->n);
	KUNIT_EXPECT_EQ(test, gosalloc_test_on_cpu(b, free_on_cpu, t),
			(long)here);
	KUNIT_EXPECT_EQ(test, t->nfree, (unsigned long)t->n);
	KUNIT_EXPECT_EQ(test, gosalloc_test_on_cpu(b, realloc_on_cpu, t),
			(long)here);
}

/* Allocation and free in hardirq (hrtimer) and softirq (timer) context. */
struct irq_test {
	struct hrtimer hrtimer;
	struct timer_list timer;
	struct completion done;
	void *objs[16];
	bool ok;
};

static void irq_test_work(struct irq_test *it)
{
	unsigned int i;

	it->ok = in_interrupt();
	for (i = 0; i < ARRAY_SIZE(it->objs); i++) {
		it->objs[i] = gosalloc_alloc(8 << (i % 13), GFP_ATOMIC);
		if (!it->objs[i]) {
			it->ok = false;
			continue;
		}
		memset(it->objs[i], i, 8 << (i % 13));
		if (i % 2)	/* free half here, half in process context */
			gosalloc_free(it->objs[i]);
	}
	complete(&it->done);
}

static enum hrtimer_restart irq_test_hrtimer(struct hrtimer *t)
{
	irq_test_work(container_of(t, struct irq_test, hrtimer));
	return HRTIMER_NORESTART;
}

static void irq_test_timer(struct timer_list *t)
{
	struct irq_test *it = from_timer(it, t, timer);

	irq_test_work(it);
}

static void irq_test_check(struct kunit *test, struct irq_test *it)
{
	unsigned int i;

	wait_for_completion(&it->done);
	KUNIT_EXPECT_TRUE(test, it->ok);
	for (i = 0; i < ARRAY_SIZE(it->objs); i += 2) {
		u8 *p = it->objs[i];

		KUNIT_EXPECT_NULL(test, p ? memchr_inv(p, i, 8 << (i % 13)) :
				  NULL);
		gosalloc_free(p);
	}
}

static void gosalloc_alloc_in_hardirq(struct kunit *test)
{
	struct irq_test *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	init_completion(&it->done);
	hrtimer_init(&it->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	it->hrtimer.function = irq_test_hrtimer;
	hrtimer_start(&it->hrtimer, ns_to_ktime(1000), HRTIMER_MODE_REL_HARD);
	irq_test_check(test, it);
	hrtimer_cancel(&it->hrtimer);
}

static void gosalloc_alloc_in_softirq(struct kunit *test)
{
	struct irq_test *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	init_completion(&it->done);
	timer_setup(&it->timer, irq_test_timer, 0);
	mod_timer(&it->timer, jiffies + 1);
	irq_test_check(test, it);
	del_timer_sync(&it->timer);
}

struct held_test {
	unsigned int cls;
	unsigned int before, after;	/* the list's length */
	unsigned long nfree, nfree_after;	/* frees counted on the CPU */
	unsigned long bypass, bypass_after;
	unsigned int after_drain;
	u64 doubles, doubles_after;
	bool got;
};

static void held_counts(struct held_test *t, unsigned long *nfree,
			unsigned long *bypass)
{
	struct gosalloc_mcache *c = this_cpu_ptr(gosalloc_mcache);
	unsigned long nmalloc;

	gosalloc_mcache_counts(raw_smp_processor_id(), t->cls, &nmalloc, nfree);
	*bypass = READ_ONCE(c->nfree_bypass[t->cls]);
}

/*
 * As code that interrupted a holder of this CPU's lists: allocate, free
 * in bulk (interrupts off) and drain, with the held flag set.
 */
static long held_on_cpu(void *arg)
{
	struct held_test *t = arg;
	struct gosalloc_mcache *c;
	void *p;

	p = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_KERNEL);
	gosalloc_free(p);	/* the list holds one object at least */
	t->doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	preempt_disable();
	c = this_cpu_ptr(gosalloc_mcache);
	t->before = gosalloc_mcache_count(raw_smp_processor_id(), t->cls);
	held_counts(t, &t->nfree, &t->bypass);
	WRITE_ONCE(c->held, 1);
	p = gosalloc_alloc(MCACHE_TEST_SIZE, GFP_ATOMIC);
	t->got = p;
	gosalloc_free_bulk(1, &p);
	t->after = gosalloc_mcache_count(raw_smp_processor_id(), t->cls);
	gosalloc_mcache_drain(raw_smp_processor_id());
	t->after_drain = gosalloc_mcache_count(raw_smp_processor_id(), t->cls);
	held_counts(t, &t->nfree_after, &t->bypass_after);
	/* A second free of the list's most recent object is still caught. */
	gosalloc_free(READ_ONCE(c->list[t->cls].head));
	WRITE_ONCE(c->held, 0);
	preempt_enable();
	t->doubles_after = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	return 0;
}

/*
 * Held lists are left alone: an allocation comes from the central list,
 * a free goes to the central list and counts as a bypassed free (a second
 * free of the list's most recent object is still caught), a drain skips
 * them.
 */
static void gosalloc_mcache_held_lists_are_bypassed(struct kunit *test)
{
	struct held_test t = {
		.cls = gosalloc_size_to_class(MCACHE_TEST_SIZE),
	};

	gosalloc_test_on_cpu(cpumask_first(cpu_online_mask), held_on_cpu, &t);
	KUNIT_ASSERT_TRUE(test, t.got);
	KUNIT_EXPECT_GE(test, t.before, 1U);
	KUNIT_EXPECT_EQ(test, t.after, t.before);
	KUNIT_EXPECT_EQ(test, t.after_drain, t.after);
	KUNIT_EXPECT_EQ(test, t.bypass_after, t.bypass + 1);
	KUNIT_EXPECT_EQ(test, t.nfree_after, t.nfree + 1);
	KUNIT_EXPECT_EQ(test, t.doubles_after, t.doubles + 1);
}

static struct kunit_case gosalloc_mcache_cases[] = {
	KUNIT_CASE(gosalloc_mcache_refill_takes_batch),
	KUNIT_CASE(gosalloc_mcache_free_overflows_batch),
	KUNIT_CASE(gosalloc_mcache_free_goes_to_freeing_cpu),
	KUNIT_CASE(gosalloc_alloc_in_hardirq),
	KUNIT_CASE(gosalloc_alloc_in_softirq),
	KUNIT_CASE(gosalloc_mcache_held_lists_are_bypassed),
	{}
};

static struct kunit_suite gosalloc_mcache_suite = {
	.name = "gosalloc_mcache",
	.test_cases = gosalloc_mcache_cases,
};

kunit_test_suite(gosalloc_mcache_suite);
