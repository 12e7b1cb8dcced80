// SPDX-License-Identifier: GPL-2.0-only
/*
 * profile.c - sampled allocation call sites, as Go's heap profile; see
 * malloc.c for the overview and Documentation/debugfs.rst for the file.
 *
 * Each CPU counts down the bytes until its next sample (sample_left in
 * its cache); the allocation fast paths subtract the requested size, and
 * the allocation that takes the count below zero is sampled. The gaps
 * between samples are drawn uniformly from 1 to 2 * rate - 1 bytes, so
 * that they average the rate (debugfs sample_rate, as Go's MemProfileRate;
 * 0 turns sampling off). The default is 128 MiB, not Go's 512 KiB: a
 * sample (stack walk, records) costs about 500 ns under UML, where a hot
 * allocation and free of 32 KiB costs 9 ns; at 512 KiB, sampling made
 * that row 4.6 times slower, at 128 MiB its cost is within the noise of
 * make bench (Documentation/observing.rst). An allocation during which
 * the count crosses zero n times stands for n * rate bytes, which makes
 * the estimates unbiased for every size, small or larger than the rate.
 *
 * A sample records the allocation's stack from its caller up, and adds
 * its weight to its call site's allocated and live bytes and objects.
 * The span of a sampled object counts its sampled objects (span->sampled),
 * so that a free looks the object up only when its span has one.
 *
 * The tables are under one spinlock taken with interrupts saved, from
 * any context; records are allocated with GFP_ATOMIC, and a sample that
 * finds no memory is dropped (and counted).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stacktrace.h>
#include <kunit/visibility.h>

#include "internal.h"

#define GOSALLOC_SITE_DEPTH	8
#define GOSALLOC_MAX_SITES	4096
#define GOSALLOC_MILLI		1000	/* objects are counted in 1/1000s */

struct gosalloc_site {
	struct hlist_node node;
	u32 hash;
	unsigned int depth;
	unsigned long stack[GOSALLOC_SITE_DEPTH];
	u64 alloc_bytes;		/* estimated, since sampling began */
	u64 alloc_milli;		/* objects, in thousandths */
	u64 live_bytes;
	u64 live_milli;
};

struct gosalloc_sampled {
	struct hlist_node node;
	const void *obj;
	struct gosalloc_site *site;
	u64 bytes;			/* what this sample stands for */
	u64 milli;
};

unsigned long gosalloc_sample_rate = GOSALLOC_SAMPLE_RATE_DEFAULT;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_sample_rate);

static DEFINE_SPINLOCK(profile_lock);
static DEFINE_HASHTABLE(site_table, 8);		/* profile_lock */
static DEFINE_HASHTABLE(object_table, 10);	/* profile_lock */
static unsigned int nr_sites;			/* profile_lock */
static unsigned long dropped;			/* profile_lock */

/* Drawn one by one for at most this many gaps' worth of bytes. */
#define GOSALLOC_SAMPLE_GAPS_MAX	64

/* A gap to the next sample, averaging @rate bytes. */
static long sample_gap(unsigned long rate)
{
	if (rate <= 1)
		return 1;
	return 1 + get_random_u32_below(2 * rate - 1);
}

static struct gosalloc_site *site_find(const unsigned long *stack,
				       unsigned int depth, u32 hash)
{
	struct gosalloc_site *site;

	hash_for_each_possible(site_table, site, node, hash)
		if (site->hash == hash && site->depth == depth &&
		    !memcmp(site->stack, stack, depth * sizeof(*stack)))
			return site;
	return NULL;
}

/* The stack from @caller up; @caller alone if the unwinder missed it. */
static unsigned int caller_stack(unsigned long caller, unsigned long *stack)
{
	unsigned long raw[GOSALLOC_SITE_DEPTH + 8];
	unsigned int n = stack_trace_save(raw, ARRAY_SIZE(raw), 0), i, depth;

	for (i = 0; i < n && raw[i] != caller; i++)
		;
	if (i == n) {
		stack[0] = caller;
		return 1;
	}
	depth = min_t(unsigned int, n - i, GOSALLOC_SITE_DEPTH);
	memcpy(stack, raw + i, depth * sizeof(*stack));
	return depth;
}

/* Record object @p of @size bytes, standing for @crossings samples. */
static void sample_record(const void *p, size_t size, unsigned long caller,
			  unsigned long crossings, unsigned long rate)
{
	unsigned long stack[GOSALLOC_SITE_DEPTH];
	struct gosalloc_span *s = gosalloc_span_lookup(p);
	struct gosalloc_site *site, *new_site = NULL;
	struct gosalloc_sampled *rec;
	unsigned int depth;
	unsigned long flags;
	u32 hash;

	if (!s)
		return;
	depth = caller_stack(caller, stack);
	hash = jhash(stack, depth * sizeof(*stack), 0);
	rec = kmalloc(sizeof(*rec), GFP_ATOMIC | __GFP_NOWARN);
	spin_lock_irqsave(&profile_lock, flags);
	site = site_find(stack, depth, hash);
	if (!site) {
		/* A new call site: allocate it unlocked, then look again. */
		spin_unlock_irqrestore(&profile_lock, flags);
		new_site = kzalloc(sizeof(*new_site), GFP_ATOMIC | __GFP_NOWARN);
		spin_lock_irqsave(&profile_lock, flags);
		site = site_find(stack, depth, hash);
	}
	if (!site && new_site && nr_sites < GOSALLOC_MAX_SITES) {
		site = new_site;
		new_site = NULL;
		site->hash = hash;
		site->depth = depth;
		memcpy(site->stack, stack, depth * sizeof(*stack));
		hash_add(site_table, &site->node, hash);
		nr_sites++;
	}
	if (!site || !rec) {
		dropped++;
		spin_unlock_irqrestore(&profile_lock, flags);
		kfree(rec);
		kfree(new_site);
		return;
	}
	rec->obj = p;
	rec->site = site;
	rec->bytes = (u64)crossings * rate;
	rec->milli = div64_u64(rec->bytes * GOSALLOC_MILLI, max_t(size_t, size, 1));
	site->alloc_bytes += rec->bytes;
	site->alloc_milli += rec->milli;
	site->live_bytes += rec->bytes;
	site->live_milli += rec->milli;
	hash_add(object_table, &rec->node, (unsigned long)p);
	s->sampled++;
	spin_unlock_irqrestore(&profile_lock, flags);
	kfree(new_site);
}

/**
 * gosalloc_sample_alloc() - the count of this CPU went below zero
 * @p: the object just allocated, or NULL or ZERO_SIZE_PTR
 * @size: its requested size
 * @caller: the caller of the gosalloc function
 *
 * Context: as the allocation.
 */
void gosalloc_sample_alloc(const void *p, size_t size, unsigned long caller)
{
	unsigned long rate = READ_ONCE(gosalloc_sample_rate);
	unsigned long crossings = 0, flags;
	long *left;

	local_irq_save(flags);
	left = this_cpu_ptr(&gosalloc_mcache->sample_left);
	if (!rate) {
		*left = LONG_MAX;
	} else if (*left < -(long)(GOSALLOC_SAMPLE_GAPS_MAX * rate)) {
		/*
		 * A request of many gaps' worth (a huge or failed one, or any
		 * request at a rate of a few bytes): count, don't loop.
		 */
		crossings = div64_ul(-(u64)*left, rate) + 1;
		*left = sample_gap(rate);
	} else {
		for (; *left < 0; crossings++)
			*left += sample_gap(rate);
	}
	local_irq_restore(flags);
	if (crossings && !ZERO_OR_NULL_PTR(p))
		sample_record(p, size, caller, crossings, rate);
}

/**
 * gosalloc_sample_free() - forget sampled object @p, being freed
 * @s: its span, whose sampled count is not zero
 * @p: the object
 *
 * Context: any context.
 */
void gosalloc_sample_free(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_sampled *rec;
	unsigned long flags;

	spin_lock_irqsave(&profile_lock, flags);
	hash_for_each_possible(object_table, rec, node, (unsigned long)p) {
		if (rec->obj != p)
			continue;
		rec->site->live_bytes -= rec->bytes;
		rec->site->live_milli -= rec->milli;
		hash_del(&rec->node);
		s->sampled--;
		spin_unlock_irqrestore(&profile_lock, flags);
		kfree(rec);
		return;
	}
	spin_unlock_irqrestore(&profile_lock, flags);
}

/**
 * gosalloc_sample_set_rate() - set the average bytes between samples
 * @rate: bytes, at most GOSALLOC_SAMPLE_RATE_MAX; 0 stops sampling, 1
 *	samples every allocation
 *
 * Every CPU draws its next gap at once.
 *
 * Context: any context.
 */
void gosalloc_sample_set_rate(unsigned long rate)
{
	unsigned int cpu;

	WRITE_ONCE(gosalloc_sample_rate, rate);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(gosalloc_mcache, cpu)->sample_left,
			   rate ? sample_gap(rate) : LONG_MAX);
}
EXPORT_SYMBOL_NS_GPL(gosalloc_sample_set_rate, GOSALLOC_INTERNAL);

/**
 * gosalloc_sample_sum() - sum the call sites whose first frame @match()es
 * @match: tells whether a call site counts
 * @out: filled with the sums
 *
 * For the tests.
 *
 * Context: any context.
 */
void gosalloc_sample_sum(bool (*match)(unsigned long caller),
			 struct gosalloc_site_sum *out)
{
	struct gosalloc_site *site;
	unsigned long flags;
	unsigned int bkt;

	*out = (struct gosalloc_site_sum) {};
	spin_lock_irqsave(&profile_lock, flags);
	hash_for_each(site_table, bkt, site, node) {
		if (!match(site->stack[0]))
			continue;
		out->live_bytes += site->live_bytes;
		out->live_objects += div_u64(site->live_milli, GOSALLOC_MILLI);
		out->alloc_bytes += site->alloc_bytes;
		out->alloc_objects += div_u64(site->alloc_milli, GOSALLOC_MILLI);
	}
	spin_unlock_irqrestore(&profile_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_sample_sum);

static int site_cmp(const void *a, const void *b)
{
	const struct gosalloc_site *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	return x->alloc_bytes < y->alloc_bytes ? 1 :
	       x->alloc_bytes > y->alloc_bytes ? -1 : 0;
}

/**
 * gosalloc_sample_show() - the call sites, most live bytes first
 * @m: the debugfs file
 *
 * Context: process context.
 * Return: 0, or -ENOMEM.
 */
int gosalloc_sample_show(struct seq_file *m)
{
	struct gosalloc_site *sites, *site;
	unsigned int n = 0, i, j, bkt;
	unsigned long flags, lost;

	sites = kvmalloc_array(GOSALLOC_MAX_SITES, sizeof(*sites), GFP_KERNEL);
	if (!sites)
		return -ENOMEM;
	spin_lock_irqsave(&profile_lock, flags);
	hash_for_each(site_table, bkt, site, node)
		sites[n++] = *site;
	lost = dropped;
	spin_unlock_irqrestore(&profile_lock, flags);
	sort(sites, n, sizeof(*sites), site_cmp, NULL);
	seq_printf(m, "# sample_rate %lu, %u call sites, %lu samples dropped\n",
		   READ_ONCE(gosalloc_sample_rate), n, lost);
	seq_puts(m, "# live_bytes live_objects alloc_bytes alloc_objects, then the stack\n");
	for (i = 0; i < n; i++) {
		site = &sites[i];
		seq_printf(m, "%llu %llu %llu %llu\n", site->live_bytes,
			   div_u64(site->live_milli + GOSALLOC_MILLI / 2,
				   GOSALLOC_MILLI),
			   site->alloc_bytes,
			   div_u64(site->alloc_milli + GOSALLOC_MILLI / 2,
				   GOSALLOC_MILLI));
		for (j = 0; j < site->depth; j++)
			seq_printf(m, "\t%pS\n", (void *)site->stack[j]);
	}
	kvfree(sites);
	return 0;
}

/* Module unload: no gosalloc function runs any more. */
void gosalloc_sample_exit(void)
{
	struct gosalloc_sampled *rec;
	struct gosalloc_site *site;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(object_table, bkt, tmp, rec, node) {
		hash_del(&rec->node);
		kfree(rec);
	}
	hash_for_each_safe(site_table, bkt, tmp, site, node) {
		hash_del(&site->node);
		kfree(site);
	}
}
