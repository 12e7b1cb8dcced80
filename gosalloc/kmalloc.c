// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmalloc.c - kernel mode: the kernel's kmalloc family served by gosalloc
 * (CONFIG_GOSALLOC_KMALLOC, Documentation/kernel-mode.rst).
 *
 * The patch in tools/kernel/kmalloc/ makes mm/slub.c and mm/slab_common.c
 * call the functions below once gosalloc_kmalloc_init() has turned
 * gosalloc_kmalloc_key on at the end of kmem_cache_init(): kmalloc() and
 * kmalloc_node() with their constant-size inline forms (and so kzalloc,
 * kcalloc, kmalloc_array, kvmalloc's kmalloc half, kmemdup, kstrdup...),
 * kfree() and kfree_bulk() (and so kfree_rcu()'s batches, kvfree and
 * kfree_sensitive), ksize(), krealloc() and kmalloc_size_roundup().
 * Objects SLUB handed out before then stay SLUB's; kfree() and ksize() tell
 * the two apart by the page, a slab page or not, and then by gosalloc's
 * arena map.
 *
 * kmalloc promises more alignment than gosalloc's own interface: at least
 * ARCH_KMALLOC_MINALIGN, and the largest power-of-two divisor of the size
 * (Documentation/core-api/memory-allocation.rst). So there are no tiny
 * objects in kernel mode, whose slots are not aligned (tiny_max is 0 and
 * stays so; any allocation may be a kmalloc), and a size whose
 * class is aligned less than the size asks gets the first larger class
 * that is (5120 bytes: not 5376, a multiple of 256, but 6144). Classes are
 * aligned as their size up to a page, since spans start at pages; the
 * multiples of two pages, which want more, stay on SLUB and the page
 * allocator (gosalloc_kmalloc_serves()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gosalloc_kmalloc.h>
#include <linux/init.h>
#include <linux/slab.h>

#include "gosalloc.h"
#include "internal.h"

DEFINE_STATIC_KEY_FALSE(gosalloc_kmalloc_key);

bool gosalloc_kmalloc_active(void)
{
	return static_branch_likely(&gosalloc_kmalloc_key);
}

/* The first class from @cls on whose objects are aligned to @align. */
static noinline size_t aligned_class_size(unsigned int cls, size_t align)
{
	for (; cls < GOSALLOC_NR_CLASSES; cls++)
		if (!(gosalloc_class_to_size[cls] & (align - 1)))
			return gosalloc_class_to_size[cls];
	return GOSALLOC_MAX_SMALL_SIZE + 1;	/* a page run */
}

/* The size to ask gosalloc for, so that a kmalloc of @size is aligned. */
static __always_inline size_t kmalloc_request(size_t size)
{
	unsigned int cls;
	size_t align;

	if (size < ARCH_KMALLOC_MINALIGN)
		return size ? ARCH_KMALLOC_MINALIGN : 0;
	if (size > GOSALLOC_MAX_SMALL_SIZE)
		return size;	/* page runs are aligned to pages */
	cls = gosalloc_size_to_class(size);
	align = min_t(size_t, size & -size, PAGE_SIZE);
	if (likely(!(gosalloc_class_to_size[cls] & (align - 1))))
		return size;
	return aligned_class_size(cls, align);
}

void *gosalloc_kmalloc(size_t size, gfp_t flags, int node,
		       unsigned long caller)
{
	return gosalloc_alloc_from(kmalloc_request(size), flags, node, caller);
}

static bool ours(const void *p)
{
	return static_branch_likely(&gosalloc_kmalloc_key) &&
	       gosalloc_span_lookup(p);
}

bool gosalloc_kfree(const void *p, unsigned long caller)
{
	if (!ours(p))
		return false;
	gosalloc_free_from(p, caller);
	return true;
}

bool gosalloc_ksize(const void *p, size_t *size)
{
	if (!ours(p))
		return false;
	*size = gosalloc_size(p);
	return true;
}

size_t gosalloc_kmalloc_roundup(size_t size)
{
	return gosalloc_size_roundup(kmalloc_request(size));
}

/*
 * krealloc() of @p: true, with the result in *@q, if gosalloc handles it,
 * that is if @p is NULL and gosalloc serves the new size, or if @p is
 * gosalloc's. A SLUB object stays with SLUB's krealloc(), which takes its
 * new object from kmalloc().
 */
bool gosalloc_krealloc(const void *p, size_t new_size, gfp_t flags, void **q)
{
	size_t old_size;

	if (ZERO_OR_NULL_PTR(p)) {
		if (!gosalloc_kmalloc_serves(new_size, flags))
			return false;
		*q = gosalloc_kmalloc(new_size, flags, NUMA_NO_NODE, _RET_IP_);
		return true;
	}
	if (!ours(p))
		return false;
	old_size = gosalloc_size(p);
	if (!old_size || new_size <= old_size) {
		/* Bad pointer (reported, NULL) or shrinking in place. */
		*q = old_size ? gosalloc_realloc(p, new_size, flags) : NULL;
		return true;
	}
	if (gosalloc_kmalloc_serves(new_size, flags)) {
		*q = gosalloc_realloc(p, kmalloc_request(new_size), flags);
		return true;
	}
	/* To a size or zone gosalloc does not serve. */
	*q = kmalloc_node_track_caller_noprof(new_size, flags, NUMA_NO_NODE,
					      _RET_IP_);
	if (*q) {
		memcpy(*q, p, old_size);
		gosalloc_free(p);
	}
	return true;
}

/**
 * gosalloc_kmalloc_init() - serve kmalloc from here on
 *
 * Called at the end of kmem_cache_init(). If gosalloc cannot start, kmalloc
 * stays on SLUB and the kernel boots as without gosalloc.
 *
 * Context: early boot, one CPU, interrupts off, no scheduler yet.
 */
void __init gosalloc_kmalloc_init(void)
{
	int err = gosalloc_core_init();

	if (err) {
		pr_err("cannot start (%d): kmalloc stays on SLUB\n", err);
		return;
	}
	gosalloc_tiny_set_max(0);	/* kmalloc objects are aligned */
	static_branch_enable(&gosalloc_kmalloc_key);
	pr_info("serving kmalloc\n");
}
