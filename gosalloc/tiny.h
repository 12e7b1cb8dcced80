/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tiny.h - the tiny allocator with explicit free; see malloc.c for the
 * overview.
 */
#ifndef _GOSALLOC_TINY_H
#define _GOSALLOC_TINY_H

#include <linux/gfp.h>
#include <linux/types.h>

struct gosalloc_span;

/*
 * Requests of 1 to gosalloc_tiny_max bytes share GOSALLOC_TINY_SIZE-byte
 * blocks: 7 by default (tiny.c says why), up to 15 with the module
 * parameter tiny_max.
 */
#define GOSALLOC_TINY_SIZE	16
#define GOSALLOC_TINY_MAX_DEFAULT	7

extern unsigned int gosalloc_tiny_max;

/*
 * A tiny span is one page: GOSALLOC_TINY_BLOCKS blocks, then one 32-bit
 * word of metadata per block.
 */
#define GOSALLOC_TINY_BLOCKS	(PAGE_SIZE / (GOSALLOC_TINY_SIZE + sizeof(u32)))

void gosalloc_tiny_span_clear(struct gosalloc_span *s);
void *gosalloc_tiny_alloc(size_t size, gfp_t flags);
size_t gosalloc_tiny_size(struct gosalloc_span *s, const void *p);
bool gosalloc_tiny_free(struct gosalloc_span *s, const void *p);
void gosalloc_tiny_drain(unsigned int cpu);
u32 gosalloc_tiny_block_meta(const void *p);
unsigned int gosalloc_tiny_set_max(unsigned int max);

#endif /* _GOSALLOC_TINY_H */
