// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcu_kunit.c - KUnit suite for gosalloc_free_rcu() (rcu.c).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>

#include "gosalloc.h"
#include "internal.h"

struct rcu_obj {
	u64 payload[6];
	struct rcu_head rh;
};

static void gosalloc_free_rcu_waits_for_readers(struct kunit *test)
{
	struct rcu_obj *o = gosalloc_alloc(sizeof(*o), GFP_KERNEL);
	u64 rcu_frees = gosalloc_stat_read(GOSALLOC_RCU_FREES);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->payload[0] = 7;
	rcu_read_lock();
	gosalloc_free_rcu(o, rh);
	mdelay(30);	/* past the batching delay */
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_RCU_FREES), rcu_frees);
	KUNIT_EXPECT_EQ(test, READ_ONCE(o->payload[0]), 7ULL);
	rcu_read_unlock();
	gosalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_RCU_FREES),
			rcu_frees + 1);
}

static void gosalloc_free_rcu_batches(struct kunit *test)
{
	u64 rcu_frees = gosalloc_stat_read(GOSALLOC_RCU_FREES);
	u64 batches = gosalloc_stat_read(GOSALLOC_RCU_BATCHES);
	u64 frees = gosalloc_stat_read(GOSALLOC_FREES);
	unsigned int i, n = 1000;
	struct rcu_obj *o;

	for (i = 0; i < n; i++) {
		o = gosalloc_alloc(sizeof(*o), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o);
		if (i & 1)
			gosalloc_free_rcu(o, rh);
		else
			gosalloc_free_rcu(o);	/* headless */
	}
	gosalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_RCU_FREES),
			rcu_frees + n);
	KUNIT_EXPECT_GE(test, gosalloc_stat_read(GOSALLOC_FREES), frees + n);
	KUNIT_EXPECT_GT(test, gosalloc_stat_read(GOSALLOC_RCU_BATCHES), batches);
	KUNIT_EXPECT_LT(test, gosalloc_stat_read(GOSALLOC_RCU_BATCHES),
			batches + n / 4);
}

static void gosalloc_free_rcu_null(struct kunit *test)
{
	struct rcu_obj *o = NULL;
	u64 rcu_frees = gosalloc_stat_read(GOSALLOC_RCU_FREES);

	gosalloc_free_rcu(o, rh);
	gosalloc_free_rcu(o);
	gosalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_RCU_FREES), rcu_frees);
}

static void gosalloc_free_rcu_cache_object(struct kunit *test)
{
	struct gosalloc_cache *c = gosalloc_cache_create("test_rcu_free",
							 sizeof(struct rcu_obj),
							 0, 0, NULL);
	u64 frees = gosalloc_stat_read(GOSALLOC_CACHE_FREES);
	struct rcu_obj *o;

	KUNIT_ASSERT_NOT_NULL(test, c);
	o = gosalloc_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	gosalloc_free_rcu(o, rh);
	gosalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_CACHE_FREES),
			frees + 1);
	gosalloc_cache_destroy(c);
}

static void gosalloc_free_rcu_vmalloc(struct kunit *test)
{
	size_t size = (PAGE_SIZE << MAX_PAGE_ORDER) + 1;	/* too large */
	u64 rcu_frees = gosalloc_stat_read(GOSALLOC_RCU_FREES);
	void *p = gosalloc_kvmalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	gosalloc_free_rcu(p);
	gosalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gosalloc_stat_read(GOSALLOC_RCU_FREES),
			rcu_frees + 1);
}

static struct kunit_case gosalloc_rcu_cases[] = {
	KUNIT_CASE(gosalloc_free_rcu_waits_for_readers),
	KUNIT_CASE(gosalloc_free_rcu_batches),
	KUNIT_CASE(gosalloc_free_rcu_null),
	KUNIT_CASE(gosalloc_free_rcu_cache_object),
	KUNIT_CASE(gosalloc_free_rcu_vmalloc),
	{}
};

static struct kunit_suite gosalloc_rcu_suite = {
	.name = "gosalloc_rcu",
	.test_cases = gosalloc_rcu_cases,
};

kunit_test_suite(gosalloc_rcu_suite);
