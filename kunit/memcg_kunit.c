// SPDX-License-Identifier: GPL-2.0-only
/*
 * memcg_kunit.c - KUnit suite for memory-cgroup charging (memcg.c).
 *
 * A KUnit kernel has no cgroup file system to make a cgroup in, so the
 * spans of a cgroup are tested through a set made for the test
 * (gosalloc_memcg_set_new() with no object cgroup): its pages are
 * allocated with __GFP_ACCOUNT like any cgroup's, and charged to nothing
 * in a kernel thread. Charging a real cgroup is tested in the guest
 * (tools/testing/selftests/gosalloc/gosalloc_memcg.sh).
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/completion.h>

#include "helpers.h"
#include "internal.h"

#define MEMCG_TEST_OBJS	300

struct memcg_test {
	struct gosalloc_memcg *m;
	void *objs[MEMCG_TEST_OBJS];
	unsigned int n;
};

static struct gosalloc_memcg *memcg_test_set(struct kunit *test)
{
	struct gosalloc_memcg *m = gosalloc_memcg_set_new(NULL, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

static u8 span_state_of(const void *p)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);

	return s ? gosalloc_span_state(s) : GOSALLOC_SPAN_DEAD;
}

/* Charged and uncharged objects of one class never share a span. */
static void gosalloc_memcg_set_alloc_own_spans(struct kunit *test)
{
	struct gosalloc_memcg *m = memcg_test_set(test);
	void *charged[64], *plain[64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(charged); i++) {
		charged[i] = gosalloc_memcg_set_alloc(m, 96, GFP_KERNEL,
						      NUMA_NO_NODE);
		plain[i] = gosalloc_alloc(96, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, charged[i]);
		KUNIT_ASSERT_NOT_NULL(test, plain[i]);
	}
	for (i = 0; i < ARRAY_SIZE(charged); i++) {
		struct gosalloc_span *s = gosalloc_span_lookup(charged[i]);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, gosalloc_span_state(s), GOSALLOC_SPAN_MEMCG);
		KUNIT_EXPECT_PTR_EQ(test, s->memcg, m);
		KUNIT_EXPECT_EQ(test, gosalloc_size(charged[i]), 96UL);
		KUNIT_EXPECT_EQ(test, span_state_of(plain[i]), GOSALLOC_SPAN_SMALL);
		for (j = 0; j < ARRAY_SIZE(plain); j++)
			KUNIT_EXPECT_PTR_NE(test, gosalloc_span_lookup(plain[j]), s);
	}
	KUNIT_EXPECT_EQ(test, m->nobjs, (unsigned long)ARRAY_SIZE(charged));
	for (i = 0; i < ARRAY_SIZE(charged); i++) {
		gosalloc_free(charged[i]);
		gosalloc_free(plain[i]);
	}
	KUNIT_EXPECT_EQ(test, m->nobjs, 0UL);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(m));
}

/* Every size class from 16 bytes on (tiny sizes get 16) has spans. */
static void gosalloc_memcg_set_alloc_every_class(struct kunit *test)
{
	struct gosalloc_memcg *m = memcg_test_set(test);
	unsigned int cls;
	size_t size;
	void *p;

	p = gosalloc_memcg_set_alloc(m, 1, GFP_KERNEL,
				     NUMA_NO_NODE);	/* 16 at least */
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), 16UL);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 16));
	gosalloc_free(p);
	for (cls = gosalloc_size_to_class(16); cls < GOSALLOC_NR_CLASSES; cls++) {
		size = gosalloc_class_to_size[cls];
		p = gosalloc_memcg_set_alloc(m, size, GFP_KERNEL, NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, span_state_of(p), GOSALLOC_SPAN_MEMCG);
		KUNIT_EXPECT_EQ(test, gosalloc_size(p), size);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
						   min_t(size_t, size & -size, PAGE_SIZE)));
		memset(p, 0xa5, size);
		gosalloc_free(p);
	}
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(m));
}

/*
 * A span whose objects are all back stays while it is the class's only
 * one with free objects, and the others go back to the page allocator.
 */
static void gosalloc_memcg_free_returns_spans(struct kunit *test)
{
	struct memcg_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long spans;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->m = memcg_test_set(test);
	spans = gosalloc_heap_sum(spans_inuse);
	for (i = 0; i < MEMCG_TEST_OBJS; i++) {	/* 300 x 1 KiB: 3 spans or more */
		t->objs[i] = gosalloc_memcg_set_alloc(t->m, 1024, GFP_KERNEL,
						      NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, t->objs[i]);
	}
	KUNIT_EXPECT_GE(test, t->m->nspans, 3UL);
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_heap_sum(spans_inuse) - spans,
			      t->m->nspans);
	for (i = 0; i < MEMCG_TEST_OBJS; i++)
		gosalloc_free(t->objs[i]);
	KUNIT_EXPECT_EQ(test, t->m->nspans, 1UL);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(t->m));
	GOSALLOC_EXPECT_LEVEL(test, gosalloc_heap_sum(spans_inuse), spans);
}

/* A set with objects out is not destroyed. */
static void gosalloc_memcg_set_destroy_busy(struct kunit *test)
{
	struct gosalloc_memcg *m = memcg_test_set(test);
	void *p = gosalloc_memcg_set_alloc(m, 200, GFP_KERNEL, NUMA_NO_NODE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, gosalloc_memcg_set_destroy(m));
	KUNIT_EXPECT_FALSE(test, m->gone);
	gosalloc_free(p);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(m));
}

/*
 * A second free of a charged object is reported and changes nothing; so
 * is a free of a pointer inside one, counted as invalid as for the size
 * classes, on the plain path and on the hooked one (KASAN) alike.
 */
static void gosalloc_memcg_free_double(struct kunit *test)
{
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u64 invalids = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	struct gosalloc_memcg *m = memcg_test_set(test);
	void *p = gosalloc_memcg_set_alloc(m, 64, GFP_KERNEL, NUMA_NO_NODE);
	void *q = gosalloc_memcg_set_alloc(m, 64, GFP_KERNEL, NUMA_NO_NODE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	gosalloc_free(p);
	gosalloc_free(p);
	gosalloc_free(q + 8);	/* not the start of an object */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalids + 1);
	KUNIT_EXPECT_EQ(test, m->nobjs, 1UL);
	gosalloc_free(q);
	KUNIT_EXPECT_EQ(test, m->nobjs, 0UL);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(m));
}

static long memcg_free_on_cpu(void *arg)
{
	struct memcg_test *t = arg;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		gosalloc_free(t->objs[i]);
	return 0;
}

/* Charged objects freed on another CPU go back to their set's spans. */
static void gosalloc_memcg_free_other_cpu(struct kunit *test)
{
	struct memcg_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int cpu = cpumask_last(cpu_online_mask);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->m = memcg_test_set(test);
	for (t->n = 0; t->n < MEMCG_TEST_OBJS; t->n++) {
		t->objs[t->n] = gosalloc_memcg_set_alloc(t->m, 256, GFP_KERNEL,
							 NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, t->objs[t->n]);
	}
	KUNIT_EXPECT_EQ(test, gosalloc_test_on_cpu(cpu, memcg_free_on_cpu, t), 0L);
	KUNIT_EXPECT_EQ(test, t->m->nobjs, 0UL);
	KUNIT_EXPECT_EQ(test, t->m->nspans, 1UL);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(t->m));
}

struct memcg_irq_test {
	struct hrtimer hrtimer;
	struct completion done;
	struct memcg_test t;
	bool in_irq;
};

static enum hrtimer_restart memcg_irq_free(struct hrtimer *timer)
{
	struct memcg_irq_test *it = container_of(timer, struct memcg_irq_test,
						 hrtimer);

	it->in_irq = in_hardirq();
	memcg_free_on_cpu(&it->t);
	complete(&it->done);
	return HRTIMER_NORESTART;
}

/* Charged objects freed in hardirq context. */
static void gosalloc_memcg_free_hardirq(struct kunit *test)
{
	struct memcg_irq_test *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	struct memcg_test *t;

	KUNIT_ASSERT_NOT_NULL(test, it);
	t = &it->t;
	t->m = memcg_test_set(test);
	for (t->n = 0; t->n < 64; t->n++) {
		t->objs[t->n] = gosalloc_memcg_set_alloc(t->m, 512, GFP_KERNEL,
							 NUMA_NO_NODE);
		KUNIT_ASSERT_NOT_NULL(test, t->objs[t->n]);
	}
	init_completion(&it->done);
	hrtimer_init(&it->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	it->hrtimer.function = memcg_irq_free;
	hrtimer_start(&it->hrtimer, ns_to_ktime(1000), HRTIMER_MODE_REL_HARD);
	wait_for_completion(&it->done);
	KUNIT_EXPECT_TRUE(test, it->in_irq);
	KUNIT_EXPECT_EQ(test, t->m->nobjs, 0UL);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(t->m));
}

/*
 * __GFP_ACCOUNT where nothing is charged (a kernel thread, no cgroup
 * with kernel memory accounting, or no CONFIG_MEMCG): an object as
 * without the flag, small, tiny or large, zeroed as asked.
 */
static void gosalloc_alloc_account_uncharged(struct kunit *test)
{
	static const size_t sizes[] = { 3, 100, 4000, 40000, 300000 };
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = gosalloc_alloc(sizes[i], GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NE(test, span_state_of(p), GOSALLOC_SPAN_MEMCG);
		KUNIT_EXPECT_EQ(test, p[0] | p[sizes[i] - 1], 0);
		KUNIT_EXPECT_GE(test, gosalloc_size(p), sizes[i]);
		gosalloc_free(p);
	}
	p = gosalloc_alloc(0, GFP_KERNEL_ACCOUNT);
	KUNIT_EXPECT_PTR_EQ(test, (void *)p, ZERO_SIZE_PTR);
}

/* A charged large object is pages of its own (never a chunk's). */
static void gosalloc_alloc_account_large_direct(struct kunit *test)
{
	void *p = gosalloc_alloc(40000, GFP_KERNEL_ACCOUNT);
	struct gosalloc_span *s;

	KUNIT_ASSERT_NOT_NULL(test, p);
	s = gosalloc_span_lookup(p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, gosalloc_span_state(s), GOSALLOC_SPAN_LARGE);
	KUNIT_EXPECT_TRUE(test, s->direct);
	gosalloc_free(p);
}

static struct kunit_case gosalloc_memcg_cases[] = {
	KUNIT_CASE(gosalloc_memcg_set_alloc_own_spans),
	KUNIT_CASE(gosalloc_memcg_set_alloc_every_class),
	KUNIT_CASE(gosalloc_memcg_free_returns_spans),
	KUNIT_CASE(gosalloc_memcg_set_destroy_busy),
	KUNIT_CASE(gosalloc_memcg_free_double),
	KUNIT_CASE(gosalloc_memcg_free_other_cpu),
	KUNIT_CASE(gosalloc_memcg_free_hardirq),
	KUNIT_CASE(gosalloc_alloc_account_uncharged),
	KUNIT_CASE(gosalloc_alloc_account_large_direct),
	{}
};

static struct kunit_suite gosalloc_memcg_suite = {
	.name = "gosalloc_memcg",
	.test_cases = gosalloc_memcg_cases,
};

kunit_test_suite(gosalloc_memcg_suite);
