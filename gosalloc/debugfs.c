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

void gosalloc_debugfs_init(void)
{
	gosalloc_debugfs_dir = debugfs_create_dir("gosalloc", NULL);
	debugfs_create_file("stats", 0444, gosalloc_debugfs_dir, NULL,
			    &stats_fops);
}

void gosalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(gosalloc_debugfs_dir);
}
