// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs.c - gosalloc's files in /sys/kernel/debug/gosalloc/; see
 * malloc.c for the overview and Documentation/debugfs.rst for every file.
 *
 * Creation errors are ignored, as debugfs asks: the allocator works the
 * same without its files.
 */
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
	unsigned long inuse;

	seq_puts(m, "class  size  pages  objs/span  spans    inuse     free       mallocs         frees\n");
	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
		gosalloc_class_stats(cls, &cs);
		nobjs = gosalloc_class_to_nobjs[cls];
		inuse = cs.mallocs - cs.frees;
		seq_printf(m, "%5u %5u %6u %10u %6lu %8lu %8lu %13lu %13lu\n",
			   cls, gosalloc_class_to_size[cls],
			   gosalloc_class_to_npages[cls], nobjs, cs.spans, inuse,
			   cs.spans * nobjs - inuse, cs.mallocs, cs.frees);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(classes);

void gosalloc_debugfs_init(void)
{
	gosalloc_debugfs_dir = debugfs_create_dir("gosalloc", NULL);
	debugfs_create_file("stats", 0444, gosalloc_debugfs_dir, NULL,
			    &stats_fops);
	debugfs_create_file("classes", 0444, gosalloc_debugfs_dir, NULL,
			    &classes_fops);
}

void gosalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(gosalloc_debugfs_dir);
}
