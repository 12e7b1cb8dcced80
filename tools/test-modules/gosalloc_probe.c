// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_probe.c - a client whose allocations the kselftest
 * gosalloc_trace.sh looks for in gosalloc's tracepoints and sampled call
 * sites.
 *
 * At load, probe_traced() allocates and frees one tiny, one small and one
 * large object and prints each pointer with its requested and usable
 * size; probe_sampled() allocates sampled_objects objects of 1000 bytes,
 * kept until unload, and prints their total.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include <gosalloc.h>

static unsigned int sampled_objects = 8192;
module_param(sampled_objects, uint, 0444);
MODULE_PARM_DESC(sampled_objects, "objects of 1000 bytes kept until unload (default 8192)");

static void **kept;

static const size_t traced_sizes[] = { 5, 1234, 77777 };

/* noipa: the function the events and samples must name stays itself. */
static noinline __attribute__((__noipa__)) int probe_traced(void)
{
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(traced_sizes); i++) {
		p = gosalloc_alloc(traced_sizes[i], GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		pr_info("traced ptr=%p bytes_req=%zu bytes_alloc=%zu\n", p,
			traced_sizes[i], gosalloc_size(p));
		gosalloc_free(p);
	}
	return 0;
}

static noinline __attribute__((__noipa__)) int probe_sampled(void)
{
	unsigned int i;

	kept = kvcalloc(sampled_objects, sizeof(*kept), GFP_KERNEL);
	if (!kept)
		return -ENOMEM;
	for (i = 0; i < sampled_objects; i++) {
		kept[i] = gosalloc_alloc(1000, GFP_KERNEL);
		if (!kept[i])
			return -ENOMEM;
	}
	pr_info("sampled: %u objects, %u bytes live\n", sampled_objects,
		sampled_objects * 1000);
	return 0;
}

static void probe_free_kept(void)
{
	if (!kept)
		return;
	gosalloc_free_bulk(sampled_objects, kept);
	kvfree(kept);
	kept = NULL;
}

static int __init gosalloc_probe_init(void)
{
	int err = probe_traced();

	if (!err)
		err = probe_sampled();
	if (err)
		probe_free_kept();
	return err;
}

static void __exit gosalloc_probe_exit(void)
{
	probe_free_kept();
}

module_init(gosalloc_probe_init);
module_exit(gosalloc_probe_exit);

MODULE_DESCRIPTION("gosalloc probe: known allocations for tracepoint and sampling tests");
MODULE_LICENSE("GPL");
