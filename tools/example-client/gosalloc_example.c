// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_example.c - a client module of gosalloc.
 *
 * It links against gosalloc's exported symbols, as any user of the
 * allocator would, and runs a short workload when loaded: objects of
 * several sizes allocated, written, checked and freed, with a few kept
 * until unload so that the statistics show live objects meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <gosalloc.h>

static unsigned int rounds = 100;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "workload rounds run at load (default 100)");

#define EXAMPLE_KEPT	16

static void *kept[EXAMPLE_KEPT];

static const size_t example_sizes[] = {
	8, 24, 64, 100, 256, 1000, 4096, 10000, 40000, 100000,
};

/* Allocate, fill, check and free one object; false on any failure. */
static bool example_round_trip(size_t size, u8 pattern)
{
	u8 *p = gosalloc_alloc(size, GFP_KERNEL);
	bool ok;

	if (!p)
		return false;
	memset(p, pattern, size);
	ok = !memchr_inv(p, pattern, size) && gosalloc_size(p) >= size;
	gosalloc_free(p);
	return ok;
}

static int __init example_init(void)
{
	unsigned int r, i, failed = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < ARRAY_SIZE(example_sizes); i++)
			failed += !example_round_trip(example_sizes[i], r + i);
	for (i = 0; i < EXAMPLE_KEPT; i++) {
		kept[i] = gosalloc_zalloc(32 << (i % 8), GFP_KERNEL);
		if (!kept[i])
			failed++;
	}
	if (failed) {
		pr_err("workload: %u of %u operations failed\n", failed,
		       rounds * (unsigned int)ARRAY_SIZE(example_sizes) +
		       EXAMPLE_KEPT);
		gosalloc_free_bulk(EXAMPLE_KEPT, kept);
		return -ENOMEM;
	}
	pr_info("workload: %u round trips done, %d objects kept\n",
		rounds * (unsigned int)ARRAY_SIZE(example_sizes), EXAMPLE_KEPT);
	return 0;
}

static void __exit example_exit(void)
{
	gosalloc_free_bulk(EXAMPLE_KEPT, kept);
	pr_info("freed %d kept objects\n", EXAMPLE_KEPT);
}

module_init(example_init);
module_exit(example_exit);

MODULE_DESCRIPTION("Example client of the gosalloc allocator");
MODULE_LICENSE("GPL");
