// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - gosalloc module load and unload; see malloc.c for the overview.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "internal.h"

static int __init gosalloc_init(void)
{
	gosalloc_debugfs_init();
	pr_info("loaded\n");
	return 0;
}

/*
 * Clients that link against gosalloc hold a reference on the module, so
 * this runs only after every client is gone. Objects a client leaked are
 * reported and left to the page allocator's care: they are never freed
 * under a user that might still hold them.
 */
static void __exit gosalloc_exit(void)
{
	u64 live = gosalloc_stat_read(GOSALLOC_MALLOCS) -
		   gosalloc_stat_read(GOSALLOC_FREES);

	gosalloc_debugfs_exit();
	if (live)
		pr_warn("unloaded with %llu live objects; their pages stay allocated\n",
			live);
	else
		pr_info("unloaded\n");
}

module_init(gosalloc_init);
module_exit(gosalloc_exit);

MODULE_DESCRIPTION("gosalloc: a Go-style general-purpose memory allocator");
MODULE_LICENSE("GPL");
