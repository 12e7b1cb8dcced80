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
#include <linux/kasan.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "gosalloc.h"
#include "internal.h"

DEFINE_STATIC_KEY_FALSE(gosalloc_kmalloc_key);

/*
 * gosalloc.kmalloc=0 on the kernel command line leaves kmalloc on SLUB in
 * a kernel built for kernel mode: the same kernel, to compare against.
 * gosalloc then starts as a built-in module would, at its initcall.
 */
static bool kmalloc_on = true;
module_param_named(kmalloc, kmalloc_on, bool, 0444);
MODULE_PARM_DESC(kmalloc, "serve the kernel's kmalloc (kernel mode; boot only)");

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

/* ---- KASAN (generic) ---- */

/*
 * Under generic KASAN a kmalloc object of a size class is followed by a
 * red zone, as SLUB follows each object with KASAN's metadata: about an
 * eighth of the class, 16 bytes to 2 KiB, so that an access just past the
 * object, or just before the next, is reported. ksize() and
 * kmalloc_size_roundup() give what lies before it.
 */
static size_t kasan_redzone(size_t cls_size)
{
	return clamp_t(size_t, round_down(cls_size / 8, 8), 16, 2048);
}

/*
 * The bytes a kmalloc object of @usable bytes (gosalloc's count) offers:
 * under KASAN none in the classes too small for a red zone, which
 * kasan_request() never picks.
 */
static size_t kmalloc_usable(size_t usable)
{
	if (!GOSALLOC_KASAN || usable > GOSALLOC_MAX_SMALL_SIZE)
		return usable;
	return usable - min(usable, kasan_redzone(usable));
}

/* kmalloc_request() under KASAN: the first aligned class with room. */
static noinline size_t kasan_request(size_t size, size_t align)
{
	unsigned int cls;
	size_t c;

	for (cls = gosalloc_size_to_class(size); cls < GOSALLOC_NR_CLASSES;
	     cls++) {
		c = gosalloc_class_to_size[cls];
		if (!(c & (align - 1)) && kmalloc_usable(c) >= size)
			return c;
	}
	return GOSALLOC_MAX_SMALL_SIZE + 1;	/* a page run */
}

/*
 * Freed kmalloc objects wait in a quarantine, oldest first, before
 * gosalloc may hand them out again, so that a use after free reads
 * poisoned memory for as long as it can: as KASAN's own quarantine does
 * for SLUB, it holds up to 1/32 of memory. They are linked through their
 * first word, written and read past KASAN.
 */
static DEFINE_SPINLOCK(quarantine_lock);
static void *quarantine_head, *quarantine_tail;
static size_t quarantine_bytes, quarantine_max;

static void *quarantine_next(const void *p)
{
	return READ_ONCE_NOCHECK(*(void **)p);
}

/* Free a chain of objects taken out of the quarantine. */
static void quarantine_free_chain(void *out, unsigned long caller)
{
	void *next;

	for (; out; out = next) {
		next = quarantine_next(out);
		gosalloc_free_unhooked(out, caller);
	}
}

/* Objects a put takes out at most, so that interrupts stay off briefly. */
#define QUARANTINE_BATCH	32

/* Put freed object @p of @size bytes in; free the oldest past the limit. */
static void quarantine_put(void *p, size_t size, unsigned long caller)
{
	void *out = NULL, *last = NULL;
	unsigned long flags;
	unsigned int n = 0;

	gosalloc_store_link(p, NULL);
	spin_lock_irqsave(&quarantine_lock, flags);
	if (quarantine_tail)
		gosalloc_store_link(quarantine_tail, p);
	else
		quarantine_head = p;
	quarantine_tail = p;
	quarantine_bytes += size;
	if (quarantine_bytes > quarantine_max)
		out = quarantine_head;
	while (quarantine_bytes > quarantine_max && n++ < QUARANTINE_BATCH) {
		quarantine_bytes -= gosalloc_size_quiet(quarantine_head);
		last = quarantine_head;
		quarantine_head = quarantine_next(last);
		if (!quarantine_head)
			quarantine_tail = NULL;
	}
	if (last)
		gosalloc_store_link(last, NULL);	/* ends the chain out */
	spin_unlock_irqrestore(&quarantine_lock, flags);
	quarantine_free_chain(out, caller);
}

/**
 * gosalloc_kmalloc_quarantine_flush() - free every quarantined object
 *
 * For tests that count frees. A no-op unless the quarantine is in use
 * (KASAN).
 *
 * Context: any context.
 */
void gosalloc_kmalloc_quarantine_flush(void)
{
	unsigned long flags;
	void *out;

	spin_lock_irqsave(&quarantine_lock, flags);
	out = quarantine_head;
	quarantine_head = NULL;
	quarantine_tail = NULL;
	quarantine_bytes = 0;
	spin_unlock_irqrestore(&quarantine_lock, flags);
	quarantine_free_chain(out, _RET_IP_);
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_kmalloc_quarantine_flush);

/*
 * May kmalloc object @p, of gosalloc's, be freed? If not, KASAN reports
 * it as SLUB's frees are reported: a double free if @p is poisoned as
 * freed, else an invalid free (not an object's start, or an object never
 * handed out), counted in gosalloc's statistics too. Return: gosalloc's
 * usable size of it, or 0.
 */
static size_t kasan_free_check(const void *p, unsigned long ip)
{
	size_t size = gosalloc_size_quiet(p);
	bool twice = gosalloc_kasan_freed(p);

	if (likely(size && !gosalloc_kasan_poisoned(p)))
		return size;
	gosalloc_stats_event(twice ? GOSALLOC_DOUBLE_FREES :
			     GOSALLOC_INVALID_FREES);
	gosalloc_kasan_report_free(p, ip, twice);
	return 0;
}

/* kfree() under KASAN: checked, poisoned, then into quarantine. */
static noinline void kasan_kfree(const void *p, unsigned long caller)
{
	size_t size = kasan_free_check(p, caller);

	if (!size)
		return;
	kmemleak_free(p);
	gosalloc_kasan_poison_free(p, size);
	quarantine_put((void *)p, size, caller);
}

/* A mempool keeps kmalloc object @p; its KASAN hook poisons it. */
bool gosalloc_kasan_mempool_poison(void *p, unsigned long ip)
{
	size_t size = kasan_free_check(p, ip);

	if (size)
		gosalloc_kasan_poison_free(p, size);
	return size;
}

/* A mempool hands kmalloc object @p out again, for @size bytes. */
void gosalloc_kasan_mempool_unpoison(void *p, size_t size)
{
	gosalloc_sanitize_resize(p, size);
}

/* krealloc() of gosalloc's object @p under KASAN, as SLUB's. */
static noinline void *kasan_krealloc_object(const void *p, size_t new_size,
					    gfp_t flags)
{
	size_t ks;
	void *q;

	if (!kasan_check_byte(p))
		return NULL;	/* reported */
	ks = kmalloc_usable(kasan_free_check(p, _RET_IP_));
	if (!ks)
		return NULL;
	if (new_size <= ks) {
		if (want_init_on_alloc(flags)) {
			kasan_disable_current();
			memset((void *)p + new_size, 0, ks - new_size);
			kasan_enable_current();
		}
		gosalloc_sanitize_resize(p, new_size);
		return (void *)p;
	}
	q = kmalloc_node_track_caller_noprof(new_size, flags, NUMA_NO_NODE,
					     _RET_IP_);
	if (q) {
		kasan_disable_current();	/* past the old object's end */
		memcpy(q, p, ks);
		kasan_enable_current();
		kasan_kfree(p, _RET_IP_);
	}
	return q;
}

/* ---- The kmalloc family ---- */

/* The size to ask gosalloc for, so that a kmalloc of @size is aligned. */
static __always_inline size_t kmalloc_request(size_t size)
{
	unsigned int cls;
	size_t align;

	if (GOSALLOC_KASAN && size && size <= GOSALLOC_MAX_SMALL_SIZE)
		return kasan_request(size, clamp_t(size_t, size & -size,
						   ARCH_KMALLOC_MINALIGN,
						   PAGE_SIZE));
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
	void *p = gosalloc_alloc_from(kmalloc_request(size), flags, node,
				      caller);

	if (GOSALLOC_KASAN && !ZERO_OR_NULL_PTR(p))
		gosalloc_sanitize_resize(p, size);	/* the red zone */
	return p;
}

static bool ours(const void *p)
{
	return static_branch_likely(&gosalloc_kmalloc_key) &&
	       gosalloc_span_lookup(p);
}

bool gosalloc_kmalloc_owns(const void *p)
{
	return ours(p);
}

bool gosalloc_kfree(const void *p, unsigned long caller)
{
	if (!ours(p))
		return false;
	if (GOSALLOC_KASAN)
		kasan_kfree(p, caller);
	else
		gosalloc_free_from(p, caller);
	return true;
}

/* __ksize(): the usable size, with nothing unpoisoned (as SLUB's). */
bool gosalloc_ksize(const void *p, size_t *size)
{
	if (!ours(p))
		return false;
	*size = kmalloc_usable(gosalloc_size_quiet(p));
	return true;
}

size_t gosalloc_kmalloc_roundup(size_t size)
{
	return kmalloc_usable(gosalloc_size_roundup(kmalloc_request(size)));
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
	if (GOSALLOC_KASAN) {
		*q = kasan_krealloc_object(p, new_size, flags);
		return true;
	}
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
 * gosalloc_usercopy_bounds() - the kmalloc object a copy from or to user
 *	space touches
 * @p: the first byte of the copy, in gosalloc's heap
 * @n: its length
 * @offset: set to @p's offset in the object it lies in
 *
 * The object is found from @p alone, as SLUB's __check_heap_object() finds
 * it: its start is the start of @p's slot in a span of a size class, or
 * the start of a large object's span; its length is what ksize() gives,
 * or under KASAN, which knows it, the size it was allocated with. Spans
 * of other kinds (free memory, gosalloc's own caches) are not checked.
 *
 * Context: any context.
 * Return: false if [@p, @p + @n) does not lie within that object.
 */
bool gosalloc_usercopy_bounds(const void *p, unsigned long n,
			      unsigned long *offset)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);
	unsigned long off, size;

	*offset = 0;
	if (!s)
		return true;
	off = (unsigned long)p - s->base;
	switch (gosalloc_span_state(s)) {
	case GOSALLOC_SPAN_SMALL:
	case GOSALLOC_SPAN_MEMCG:
		*offset = off - (unsigned long)gosalloc_span_index(s, p) *
			  s->elemsize;
		size = kmalloc_usable(s->elemsize);
		break;
	case GOSALLOC_SPAN_LARGE:
		*offset = off;
		size = gosalloc_span_bytes(s);
		break;
	default:
		return true;
	}
	size = gosalloc_kasan_accessible(p - *offset, size);
	return *offset <= size && n <= size - *offset;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_usercopy_bounds);

#ifdef CONFIG_HARDENED_USERCOPY
/* check_heap_object() for gosalloc's memory: abort a copy past an object. */
void gosalloc_check_usercopy(const void *p, unsigned long n, bool to_user)
{
	unsigned long offset;

	if (!gosalloc_usercopy_bounds(p, n, &offset))
		usercopy_abort("gosalloc", "kmalloc", to_user, offset, n);
}
#endif

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
	int err;

	if (!kmalloc_on) {
		pr_info("kmalloc stays on SLUB (gosalloc.kmalloc=0)\n");
		return;
	}
	err = gosalloc_core_init();
	if (err) {
		pr_err("cannot start (%d): kmalloc stays on SLUB\n", err);
		return;
	}
	gosalloc_tiny_set_max(0);	/* kmalloc objects are aligned */
	quarantine_max = (totalram_pages() << PAGE_SHIFT) / 32;
	static_branch_enable(&gosalloc_kmalloc_key);
	pr_info("serving kmalloc\n");
}
