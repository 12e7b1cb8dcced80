// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_bench.c - gosalloc against the kernel's SLUB, in one boot.
 *
 * Every row runs the same loop once through gosalloc and once through
 * kmalloc()/kfree() (or a dedicated kmem_cache for the bulk row),
 * alternating, "reps" times, and prints the median time per operation and
 * the spread of each side as one line:
 *
 *   gosalloc_bench: row <name> <gos ps/op> <gos cycles*100/op> <gos spread %>
 *                   <slub ps/op> <slub cycles*100/op> <slub spread %>
 *
 * tools/bench.sh turns those lines into tables, CSV and a chart. Loaded
 * as a module it runs at load and stays loaded; built in, at boot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timex.h>

#include "gosalloc.h"

static unsigned int reps = 7;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "measurements per row and allocator (default 7)");

static unsigned int scale = 1;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "multiplies every loop count (default 1)");

#define BENCH_REPS_MAX	31
#define BENCH_BATCH	1000
#define BENCH_BULK	32
#define BENCH_RING	256

enum bench_side { BENCH_GOS, BENCH_SLUB };

struct bench_row {
	const char *name;
	size_t size;
	unsigned long ops;	/* operations per measurement */
	/* One measurement: run ops operations through one side. */
	void (*run)(struct bench_row *row, enum bench_side side);
};

struct bench_sample {
	u64 ns, cycles;
};

static void **bench_objs;	/* BENCH_BATCH pointers */
static unsigned int *bench_order;	/* a random permutation of them */
static struct kmem_cache *bench_cache;	/* for the bulk row */

static __always_inline void *bench_alloc(enum bench_side side, size_t size)
{
	return side == BENCH_GOS ? gosalloc_alloc(size, GFP_KERNEL) :
				   kmalloc(size, GFP_KERNEL);
}

static __always_inline void bench_free(enum bench_side side, void *p)
{
	if (side == BENCH_GOS)
		gosalloc_free(p);
	else
		kfree(p);
}

static void run_hot(struct bench_row *row, enum bench_side side)
{
	size_t size = row->size;
	unsigned long i;
	void *p;

	OPTIMIZER_HIDE_VAR(size);
	for (i = 0; i < row->ops / 2; i++) {
		p = bench_alloc(side, size);
		OPTIMIZER_HIDE_VAR(p);
		bench_free(side, p);
	}
}

static void run_batch(struct bench_row *row, enum bench_side side, bool lifo)
{
	unsigned long i, r;

	for (r = 0; r < row->ops / (2 * BENCH_BATCH); r++) {
		for (i = 0; i < BENCH_BATCH; i++)
			bench_objs[i] = bench_alloc(side, row->size);
		for (i = 0; i < BENCH_BATCH; i++)
			bench_free(side, bench_objs[lifo ? BENCH_BATCH - 1 - i :
						    bench_order[i]]);
	}
}

static void run_batch_lifo(struct bench_row *row, enum bench_side side)
{
	run_batch(row, side, true);
}

static void run_batch_random(struct bench_row *row, enum bench_side side)
{
	run_batch(row, side, false);
}

static void run_bulk(struct bench_row *row, enum bench_side side)
{
	unsigned long r;

	for (r = 0; r < row->ops / (2 * BENCH_BULK); r++) {
		if (side == BENCH_GOS) {
			if (gosalloc_alloc_bulk(row->size, GFP_KERNEL, BENCH_BULK,
						bench_objs))
				gosalloc_free_bulk(BENCH_BULK, bench_objs);
		} else if (kmem_cache_alloc_bulk(bench_cache, GFP_KERNEL,
						 BENCH_BULK, bench_objs)) {
			kmem_cache_free_bulk(bench_cache, BENCH_BULK, bench_objs);
		}
	}
}

/* Two kthreads on two CPUs: one allocates into a ring, one frees. */
struct bench_ring {
	struct bench_row *row;
	enum bench_side side;
	void *slot[BENCH_RING];
	struct completion done;
	atomic_t running;
};

static int ring_producer(void *arg)
{
	struct bench_ring *ring = arg;
	unsigned long i;
	void *p;

	for (i = 0; i < ring->row->ops / 2; i++) {
		p = bench_alloc(ring->side, ring->row->size);
		while (READ_ONCE(ring->slot[i % BENCH_RING]))
			cpu_relax();
		/* The consumer sees the object only once it is complete. */
		smp_store_release(&ring->slot[i % BENCH_RING], p);
	}
	if (atomic_dec_and_test(&ring->running))
		complete(&ring->done);
	return 0;
}

static int ring_consumer(void *arg)
{
	struct bench_ring *ring = arg;
	unsigned long i;
	void *p;

	for (i = 0; i < ring->row->ops / 2; i++) {
		/* Pairs with the producer's release. */
		while (!(p = smp_load_acquire(&ring->slot[i % BENCH_RING])))
			cpu_relax();
		WRITE_ONCE(ring->slot[i % BENCH_RING], NULL);
		bench_free(ring->side, p);
	}
	if (atomic_dec_and_test(&ring->running))
		complete(&ring->done);
	return 0;
}

/* Hot pairs on both CPUs at once; ops counts both CPUs' operations. */
static int parallel_worker(void *arg)
{
	struct bench_ring *ring = arg;
	struct bench_row half = *ring->row;

	half.ops /= 2;
	run_hot(&half, ring->side);
	if (atomic_dec_and_test(&ring->running))
		complete(&ring->done);
	return 0;
}

static void run_two_cpus(struct bench_row *row, enum bench_side side,
			 int (*a)(void *), int (*b)(void *))
{
	struct bench_ring *ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	struct task_struct *ta, *tb;
	unsigned int c0 = cpumask_first(cpu_online_mask);
	unsigned int c1 = cpumask_next(c0, cpu_online_mask);

	if (!ring)
		return;
	ring->row = row;
	ring->side = side;
	init_completion(&ring->done);
	atomic_set(&ring->running, 2);
	ta = kthread_create_on_cpu(a, ring, c0, "gosalloc_bench/%u");
	tb = kthread_create_on_cpu(b, ring, c1, "gosalloc_bench/%u");
	if (IS_ERR(ta) || IS_ERR(tb)) {
		if (!IS_ERR(ta))
			kthread_stop(ta);
		if (!IS_ERR(tb))
			kthread_stop(tb);
		kfree(ring);
		return;
	}
	wake_up_process(ta);
	wake_up_process(tb);
	wait_for_completion(&ring->done);
	kfree(ring);
}

static void run_cross(struct bench_row *row, enum bench_side side)
{
	run_two_cpus(row, side, ring_producer, ring_consumer);
}

static void run_parallel(struct bench_row *row, enum bench_side side)
{
	run_two_cpus(row, side, parallel_worker, parallel_worker);
}

static int sample_cmp(const void *a, const void *b)
{
	u64 x = ((const struct bench_sample *)a)->ns;
	u64 y = ((const struct bench_sample *)b)->ns;

	return x < y ? -1 : x > y;
}

static struct bench_sample measure(struct bench_row *row, enum bench_side side)
{
	struct bench_sample s;
	cycles_t c0;
	u64 t0;

	c0 = get_cycles();
	t0 = ktime_get_ns();
	row->run(row, side);
	s.ns = ktime_get_ns() - t0;
	s.cycles = get_cycles() - c0;
	return s;
}

/* Median per operation in ps and cycles/100, and spread in percent. */
static void summarise(struct bench_row *row, struct bench_sample *s,
		      unsigned int n, u64 *ps, u64 *cyc, u64 *spread)
{
	struct bench_sample med;

	sort(s, n, sizeof(*s), sample_cmp, NULL);
	med = s[n / 2];
	*ps = div64_u64(med.ns * 1000, row->ops);
	*cyc = div64_u64(med.cycles * 100, row->ops);
	*spread = div64_u64((s[n - 1].ns - s[0].ns) * 100, max(med.ns, 1ULL));
}

static void bench_row(struct bench_row *row)
{
	struct bench_sample gos[BENCH_REPS_MAX], slub[BENCH_REPS_MAX];
	u64 gps, gcyc, gspread, sps, scyc, sspread;
	unsigned int r, n = clamp(reps, 1U, (unsigned int)BENCH_REPS_MAX);

	row->ops *= scale;
	row->run(row, BENCH_GOS);	/* warm both up */
	row->run(row, BENCH_SLUB);
	for (r = 0; r < n; r++) {
		gos[r] = measure(row, BENCH_GOS);
		slub[r] = measure(row, BENCH_SLUB);
		cond_resched();
	}
	summarise(row, gos, n, &gps, &gcyc, &gspread);
	summarise(row, slub, n, &sps, &scyc, &sspread);
	pr_info("row %s %llu %llu %llu %llu %llu %llu\n", row->name, gps, gcyc,
		gspread, sps, scyc, sspread);
}

#define HOT(n, sz)	{ "hot-" n, sz, 40000, run_hot }

static struct bench_row bench_rows[] = {
	HOT("8", 8), HOT("16", 16), HOT("32", 32), HOT("64", 64),
	HOT("96", 96), HOT("128", 128), HOT("256", 256), HOT("512", 512),
	HOT("1k", 1024), HOT("2k", 2048), HOT("4k", 4096), HOT("8k", 8192),
	HOT("16k", 16384), HOT("32k", 32768), HOT("64k", 65536),
	{ "batch-lifo-128", 128, 20 * BENCH_BATCH, run_batch_lifo },
	{ "batch-random-128", 128, 20 * BENCH_BATCH, run_batch_random },
	{ "bulk-64x32", 64, 640 * BENCH_BULK, run_bulk },
};

static struct bench_row bench_smp_rows[] = {
	{ "cross-cpu-64", 64, 40000, run_cross },
	{ "parallel-64", 64, 80000, run_parallel },
};

static int bench_setup(void)
{
	unsigned int i;

	bench_objs = kcalloc(BENCH_BATCH, sizeof(*bench_objs), GFP_KERNEL);
	bench_order = kcalloc(BENCH_BATCH, sizeof(*bench_order), GFP_KERNEL);
	bench_cache = kmem_cache_create("gosalloc_bench_64", 64, 0, 0, NULL);
	if (!bench_objs || !bench_order || !bench_cache)
		return -ENOMEM;
	for (i = 0; i < BENCH_BATCH; i++)
		bench_order[i] = i;
	for (i = BENCH_BATCH - 1; i > 0; i--) {
		unsigned int j = get_random_u32_below(i + 1);	/* swap() reads twice */

		swap(bench_order[i], bench_order[j]);
	}
	return 0;
}

static void bench_teardown(void)
{
	kmem_cache_destroy(bench_cache);
	kfree(bench_order);
	kfree(bench_objs);
}

static int __init bench_init(void)
{
	unsigned int i;
	int err = bench_setup();

	if (err)
		goto out;
	pr_info("start cpus=%u init_on_alloc=%d init_on_free=%d\n",
		num_online_cpus(), want_init_on_alloc(0), want_init_on_free());
	for (i = 0; i < ARRAY_SIZE(bench_rows); i++)
		bench_row(&bench_rows[i]);
	for (i = 0; i < ARRAY_SIZE(bench_smp_rows) && num_online_cpus() > 1; i++)
		bench_row(&bench_smp_rows[i]);
	pr_info("done\n");
out:
	bench_teardown();
	return err;
}

static void __exit bench_exit(void)
{
}

late_initcall(bench_init);	/* built in: after the console is up */
module_exit(bench_exit);

MODULE_DESCRIPTION("gosalloc against SLUB, in one boot");
MODULE_LICENSE("GPL");
