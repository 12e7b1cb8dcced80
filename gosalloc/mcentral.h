/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mcentral.h - per-size-class central lists (MCentral); see malloc.c for
 * the overview.
 */
#ifndef _GOSALLOC_MCENTRAL_H
#define _GOSALLOC_MCENTRAL_H

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "sizeclasses.h"

/* The spans of one size class on one node (node.h). */
struct gosalloc_central {
	spinlock_t lock;		/* any context, irqs saved */
	struct list_head partial;	/* spans with free objects: lock */
	struct list_head full;		/* spans with none: lock */
	unsigned long nspans;		/* lock; read anywhere */
} ____cacheline_aligned_in_smp;

/* The tiny allocator's blocks have a central list of their own. */
#define GOSALLOC_TINY_CLASS	GOSALLOC_NR_CLASSES
#define GOSALLOC_NR_CENTRALS	(GOSALLOC_NR_CLASSES + 1)

/* A chain of objects linked through their first word. */
struct gosalloc_chain {
	void *head;
	void *tail;
	unsigned int count;
};

void gosalloc_central_shape(unsigned int cls, unsigned int *npages,
			    unsigned int *nelems, u32 *elemsize, u32 *divmagic);
struct gosalloc_span;
void gosalloc_central_span_init(struct gosalloc_span *s, unsigned int cls);
void gosalloc_mcentral_init(struct gosalloc_central *central);
void gosalloc_mcentral_trim(void);
bool gosalloc_mcentral_grab(unsigned int cls, unsigned int want, gfp_t gfp,
			    struct gosalloc_chain *chain);
bool gosalloc_mcentral_grab_node(int nid, unsigned int cls, unsigned int want,
				 gfp_t gfp, struct gosalloc_chain *chain);
void gosalloc_mcentral_release(unsigned int cls, void *head);

#endif /* _GOSALLOC_MCENTRAL_H */
