// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_node.c - a client that allocates on every node, for the
 * kselftest gosalloc_node.sh.
 *
 * At load, for every node with memory: objects of every size class, of
 * a few tiny sizes and of two large sizes from gosalloc_alloc_node(),
 * with and without __GFP_THISNODE, and objects of a named cache from
 * gosalloc_cache_alloc_node(); each must lie on its node, and a tiny one
 * (of up to tiny_max bytes, the value gosalloc runs with) must be of its
 * exact size, or the load fails. With account=1 every size is allocated
 * with GFP_KERNEL_ACCOUNT too, charged to the loading task's memory
 * cgroup, and must lie on its node as well. Then keep_objects objects of
 * 1000 bytes per node stay allocated until unload, so that debugfs
 * "nodes" shows memory in use on every node; and remote_objects more per
 * node are freed at once on the loading CPU, which frees the other
 * nodes' objects as remote frees. One line per node tells what was
 * placed, and how many of those objects were charged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>

#include <gosalloc.h>
#include <internal.h>

static unsigned int keep_objects = 256;
module_param(keep_objects, uint, 0444);
MODULE_PARM_DESC(keep_objects, "objects of 1000 bytes kept per node until unload (default 256)");

static unsigned int remote_objects = 1000;
module_param(remote_objects, uint, 0444);
MODULE_PARM_DESC(remote_objects, "objects of 1000 bytes per node allocated and freed at load (default 1000)");

static unsigned int tiny_max;
module_param(tiny_max, uint, 0444);
MODULE_PARM_DESC(tiny_max, "gosalloc's tiny_max: objects up to this size must be of their exact size (default 0: not checked)");

static bool account;
module_param(account, bool, 0444);
MODULE_PARM_DESC(account, "allocate with GFP_KERNEL_ACCOUNT too (default 0)");

static void **kept;
static unsigned int nkept;

static const size_t extra_sizes[] = { 1, 7, 15, 48 << 10, 1 << 20 };

/* What was placed on a node. */
struct placement {
	unsigned int count;	/* objects on the node */
	unsigned int charged;	/* of those, charged to a memory cgroup */
};

/*
 * Is @p, of @size bytes, the right size: an uncharged tiny one exactly?
 * (Charged objects are 16 bytes at least, see memcg.c.)
 */
static bool sized(const void *p, size_t size, bool charged)
{
	size_t got = gosalloc_size(p);

	return size <= tiny_max && !charged ? got == size : got >= size;
}

/* @size bytes on @nid; false if they lie elsewhere (reported). */
static bool placed(size_t size, gfp_t flags, int nid, struct placement *pl)
{
	u64 before = gosalloc_stat_read(GOSALLOC_MEMCG_OBJECTS);
	void *p = gosalloc_alloc_node(size, flags, nid);
	bool ok, charged;

	if (!p) {
		pr_err("node %d: %zu bytes: no memory\n", nid, size);
		return false;
	}
	charged = gosalloc_stat_read(GOSALLOC_MEMCG_OBJECTS) > before;
	ok = page_to_nid(virt_to_page(p)) == nid;
	if (!ok)
		pr_err("node %d: %zu bytes (flags %#x) on node %d\n", nid, size,
		       (__force unsigned int)flags, page_to_nid(virt_to_page(p)));
	if (!sized(p, size, charged)) {
		pr_err("node %d: %zu bytes got %zu\n", nid, size,
		       gosalloc_size(p));
		ok = false;
	}
	pl->charged += ok && charged;
	gosalloc_free(p);
	pl->count += ok;
	return ok;
}

/* Every size on @nid with @flags, and with @flags | __GFP_THISNODE. */
static bool place_sizes_with(int nid, gfp_t flags, struct placement *pl)
{
	bool ok = true;
	size_t size;
	unsigned int i;

	for (size = 8; size <= 32768; size += size < 1024 ? 8 : 128) {
		ok &= placed(size, flags, nid, pl);
		ok &= placed(size, flags | __GFP_THISNODE, nid, pl);
	}
	for (i = 0; i < ARRAY_SIZE(extra_sizes); i++) {
		ok &= placed(extra_sizes[i], flags, nid, pl);
		ok &= placed(extra_sizes[i], flags | __GFP_THISNODE, nid, pl);
	}
	return ok;
}

static bool place_sizes(int nid, struct placement *pl)
{
	bool ok = place_sizes_with(nid, GFP_KERNEL, pl);

	if (account)
		ok &= place_sizes_with(nid, GFP_KERNEL_ACCOUNT, pl);
	return ok;
}

static bool place_cache(struct gosalloc_cache *c, int nid,
			struct placement *pl)
{
	void *p[32];
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = gosalloc_cache_alloc_node(c, GFP_KERNEL, nid);
		if (!p[i] || page_to_nid(virt_to_page(p[i])) != nid) {
			pr_err("node %d: cache object %p elsewhere\n", nid, p[i]);
			ok = false;
		} else {
			pl->count++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(p); i++)
		gosalloc_cache_free(c, p[i]);
	return ok;
}

/* Allocate @n objects on every node, then free them all here. */
static int remote_frees(unsigned int n)
{
	void **p = kvcalloc(n * nr_node_ids, sizeof(*p), GFP_KERNEL);
	unsigned int i = 0, j;
	int nid;

	if (!p)
		return -ENOMEM;
	for_each_node_state(nid, N_MEMORY)
		for (j = 0; j < n; j++)
			p[i++] = gosalloc_alloc_node(1000, GFP_KERNEL, nid);
	gosalloc_free_bulk(i, p);
	kvfree(p);
	return 0;
}

static int keep_on_every_node(void)
{
	unsigned int j;
	int nid;

	kept = kvcalloc(keep_objects * nr_node_ids, sizeof(*kept), GFP_KERNEL);
	if (!kept)
		return -ENOMEM;
	for_each_node_state(nid, N_MEMORY) {
		for (j = 0; j < keep_objects; j++) {
			kept[nkept] = gosalloc_alloc_node(1000, GFP_KERNEL |
							  __GFP_THISNODE, nid);
			if (!kept[nkept])
				return -ENOMEM;
			nkept++;
		}
	}
	return 0;
}

static void free_kept(void)
{
	if (!kept)
		return;
	gosalloc_free_bulk(nkept, kept);
	kvfree(kept);
	kept = NULL;
}

static int __init gosalloc_node_init(void)
{
	struct placement pl;
	struct gosalloc_cache *c;
	bool ok = true;
	int nid, err;

	c = gosalloc_cache_create("gosalloc_node", 200, 0, 0, NULL);
	if (!c)
		return -ENOMEM;
	for_each_node_state(nid, N_MEMORY) {
		pl = (struct placement) {};
		ok &= place_sizes(nid, &pl);
		ok &= place_cache(c, nid, &pl);
		pr_info("node %d: %u objects placed on it, %u charged\n", nid,
			pl.count, pl.charged);
	}
	gosalloc_cache_destroy(c);
	if (!ok)
		return -EINVAL;
	err = remote_frees(remote_objects);
	if (!err)
		err = keep_on_every_node();
	if (err)
		free_kept();
	return err;
}

static void __exit gosalloc_node_exit(void)
{
	free_kept();
}

module_init(gosalloc_node_init);
module_exit(gosalloc_node_exit);

MODULE_DESCRIPTION("gosalloc test client: allocations on every node");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOSALLOC_INTERNAL);
