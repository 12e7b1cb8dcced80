// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_example.c - a client module of gosalloc, and its workload.
 *
 * It links against gosalloc's exported symbols, as any user of the
 * allocator would, and runs two workloads when loaded:
 *
 * - round trips: objects of a few sizes allocated, written, checked and
 *   freed, with 16 kept until unload so that statistics show live objects;
 * - stress: kthreads on every online CPU allocate objects of random sizes
 *   (tiny objects, every size class and large sizes), write a pattern into
 *   each and put it in a slot shared by all threads; whoever finds an
 *   object in a slot checks its pattern and frees it, so most objects are
 *   freed on another CPU than the one that allocated them.
 *
 * With stress_seconds set, the stress runs for that long whatever
 * stress_ops says. The results are in the read-only parameters
 * stress_done (operations:
 * allocations plus frees), stress_mismatches and stress_failures, and in
 * the kernel log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <gosalloc.h>

static unsigned int rounds = 100;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "round trips of each size at load (default 100)");

static unsigned long stress_ops = 100000;
module_param(stress_ops, ulong, 0444);
MODULE_PARM_DESC(stress_ops, "stress operations at load (default 100000)");

static unsigned int stress_threads = 2;
module_param(stress_threads, uint, 0444);
MODULE_PARM_DESC(stress_threads, "stress kthreads per online CPU (default 2)");

static unsigned int stress_seconds;
module_param(stress_seconds, uint, 0444);
MODULE_PARM_DESC(stress_seconds, "run the stress workload this long instead of stress_ops operations (default 0)");

static unsigned int fill_mib;
module_param(fill_mib, uint, 0444);
MODULE_PARM_DESC(fill_mib, "MiB to allocate in small objects, then free, at load (default 0)");

static unsigned long stress_done;
module_param(stress_done, ulong, 0444);
MODULE_PARM_DESC(stress_done, "result: stress operations done");

static unsigned long stress_mismatches;
module_param(stress_mismatches, ulong, 0444);
MODULE_PARM_DESC(stress_mismatches, "result: objects whose pattern changed");

static unsigned long stress_failures;
module_param(stress_failures, ulong, 0444);
MODULE_PARM_DESC(stress_failures, "result: failed allocations");

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

static unsigned int example_round_trips(void)
{
	unsigned int r, i, failed = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < ARRAY_SIZE(example_sizes); i++)
			failed += !example_round_trip(example_sizes[i], r + i);
	return failed;
}

#define STRESS_SLOTS	1024

struct stress_slot {
	spinlock_t lock;	/* protects the rest of the slot */
	u8 *p;
	u32 size;
	u32 seed;
};

static struct stress_slot *stress_slots;
static atomic_long_t stress_left;
static atomic_long_t stress_done_ops;
static atomic_long_t stress_bad;
static atomic_long_t stress_nomem;
static atomic_t stress_running;
static unsigned long stress_deadline;	/* jiffies, with stress_seconds */
static DECLARE_COMPLETION(stress_finished);

/* Mostly small objects, some medium, a few large: like kmalloc's callers. */
static u32 stress_size(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd), pick = r % 100;

	r >>= 7;
	if (pick < 20)
		return 1 + r % 15;	/* tiny */
	if (pick < 90)
		return 1 + r % SZ_1K;
	if (pick < 99)
		return SZ_1K + 1 + r % (SZ_32K - SZ_1K);
	return SZ_32K + 1 + r % (3 * SZ_32K);
}

/*
 * The bytes that carry the pattern: all of a small object; the first and
 * last 64 bytes and one byte per 64 of a larger one.
 */
static size_t stress_next(size_t i, size_t size)
{
	if (size <= SZ_1K || i < 63 || i + 65 > size)
		return i + 1;
	return min(round_up(i + 1, 64), size - 64);
}

static u8 stress_byte(u32 seed, size_t i)
{
	return seed ^ (i * 31) ^ (i >> 8);
}

static void stress_fill(u8 *p, u32 size, u32 seed)
{
	size_t i;

	for (i = 0; i < size; i = stress_next(i, size))
		p[i] = stress_byte(seed, i);
}

/* Check and free an object; counts a mismatch once per object. */
static void stress_check_free(u8 *p, u32 size, u32 seed)
{
	size_t i;

	for (i = 0; i < size; i = stress_next(i, size)) {
		if (p[i] != stress_byte(seed, i)) {
			if (atomic_long_inc_return(&stress_bad) <= 5)
				pr_err("stress: object %p (%u bytes) byte %zu is %#x, not %#x\n",
				       p, size, i, p[i], stress_byte(seed, i));
			break;
		}
	}
	gosalloc_free(p);
	atomic_long_inc(&stress_done_ops);
}

/* One operation: free what is in a random slot, or fill it. */
static void stress_step(struct rnd_state *rnd)
{
	struct stress_slot *sl = &stress_slots[prandom_u32_state(rnd) %
					       STRESS_SLOTS];
	u32 size, seed;
	u8 *p;

	spin_lock(&sl->lock);
	p = sl->p;
	size = sl->size;
	seed = sl->seed;
	sl->p = NULL;
	spin_unlock(&sl->lock);
	if (p) {
		stress_check_free(p, size, seed);
		return;
	}
	size = stress_size(rnd);
	seed = prandom_u32_state(rnd);
	p = gosalloc_alloc(size, GFP_KERNEL);
	if (!p) {
		atomic_long_inc(&stress_nomem);
		return;
	}
	atomic_long_inc(&stress_done_ops);
	stress_fill(p, size, seed);
	spin_lock(&sl->lock);
	if (!sl->p) {
		sl->p = p;
		sl->size = size;
		sl->seed = seed;
		p = NULL;
	}
	spin_unlock(&sl->lock);
	if (p)
		stress_check_free(p, size, seed);
}

static int stress_thread(void *arg)
{
	struct rnd_state rnd;
	unsigned long n = 0;

	prandom_seed_state(&rnd, (unsigned long)arg * 0x9e3779b97f4a7c15ULL);
	while (stress_seconds ? time_before(jiffies, stress_deadline) :
	       atomic_long_dec_return(&stress_left) >= 0) {
		stress_step(&rnd);
		if (!(++n % 256))
			cond_resched();
	}
	if (atomic_dec_and_test(&stress_running))
		complete(&stress_finished);
	return 0;
}

static int example_stress(void)
{
	unsigned int cpu, i, id = 0;
	struct task_struct *t;

	stress_slots = kvcalloc(STRESS_SLOTS, sizeof(*stress_slots), GFP_KERNEL);
	if (!stress_slots)
		return -ENOMEM;
	for (i = 0; i < STRESS_SLOTS; i++)
		spin_lock_init(&stress_slots[i].lock);
	atomic_long_set(&stress_left, stress_ops);
	stress_deadline = jiffies + (unsigned long)stress_seconds * HZ;
	atomic_set(&stress_running, 1);
	for_each_online_cpu(cpu) {
		for (i = 0; i < stress_threads; i++) {
			id++;
			t = kthread_create_on_cpu(stress_thread,
						  (void *)(unsigned long)id, cpu,
						  "gosalloc_stress/%u");
			if (IS_ERR(t))
				continue;
			atomic_inc(&stress_running);
			wake_up_process(t);
		}
	}
	/* Woken every few seconds: a long run is no hung task. */
	if (!atomic_dec_and_test(&stress_running))
		while (!wait_for_completion_timeout(&stress_finished, 5 * HZ))
			;
	for (i = 0; i < STRESS_SLOTS; i++)
		if (stress_slots[i].p)
			stress_check_free(stress_slots[i].p, stress_slots[i].size,
					  stress_slots[i].seed);
	kvfree(stress_slots);
	stress_done = atomic_long_read(&stress_done_ops);
	stress_mismatches = atomic_long_read(&stress_bad);
	stress_failures = atomic_long_read(&stress_nomem);
	pr_info("stress: %lu operations by %u threads on %u CPUs, %lu pattern mismatches, %lu failed allocations\n",
		stress_done, id, num_online_cpus(), stress_mismatches,
		stress_failures);
	return 0;
}

/* Allocate @fill_mib MiB in objects of 64 to 2048 bytes, then free them. */
static int example_fill(void)
{
	unsigned long target = (unsigned long)fill_mib << 20, bytes = 0, n, i;
	void **objs;

	n = target / 64 + 1;
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < n && bytes < target; i++) {
		size_t size = 64 << (i % 6);

		objs[i] = gosalloc_alloc(size, GFP_KERNEL);
		if (!objs[i])
			break;
		bytes += size;
	}
	pr_info("fill: %lu objects, %lu MiB allocated\n", i, bytes >> 20);
	gosalloc_free_bulk(i, objs);
	kvfree(objs);
	return bytes < target ? -ENOMEM : 0;
}

static int __init example_init(void)
{
	unsigned int failed = example_round_trips();
	unsigned int i;
	int err;

	for (i = 0; i < EXAMPLE_KEPT; i++)
		kept[i] = gosalloc_zalloc(32 << (i % 8), GFP_KERNEL);
	for (i = 0; i < EXAMPLE_KEPT; i++)
		failed += !kept[i];
	if (failed) {
		pr_err("round trips: %u failed\n", failed);
		gosalloc_free_bulk(EXAMPLE_KEPT, kept);
		return -ENOMEM;
	}
	pr_info("round trips: %u done, %d objects kept\n",
		rounds * (unsigned int)ARRAY_SIZE(example_sizes), EXAMPLE_KEPT);
	err = fill_mib ? example_fill() : 0;
	if (!err && (stress_ops || stress_seconds))
		err = example_stress();
	if (err)
		gosalloc_free_bulk(EXAMPLE_KEPT, kept);
	return err;
}

static void __exit example_exit(void)
{
	gosalloc_free_bulk(EXAMPLE_KEPT, kept);
	pr_info("freed %d kept objects\n", EXAMPLE_KEPT);
}

module_init(example_init);
module_exit(example_exit);

MODULE_DESCRIPTION("Example client of the gosalloc allocator, with a stress workload");
MODULE_LICENSE("GPL");
