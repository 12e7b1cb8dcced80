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
 *
 * The trace replay needs the trace (tools/trace/kmalloc.trace) written to
 * /sys/kernel/debug/gosalloc_bench/trace, then anything written to
 * .../replay: it replays the trace through gosalloc, then through
 * kmalloc, and prints the row above and
 *
 *   gosalloc_bench: memory <name> <gosalloc peak pages> <SLUB peak pages>
 *
 * gosalloc's pages are its heap_sys; SLUB's are the growth of the slab
 * page counters (which include large kmalloc pages) over the replay. The
 * same line follows the two-CPU rows for the Larson row's peak
 * (larson_handoff()) and the tiny rows for a million live tiny objects.
 * The "cost" lines (bench_cost_rows) time the primitives alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timex.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "gosalloc.h"
#include "internal.h"

static unsigned int reps = 7;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "measurements per row and allocator (default 7)");

static bool rows = true;
module_param(rows, bool, 0444);
MODULE_PARM_DESC(rows, "run the timed rows at load (default 1)");

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
	/* If set, run after each measurement, untimed. */
	void (*settle)(enum bench_side side);
};

struct bench_sample {
	u64 ns, cycles;
};

static void **bench_objs;	/* BENCH_BATCH pointers */
static unsigned int *bench_order;	/* a random permutation of them */
static struct kmem_cache *bench_cache;	/* for the bulk and cache rows */
static struct gosalloc_cache *bench_gcache;	/* the same, gosalloc's */

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

static unsigned long slab_pages(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
	       global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
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

/* Allocate and free one object of a named cache of 64 bytes, in a loop. */
static void run_cache(struct bench_row *row, enum bench_side side)
{
	unsigned long i;
	void *p;

	for (i = 0; i < row->ops / 2; i++) {
		if (side == BENCH_GOS) {
			p = gosalloc_cache_alloc(bench_gcache, GFP_KERNEL);
			gosalloc_cache_free(bench_gcache, p);
		} else {
			p = kmem_cache_alloc(bench_cache, GFP_KERNEL);
			kmem_cache_free(bench_cache, p);
		}
	}
}

struct bench_rcu_obj {
	struct rcu_head rcu;
	char data[64 - sizeof(struct rcu_head)];
};

/*
 * Allocate a 64-byte object and free it after a grace period, in a loop:
 * gosalloc_free_rcu() against kfree_rcu(). The objects pile up until RCU
 * frees them, as a workload of RCU-protected updates would pile them up;
 * the row's settle step waits for all of them outside the timing.
 */
static void run_rcu(struct bench_row *row, enum bench_side side)
{
	struct bench_rcu_obj *p;
	unsigned long i;

	for (i = 0; i < row->ops / 2; i++) {
		if (side == BENCH_GOS) {
			p = gosalloc_alloc(sizeof(*p), GFP_KERNEL);
			gosalloc_free_rcu(p, rcu);
		} else {
			p = kmalloc(sizeof(*p), GFP_KERNEL);
			kfree_rcu(p, rcu);
		}
	}
}

static void settle_rcu(enum bench_side side)
{
	if (side == BENCH_GOS)
		gosalloc_rcu_barrier();
	else
		gosalloc_kfree_rcu_barrier();
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

/*
 * Larson's server benchmark, on two CPUs: each thread keeps an array of
 * LARSON_SLOTS live objects of 8 to 1000 bytes and replaces a random one
 * at a time (a free, then an allocation); every LARSON_HANDOFF
 * replacements the two threads swap arrays, so that what one CPU
 * allocated the other frees, as when Larson hands an array to a new
 * thread. ops counts both threads' allocations and frees, the arrays'
 * filling and emptying included. The first CPU's thread samples memory at
 * every handoff: the growth of gosalloc's heap_inuse or of the slab page
 * counters since the run began, the most of which is larson_peak.
 */
#define LARSON_SLOTS	1000
#define LARSON_HANDOFF	4000
#define LARSON_ROUNDS	5		/* handoffs per run */
#define LARSON_OPS	(2 * 2 * (LARSON_SLOTS + LARSON_ROUNDS * LARSON_HANDOFF))

static struct {
	void *slot[2][LARSON_SLOTS];
	atomic_t arrived;		/* threads at a handoff, ever */
	unsigned long base, peak[2];	/* pages, per side */
} larson;

static unsigned long larson_pages(enum bench_side side)
{
	return side == BENCH_GOS ?
		gosalloc_stat_read(GOSALLOC_HEAP_INUSE) >> PAGE_SHIFT :
		slab_pages();
}

/* xorshift32: cheap, so that the allocators' cost dominates. */
static u32 larson_next(u32 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void *larson_alloc(enum bench_side side, u32 *x)
{
	u8 *p = bench_alloc(side, 8 + larson_next(x) % 993);

	if (p)
		*p = 1;		/* touched, as a server would */
	return p;
}

/* Wait for the other thread at handoff @k; the first CPU samples memory. */
static void larson_handoff(struct bench_ring *ring, unsigned int k, bool first)
{
	unsigned long now;

	atomic_inc(&larson.arrived);
	while (atomic_read(&larson.arrived) < 2 * (k + 1))
		cpu_relax();
	if (!first)
		return;
	now = larson_pages(ring->side);
	now = now > larson.base ? now - larson.base : 0;
	larson.peak[ring->side] = max(larson.peak[ring->side], now);
}

static int larson_worker(void *arg, bool first)
{
	struct bench_ring *ring = arg;
	u32 x = first ? 0x9e3779b9 : 0x7f4a7c15;
	unsigned int i, k, j, t = !first;
	void **a = larson.slot[t];

	for (i = 0; i < LARSON_SLOTS; i++)
		a[i] = larson_alloc(ring->side, &x);
	for (k = 0; k < LARSON_ROUNDS; k++) {
		for (i = 0; i < LARSON_HANDOFF; i++) {
			j = larson_next(&x) % LARSON_SLOTS;
			bench_free(ring->side, a[j]);
			a[j] = larson_alloc(ring->side, &x);
		}
		larson_handoff(ring, k, first);
		a = larson.slot[(t + k + 1) % 2];
	}
	for (i = 0; i < LARSON_SLOTS; i++)
		bench_free(ring->side, a[i]);
	if (atomic_dec_and_test(&ring->running))
		complete(&ring->done);
	return 0;
}

static int larson_first(void *arg)
{
	return larson_worker(arg, true);
}

static int larson_second(void *arg)
{
	return larson_worker(arg, false);
}

static void run_larson(struct bench_row *row, enum bench_side side)
{
	atomic_set(&larson.arrived, 0);
	larson.base = larson_pages(side);
	run_two_cpus(row, side, larson_first, larson_second);
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
		if (row->settle) {
			row->settle(BENCH_GOS);
			row->settle(BENCH_SLUB);
		}
		gos[r] = measure(row, BENCH_GOS);
		if (row->settle)
			row->settle(BENCH_GOS);
		slub[r] = measure(row, BENCH_SLUB);
		cond_resched();
	}
	if (row->settle) {
		row->settle(BENCH_GOS);
		row->settle(BENCH_SLUB);
	}
	summarise(row, gos, n, &gps, &gcyc, &gspread);
	summarise(row, slub, n, &sps, &scyc, &sspread);
	pr_info("row %s %llu %llu %llu %llu %llu %llu\n", row->name, gps, gcyc,
		gspread, sps, scyc, sspread);
}

/*
 * The cost of sampling: @row (a hot row, already scaled) through gosalloc
 * alone, sampling off and at the default rate in turn, in one boot.
 */
static void bench_sampling(struct bench_row *row)
{
	struct bench_sample off[BENCH_REPS_MAX], on[BENCH_REPS_MAX];
	unsigned int r, n = clamp(reps, 1U, (unsigned int)BENCH_REPS_MAX);
	u64 off_ps, on_ps, cyc, spread;

	for (r = 0; r < n; r++) {
		gosalloc_sample_set_rate(0);
		off[r] = measure(row, BENCH_GOS);
		gosalloc_sample_set_rate(GOSALLOC_SAMPLE_RATE_DEFAULT);
		on[r] = measure(row, BENCH_GOS);
		cond_resched();
	}
	summarise(row, off, n, &off_ps, &cyc, &spread);
	summarise(row, on, n, &on_ps, &cyc, &spread);
	pr_info("sampling %s %llu %llu %lu\n", row->name, off_ps, on_ps,
		(unsigned long)GOSALLOC_SAMPLE_RATE_DEFAULT);
}

/*
 * The primitives fast paths are made of, each timed alone in a loop of
 * row->ops steps, with the same loop doing nothing as the baseline: what
 * the environment charges for them (Documentation/performance.rst, "What
 * the emulator charges"). Printed as
 *
 *   gosalloc_bench: cost <name> <ps per step, the empty loop's included>
 */
static noinline void cost_callee(void)
{
	barrier();
}

static DEFINE_PER_CPU_ALIGNED(unsigned long, cost_words[2]);
static atomic_long_t cost_atomic;

static void run_cost_loop(struct bench_row *row, enum bench_side side)
{
	unsigned long i;

	for (i = 0; i < row->ops; i++)
		barrier();
}

static void run_cost_call(struct bench_row *row, enum bench_side side)
{
	unsigned long i;

	for (i = 0; i < row->ops; i++)
		cost_callee();
}

static void run_cost_irqsave(struct bench_row *row, enum bench_side side)
{
	unsigned long i, flags;

	for (i = 0; i < row->ops; i++) {
		local_irq_save(flags);
		barrier();
		local_irq_restore(flags);
	}
}

static void run_cost_preempt(struct bench_row *row, enum bench_side side)
{
	unsigned long i;

	for (i = 0; i < row->ops; i++) {
		preempt_disable();
		barrier();
		preempt_enable();
	}
}

static void run_cost_this_cpu(struct bench_row *row, enum bench_side side)
{
	unsigned long i;

	for (i = 0; i < row->ops; i++)
		this_cpu_inc(cost_words[0]);
}

static void run_cost_atomic(struct bench_row *row, enum bench_side side)
{
	unsigned long i;

	for (i = 0; i < row->ops; i++)
		atomic_long_inc(&cost_atomic);
}

#ifdef CONFIG_X86_64
/*
 * cmpxchg16b without a lock prefix, as a per-CPU list exchange issues it
 * (the kernel's this_cpu_cmpxchg128() and gosalloc's lockless lists),
 * here on this CPU's words through a plain pointer, so that UML, which
 * has no per-CPU segment, runs the same instruction natively.
 */
static void run_cost_cmpxchg16b(struct bench_row *row, enum bench_side side)
{
	unsigned long i, lo, hi, *w;

	preempt_disable();
	w = this_cpu_ptr(cost_words);
	for (i = 0; i < row->ops; i++) {
		lo = w[0];
		hi = w[1];
		asm volatile("cmpxchg16b %[mem]"
			     : [mem] "+m" (*(unsigned long (*)[2])w),
			       "+a" (lo), "+d" (hi)
			     : "b" (lo + 1), "c" (hi)
			     : "cc");
	}
	preempt_enable();
}
#endif

static struct bench_row bench_cost_rows[] = {
	{ "loop", 0, 200000, run_cost_loop },
	{ "call", 0, 200000, run_cost_call },
	{ "irqsave", 0, 200000, run_cost_irqsave },
	{ "preempt", 0, 200000, run_cost_preempt },
	{ "this_cpu_inc", 0, 200000, run_cost_this_cpu },
	{ "atomic_inc", 0, 200000, run_cost_atomic },
#ifdef CONFIG_X86_64
	{ "cmpxchg16b", 0, 200000, run_cost_cmpxchg16b },
#endif
};

static void bench_cost(struct bench_row *row)
{
	struct bench_sample t[BENCH_REPS_MAX];
	unsigned int r, n = clamp(reps, 1U, (unsigned int)BENCH_REPS_MAX);
	u64 ps, cyc, spread;

	row->ops *= scale;
	row->run(row, BENCH_GOS);	/* warm up */
	for (r = 0; r < n; r++) {
		t[r] = measure(row, BENCH_GOS);
		cond_resched();
	}
	summarise(row, t, n, &ps, &cyc, &spread);
	pr_info("cost %s %llu\n", row->name, ps);
}

#define HOT(n, sz)	{ "hot-" n, sz, 40000, run_hot }

static struct bench_row bench_rows[] = {
	HOT("4", 4), HOT("8", 8), HOT("16", 16), HOT("32", 32), HOT("64", 64),
	HOT("96", 96), HOT("128", 128), HOT("256", 256), HOT("512", 512),
	HOT("1k", 1024), HOT("2k", 2048), HOT("4k", 4096), HOT("8k", 8192),
	HOT("16k", 16384), HOT("32k", 32768), HOT("64k", 65536),
	{ "batch-lifo-128", 128, 20 * BENCH_BATCH, run_batch_lifo },
	{ "batch-random-128", 128, 20 * BENCH_BATCH, run_batch_random },
	{ "bulk-64x32", 64, 640 * BENCH_BULK, run_bulk },
	{ "cache-64", 64, 40000, run_cache },
	{ "rcu-64", 64, 20000, run_rcu, settle_rcu },
};

static struct bench_row bench_smp_rows[] = {
	{ "cross-cpu-64", 64, 40000, run_cross },
	{ "parallel-64", 64, 80000, run_parallel },
	{ "larson-8-1000", 0, LARSON_OPS, run_larson },
};

/* Trace replay: "a ID SIZE" allocates, "f ID" frees. */
struct trace_event {
	u32 id;
	u32 size;		/* 0: free */
};

static char *trace_text;	/* as written to debugfs */
static size_t trace_len;
static DEFINE_MUTEX(trace_lock);	/* protects trace_text, trace_len */
static struct dentry *bench_dir;

static struct trace_event *trace_events;
static unsigned int trace_nr, trace_ids;
static void **trace_ptrs;

static int trace_parse(void)
{
	char *line, *text = trace_text;
	unsigned int n = 0, id, size;

	for (line = text; line && *line; line = strchr(line, '\n'), line += !!line)
		n++;
	kvfree(trace_events);
	trace_events = kvcalloc(n, sizeof(*trace_events), GFP_KERNEL);
	if (!trace_events)
		return -ENOMEM;
	trace_nr = 0;
	trace_ids = 0;
	for (line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		if (sscanf(line, "a %u %u", &id, &size) == 2 && size)
			trace_events[trace_nr++] = (struct trace_event){ id, size };
		else if (sscanf(line, "f %u", &id) == 1)
			trace_events[trace_nr++] = (struct trace_event){ id, 0 };
		else
			continue;
		trace_ids = max(trace_ids, id + 1);
	}
	kvfree(trace_ptrs);
	trace_ptrs = kvcalloc(trace_ids, sizeof(*trace_ptrs), GFP_KERNEL);
	return trace_ptrs ? 0 : -ENOMEM;
}

static unsigned long side_pages(enum bench_side side)
{
	return side == BENCH_GOS ?
		gosalloc_stat_read(GOSALLOC_HEAP_SYS) >> PAGE_SHIFT :
		slab_pages();
}

/* Pages @side holds beyond @base. */
static unsigned long side_grown(enum bench_side side, unsigned long base)
{
	unsigned long now = side_pages(side);

	return now > base ? now - base : 0;
}

/*
 * Replay the whole trace once; @peak, if set, gets the most pages held,
 * sampled every 64 events: gosalloc's whole heap (the replay runs on a
 * freshly loaded gosalloc), SLUB's growth since the start.
 */
static void trace_replay(enum bench_side side, unsigned long *peak)
{
	unsigned long base = side == BENCH_GOS ? 0 : slab_pages();
	unsigned int i;

	for (i = 0; i < trace_nr; i++) {
		struct trace_event *e = &trace_events[i];

		if (!e->size) {
			bench_free(side, trace_ptrs[e->id]);
			trace_ptrs[e->id] = NULL;
			continue;
		}
		trace_ptrs[e->id] = bench_alloc(side, e->size);
		if (peak && !(i % 64))
			*peak = max(*peak, side_grown(side, base));
		if (!(i % 4096))
			cond_resched();
	}
	if (peak)
		*peak = max(*peak, side_grown(side, base));
	for (i = 0; i < trace_ids; i++) {
		bench_free(side, trace_ptrs[i]);
		trace_ptrs[i] = NULL;
	}
}

static void run_trace(struct bench_row *row, enum bench_side side)
{
	trace_replay(side, NULL);
}

static ssize_t trace_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	char *text;
	ssize_t ret = count;

	mutex_lock(&trace_lock);
	text = kvmalloc(trace_len + count + 1, GFP_KERNEL);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	if (trace_text)
		memcpy(text, trace_text, trace_len);
	if (copy_from_user(text + trace_len, buf, count)) {
		kvfree(text);
		ret = -EFAULT;
		goto out;
	}
	kvfree(trace_text);
	trace_text = text;
	trace_len += count;
	trace_text[trace_len] = '\0';
out:
	mutex_unlock(&trace_lock);
	return ret;
}

static const struct file_operations trace_fops = {
	.write = trace_write,
};

static void bench_row(struct bench_row *row);

static ssize_t replay_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct bench_row row = { "trace-replay", 0, 0, run_trace };
	unsigned long gos = 0, slub = 0;
	int err;

	mutex_lock(&trace_lock);
	err = trace_text ? trace_parse() : -ENODATA;
	if (!err && trace_nr) {
		trace_replay(BENCH_GOS, &gos);
		trace_replay(BENCH_SLUB, &slub);
		pr_info("memory trace-replay %lu %lu\n", gos, slub);
		row.ops = trace_nr;
		bench_row(&row);
	}
	mutex_unlock(&trace_lock);
	return err ? err : count;
}

static const struct file_operations replay_fops = {
	.write = replay_write,
};

/*
 * Memory of one million live tiny objects: gosalloc's heap_inuse, packing
 * up to @tiny_max bytes, against the growth of the slab page counters, in
 * pages. @size 0: random sizes from 1 to 15 bytes.
 */
static void bench_tiny_memory(const char *name, size_t size,
			      unsigned int tiny_max)
{
	const unsigned long n = 1000000;
	unsigned long i, gos, slub, base;
	void **p = kvcalloc(n, sizeof(*p), GFP_KERNEL);
	u8 *sizes = kvmalloc(n, GFP_KERNEL);

	if (!p || !sizes)
		goto out;
	for (i = 0; i < n; i++)
		sizes[i] = size ?: 1 + get_random_u32_below(15);
	tiny_max = gosalloc_tiny_set_max(tiny_max);
	base = gosalloc_stat_read(GOSALLOC_HEAP_INUSE);
	for (i = 0; i < n; i++)
		p[i] = gosalloc_alloc(sizes[i], GFP_KERNEL);
	gos = (gosalloc_stat_read(GOSALLOC_HEAP_INUSE) - base) >> PAGE_SHIFT;
	for (i = 0; i < n; i++)
		gosalloc_free(p[i]);
	gosalloc_tiny_set_max(tiny_max);
	base = slab_pages();
	for (i = 0; i < n; i++)
		p[i] = kmalloc(sizes[i], GFP_KERNEL);
	slub = side_grown(BENCH_SLUB, base);
	for (i = 0; i < n; i++)
		kfree(p[i]);
	pr_info("memory %s %lu %lu\n", name, gos, slub);
out:
	kvfree(sizes);
	kvfree(p);
}

static int bench_setup(void)
{
	unsigned int i;

	bench_objs = kcalloc(BENCH_BATCH, sizeof(*bench_objs), GFP_KERNEL);
	bench_order = kcalloc(BENCH_BATCH, sizeof(*bench_order), GFP_KERNEL);
	bench_cache = kmem_cache_create("gosalloc_bench_64", 64, 0, 0, NULL);
	bench_gcache = gosalloc_cache_create("gosalloc_bench_64", 64, 0, 0,
					     NULL);
	if (!bench_objs || !bench_order || !bench_cache || !bench_gcache)
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
	kvfree(trace_ptrs);
	kvfree(trace_events);
	kvfree(trace_text);
	kmem_cache_destroy(bench_cache);
	if (bench_gcache)
		gosalloc_cache_destroy(bench_gcache);
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
	for (i = 0; i < ARRAY_SIZE(bench_rows) && rows; i++)
		bench_row(&bench_rows[i]);
	for (i = 0; i < ARRAY_SIZE(bench_smp_rows); i++)
		if (rows && num_online_cpus() > 1)
			bench_row(&bench_smp_rows[i]);
	if (rows && num_online_cpus() > 1)
		pr_info("memory larson-8-1000 %lu %lu\n",
			larson.peak[BENCH_GOS], larson.peak[BENCH_SLUB]);
	for (i = 0; i < ARRAY_SIZE(bench_rows) && rows; i++)
		if (bench_rows[i].run == run_hot)
			bench_sampling(&bench_rows[i]);
	for (i = 0; i < ARRAY_SIZE(bench_cost_rows) && rows; i++)
		bench_cost(&bench_cost_rows[i]);
	if (rows) {
		bench_tiny_memory("tiny-4x1M", 4, GOSALLOC_TINY_MAX_DEFAULT);
		bench_tiny_memory("tiny-1-15x1M", 0, GOSALLOC_TINY_MAX_DEFAULT);
		bench_tiny_memory("tiny15-1-15x1M", 0, 15);
	}
	pr_info("done\n");
	bench_dir = debugfs_create_dir("gosalloc_bench", NULL);
	debugfs_create_file("trace", 0200, bench_dir, NULL, &trace_fops);
	debugfs_create_file("replay", 0200, bench_dir, NULL, &replay_fops);
	return 0;
out:
	bench_teardown();
	return err;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	bench_teardown();
}

late_initcall(bench_init);	/* built in: after the console is up */
module_exit(bench_exit);

MODULE_DESCRIPTION("gosalloc against SLUB, in one boot");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOSALLOC_INTERNAL);
