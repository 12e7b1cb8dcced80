// SPDX-License-Identifier: GPL-2.0-only
/*
 * family.c - the rest of the kmalloc family on gosalloc: kvmalloc,
 * kmemdup and kstrdup, kmalloc_size_roundup, kfree_sensitive and
 * krealloc_array; see malloc.c for the overview.
 *
 * Each function is a thin layer over gosalloc_alloc(), gosalloc_free()
 * and gosalloc_size(), with the semantics of its kernel namesake, and may
 * be called from the same contexts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "gosalloc.h"
#include "internal.h"

/*
 * The flags of kvmalloc's first try: a failure there is cheap, as
 * vmalloc takes over, so it neither warns nor retries hard.
 */
static gfp_t kvmalloc_try_flags(size_t size, gfp_t flags)
{
	if (size <= PAGE_SIZE)
		return flags;
	flags |= __GFP_NOWARN;
	if (!(flags & __GFP_RETRY_MAYFAIL))
		flags |= __GFP_NORETRY;
	return flags & ~__GFP_NOFAIL;
}

/*
 * kvmalloc's vmalloc fallback. Modules get vmalloc memory on a node only
 * from vmalloc_node() and vzalloc_node(), which take GFP_KERNEL: for
 * other flags the memory may lie on any node.
 */
static void *vmalloc_on(size_t size, gfp_t flags, int node)
{
	if (node == NUMA_NO_NODE || (flags & ~__GFP_ZERO) != GFP_KERNEL)
		return __vmalloc(size, flags);
	if (flags & __GFP_ZERO)
		return vzalloc_node(size, node);
	return vmalloc_node(size, node);
}

/**
 * gosalloc_kvmalloc() - allocate memory, from gosalloc or else vmalloc
 * @size: bytes wanted
 * @flags: gfp flags, as for kvmalloc(); __GFP_ZERO zeroes the memory
 *
 * As kvmalloc(): gosalloc first, then, for more than a page and a gfp
 * that may sleep, vmalloc. Free with gosalloc_kvfree().
 *
 * Context: any context the gfp flags allow; the vmalloc fallback only
 * where they allow sleeping.
 * Return: the memory; ZERO_SIZE_PTR for a @size of 0; NULL when memory
 * is short.
 */
void *gosalloc_kvmalloc(size_t size, gfp_t flags)
{
	return gosalloc_kvmalloc_node(size, flags, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GPL(gosalloc_kvmalloc);

/**
 * gosalloc_kvmalloc_node() - allocate memory on a node, from gosalloc or
 * else vmalloc
 * @size: bytes wanted
 * @flags: gfp flags, as for kvmalloc_node(); __GFP_ZERO zeroes the memory
 * @node: the node wanted, or NUMA_NO_NODE for any
 *
 * As kvmalloc_node(): gosalloc_alloc_node() first, then, for more than a
 * page and a gfp that may sleep, vmalloc, on @node for GFP_KERNEL (see
 * vmalloc_on()). Free with gosalloc_kvfree().
 *
 * Context: as gosalloc_kvmalloc().
 * Return: as gosalloc_kvmalloc().
 */
void *gosalloc_kvmalloc_node(size_t size, gfp_t flags, int node)
{
	void *p = gosalloc_alloc_node(size, kvmalloc_try_flags(size, flags),
				      node);

	if (p || size <= PAGE_SIZE || !gfpflags_allow_blocking(flags))
		return p;
	if (unlikely(size > INT_MAX)) {
		WARN_ON_ONCE(!(flags & __GFP_NOWARN));
		return NULL;
	}
	return vmalloc_on(size, flags, node);
}
EXPORT_SYMBOL_GPL(gosalloc_kvmalloc_node);

/**
 * gosalloc_kvzalloc() - allocate zeroed memory, from gosalloc or vmalloc
 * @size: bytes wanted
 * @flags: gfp flags, as for kvzalloc()
 *
 * Context: as gosalloc_kvmalloc().
 * Return: as gosalloc_kvmalloc(); the memory reads as zeroes.
 */
void *gosalloc_kvzalloc(size_t size, gfp_t flags)
{
	return gosalloc_kvmalloc(size, flags | __GFP_ZERO);
}
EXPORT_SYMBOL_GPL(gosalloc_kvzalloc);

/**
 * gosalloc_kvfree() - free memory from gosalloc_kvmalloc()
 * @p: memory from gosalloc_kvmalloc() or gosalloc_alloc(), or NULL
 *
 * A vmalloc address goes to vfree(), anything else to gosalloc_free().
 *
 * Context: any context for gosalloc memory; vfree()'s for vmalloc
 * memory (not from NMI).
 */
void gosalloc_kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		gosalloc_free(p);
}
EXPORT_SYMBOL_GPL(gosalloc_kvfree);

/**
 * gosalloc_kmemdup() - copy memory into a new gosalloc object
 * @src: what to copy
 * @len: bytes to copy
 * @flags: gfp flags, as for kmalloc()
 *
 * Context: as gosalloc_alloc().
 * Return: the copy, or NULL when memory is short.
 */
void *gosalloc_kmemdup(const void *src, size_t len, gfp_t flags)
{
	void *p = gosalloc_alloc(len, flags);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}
EXPORT_SYMBOL_GPL(gosalloc_kmemdup);

/**
 * gosalloc_kstrdup() - copy a string into a new gosalloc object
 * @s: the string, or NULL
 * @flags: gfp flags, as for kmalloc()
 *
 * Context: as gosalloc_alloc().
 * Return: the copy, or NULL for a NULL @s or when memory is short.
 */
char *gosalloc_kstrdup(const char *s, gfp_t flags)
{
	return s ? gosalloc_kmemdup(s, strlen(s) + 1, flags) : NULL;
}
EXPORT_SYMBOL_GPL(gosalloc_kstrdup);

/**
 * gosalloc_kstrndup() - copy at most @max bytes of a string
 * @s: the string, or NULL
 * @max: bytes of @s to copy at most, the terminating NUL excluded
 * @flags: gfp flags, as for kmalloc()
 *
 * Context: as gosalloc_alloc().
 * Return: the copy, always NUL-terminated, or NULL for a NULL @s or when
 * memory is short.
 */
char *gosalloc_kstrndup(const char *s, size_t max, gfp_t flags)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	p = gosalloc_alloc(len + 1, flags);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
EXPORT_SYMBOL_GPL(gosalloc_kstrndup);

/**
 * gosalloc_size_roundup() - the usable size a request would get
 * @size: bytes a caller would ask gosalloc_alloc() for
 *
 * As kmalloc_size_roundup(): allocate this much up front rather than ask
 * gosalloc_size() afterwards. With the default settings it is the size
 * class, @size itself for a tiny object (which is exact) and whole pages
 * for a large one; in debug mode every small object reports its exact
 * size.
 *
 * Context: any context.
 * Return: gosalloc_size() of what gosalloc_alloc(@size) would return; 0
 * for 0; @size itself when no allocation of that size can succeed.
 */
size_t gosalloc_size_roundup(size_t size)
{
	if (!size || size > GOSALLOC_MAX_SIZE)
		return size;
	if (size - 1 >= GOSALLOC_MAX_SMALL_SIZE)
		return PAGE_ALIGN(size);	/* a large object */
	if (gosalloc_debug_on())	/* see hooked_alloc() */
		return size - 1 < GOSALLOC_DEBUG_MAX ? size : PAGE_ALIGN(size);
	if (size - 1 < READ_ONCE(gosalloc_tiny_max))
		return size;
	return gosalloc_class_to_size[gosalloc_size_to_class(size)];
}
EXPORT_SYMBOL_GPL(gosalloc_size_roundup);

/**
 * gosalloc_free_sensitive() - clear an object, then free it
 * @p: object from gosalloc, or NULL, or ZERO_SIZE_PTR
 *
 * As kfree_sensitive(): the whole usable size is cleared with
 * memzero_explicit(), which the compiler may not drop, so that no
 * secret survives in free memory.
 *
 * Context: any context.
 */
void gosalloc_free_sensitive(const void *p)
{
	size_t size;

	if (ZERO_OR_NULL_PTR(p))
		return;
	size = gosalloc_size(p);	/* reports a bad pointer */
	if (!size)
		return;
	memzero_explicit((void *)p, size);
	gosalloc_free(p);
}
EXPORT_SYMBOL_GPL(gosalloc_free_sensitive);

/**
 * gosalloc_realloc_array() - resize an array, keeping its contents
 * @p: object from gosalloc, or NULL
 * @n: number of elements wanted
 * @size: bytes per element
 * @flags: gfp flags, as for krealloc_array()
 *
 * Context: as gosalloc_alloc().
 * Return: as gosalloc_realloc(); NULL when @n * @size overflows, with
 * @p left untouched.
 */
void *gosalloc_realloc_array(const void *p, size_t n, size_t size,
			     gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_realloc(p, bytes, flags);
}
EXPORT_SYMBOL_GPL(gosalloc_realloc_array);

/**
 * gosalloc_owns() - does a pointer point into memory gosalloc holds?
 * @p: any pointer
 *
 * True for every object gosalloc handed out, and also for freed ones and
 * pointers into them; false for memory of the kernel's allocators. O(1).
 *
 * Context: any context.
 * Return: true if @p lies in a span of gosalloc's heap.
 */
bool gosalloc_owns(const void *p)
{
	return gosalloc_span_lookup(p);
}
EXPORT_SYMBOL_GPL(gosalloc_owns);

/**
 * gosalloc_free_any() - free memory from gosalloc or from the kernel
 * @p: a gosalloc object, memory from the kernel's kmalloc() or
 *	vmalloc(), or NULL
 *
 * The free of gosalloc_dropin.h, where kfree() and kvfree() may receive
 * memory the kernel allocated for the module (kasprintf(), match_strdup()
 * and the like): gosalloc's memory goes to gosalloc_free(), vmalloc
 * memory to vfree() and anything else to the kernel's kfree().
 *
 * Context: any context (vmalloc memory: not NMI).
 */
void gosalloc_free_any(const void *p)
{
	if (gosalloc_owns(p))
		gosalloc_free(p);
	else
		kvfree(p);
}
EXPORT_SYMBOL_GPL(gosalloc_free_any);

/**
 * gosalloc_size_any() - ksize() of memory from gosalloc or the kernel
 * @p: a gosalloc object, memory from the kernel's kmalloc(), or NULL
 *
 * Context: any context.
 * Return: gosalloc_size() for gosalloc's memory, else the kernel's ksize().
 */
size_t gosalloc_size_any(const void *p)
{
	return gosalloc_owns(p) ? gosalloc_size(p) : ksize(p);
}
EXPORT_SYMBOL_GPL(gosalloc_size_any);

/**
 * gosalloc_realloc_any() - krealloc() of memory from gosalloc or the kernel
 * @p: a gosalloc object, memory from the kernel's kmalloc(), or NULL
 * @new_size: bytes wanted
 * @flags: gfp flags, as for krealloc()
 *
 * gosalloc's memory, and NULL, go to gosalloc_realloc(); the kernel's
 * memory stays the kernel's (krealloc()).
 *
 * Context: as gosalloc_alloc().
 * Return: the object, possibly moved; NULL on failure.
 */
void *gosalloc_realloc_any(const void *p, size_t new_size, gfp_t flags)
{
	if (ZERO_OR_NULL_PTR(p) || gosalloc_owns(p))
		return gosalloc_realloc(p, new_size, flags);
	return krealloc(p, new_size, flags);
}
EXPORT_SYMBOL_GPL(gosalloc_realloc_any);

/**
 * gosalloc_kvrealloc_any() - kvrealloc() of memory from gosalloc or the kernel
 * @p: memory from gosalloc_kvmalloc(), from the kernel's kvmalloc(), or
 *	NULL
 * @new_size: bytes wanted
 * @flags: gfp flags, as for kvrealloc()
 *
 * gosalloc's memory stays in place while @new_size fits its usable size
 * and otherwise moves to gosalloc_kvmalloc() memory; vmalloc and the
 * kernel's kmalloc memory go to the kernel's kvrealloc(). On failure @p
 * is left untouched.
 *
 * Context: as gosalloc_kvmalloc().
 * Return: the memory, possibly moved; NULL on failure.
 */
void *gosalloc_kvrealloc_any(const void *p, size_t new_size, gfp_t flags)
{
	size_t old;
	void *q;

	if (p && !gosalloc_owns(p))
		return gosalloc_kernel_kvrealloc(p, new_size, flags);
	old = p ? gosalloc_size(p) : 0;
	if (p && new_size && new_size <= old)
		return (void *)p;
	q = gosalloc_kvmalloc(new_size, flags);
	if (q && p) {
		memcpy(q, p, min(old, new_size));
		gosalloc_free(p);
	}
	return q;
}
EXPORT_SYMBOL_GPL(gosalloc_kvrealloc_any);
