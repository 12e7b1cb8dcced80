// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny.c - the tiny allocator, with explicit free; see malloc.c for the
 * overview.
 *
 * Requests of 1 to tiny_max bytes are packed into 16-byte blocks, as Go
 * packs requests under 16 bytes: each CPU carves its current block from
 * the front, aligning each object by its size's low bits (8 if size % 8 ==
 * 0, 4 if size % 4 == 0, else 2 or 1), and starts a new block when the
 * object does not fit; the new block replaces the current one only if it
 * has more room left.
 *
 * Go packs everything under 16 bytes, and so does gosalloc with
 * tiny_max=15; by default it stops at 7 because, with a word of metadata
 * per block, an 8-byte object costs 10 bytes packed against 8 in the
 * 8-byte class, and 9 to 15-byte objects rarely share a block: measured
 * with a million live objects of random sizes from 1 to 15 bytes, packing
 * up to 15 bytes held 12000 KiB against 10540 KiB packing up to 7 (SLUB:
 * 11424 KiB), and slowed 8-byte allocation 3 times. The limit may change
 * at any time: a free finds tiny objects by their span, not their size.
 *
 * Go frees a block when its garbage collector finds every object in it
 * dead. gosalloc frees each object explicitly, so every block has one
 * 32-bit word of metadata (after the blocks, in the same page):
 *
 *	bits 0-15	an object starts at this byte
 *	bits 17-31	an object ends just before this byte (an end at 16
 *			is implicit)
 *	bit 16		a CPU is carving the block (no object ends at 0)
 *
 * The starts are the live objects; the ends give gosalloc_size() each
 * object's exact size. A free clears its object's two bits with one
 * atomic operation, from any CPU; whoever leaves the word with no start
 * and no carving bit gives the block back. The carving CPU sets bits with
 * atomic operations too, since other CPUs may be freeing from the same
 * block. The cost is 4 bytes per 16-byte block (a page holds 204 blocks
 * and their words) and an atomic operation per tiny allocation and free.
 *
 * A second free of an object is caught when its start bit is already
 * clear; it is not caught if the block was given back and carved again
 * with another object at the same place.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

unsigned int gosalloc_tiny_max __read_mostly = GOSALLOC_TINY_MAX_DEFAULT;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_max);

static int tiny_max_param_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, GOSALLOC_TINY_SIZE - 1);
}

static const struct kernel_param_ops tiny_max_param_ops = {
	.set = tiny_max_param_set,
	.get = param_get_uint,
};

module_param_cb(tiny_max, &tiny_max_param_ops, &gosalloc_tiny_max, 0644);
MODULE_PARM_DESC(tiny_max, "pack requests of 1 to this many bytes into 16-byte blocks, 0 to 15 (default: 7)");

#define TINY_CARVING	BIT(16)
#define TINY_STARTS	0xffffU

static atomic_t *block_meta(struct gosalloc_span *s, unsigned long block)
{
	return (atomic_t *)(s->base + GOSALLOC_TINY_BLOCKS *
			    GOSALLOC_TINY_SIZE) + block;
}

static unsigned long tiny_align(size_t size)
{
	if (!(size & 7))
		return 8;
	if (!(size & 3))
		return 4;
	return size & 1 ? 1 : 2;
}

/*
 * A new tiny span: every block's word clear, so that a stale pointer into
 * a block never carved finds no object there.
 */
void gosalloc_tiny_span_clear(struct gosalloc_span *s)
{
	memset(block_meta(s, 0), 0, GOSALLOC_TINY_BLOCKS * sizeof(atomic_t));
}

/* The bits of an object at @off of @size bytes. */
static u32 object_bits(unsigned long off, size_t size)
{
	unsigned long end = off + size;

	return BIT(off) | (end < GOSALLOC_TINY_SIZE ? BIT(16 + end) : 0);
}

/* Give an empty block back to the tiny central list. */
static void block_release(void *block)
{
	*(void **)block = NULL;
	gosalloc_mcentral_release(GOSALLOC_TINY_CLASS, block);
}

/* The span and metadata of the block holding @p, a block address. */
static atomic_t *meta_of(void *block)
{
	struct gosalloc_span *s = gosalloc_span_lookup(block);

	return block_meta(s, (unsigned long)(block - (void *)s->base) /
			  GOSALLOC_TINY_SIZE);
}

/* This CPU stops carving @block; give it back if nothing is left in it. */
static void block_uncarve(void *block)
{
	if (!(atomic_fetch_andnot(TINY_CARVING, meta_of(block)) & TINY_STARTS))
		block_release(block);
}

static void tiny_account(struct gosalloc_mcache *c, size_t size, bool packed)
{
	c->tiny_mallocs++;
	c->tiny_bytes += size;
	c->tiny_allocs += packed;
}

/**
 * gosalloc_tiny_set_max() - pack requests of 1 to @max bytes from now on
 * @max: 0 (no packing) to 15, clamped
 *
 * For tests and the benchmark; tiny objects already allocated stay valid.
 *
 * Context: any context.
 * Return: the previous limit.
 */
unsigned int gosalloc_tiny_set_max(unsigned int max)
{
	return xchg(&gosalloc_tiny_max, min(max, GOSALLOC_TINY_SIZE - 1));
}
EXPORT_SYMBOL_NS_GPL(gosalloc_tiny_set_max, GOSALLOC_INTERNAL);

/**
 * gosalloc_tiny_alloc() - allocate 1 to 15 bytes
 * @size: bytes wanted
 * @flags: gfp flags
 *
 * Context: any context @flags allow.
 * Return: the object, aligned by the low bits of @size; NULL when memory
 * is short.
 */
void *gosalloc_tiny_alloc(size_t size, gfp_t flags)
{
	unsigned long align = tiny_align(size), off, irqflags;
	void *obj, *fresh = NULL, *drop = NULL;
	atomic_t *fresh_meta = NULL;
	struct gosalloc_chain chain;
	struct gosalloc_mcache *c;

	for (;;) {
		local_irq_save(irqflags);
		c = this_cpu_ptr(gosalloc_mcache);
		off = ALIGN(c->tiny_offset, align);
		if (c->tiny && off + size <= GOSALLOC_TINY_SIZE) {
			obj = c->tiny + off;
			c->tiny_offset = off + size;
			atomic_or(object_bits(off, size), c->tiny_meta);
			tiny_account(c, size, true);
			local_irq_restore(irqflags);
			if (fresh)	/* an interrupt made room meanwhile */
				block_release(fresh);
			return obj;
		}
		if (fresh)
			break;
		local_irq_restore(irqflags);
		if (!gosalloc_mcentral_grab(GOSALLOC_TINY_CLASS, 1, flags, &chain))
			return NULL;
		fresh = chain.head;
		fresh_meta = meta_of(fresh);
	}
	/* Keep the block with more room left, as Go does. */
	if (!c->tiny || size < c->tiny_offset) {
		drop = c->tiny;
		c->tiny = fresh;
		c->tiny_meta = fresh_meta;
		c->tiny_offset = size;
		atomic_set(fresh_meta, object_bits(0, size) | TINY_CARVING);
	} else {
		atomic_set(fresh_meta, object_bits(0, size));
	}
	tiny_account(c, size, false);
	local_irq_restore(irqflags);
	if (drop)
		block_uncarve(drop);
	return fresh;
}

/*
 * The metadata word and offset of tiny object @p in span @s, or NULL if
 * @p is not in a block.
 */
static atomic_t *object_meta(struct gosalloc_span *s, const void *p,
			     unsigned long *off)
{
	unsigned long at = (unsigned long)p - s->base;
	unsigned long block = at / GOSALLOC_TINY_SIZE;

	if (block >= GOSALLOC_TINY_BLOCKS)
		return NULL;
	*off = at % GOSALLOC_TINY_SIZE;
	return block_meta(s, block);
}

/* Size of the live object at @off of a block whose word is @meta, or 0. */
static size_t object_size_of(u32 meta, unsigned long off)
{
	unsigned long ends = (meta >> 16) & ~(BIT(off + 1) - 1);

	if (!(meta & BIT(off)))
		return 0;
	return (ends ? __ffs(ends) : GOSALLOC_TINY_SIZE) - off;
}

/**
 * gosalloc_tiny_size() - size of a tiny object
 * @s: its span, a tiny one
 * @p: the object
 *
 * Context: any context.
 * Return: its requested size (a multiple of its alignment), or 0 if @p is
 * not a live tiny object.
 */
size_t gosalloc_tiny_size(struct gosalloc_span *s, const void *p)
{
	unsigned long off;
	atomic_t *m = object_meta(s, p, &off);

	return m ? object_size_of(atomic_read(m), off) : 0;
}

/*
 * Clear @bits of the word @m of @block, where an object at @off of @size
 * bytes ends. If this CPU carves @block and that object was the last one
 * carved, carve its place again next: a loop that allocates and frees a
 * tiny object then stays in one block. The clear and the rewind happen
 * with interrupts off, so that nothing on this CPU can stop carving the
 * block, have it given back and carved again in between. Return: the
 * word before the clear.
 */
static u32 block_clear(void *block, atomic_t *m, u32 bits, unsigned long off,
		       size_t size)
{
	struct gosalloc_mcache *c;
	unsigned long flags;
	u32 old;

	/*
	 * A block nobody carves while our object lives in it cannot start
	 * being carved before that object's bit is clear: no rewind.
	 */
	if (!(atomic_read(m) & TINY_CARVING))
		return atomic_fetch_andnot(bits, m);
	local_irq_save(flags);
	old = atomic_fetch_andnot(bits, m);
	c = this_cpu_ptr(gosalloc_mcache);
	if ((old & BIT(off)) && c->tiny == block &&
	    c->tiny_offset == off + size)
		c->tiny_offset = off;
	local_irq_restore(flags);
	return old;
}

/**
 * gosalloc_tiny_free() - free a tiny object
 * @s: its span, a tiny one
 * @p: the object
 *
 * Context: any context.
 * Return: false if @p is not a live tiny object (nothing is changed).
 */
bool gosalloc_tiny_free(struct gosalloc_span *s, const void *p)
{
	unsigned long off;
	atomic_t *m = object_meta(s, p, &off);
	void *block = (void *)p - off;
	size_t size;
	u32 bits, old;

	if (!m)
		return false;
	size = object_size_of(atomic_read(m), off);
	if (!size)
		return false;
	if (want_init_on_free())
		memset((void *)p, 0, size);
	bits = object_bits(off, size);
	old = block_clear(block, m, bits, off, size);
	if (unlikely(!(old & BIT(off))))
		return false;		/* lost a race with another free of it */
	this_cpu_inc(gosalloc_mcache->tiny_frees);
	this_cpu_sub(gosalloc_mcache->tiny_bytes, size);
	if (!((old & ~bits) & (TINY_STARTS | TINY_CARVING)))
		block_release(block);
	return true;
}

/* Stop carving @cpu's block; @cpu is offline, or it is us, irqs off. */
void gosalloc_tiny_drain(unsigned int cpu)
{
	struct gosalloc_mcache *c = per_cpu_ptr(gosalloc_mcache, cpu);
	void *block = c->tiny;

	if (!block)
		return;
	c->tiny = NULL;
	c->tiny_offset = 0;
	block_uncarve(block);
}

/* The metadata word of the block holding tiny object @p, for tests. */
u32 gosalloc_tiny_block_meta(const void *p)
{
	struct gosalloc_span *s = gosalloc_span_lookup(p);
	unsigned long off;
	atomic_t *m;

	if (!s || gosalloc_span_state(s) != GOSALLOC_SPAN_TINY)
		return 0;
	m = object_meta(s, p, &off);
	return m ? atomic_read(m) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_tiny_block_meta);
