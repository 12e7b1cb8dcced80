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
struct gosalloc_tiny_page;
struct list_head;

/*
 * Requests of 1 to gosalloc_tiny_max bytes are tiny: 7 by default (tiny.c
 * says why), up to GOSALLOC_TINY_SIZE - 1 with the module parameter
 * tiny_max.
 */
#define GOSALLOC_TINY_SIZE	16
#define GOSALLOC_TINY_MAX_DEFAULT	7

extern unsigned int gosalloc_tiny_max;

/*
 * One CPU's tiny spans, one per object size (index 0 unused). No lock:
 * only that CPU changes them, holding its cache (gosalloc_mcache_hold())
 * or with interrupts off; an offline CPU's, the CPU that drains it.
 */
struct gosalloc_tiny_cpu {
	struct gosalloc_tiny_page *page;	/* the span it allocates from */
	unsigned int word;	/* no free slot in the bitmap words below */
	/*
	 * Objects of this size allocated from, and freed to, the span this
	 * CPU owns: one counter per call, beside the span it uses.
	 */
	unsigned long mallocs;
	unsigned long frees;
} __aligned(32);	/* one cache line */

/* One CPU's tiny counts, gosalloc_tiny_counts(). */
struct gosalloc_tiny_counts {
	unsigned long mallocs;	/* tiny objects allocated */
	unsigned long frees;	/* tiny objects freed */
	unsigned long fast;	/* allocations the fast path served */
	long bytes;		/* bytes allocated less bytes freed */
};

void gosalloc_tiny_node_init(struct list_head *partial);
void gosalloc_tiny_span_clear(struct gosalloc_span *s);
void *gosalloc_tiny_alloc(size_t size, gfp_t flags);
void *gosalloc_tiny_alloc_node(size_t size, gfp_t flags, int nid);
size_t gosalloc_tiny_size(struct gosalloc_span *s, const void *p);
bool gosalloc_tiny_free(struct gosalloc_span *s, const void *p);
void gosalloc_tiny_free_checked(struct gosalloc_span *s, const void *p,
				unsigned long caller);
void gosalloc_tiny_report(struct gosalloc_span *s, const void *p,
			  unsigned long caller);
void gosalloc_tiny_drain(unsigned int cpu);
void gosalloc_tiny_trim(void);
bool gosalloc_tiny_holds(unsigned int cpu);
void gosalloc_tiny_counts(unsigned int cpu, struct gosalloc_tiny_counts *tc);
bool gosalloc_tiny_is_live(const void *p);
unsigned int gosalloc_tiny_slots(size_t size);
unsigned int gosalloc_tiny_set_max(unsigned int max);

#endif /* _GOSALLOC_TINY_H */
