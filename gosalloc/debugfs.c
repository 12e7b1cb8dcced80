// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs.c - gosalloc's files in /sys/kernel/debug/gosalloc/; see
 * malloc.c for the overview and Documentation/debugfs.rst for every file.
 *
 * Creation errors are ignored, as debugfs asks: the allocator works the
 * same without its files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *gosalloc_debugfs_dir;

static int stats_show(struct seq_file *m, void *unused)
{
	u64 v[GOSALLOC_NR_STATS];
	int i;

	gosalloc_stats_snapshot(v);
	for (i = 0; i < GOSALLOC_NR_STATS; i++)
		seq_printf(m, "%s: %llu\n", gosalloc_stat_names[i], v[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int classes_show(struct seq_file *m, void *unused)
{
	struct gosalloc_class_stats cs;
	unsigned int cls, nobjs;
	unsigned long inuse, total;

	seq_puts(m, "class  size  pages  objs/span  spans    inuse     free       mallocs         frees\n");
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		gosalloc_class_stats(cls, &cs);
		nobjs = gosalloc_class_to_nobjs[cls];
		/*
		 * The counts are read one after the other while other CPUs
		 * run: clamp what follows from them to what can be.
		 */
		total = cs.spans * nobjs;
		inuse = min(cs.inuse, total);
		seq_printf(m, "%5u %5u %6u %10u %6lu %8lu %8lu %13lu %13lu\n",
			   cls, gosalloc_class_to_size[cls],
			   gosalloc_class_to_npages[cls], nobjs, cs.spans, inuse,
			   total - inuse, cs.mallocs, cs.frees);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(classes);

static int cpus_show(struct seq_file *m, void *unused)
{
	struct gosalloc_cpu_stats cs;
	unsigned int cpu;

	seq_puts(m, "cpu online  objects      bytes       mallocs         frees\n");
	for_each_possible_cpu(cpu) {
		gosalloc_cpu_stats(cpu, &cs);
		seq_printf(m, "%3u %6d %8lu %10lu %13lu %13lu\n", cpu,
			   cpu_online(cpu), cs.objects, cs.bytes, cs.mallocs,
			   cs.frees);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpus);

static int nodes_show(struct seq_file *m, void *unused)
{
	struct gosalloc_node_stats ns;
	int nid;

	seq_puts(m, "node memory     heap_sys   heap_inuse   cpu_mallocs  node_mallocs  large_allocs  remote_frees\n");
	for_each_node(nid) {
		gosalloc_node_stats(nid, &ns);
		seq_printf(m, "%4d %6d %12lu %12lu %13lu %13lu %13lu %13lu\n",
			   nid, node_state(nid, N_MEMORY), ns.heap_sys,
			   ns.heap_inuse, ns.cpu_mallocs, ns.node_mallocs,
			   ns.large_allocs, ns.remote_frees);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nodes);

static void show_run(const struct gosalloc_span *s, void *arg)
{
	seq_printf(arg, "%12lx %8lu %10u\n", PHYS_PFN(__pa(s->base)), s->npages,
		   jiffies_to_msecs(jiffies - s->free_since));
}

static int free_runs_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "         pfn    pages    idle_ms\n");
	gosalloc_mheap_visit_free(show_run, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(free_runs);

static ssize_t release_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	unsigned long pages = gosalloc_release_all();

	pr_info("released %lu pages on request\n", pages);
	return count;
}

static const struct file_operations release_fops = {
	.write = release_write,
};

static int scavenge_delay_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_scavenge_delay_ms);
	return 0;
}

static int scavenge_delay_set(void *data, u64 val)
{
	if (val > UINT_MAX)
		return -EINVAL;
	WRITE_ONCE(gosalloc_scavenge_delay_ms, val);
	gosalloc_scavenge_kick();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(scavenge_delay_fops, scavenge_delay_get,
			 scavenge_delay_set, "%llu\n");

static int cache_batch_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_cache_batch_bytes);
	return 0;
}

static int cache_batch_set(void *data, u64 val)
{
	return val > UINT_MAX ? -EINVAL : gosalloc_mcache_set_batch(val);
}
DEFINE_DEBUGFS_ATTRIBUTE(cache_batch_fops, cache_batch_get, cache_batch_set,
			 "%llu\n");

static int sample_rate_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_sample_rate);
	return 0;
}

static int sample_rate_set(void *data, u64 val)
{
	if (val > GOSALLOC_SAMPLE_RATE_MAX)
		return -EINVAL;
	gosalloc_sample_set_rate(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(sample_rate_fops, sample_rate_get, sample_rate_set,
			 "%llu\n");

static int callsites_show(struct seq_file *m, void *unused)
{
	return gosalloc_sample_show(m);
}
DEFINE_SHOW_ATTRIBUTE(callsites);

static int fail_probability_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_fail.probability);
	return 0;
}

static int fail_probability_set(void *data, u64 val)
{
	return val > 100 ? -EINVAL : gosalloc_fail_set_probability(val);
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_probability_fops, fail_probability_get,
			 fail_probability_set, "%llu\n");

static int fail_interval_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_fail.interval);
	return 0;
}

static int fail_interval_set(void *data, u64 val)
{
	if (!val || val > ULONG_MAX)
		return -EINVAL;
	atomic_long_set(&gosalloc_fail.calls, 0);
	WRITE_ONCE(gosalloc_fail.interval, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_interval_fops, fail_interval_get,
			 fail_interval_set, "%llu\n");

static int fail_times_get(void *data, u64 *val)
{
	*val = READ_ONCE(gosalloc_fail.times);
	return 0;
}

static int fail_times_set(void *data, u64 val)
{
	if ((s64)val < -1)
		return -EINVAL;
	WRITE_ONCE(gosalloc_fail.times, (s64)val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(fail_times_fops, fail_times_get,
				fail_times_set, "%lld\n");

void gosalloc_debugfs_init(void)
{
	gosalloc_debugfs_dir = debugfs_create_dir("gosalloc", NULL);
	debugfs_create_file("stats", 0444, gosalloc_debugfs_dir, NULL,
			    &stats_fops);
	debugfs_create_file("classes", 0444, gosalloc_debugfs_dir, NULL,
			    &classes_fops);
	gosalloc_caches_debugfs(gosalloc_debugfs_dir);
	debugfs_create_file("cpus", 0444, gosalloc_debugfs_dir, NULL,
			    &cpus_fops);
	debugfs_create_file("nodes", 0444, gosalloc_debugfs_dir, NULL,
			    &nodes_fops);
	debugfs_create_file("free_runs", 0444, gosalloc_debugfs_dir, NULL,
			    &free_runs_fops);
	debugfs_create_file("release", 0200, gosalloc_debugfs_dir, NULL,
			    &release_fops);
	debugfs_create_file_unsafe("scavenge_delay_ms", 0644,
				   gosalloc_debugfs_dir, NULL,
				   &scavenge_delay_fops);
	debugfs_create_file_unsafe("cache_batch_bytes", 0644,
				   gosalloc_debugfs_dir, NULL, &cache_batch_fops);
	debugfs_create_file_unsafe("sample_rate", 0644, gosalloc_debugfs_dir,
				   NULL, &sample_rate_fops);
	debugfs_create_file("callsites", 0444, gosalloc_debugfs_dir, NULL,
			    &callsites_fops);
	debugfs_create_file_unsafe("fail_probability", 0644,
				   gosalloc_debugfs_dir, NULL,
				   &fail_probability_fops);
	debugfs_create_file_unsafe("fail_interval", 0644, gosalloc_debugfs_dir,
				   NULL, &fail_interval_fops);
	debugfs_create_file_unsafe("fail_times", 0644, gosalloc_debugfs_dir,
				   NULL, &fail_times_fops);
}

void gosalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(gosalloc_debugfs_dir);
}
