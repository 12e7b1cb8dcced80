// SPDX-License-Identifier: GPL-2.0-only
/*
 * scavenge.c - giving memory back (step 4 of freeing); see malloc.c for
 * the overview.
 *
 * Free page runs go back to the page allocator three ways:
 *
 *	- a scavenger (delayed work) gives back runs that have been free
 *	  for longer than scavenge_delay_ms, every scavenge_delay_ms, after
 *	  draining the cache of every CPU that holds objects but allocated
 *	  nothing since the scavenger's last pass;
 *	- a shrinker, under memory pressure, first drains every CPU's
 *	  cache and the classes' spare spans, then gives back free runs;
 *	- on demand, writing to debugfs "release" does the same at once.
 *
 * Because the heap splits its chunks into independent pages, any free
 * run can go back, whole chunks or parts of them alike. A CPU that goes
 * offline has its cache drained by another CPU once it is dead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "cache.h"
#include "internal.h"

/* Tunable in debugfs; 0 stops the scavenger. */
unsigned int gosalloc_scavenge_delay_ms = 10000;

static struct delayed_work gosalloc_scavenge_work;
static unsigned long *gosalloc_scavenge_seen;	/* per CPU: its allocations */
static struct shrinker *gosalloc_shrinker;
static int gosalloc_cpuhp_state;

static void drain_this_cpu(void *unused)
{
	gosalloc_mcache_drain(smp_processor_id());
}

/* Drain every CPU cache, trim the spans, give back up to @max pages. */
static unsigned long release_up_to(unsigned long max_pages)
{
	on_each_cpu(drain_this_cpu, NULL, 1);
	gosalloc_mcentral_trim();
	gosalloc_memcg_trim(false);
	return gosalloc_mheap_release(max_pages, 0);
}

/**
 * gosalloc_release_all() - give back everything that is not in use
 *
 * Drains every CPU's cache (by IPI), returns every empty span to the heap
 * and every free run to the page allocator.
 *
 * Context: process context with interrupts enabled.
 * Return: the pages given back.
 */
unsigned long gosalloc_release_all(void)
{
	return release_up_to(ULONG_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_release_all);

/*
 * Does @cpu hold cached objects and has it allocated nothing since the
 * last pass? Racy reads: a wrong answer costs one early or late drain.
 */
static bool cache_idle(int cpu, void *unused)
{
	unsigned long allocs = 0, nmalloc, nfree;
	struct gosalloc_tiny_counts tc;
	bool holds = false;
	unsigned int cls;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		gosalloc_mcache_counts(cpu, cls, &nmalloc, &nfree);
		allocs += nmalloc;
		holds |= gosalloc_mcache_count(cpu, cls) != 0;
	}
	gosalloc_tiny_counts(cpu, &tc);
	allocs += tc.mallocs;
	holds |= gosalloc_tiny_holds(cpu);
	holds |= !!READ_ONCE(per_cpu_ptr(gosalloc_mcache, cpu)->nremote);
	if (allocs != gosalloc_scavenge_seen[cpu]) {
		gosalloc_scavenge_seen[cpu] = allocs;
		return false;
	}
	return holds;
}

static void scavenge(struct work_struct *work)
{
	unsigned int delay = READ_ONCE(gosalloc_scavenge_delay_ms);

	if (!delay)
		return;
	on_each_cpu_cond(cache_idle, drain_this_cpu, NULL, true);
	gosalloc_mcentral_trim();	/* spare spans free up on a later pass */
	gosalloc_memcg_trim(false);
	gosalloc_mheap_release(ULONG_MAX, msecs_to_jiffies(delay));
	schedule_delayed_work(&gosalloc_scavenge_work, msecs_to_jiffies(delay));
}

/* Restart the scavenger after its delay changed; safe while it runs. */
void gosalloc_scavenge_kick(void)
{
	mod_delayed_work(system_wq, &gosalloc_scavenge_work, 0);
}

/* Free runs, plus the pages that free objects in spans add up to. */
static unsigned long shrink_count(struct shrinker *shrinker,
				  struct shrink_control *sc)
{
	u64 v[GOSALLOC_NR_STATS];
	unsigned long idle;

	gosalloc_stats_snapshot(v);
	idle = (v[GOSALLOC_HEAP_IDLE] + v[GOSALLOC_HEAP_INUSE] -
		min(v[GOSALLOC_HEAP_ALLOC], v[GOSALLOC_HEAP_INUSE])) >> PAGE_SHIFT;
	return idle ?: SHRINK_EMPTY;
}

static unsigned long shrink_scan(struct shrinker *shrinker,
				 struct shrink_control *sc)
{
	return release_up_to(sc->nr_to_scan) ?: SHRINK_STOP;
}

static const struct shrinker gosalloc_shrinker_ops = {
	.count_objects = shrink_count,
	.scan_objects = shrink_scan,
};

static int gosalloc_cpu_dead(unsigned int cpu)
{
	gosalloc_mcache_drain(cpu);
	gosalloc_caches_cpu_dead(cpu);
	return 0;
}

int gosalloc_scavenge_init(void)
{
	int state;

	gosalloc_scavenge_seen = kcalloc(nr_cpu_ids, sizeof(unsigned long),
					 GFP_KERNEL);
	if (!gosalloc_scavenge_seen)
		return -ENOMEM;
	state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "mm/gosalloc:dead",
					  NULL, gosalloc_cpu_dead);
	if (state < 0) {
		kfree(gosalloc_scavenge_seen);
		return state;
	}
	gosalloc_cpuhp_state = state;
	gosalloc_shrinker = gosalloc_shrinker_create(&gosalloc_shrinker_ops,
						     "gosalloc");
	INIT_DEFERRABLE_WORK(&gosalloc_scavenge_work, scavenge);
	gosalloc_scavenge_kick();
	return 0;
}

void gosalloc_scavenge_exit(void)
{
	WRITE_ONCE(gosalloc_scavenge_delay_ms, 0);
	cancel_delayed_work_sync(&gosalloc_scavenge_work);
	gosalloc_shrinker_destroy(gosalloc_shrinker);
	if (gosalloc_cpuhp_state)
		cpuhp_remove_state_nocalls(gosalloc_cpuhp_state);
	kfree(gosalloc_scavenge_seen);
}
