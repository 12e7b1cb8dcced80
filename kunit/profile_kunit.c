// SPDX-License-Identifier: GPL-2.0-only
/*
 * profile_kunit.c - KUnit suite for sampled call sites and tracepoints.
 */
#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/sizes.h>
#include <linux/tracepoint.h>

#include "gosalloc.h"
#include "helpers.h"
#include "trace.h"

/* The call site the samples must name; noipa: nothing merges with it. */
static noinline __attribute__((__noipa__)) void *profile_victim(size_t size)
{
	void *p = gosalloc_alloc(size, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static bool is_profile_victim(unsigned long caller)
{
	return gosalloc_test_caller_is(caller, "profile_victim");
}

static void rate_restore(void *old)
{
	gosalloc_sample_set_rate((unsigned long)old);
}

/* Estimates within 20 % of the truth, then no live bytes once freed. */
static void profile_expect_estimates(struct kunit *test, size_t size,
				     unsigned int n, unsigned long rate)
{
	void **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	struct gosalloc_site_sum before, sum;
	u64 bytes = (u64)size * n;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	gosalloc_test_defer(test, rate_restore, (void *)gosalloc_sample_rate);
	gosalloc_sample_sum(is_profile_victim, &before);
	gosalloc_sample_set_rate(rate);
	for (i = 0; i < n; i++) {
		objs[i] = profile_victim(size);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	gosalloc_sample_sum(is_profile_victim, &sum);
	kunit_info(test, "%u x %zu bytes at rate %lu: live %llu bytes, %llu objects; allocated %llu bytes, %llu objects\n",
		   n, size, rate, sum.live_bytes - before.live_bytes,
		   sum.live_objects - before.live_objects,
		   sum.alloc_bytes - before.alloc_bytes,
		   sum.alloc_objects - before.alloc_objects);
	KUNIT_EXPECT_GT(test, sum.live_bytes - before.live_bytes, bytes * 8 / 10);
	KUNIT_EXPECT_LT(test, sum.live_bytes - before.live_bytes, bytes * 12 / 10);
	KUNIT_EXPECT_GT(test, sum.alloc_objects - before.alloc_objects,
			(u64)n * 8 / 10);
	KUNIT_EXPECT_LT(test, sum.alloc_objects - before.alloc_objects,
			(u64)n * 12 / 10);
	gosalloc_free_bulk(n, objs);
	gosalloc_sample_sum(is_profile_victim, &sum);
	KUNIT_EXPECT_EQ(test, sum.live_bytes, before.live_bytes);
}

static void gosalloc_sample_small_objects(struct kunit *test)
{
	/* About 490 samples: one standard deviation is 4.5 %. */
	profile_expect_estimates(test, 1000, 2000, 4096);
}

static void gosalloc_sample_large_objects(struct kunit *test)
{
	profile_expect_estimates(test, SZ_64K, 20, 4096);
}

static void gosalloc_sample_rate_zero_samples_nothing(struct kunit *test)
{
	struct gosalloc_site_sum before, sum;
	void *p;

	gosalloc_test_defer(test, rate_restore, (void *)gosalloc_sample_rate);
	gosalloc_sample_sum(is_profile_victim, &before);
	gosalloc_sample_set_rate(0);
	p = profile_victim(SZ_64K);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gosalloc_sample_sum(is_profile_victim, &sum);
	KUNIT_EXPECT_EQ(test, sum.alloc_bytes, before.alloc_bytes);
	gosalloc_free(p);
}

/* ---- Tracepoints ---- */

struct trace_seen {
	const void *ptr;
	unsigned long call_site;
	size_t bytes_req;
	size_t bytes_alloc;
	bool freed;
};

static void probe_alloc(void *data, unsigned long call_site, const void *ptr,
			size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags)
{
	struct trace_seen *seen = data;

	if (bytes_req != 1234 || seen->ptr)
		return;
	seen->ptr = ptr;
	seen->call_site = call_site;
	seen->bytes_req = bytes_req;
	seen->bytes_alloc = bytes_alloc;
}

static void probe_free(void *data, unsigned long call_site, const void *ptr)
{
	struct trace_seen *seen = data;

	if (ptr && ptr == seen->ptr)
		seen->freed = true;
}

static void gosalloc_tracepoints_report_alloc_and_free(struct kunit *test)
{
	struct trace_seen *seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs CONFIG_TRACEPOINTS");
	KUNIT_ASSERT_EQ(test, register_trace_gosalloc_alloc(probe_alloc, seen), 0);
	KUNIT_ASSERT_EQ(test, register_trace_gosalloc_free(probe_free, seen), 0);
	p = profile_victim(1234);
	KUNIT_EXPECT_NOT_NULL(test, p);
	gosalloc_free(p);
	unregister_trace_gosalloc_free(probe_free, seen);
	unregister_trace_gosalloc_alloc(probe_alloc, seen);
	tracepoint_synchronize_unregister();
	KUNIT_EXPECT_PTR_EQ(test, seen->ptr, (const void *)p);
	KUNIT_EXPECT_EQ(test, seen->bytes_req, 1234UL);
	KUNIT_EXPECT_EQ(test, seen->bytes_alloc,
			(size_t)gosalloc_class_to_size[gosalloc_size_to_class(1234)]);
	KUNIT_EXPECT_TRUE(test, is_profile_victim(seen->call_site));
	KUNIT_EXPECT_TRUE(test, seen->freed);
}

static struct kunit_case gosalloc_profile_cases[] = {
	KUNIT_CASE(gosalloc_sample_small_objects),
	KUNIT_CASE(gosalloc_sample_large_objects),
	KUNIT_CASE(gosalloc_sample_rate_zero_samples_nothing),
	KUNIT_CASE(gosalloc_tracepoints_report_alloc_and_free),
	{}
};

static struct kunit_suite gosalloc_profile_suite = {
	.name = "gosalloc_profile",
	.test_cases = gosalloc_profile_cases,
};

kunit_test_suite(gosalloc_profile_suite);
