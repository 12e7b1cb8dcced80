// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - gosalloc module load and unload; see malloc.c for the overview.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "internal.h"

/*
 * Clients that link against gosalloc hold a reference on the module, so
 * this runs only after every client is gone and no gosalloc function can
 * run. Every cache is drained and every free page goes back to the page
 * allocator. Objects a client leaked are reported and their pages stay
 * allocated: they are never freed under a user that might still hold them.
 */
static void gosalloc_teardown(void)
{
	gosalloc_rcu_exit();
	gosalloc_cache_exit();
	gosalloc_sample_exit();
	gosalloc_mcache_exit();
	gosalloc_mcentral_trim();
	gosalloc_memcg_trim(true);
	gosalloc_mheap_exit();
	gosalloc_nodes_exit();
}

static bool gosalloc_core_up;

/*
 * The allocator itself, ready to serve allocations: in kernel mode
 * (kmalloc.c) this runs from kmem_cache_init(), when the page allocator
 * and the per-CPU areas are up but not the scheduler, workqueues or
 * debugfs; gosalloc_init() starts the rest.
 */
int __init gosalloc_core_init(void)
{
	int err;

	err = gosalloc_rcu_init();
	if (err)
		return err;
	err = gosalloc_debug_init();
	if (err)
		return err;
	err = gosalloc_nodes_init();
	if (err)
		return err;
	err = gosalloc_mheap_init();
	if (err)
		goto err_teardown;
	err = gosalloc_mcache_init();
	if (err)
		goto err_teardown;
	gosalloc_sample_set_rate(gosalloc_sample_rate);
	gosalloc_core_up = true;
	return 0;

err_teardown:
	gosalloc_teardown();
	return err;
}

static int __init gosalloc_init(void)
{
	int err;

	if (!gosalloc_core_up) {
		err = gosalloc_core_init();
		if (err)
			return err;
	}
	err = gosalloc_scavenge_init();
	if (err)
		goto err_teardown;
	gosalloc_debugfs_init();
	pr_info("%u size classes, %u node%s, per-CPU caches held with preemption off\n",
		GOSALLOC_NR_CLASSES - 1, num_possible_nodes(),
		num_possible_nodes() == 1 ? "" : "s");
	return 0;

err_teardown:
	/* Serving kmalloc, the heap must stay: run without the rest. */
	if (!gosalloc_kmalloc_active())
		gosalloc_teardown();
	return err;
}

static void __exit gosalloc_exit(void)
{
	u64 v[GOSALLOC_NR_STATS];

	gosalloc_stats_snapshot(v);
	if (v[GOSALLOC_MALLOCS] != v[GOSALLOC_FREES])
		pr_warn("unloading with %llu live objects\n",
			v[GOSALLOC_MALLOCS] - v[GOSALLOC_FREES]);
	gosalloc_debugfs_exit();
	gosalloc_scavenge_exit();
	gosalloc_teardown();
}

module_init(gosalloc_init);
module_exit(gosalloc_exit);

MODULE_DESCRIPTION("gosalloc: a Go-style general-purpose memory allocator");
MODULE_LICENSE("GPL");
