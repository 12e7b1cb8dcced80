// SPDX-License-Identifier: GPL-2.0-only
/*
 * cache_kunit.c - KUnit suite for gosalloc's named caches (cache.c).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "gosalloc.h"
#include "helpers.h"
#include "internal.h"

#define CTOR_MAGIC	0x5a

static atomic_t ctor_calls;

/* Fill the whole object: a link written into it would show. */
static void ctor_fill(void *obj)
{
	memset(obj, CTOR_MAGIC, 200);
	atomic_inc(&ctor_calls);
}

static bool all_bytes(const u8 *p, u8 c, size_t n)
{
	for (; n; n--, p++)
		if (*p != c)
			return false;
	return true;
}

static struct gosalloc_cache *test_cache(struct kunit *test, const char *name,
					 unsigned int size, unsigned int align,
					 slab_flags_t flags, void (*ctor)(void *))
{
	struct gosalloc_cache *c = gosalloc_cache_create(name, size, align,
							 flags, ctor);

	KUNIT_ASSERT_NOT_NULL(test, c);
	return c;
}

static void gosalloc_cache_create_ctor_once(struct kunit *test)
{
	struct gosalloc_cache *c;
	unsigned int i, n, calls;
	void **objs;

	atomic_set(&ctor_calls, 0);
	c = test_cache(test, "test_ctor", 200, 0, 0, ctor_fill);
	n = 6 * c->nelems;	/* more than a CPU's array holds */
	objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_TRUE(test, all_bytes(objs[i], CTOR_MAGIC, 200));
	}
	/* Once per object of every span, when the span arrived. */
	calls = atomic_read(&ctor_calls);
	KUNIT_EXPECT_EQ(test, calls, c->nspans * c->nelems);
	/*
	 * Freed (most of them linked into their spans' free lists) and
	 * allocated again: still constructed; the constructor ran only for
	 * the objects of spans that arrived since.
	 */
	for (i = 0; i < n; i++)
		gosalloc_cache_free(c, objs[i]);
	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_TRUE(test, all_bytes(objs[i], CTOR_MAGIC, 200));
	}
	KUNIT_EXPECT_EQ(test, (atomic_read(&ctor_calls) - calls) % c->nelems, 0U);
	gosalloc_cache_free_bulk(c, n, objs);
	gosalloc_cache_destroy(c);
}

static void gosalloc_cache_alloc_alignment_sweep(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 7, 24, 100, 1000, 3000, 5000 };
	unsigned int align, i, j;
	struct gosalloc_cache *c;
	void *objs[5];

	for (align = 0; align <= PAGE_SIZE; align = align ? align * 2 : 8)
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			c = test_cache(test, "test_align", sizes[i], align, 0, NULL);
			for (j = 0; j < ARRAY_SIZE(objs); j++) {
				objs[j] = gosalloc_cache_alloc(c, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, objs[j]);
				KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)objs[j],
								   max(align, 8U)));
				memset(objs[j], 0xee, sizes[i]);
			}
			gosalloc_cache_free_bulk(c, ARRAY_SIZE(objs), objs);
			gosalloc_cache_destroy(c);
		}
}

static void gosalloc_cache_create_hwcache_align(struct kunit *test)
{
	struct gosalloc_cache *c;
	void *p;

	c = test_cache(test, "test_hw", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	KUNIT_EXPECT_EQ(test, c->align, max_t(unsigned int, cache_line_size(), 8));
	p = gosalloc_cache_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, cache_line_size()));
	gosalloc_cache_free(c, p);
	gosalloc_cache_destroy(c);
	/* Small objects share a line, aligned to a power-of-two part of it. */
	c = test_cache(test, "test_hw_small", 20, 0, SLAB_HWCACHE_ALIGN, NULL);
	KUNIT_EXPECT_EQ(test, c->align,
			min_t(unsigned int, 32, max_t(unsigned int, cache_line_size(), 8)));
	gosalloc_cache_destroy(c);
}

static void gosalloc_cache_create_invalid(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, gosalloc_cache_create("test_bad", 0, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, gosalloc_cache_create("test_bad", 64, 24, 0, NULL));
	KUNIT_EXPECT_NULL(test, gosalloc_cache_create("test_bad", 64,
						      2 * PAGE_SIZE, 0, NULL));
}

static void gosalloc_cache_destroy_live_objects(struct kunit *test)
{
	struct gosalloc_cache *c = test_cache(test, "test_live", 64, 0, 0, NULL);
	u64 *p = gosalloc_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	*p = 42;
	gosalloc_cache_destroy(c);	/* reports, leaks the cache */
	KUNIT_EXPECT_TRUE(test, c->dead);
	KUNIT_EXPECT_EQ(test, c->nspans, 1UL);
	KUNIT_EXPECT_EQ(test, *p, 42ULL);	/* still the caller's */
	gosalloc_cache_free(c, p);
	gosalloc_cache_destroy(c);	/* now empty: really destroyed */
}

static void gosalloc_cache_free_bad_pointers(struct kunit *test)
{
	struct gosalloc_cache *a = test_cache(test, "test_a", 64, 0, 0, NULL);
	struct gosalloc_cache *b = test_cache(test, "test_b", 64, 0, 0, NULL);
	u64 invalid = gosalloc_stat_read(GOSALLOC_INVALID_FREES);
	u64 doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
	u8 *p = gosalloc_cache_alloc(a, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	gosalloc_cache_free(b, p);		/* the wrong cache */
	gosalloc_cache_free(a, p + 8);		/* inside the object */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_INVALID_FREES),
			invalid + 2);
	gosalloc_cache_free(a, p);
	gosalloc_cache_free(a, p);		/* twice in a row */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
			doubles + 1);
	gosalloc_cache_destroy(a);
	gosalloc_cache_destroy(b);
}

static void gosalloc_free_cache_object(struct kunit *test)
{
	struct gosalloc_cache *c = test_cache(test, "test_kfree", 72, 0, 0, NULL);
	void *p = gosalloc_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gosalloc_size(p), 72UL);
	gosalloc_free(p);			/* as kfree() of a cache object */
	gosalloc_cache_shrink(c);
	KUNIT_EXPECT_EQ(test, c->nspans, 0UL);
	gosalloc_cache_destroy(c);
}

static void gosalloc_cache_alloc_bulk_roundtrip(struct kunit *test)
{
	struct gosalloc_cache *c = test_cache(test, "test_bulk", 48, 0, 0, NULL);
	u64 mallocs = gosalloc_stat_read(GOSALLOC_CACHE_MALLOCS);
	u64 frees = gosalloc_stat_read(GOSALLOC_CACHE_FREES);
	const size_t n = 300;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_EQ(test, gosalloc_cache_alloc_bulk(c, GFP_KERNEL, n, objs),
			(int)n);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CACHE_MALLOCS),
			mallocs + n);
	gosalloc_cache_free_bulk(c, n, objs);
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CACHE_FREES),
			frees + n);
	gosalloc_cache_destroy(c);
}

/*
 * SLAB_TYPESAFE_BY_RCU: a span emptied while a reader may hold one of
 * its objects stays the cache's, with the object's contents, until a
 * grace period has passed.
 */
static void gosalloc_cache_free_typesafe_by_rcu(struct kunit *test)
{
	struct gosalloc_cache *c = test_cache(test, "test_rcu", 64, 0,
					      SLAB_TYPESAFE_BY_RCU, NULL);
	unsigned int i, n = 3 * c->nelems - 1, mine = 0;
	struct gosalloc_span *s0;
	void **objs, *other[64];

	objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	/*
	 * On one CPU, so that every object of the first span is handed out
	 * before the next span's: none stays in another CPU's array.
	 */
	migrate_disable();
	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_cache_alloc(c, GFP_KERNEL);
		if (!objs[i])
			break;
		memset(objs[i], 0x77, 64);
	}
	migrate_enable();
	KUNIT_ASSERT_EQ(test, i, n);
	s0 = gosalloc_span_lookup(objs[0]);
	rcu_read_lock();
	for (i = 0; i < n; i++)
		if (gosalloc_span_lookup(objs[i]) == s0) {
			gosalloc_cache_free(c, objs[i]);
			mine++;
		}
	KUNIT_EXPECT_EQ(test, mine, c->nelems);
	gosalloc_cache_shrink(c);	/* s0 is empty now */
	for (i = 0; i < ARRAY_SIZE(other); i++)
		other[i] = gosalloc_alloc(64, GFP_ATOMIC);
	KUNIT_EXPECT_EQ(test, READ_ONCE(s0->state), GOSALLOC_SPAN_CACHE);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(s0->cache), c);
	for (i = 0; i < ARRAY_SIZE(other); i++)
		KUNIT_EXPECT_PTR_NE(test, gosalloc_span_lookup(other[i]), s0);
	KUNIT_EXPECT_TRUE(test, all_bytes(objs[0], 0x77, 64));
	rcu_read_unlock();
	gosalloc_free_bulk(ARRAY_SIZE(other), other);
	rcu_barrier();
	KUNIT_EXPECT_FALSE(test, READ_ONCE(s0->state) == GOSALLOC_SPAN_CACHE &&
			   READ_ONCE(s0->cache) == c);
	for (i = 0; i < n; i++)
		if (gosalloc_span_lookup(objs[i]) != s0)
			gosalloc_cache_free(c, objs[i]);
	gosalloc_cache_destroy(c);
}

/* Objects of @c out of its spans: handed out or in a CPU's array. */
static unsigned long cache_test_out(struct gosalloc_cache *c)
{
	struct gosalloc_span *s;
	unsigned long out = 0;

	spin_lock_irq(&c->lock);
	list_for_each_entry(s, &c->partial, list)
		out += s->allocated;
	list_for_each_entry(s, &c->full, list)
		out += s->allocated;
	spin_unlock_irq(&c->lock);
	return out;
}

struct cache_held_test {
	struct gosalloc_cache *c;
	unsigned int before, mid, after, after_shrink;
	unsigned long other_allocs, other_frees;
	void *got;
	bool from_array;
};

/*
 * As code that interrupted a holder of this CPU's arrays of a cache:
 * allocate, free and shrink with the held flag set.
 */
static long cache_held_on_cpu(void *arg)
{
	struct cache_held_test *t = arg;
	struct gosalloc_cache_cpu *cc;
	unsigned long oa, of;
	unsigned int i;
	void *p;

	p = gosalloc_cache_alloc(t->c, GFP_KERNEL);
	gosalloc_cache_free(t->c, p);	/* the array holds objects now */
	preempt_disable();
	cc = this_cpu_ptr(t->c->cpu);
	t->before = cc->count;
	oa = cc->other_allocs;
	of = cc->other_frees;
	WRITE_ONCE(cc->held, 1);
	p = gosalloc_cache_alloc(t->c, GFP_ATOMIC);
	t->got = p;
	t->mid = cc->count;
	for (i = 0; i < cc->count; i++)
		t->from_array |= cc->objs[i] == p;
	gosalloc_cache_free(t->c, p);
	t->after = cc->count;
	gosalloc_cache_shrink(t->c);
	t->after_shrink = cc->count;
	t->other_allocs = cc->other_allocs - oa;
	t->other_frees = cc->other_frees - of;
	WRITE_ONCE(cc->held, 0);
	preempt_enable();
	return 0;
}

/*
 * Arrays held by a fast path are left alone: an allocation that
 * interrupts it takes an object of a span, a free puts it back there,
 * both counted as past the arrays; a shrink's IPI skips them.
 */
static void gosalloc_cache_held_arrays_are_bypassed(struct kunit *test)
{
	struct cache_held_test t = {
		.c = test_cache(test, "test_held", 96, 0, 0, NULL),
	};
	unsigned int cpu = cpumask_first(cpu_online_mask);
	struct gosalloc_cache_cpu *cc;
	unsigned long allocs, frees;

	gosalloc_test_on_cpu(cpu, cache_held_on_cpu, &t);
	KUNIT_ASSERT_NOT_NULL(test, t.got);
	KUNIT_EXPECT_FALSE(test, t.from_array);
	KUNIT_EXPECT_GE(test, t.before, 1U);
	KUNIT_EXPECT_EQ(test, t.mid, t.before);
	KUNIT_EXPECT_EQ(test, t.after, t.before);
	KUNIT_EXPECT_EQ(test, t.after_shrink, t.before);
	KUNIT_EXPECT_EQ(test, t.other_allocs, 1UL);
	KUNIT_EXPECT_EQ(test, t.other_frees, 1UL);
	gosalloc_cache_shrink(t.c);	/* not held now: emptied */
	cc = per_cpu_ptr(t.c->cpu, cpu);
	KUNIT_EXPECT_EQ(test, cc->count, 0U);
	gosalloc_cache_counts(t.c, &allocs, &frees);
	KUNIT_EXPECT_EQ(test, allocs, frees);
	KUNIT_EXPECT_EQ(test, allocs, 2UL);
	gosalloc_cache_destroy(t.c);
}

struct cache_hotplug_test {
	struct gosalloc_cache *c;
	void *objs[8];
};

static long cache_fill_on_cpu(void *arg)
{
	struct cache_hotplug_test *t = arg;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t->objs); i++)
		t->objs[i] = gosalloc_cache_alloc(t->c, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(t->objs); i++)
		gosalloc_cache_free(t->c, t->objs[i]);
	return this_cpu_ptr(t->c->cpu)->count;
}

/* A CPU going offline gives its arrays' objects back to the spans. */
static void gosalloc_cache_cpu_offline_drains_arrays(struct kunit *test)
{
	unsigned int a = cpumask_first(cpu_online_mask);
	unsigned int b = cpumask_next(a, cpu_online_mask);
	struct cache_hotplug_test t = {
		.c = test_cache(test, "test_hotplug", 200, 0, 0, NULL),
	};
	struct gosalloc_cache_cpu *cc;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || b >= nr_cpu_ids) {
		gosalloc_cache_destroy(t.c);
		kunit_skip(test, "needs CPU hotplug and two online CPUs");
	}
	KUNIT_ASSERT_GE(test, gosalloc_test_on_cpu(b, cache_fill_on_cpu, &t),
			1L);
	cc = per_cpu_ptr(t.c->cpu, b);
	if (remove_cpu(b)) {
		gosalloc_cache_destroy(t.c);
		kunit_skip(test, "CPU %u cannot go offline", b);
	}
	KUNIT_EXPECT_EQ(test, cc->count, 0U);
	KUNIT_EXPECT_EQ(test, cc->nremote, 0U);
	KUNIT_EXPECT_EQ(test, cache_test_out(t.c), 0UL);
	KUNIT_ASSERT_EQ(test, add_cpu(b), 0);
	KUNIT_EXPECT_GE(test, gosalloc_test_on_cpu(b, cache_fill_on_cpu, &t),
			1L);
	gosalloc_cache_destroy(t.c);
}

static struct kunit_case gosalloc_cache_cases[] = {
	KUNIT_CASE(gosalloc_cache_create_ctor_once),
	KUNIT_CASE(gosalloc_cache_alloc_alignment_sweep),
	KUNIT_CASE(gosalloc_cache_create_hwcache_align),
	KUNIT_CASE(gosalloc_cache_create_invalid),
	KUNIT_CASE(gosalloc_cache_destroy_live_objects),
	KUNIT_CASE(gosalloc_cache_free_bad_pointers),
	KUNIT_CASE(gosalloc_free_cache_object),
	KUNIT_CASE(gosalloc_cache_alloc_bulk_roundtrip),
	KUNIT_CASE(gosalloc_cache_free_typesafe_by_rcu),
	KUNIT_CASE(gosalloc_cache_held_arrays_are_bypassed),
	KUNIT_CASE(gosalloc_cache_cpu_offline_drains_arrays),
	{}
};

static struct kunit_suite gosalloc_cache_suite = {
	.name = "gosalloc_cache",
	.test_cases = gosalloc_cache_cases,
};

kunit_test_suite(gosalloc_cache_suite);
